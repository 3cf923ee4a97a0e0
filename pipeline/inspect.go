package pipeline

import (
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/inspect"
	"github.com/warden-gw/warden/inspect/llmapi"
)

// MaxHeldToolCall bounds what the stream guard may hold back while a tool call is assembled.
const MaxHeldToolCall = 1 << 20

// Inspector is the inspection stage: it runs package inspect on each exchange and keeps the
// result in x.Facts.
type Inspector struct{}

var _ extproc.Inspector = Inspector{}

// factsOf returns the facts this stage put in x, or nil when it did not run (or another
// inspector did). The Inspector is the only reader of the concrete type.
func factsOf(x *exchange.Exchange) *inspect.Facts {
	f, _ := x.Facts.(*inspect.Facts)
	return f
}

// InspectRequest implements extproc.Inspector. A JSON body is read once here (x.Request.JSON)
// for inspection and for the redaction stage after it.
func (Inspector) InspectRequest(x *exchange.Exchange) {
	x.Request.JSON = readJSON(x.Request.Body, true)
	f := inspect.Analyze(&x.Request)
	f.Release() // policies decode request.body.json themselves when a rule needs it
	x.Facts = f
}

// InspectResponse implements extproc.Inspector: tool calls in a buffered LLM response. A JSON
// object body is read once here (x.Response.JSON) for this and for the redaction stage.
func (Inspector) InspectResponse(x *exchange.Exchange) {
	x.Response.JSON = readJSON(x.Response.Body, false)
	if f := factsOf(x); f != nil {
		f.AddResponse(&x.Response)
	}
}

// NewGuard guards streamed responses of LLM APIs: tool-call events are held until the
// response-phase policy has seen the whole call.
func (Inspector) NewGuard(x *exchange.Exchange) extproc.StreamGuard {
	f := factsOf(x)
	if f == nil || f.LLM.API == "" {
		return nil
	}
	return &llmGuard{g: llmapi.NewGuard(f.LLM.Provider, f.LLM.API, MaxHeldToolCall), provider: f.LLM.Provider, api: f.LLM.API}
}

// BlockedBody shapes a blocked LLM response as the provider's own error, so the agent's SDK
// raises it; other APIs get warden's JSON refusal (nil here).
func (Inspector) BlockedBody(x *exchange.Exchange, message string) (string, []byte) {
	f := factsOf(x)
	if f == nil || f.LLM.API == "" {
		return "", nil
	}
	return llmapi.ErrorBody(f.LLM.Provider, f.LLM.API, message)
}

// maxSharedJSON bounds the bodies readJSON reads. A body's nodes take up to 14 times its bytes
// (a 28-byte node for each two-byte value of `[0,0,...]`: 8 MiB, the default max_body_bytes,
// made 124 MB of nodes and 610 MiB of allocation) and a request's are held until its request
// phase ends, through an approval hold. Past the bound every stage reads the bytes itself, as
// for a body that is not one JSON value.
const maxSharedJSON = 1 << 20

// readJSON reads body as JSON when it begins (after white space) with an object, or with an
// array when arrays is set (a request may be a JSON-RPC batch; a response array is redacted as
// a stream of events, so nothing would read it). Nil when it is not one JSON value: every
// stage then reads the bytes as it would without it.
func readJSON(body []byte, arrays bool) *exchange.JSONBody {
	if len(body) > maxSharedJSON {
		return nil
	}
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
		case '[':
			if !arrays {
				return nil
			}
		default:
			return nil
		}
		j, _ := exchange.ParseJSON(body)
		return j
	}
	return nil
}

type llmGuard struct {
	g             *llmapi.Guard
	provider, api string
}

func (l *llmGuard) Write(chunk []byte) ([]byte, error) { return l.g.Write(chunk) }

func (l *llmGuard) Finish(x *exchange.Exchange) ([]byte, error) {
	calls, held, err := l.g.Finish()
	if f := factsOf(x); f != nil {
		f.AddToolCalls(calls)
	}
	return held, err
}

func (l *llmGuard) Blocked(message string) []byte {
	return llmapi.StreamError(l.provider, l.api, message)
}
