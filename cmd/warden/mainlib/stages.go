package mainlib

import (
	"context"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/inspect"
	"github.com/warden-gw/warden/inspect/llmapi"
)

// The adapters in this file fit the stage packages to the small interfaces extproc declares.

// maxHeldToolCall bounds what the stream guard may hold back while a tool call is assembled.
const maxHeldToolCall = 1 << 20

// inspector runs package inspect on each exchange. It also names the credential role the
// request's route would use (x.Credentials[0].Role, CEL's creds.role) before the policy decides,
// so a rule can deny by it and a denied request never causes a lease.
type inspector struct {
	roleFor func(authority, path string) (string, bool)
}

var _ extproc.Inspector = (*inspector)(nil)

func facts(x *exchange.Exchange) *inspect.Facts {
	f, _ := x.Facts.(*inspect.Facts)
	return f
}

func (i *inspector) InspectRequest(x *exchange.Exchange) {
	f := inspect.Analyze(&x.Request)
	f.Release() // policies decode request.body.json themselves when a rule needs it
	x.Facts = f
	if i.roleFor != nil {
		if role, ok := i.roleFor(x.Request.Authority, x.Request.Path); ok {
			x.Credentials = []exchange.Credential{{Role: role}}
		}
	}
}

func (*inspector) InspectResponse(x *exchange.Exchange) {
	if f := facts(x); f != nil {
		f.AddResponse(&x.Response)
	}
}

// NewGuard guards streamed responses of LLM APIs: tool-call events are held until the
// response-phase policy has seen the whole call.
func (*inspector) NewGuard(x *exchange.Exchange) extproc.StreamGuard {
	f := facts(x)
	if f == nil || f.LLM.API == "" {
		return nil
	}
	return &llmGuard{g: llmapi.NewGuard(f.LLM.Provider, f.LLM.API, maxHeldToolCall), provider: f.LLM.Provider, api: f.LLM.API}
}

// BlockedBody shapes a blocked LLM response as the provider's own error, so the agent's SDK
// raises it; other APIs get warden's JSON refusal (nil here).
func (*inspector) BlockedBody(x *exchange.Exchange, message string) (string, []byte) {
	f := facts(x)
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
	if f := facts(x); f != nil {
		f.AddToolCalls(calls)
	}
	return held, err
}

func (l *llmGuard) Blocked(message string) []byte {
	return llmapi.StreamError(l.provider, l.api, message)
}

// auditor writes the two records of each exchange through package audit. Before each record it
// copies the actions inspection found into x.ToolCalls, with their text passed through the
// redactor: an audit record never carries a secret.
type auditor struct {
	log    *audit.Log
	redact func(string) string // nil: tool-call text is left out of the record
}

var _ extproc.Auditor = (*auditor)(nil)

func (a *auditor) RecordRequest(ctx context.Context, x *exchange.Exchange) error {
	return a.log.Record(ctx, a.forRecord(x), audit.StageRequest)
}

func (a *auditor) RecordCompletion(ctx context.Context, x *exchange.Exchange) error {
	return a.log.Record(ctx, a.forRecord(x), audit.StageCompletion)
}

// forRecord prepares x for the audit log: the tool calls inspection found, and a path whose
// secrets (a token in a URL segment or in a query value the audit package does not know as
// sensitive) are redacted. The path is changed on a copy: later phases see the real one.
func (a *auditor) forRecord(x *exchange.Exchange) *exchange.Exchange {
	a.toolCalls(x)
	if a.redact == nil || x.Request.Path == "" {
		return x
	}
	p := a.redact(x.Request.Path)
	if p == x.Request.Path {
		return x
	}
	cp := *x
	cp.Request.Path = p
	return &cp
}

func (a *auditor) toolCalls(x *exchange.Exchange) {
	f := facts(x)
	if f == nil {
		return
	}
	calls := f.ToolCalls()
	for i := range calls {
		if a.redact == nil {
			calls[i].Text = ""
			continue
		}
		calls[i].Text = a.redact(calls[i].Text)
	}
	x.ToolCalls = calls
}
