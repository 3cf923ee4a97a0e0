package pipeline

import (
	"context"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

// RecordWriter writes one audit record (audit.Log.Record).
type RecordWriter interface {
	Record(ctx context.Context, x *exchange.Exchange, stage audit.Stage) error
}

// Auditor is the audit stage: it writes the two records of each exchange. Before each record
// it copies the actions inspection found into x.ToolCalls, with their text redacted; the path is
// redacted on a copy.
type Auditor struct {
	Log  RecordWriter
	View View
}

var _ extproc.Auditor = Auditor{}

// RecordRequest implements extproc.Auditor.
func (a Auditor) RecordRequest(ctx context.Context, x *exchange.Exchange) error {
	return a.record(ctx, x, audit.StageRequest)
}

// completionLoss is a RecordWriter that counts the completion records lost on the way to it
// (audit.Log.CompletionLost).
type completionLoss interface {
	CompletionLost(id string, err error)
}

// RecordCompletion implements extproc.Auditor. A panic while the record is built (the view's or
// the log's redaction) loses the record: the log counts it (reason panic), and the panic goes on
// to the stream, which counts and logs it as one.
func (a Auditor) RecordCompletion(ctx context.Context, x *exchange.Exchange) error {
	defer func() {
		if r := recover(); r != nil {
			if l, ok := a.Log.(completionLoss); ok {
				l.CompletionLost(x.ID, audit.ErrRecordPanicked)
			}
			panic(r)
		}
	}()
	return a.record(ctx, x, audit.StageCompletion)
}

// record writes the record of x's view. The note the audit log keeps on the exchange between
// its two records (exchange.AuditMemo) is carried back to x when the view is a copy.
func (a Auditor) record(ctx context.Context, x *exchange.Exchange, stage audit.Stage) error {
	v := a.View.Of(x)
	err := a.Log.Record(ctx, v, stage)
	x.AuditMemo = v.AuditMemo
	return err
}

// View is what leaves warden about an exchange — an audit record, an approval request shown to
// approvers, webhooks and a Kafka topic: the tool calls inspection found and the request path,
// both through Redact. A nil Redact leaves tool-call text out.
type View struct {
	Redact func(string) string
}

// Of fills x.ToolCalls (redacted) and returns x, or a copy of x for what differs in the view:
//   - a path that carried a secret (a token in a URL segment or in a query value) is redacted;
//   - the credential role the route named (x.Route.CredentialRole) is listed in Credentials
//     even when no lease was injected (a denied request), so the record names the role the
//     policy saw; an injected lease of that role stands for it.
//
// x itself is not changed beyond ToolCalls: later phases keep the real path and only the
// leases injected.
func (v View) Of(x *exchange.Exchange) *exchange.Exchange {
	v.toolCalls(x)
	out := x
	if v.Redact != nil && x.Request.Path != "" {
		if p := v.Redact(x.Request.Path); p != x.Request.Path {
			cp := *x
			cp.Request.Path = p
			out = &cp
		}
	}
	if role := x.Route.CredentialRole; role != "" && !hasRole(x.Credentials, role) {
		if out == x {
			cp := *x
			out = &cp
		}
		out.Credentials = append([]exchange.Credential{{Role: role}}, x.Credentials...)
	}
	return out
}

func hasRole(cs []exchange.Credential, role string) bool {
	for _, c := range cs {
		if c.Role == role {
			return true
		}
	}
	return false
}

func (v View) toolCalls(x *exchange.Exchange) {
	if x.Facts == nil {
		return
	}
	calls := x.Facts.ToolCalls()
	for i := range calls {
		if v.Redact == nil {
			calls[i].Text = ""
			continue
		}
		calls[i].Text = v.Redact(calls[i].Text)
	}
	x.ToolCalls = calls
}
