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

// InspectRequest implements extproc.Inspector.
func (Inspector) InspectRequest(x *exchange.Exchange) {
	f := inspect.Analyze(&x.Request)
	f.Release() // policies decode request.body.json themselves when a rule needs it
	x.Facts = f
}

// InspectResponse implements extproc.Inspector: tool calls in a buffered LLM response.
func (Inspector) InspectResponse(x *exchange.Exchange) {
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
