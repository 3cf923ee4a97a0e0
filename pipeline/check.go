package pipeline

import (
	"context"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

// Check decides one exchange with the stages of p, in the order `warden serve` runs them, for
// `warden check` and `warden policy test`: the exchange's identity comes from the caller (the
// input line) instead of the Identity stage; then the router (creds.role), inspection, the
// request-phase policy and the approval lookup (when p.Approve can look up without side effects,
// as *Approvals does: an action already approved is shown released, one denied stays denied;
// nothing is requested, consumed or held). When the request goes on and withResponse is set, the
// response is inspected and the response-phase policy decides. It returns the governing decision
// (x.Final); every decision is appended to x.Decisions as serve does. Nil stages are skipped.
//
// A test (check_test.go) feeds every fixture through Check and through extproc's server and
// compares the decisions.
func Check(ctx context.Context, p extproc.Pipeline, x *exchange.Exchange, withResponse bool) exchange.Decision {
	if p.Route != nil {
		p.Route.Route(x)
	}
	if p.Inspect != nil {
		p.Inspect.InspectRequest(x)
	}
	if p.Policy == nil {
		return x.Final()
	}
	d := p.Policy.Decide(ctx, x, exchange.PhaseRequest)
	if l, ok := p.Approve.(approvalLookup); ok && d.Action == exchange.RequireApproval && !d.Shadow {
		d = l.Lookup(x, d)
	}
	x.Decisions = append(x.Decisions, d)
	if d.Blocks() || !withResponse {
		return x.Final()
	}
	if p.Inspect != nil {
		p.Inspect.InspectResponse(x)
	}
	x.Decisions = append(x.Decisions, p.Policy.Decide(ctx, x, exchange.PhaseResponse))
	return x.Final()
}

// approvalLookup is an approval stage that can answer from known approvals without side
// effects (*Approvals).
type approvalLookup interface {
	Lookup(x *exchange.Exchange, d exchange.Decision) exchange.Decision
}
