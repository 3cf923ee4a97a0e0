// Package extproc is warden's Envoy external-processing server: it implements
// envoy.service.ext_proc.v3.ExternalProcessor, keeps one state value per stream (one stream per
// HTTP request), dispatches the ProcessingRequest oneof in one place and builds every Envoy
// mutation in one place (mutations.go).
//
// What happens to a request is decided by the stages of a Pipeline: identity, payload inspection,
// policy, redaction, credential injection and audit. Each stage is a small interface declared
// here, where it is used; package pipeline adapts the packages that implement them (identity/,
// inspect/, cel/policy, approval/, redact/, creds/, audit/), which know nothing of Envoy, and this
// package knows nothing of Kafka or Vault. A nil stage passes everything through.
package extproc

import (
	"context"
	"errors"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// Metadata is what Envoy forwarded about the request beside its headers: metadata_context
// namespaces (e.g. "envoy.filters.http.jwt_authn") and the configured attributes, each as plain
// JSON-like maps.
type Metadata struct {
	Namespaces map[string]map[string]any
	Attributes map[string]map[string]any
}

// Identifier fills x.Identity. It returns the names of the request headers that carried the
// agent's own identity token: they are removed before the request goes upstream (the upstream
// gets warden's credential, never the agent's token). It returns a *Reject to refuse the request
// (for example 401 for a missing or invalid token on a route that requires one).
type Identifier interface {
	Identify(ctx context.Context, x *exchange.Exchange, md Metadata) (strip []string, err error)
}

// Router fills x.Route from the request's authority and path (the credential role its upstream
// would use), before inspection and policy, so that a rule can decide by it.
type Router interface {
	Route(x *exchange.Exchange)
}

// Inspector understands payloads: it fills x.Facts from the request and response.
type Inspector interface {
	InspectRequest(x *exchange.Exchange)
	InspectResponse(x *exchange.Exchange)
	// NewGuard returns a guard for a streamed response (SSE from an LLM API) or nil when the
	// response needs none.
	NewGuard(x *exchange.Exchange) StreamGuard
	// BlockedBody is the response body that replaces a buffered response whose content a policy
	// blocked, shaped so that the agent's SDK raises it as an error.
	BlockedBody(x *exchange.Exchange, message string) (contentType string, body []byte)
}

// StreamGuard watches a streamed response. Write returns what may reach the client now; the
// guard holds back what a later decision may still need to stop (a tool call being assembled).
// Finish adds what was assembled to x.Facts and returns the held bytes; Blocked returns the bytes
// that end the stream with an error instead of them.
type StreamGuard interface {
	Write(chunk []byte) ([]byte, error)
	Finish(x *exchange.Exchange) (held []byte, err error)
	Blocked(message string) []byte
}

// Decider evaluates the policies for one phase.
type Decider interface {
	Decide(ctx context.Context, x *exchange.Exchange, phase exchange.Phase) exchange.Decision
}

// RedactOptions says what a redaction applies to.
type RedactOptions struct {
	Phase       exchange.Phase
	ContentType string
	// Exact lists values that must be redacted wherever they appear: the credentials warden
	// injected into this request, in case the upstream echoes them.
	Exact []string
}

// Redactor removes secrets and PII from bodies.
type Redactor interface {
	// Redact returns body with every finding replaced, and the counts per class.
	Redact(x *exchange.Exchange, body []byte, opts RedactOptions) ([]byte, map[string]int, error)
	// NewStream returns a redactor for a body that arrives in chunks.
	NewStream(x *exchange.Exchange, opts RedactOptions) BodyStream
}

// BodyStream transforms a body chunk by chunk. Write returns the bytes that may be released now;
// Close returns the rest at end of stream. Counts reports findings per class so far.
type BodyStream interface {
	Write(chunk []byte) ([]byte, error)
	Close() ([]byte, error)
	Counts() map[string]int
}

// Injection is what the credential stage changes in the upstream request.
type Injection struct {
	Set    []exchange.Header
	Remove []string
	// Secrets are the injected values, for the redactor's exact-match list. Never logged.
	Secrets []string
}

// Injector leases a credential for the request's upstream and says how to inject it. It records
// the leases it injected in x.Credentials.
type Injector interface {
	Inject(ctx context.Context, x *exchange.Exchange) (Injection, error)
}

// CredentialReleaser is an Injector whose leases may belong to one exchange (a session nothing
// ends): Release is called once when the exchange's stream ends, whatever its outcome, if
// Inject was called for it (also when Inject failed: a lease still being read when the message
// deadline ended belongs to the exchange too), and gives them back.
type CredentialReleaser interface {
	Release(ctx context.Context, x *exchange.Exchange)
}

// Auditor writes the audit trail. RecordRequest is called exactly once per exchange, before the
// reply that lets the request go upstream; RecordCompletion once more when an exchange that went
// upstream ends. Both must be durable when they return (unless the auditor is configured async).
type Auditor interface {
	RecordRequest(ctx context.Context, x *exchange.Exchange) error
	RecordCompletion(ctx context.Context, x *exchange.Exchange) error
}

// Approver handles a require_approval decision of the request phase. Its store writes must end
// within StageBudget of Envoy's message timeout: holding a request only starts after them. It returns an allow for an
// action a human already approved (once, or within a window), holds the request while a human
// decides (hold asks Envoy for a longer message timeout and reports how long it may wait; false
// when holding is not possible), or returns the pending decision with its ApprovalID so that the
// client gets 403 and can retry once it is approved.
type Approver interface {
	//
	// An error means the approval could not even be requested (its store is down): a *Reject says
	// what the client gets and the record keeps its code; any other error is refused with 500.
	Resolve(ctx context.Context, x *exchange.Exchange, d exchange.Decision, hold func(time.Duration) (time.Duration, bool)) (exchange.Decision, error)
}

// Pipeline is the set of stages a server runs. Nil stages pass through.
type Pipeline struct {
	Identity Identifier
	Route    Router
	Inspect  Inspector
	Policy   Decider
	Approve  Approver
	Redact   Redactor
	Creds    Injector
	Audit    Auditor
}

// Reject is an error a stage returns to refuse a request with a given HTTP status.
type Reject struct {
	Status int    // HTTP status sent to the client
	Code   string // stable error code, e.g. "unauthenticated", "credentials_unavailable"
	Reason string // a message the client may see; never a secret
}

func (r *Reject) Error() string { return r.Code + ": " + r.Reason }

// Sentinel errors callers branch on.
var (
	// ErrBodyTooLarge is returned when a body exceeds the configured per-stream limit.
	ErrBodyTooLarge = errors.New("body exceeds the configured limit")
	// ErrProtocol marks an ext_proc message sequence Envoy would never send.
	ErrProtocol = errors.New("unexpected ext_proc message")
)
