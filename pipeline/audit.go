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
	return a.Log.Record(ctx, a.View.Of(x), audit.StageRequest)
}

// RecordCompletion implements extproc.Auditor.
func (a Auditor) RecordCompletion(ctx context.Context, x *exchange.Exchange) error {
	return a.Log.Record(ctx, a.View.Of(x), audit.StageCompletion)
}

// View is what leaves warden about an exchange — an audit record, an approval request shown to
// approvers, webhooks and a Kafka topic: the tool calls inspection found and the request path,
// both through Redact. A nil Redact leaves tool-call text out.
type View struct {
	Redact func(string) string
}

// Of fills x.ToolCalls (redacted) and returns x, or a copy of x whose path is redacted when the
// path carried a secret (a token in a URL segment or in a query value); later phases keep
// seeing the real path.
func (v View) Of(x *exchange.Exchange) *exchange.Exchange {
	v.toolCalls(x)
	if v.Redact == nil || x.Request.Path == "" {
		return x
	}
	p := v.Redact(x.Request.Path)
	if p == x.Request.Path {
		return x
	}
	cp := *x
	cp.Request.Path = p
	return &cp
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
