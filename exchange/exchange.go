// Package exchange holds what warden knows about one HTTP exchange (a request and its response)
// while it passes through the ext_proc pipeline: who acts, what was sent, what the payload means,
// what the policy decided, what was redacted and which credentials were used. Every stage reads and
// fills the same value, and the audit stage turns it into exactly one record.
//
// The package has no dependencies on gRPC, Envoy, Kafka or Vault so that every other package can
// use it.
package exchange

import (
	"strings"
	"time"
)

// Header is one header field. extproc lowercases every key it reads from Envoy (Envoy's own
// header map is lowercase already; a test client's may not be), and takes the value from
// raw_value, falling back to value. Pseudo-headers (":method", ":path", ":authority", ":scheme",
// ":status") are kept in the list. Get and Values compare keys case-insensitively, so headers
// built elsewhere (tests, `warden check` input) need not be lowercased.
type Header struct {
	Key   string
	Value string
}

// Headers is an ordered header list that may hold a key more than once.
type Headers []Header

// Get returns the first value of key (case-insensitive), or "".
func (h Headers) Get(key string) string {
	for _, f := range h {
		if strings.EqualFold(f.Key, key) {
			return f.Value
		}
	}
	return ""
}

// Values returns every value of key (case-insensitive).
func (h Headers) Values(key string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.Key, key) {
			out = append(out, f.Value)
		}
	}
	return out
}

// Has reports whether key is present.
func (h Headers) Has(key string) bool {
	for _, f := range h {
		if strings.EqualFold(f.Key, key) {
			return true
		}
	}
	return false
}

// Request is the HTTP request as warden saw it.
type Request struct {
	Method    string
	Scheme    string
	Authority string // host[:port] from :authority
	Path      string // path and query, as in :path
	Headers   Headers
	// ClientAddress is the client's IP as the identity stage resolved it
	// (identity.ClientAddress: Envoy's source.address first, headers a client can write only when
	// Envoy sent none); "" when unknown or before that stage.
	ClientAddress string
	// Body is the request body when the processing mode delivered it whole (BUFFERED), possibly
	// decoded from its content-encoding. Nil for header-only requests.
	Body []byte
	// BodySeen reports that a body phase ran (a GET has none).
	BodySeen bool
	// Decoded reports that Body has already had its content-encoding removed (the data plane
	// decodes before any stage reads it), although the headers still name the encoding.
	// Readers undo the encoding themselves only when it is false (`warden check` hands them
	// the bytes as sent).
	Decoded bool
	// JSON is Body read once as JSON by the first stage that needed it (inspection), for the
	// stages after it (redaction); nil when Body is not one JSON value or nobody read it. It
	// belongs to Body: JSON.Of(Body) says it is still the same bytes.
	JSON *JSONBody
}

// Response is the upstream's response as warden saw it.
type Response struct {
	Status   int
	Headers  Headers
	Body     []byte // whole body when buffered; nil when streamed
	Streamed bool   // the body was processed chunk by chunk (SSE, large bodies)
	// JSON is Body read once as JSON, as Request.JSON is.
	JSON *JSONBody
}

// Identity is who acts. It is filled by the identity stage; the zero value means anonymous.
type Identity struct {
	Subject    string         `json:"subject,omitempty"`
	Issuer     string         `json:"issuer,omitempty"`
	Groups     []string       `json:"groups,omitempty"`
	Agent      string         `json:"agent,omitempty"`        // the workload (SPIFFE ID, client id)
	OnBehalfOf string         `json:"on_behalf_of,omitempty"` // the delegating human
	Session    string         `json:"session,omitempty"`
	Method     string         `json:"method,omitempty"` // jwt, jwt_authn, spiffe, or empty
	Claims     map[string]any `json:"claims,omitempty"`
}

// Action is what a policy decided.
type Action string

// The actions a policy can take.
const (
	Allow           Action = "allow"
	Deny            Action = "deny"
	RequireApproval Action = "require_approval"
)

// Phase names when a decision was taken.
type Phase string

// The phases a rule can apply to.
const (
	PhaseRequest  Phase = "request"
	PhaseResponse Phase = "response"
)

// DecisionCode is the stable, machine-readable reason of a decision: what metric labels,
// records and callers branch on. Reason is prose for humans and is never parsed.
type DecisionCode string

// The decision codes.
const (
	// CodeRuleAllowed: an allow rule matched.
	CodeRuleAllowed DecisionCode = "rule_allowed"
	// CodeRuleDenied: a deny rule matched.
	CodeRuleDenied DecisionCode = "rule_denied"
	// CodeDefault: no enforce rule matched; the policy's default action (or allow) applies.
	CodeDefault DecisionCode = "default_action"
	// CodePolicyError: a rule failed to evaluate (cost limit, cancelled, type error): deny.
	CodePolicyError DecisionCode = "policy_error"
	// CodeApprovalRequired: the action waits for a human approver.
	CodeApprovalRequired DecisionCode = "approval_required"
	// CodeApproved: a human approved the action (ApprovedBy names who).
	CodeApproved DecisionCode = "approved"
	// CodeApprovalDenied: a human denied the action (ApprovedBy names who, Reason carries the
	// note); a retry of the same action learns this instead of opening a new request.
	CodeApprovalDenied DecisionCode = "approval_denied"
	// CodeApprovalExpired: nobody decided in time.
	CodeApprovalExpired DecisionCode = "approval_expired"
	// CodeApprovalUnavailable: the approval could not be requested or decided (its store is
	// down).
	CodeApprovalUnavailable DecisionCode = "approval_store_unavailable"
	// CodeApprovalRefused: an approver's decision was refused (not an approver, own request):
	// the approval stays as it was.
	CodeApprovalRefused DecisionCode = "approval_refused"
)

// Decision is the outcome of evaluating the policies for one phase.
type Decision struct {
	Action        Action       `json:"action"`
	Code          DecisionCode `json:"code,omitempty"`
	Phase         Phase        `json:"phase"`
	Policy        string       `json:"policy,omitempty"`
	Rule          string       `json:"rule,omitempty"`
	PolicyVersion string       `json:"policy_version,omitempty"` // content hash of the policy file
	// Reason is for humans (the client's refusal body, the audit record); branch on Code.
	Reason string `json:"reason,omitempty"`
	// ApprovedBy names the approver (subject) who approved or denied the action.
	ApprovedBy string `json:"approved_by,omitempty"`
	// Shadow is true when the decision came from a rule in shadow mode: audited, never enforced.
	Shadow bool `json:"shadow,omitempty"`
	// ApprovalID names the approval request a require_approval decision created.
	ApprovalID string `json:"approval_id,omitempty"`
	// Shadowed lists what shadow-mode rules would have decided, for the audit record.
	Shadowed []Decision `json:"shadowed,omitempty"`
}

// Blocks reports whether the decision stops the request (deny or approval pending, not shadow).
func (d Decision) Blocks() bool {
	return !d.Shadow && (d.Action == Deny || d.Action == RequireApproval)
}

// Route is what warden's routing configuration says about the request's upstream. The router
// stage fills it once, from the authority and path, before the policy decides.
type Route struct {
	// CredentialRole is the credential role the upstream's route would inject ("" when no
	// route matches); policies read it as creds.role, so a rule can deny by it and a denied
	// request never causes a lease. The leases actually injected are Exchange.Credentials.
	CredentialRole string
}

// Facts is the payload understanding the inspection stage produced (LLM prompt and tool calls,
// MCP calls, SQL, shell, Kubernetes, cloud actions). Its concrete type belongs to the inspection
// package; the policy reads its variables and the audit record its tool calls.
type Facts interface {
	// CEL returns the policy variables derived from the payload (llm, mcp, actions, inspection).
	CEL() map[string]any
	// ToolCalls lists the actions found, for the audit record (text not yet redacted).
	ToolCalls() []ToolCall
}

// Credential records a credential warden injected, without its value.
type Credential struct {
	Role    string        `json:"role"`
	LeaseID string        `json:"lease_id,omitempty"`
	TTL     time.Duration `json:"ttl,omitempty"`
}

// ToolCall is a tool call, command or query warden understood in a payload, for the audit record.
type ToolCall struct {
	Kind   string `json:"kind"`   // sql, shell, k8s, aws, github, tool
	Source string `json:"source"` // where it was found, e.g. "request.body.query", "llm.tool_calls[0]"
	Name   string `json:"name,omitempty"`
	Text   string `json:"text,omitempty"` // the command or statement, after redaction
}

// Disposition is how the exchange ended.
type Disposition string

// The ways an exchange can end.
const (
	Allowed          Disposition = "allowed"
	Denied           Disposition = "denied"
	ApprovalRequired Disposition = "approval_required" // refused until an approver decides (not "held in flight")
	Failed           Disposition = "error"
	Cancelled        Disposition = "cancelled"
)

// Exchange is everything warden knows about one request and its response.
type Exchange struct {
	ID    string // request id: x-request-id when present, generated otherwise
	Start time.Time
	End   time.Time

	Request  Request
	Response Response
	Identity Identity
	Route    Route

	// Facts is set by the inspection stage; nil when no inspection ran.
	Facts Facts

	Decisions  []Decision
	Redactions map[string]int // findings per class (secret, pii.email, ...) in both directions
	// Credentials are the leases warden injected into this request (none for a request that did
	// not go upstream). The role a route would use is Route.CredentialRole.
	Credentials []Credential
	ToolCalls   []ToolCall

	Disposition Disposition
	Status      int    // status the client received (0 when unknown)
	ErrorCode   string // stable error code, e.g. body_too_large, policy_error
	Error       string // message for operators; never a secret
	Timings     map[string]time.Duration
	// Stages lists each timed stage run as an interval, in the order they ended (for traces), up
	// to MaxStageRuns; StagesDropped counts the runs past it (their time is still in Timings).
	Stages        []StageRun
	StagesDropped int

	// AuditMemo is the audit log's own note between the two records of this exchange: the
	// request record's encoded parts, which the completion record reuses where they did not
	// change. Only the audit log reads or writes it; it is never part of a record.
	AuditMemo any
}

// MaxStageRuns bounds Stages, so that a stage timed per chunk of a long stream cannot grow it
// (or a trace) without limit.
const MaxStageRuns = 64

// StageRun is one run of a timed stage: when it started and how long it took.
type StageRun struct {
	Stage string
	Start time.Time
	Dur   time.Duration
}

// AddRedactions merges per-class counts into the exchange.
func (x *Exchange) AddRedactions(counts map[string]int) {
	if len(counts) == 0 {
		return
	}
	if x.Redactions == nil {
		x.Redactions = make(map[string]int, len(counts))
	}
	for k, v := range counts {
		x.Redactions[k] += v
	}
}

// Time adds d to the named timing and records the run, which ended now, in Stages.
func (x *Exchange) Time(stage string, d time.Duration) {
	if x.Timings == nil {
		x.Timings = make(map[string]time.Duration, 8)
	}
	x.Timings[stage] += d
	if len(x.Stages) >= MaxStageRuns {
		x.StagesDropped++
		return
	}
	if x.Stages == nil {
		x.Stages = make([]StageRun, 0, 8) // an exchange times 6–8 runs: one allocation, not four
	}
	x.Stages = append(x.Stages, StageRun{Stage: stage, Start: time.Now().Add(-d), Dur: d})
}

// Final returns the decision that governs the exchange: the last blocking one if any, else the
// last one, else an implicit allow.
func (x *Exchange) Final() Decision {
	for i := len(x.Decisions) - 1; i >= 0; i-- {
		if x.Decisions[i].Blocks() {
			return x.Decisions[i]
		}
	}
	if n := len(x.Decisions); n > 0 {
		return x.Decisions[n-1]
	}
	return Decision{Action: Allow}
}

// PathHasPrefix reports whether the path of a request target (query and fragment ignored)
// starts with prefix at a path-segment boundary: "/v1" matches "/v1" and "/v1/x", not "/v10"; a
// prefix ending in "/" matches everything below it; "" matches every path. Routes in warden's
// configuration (credentials, redaction, required identity) all match path_prefix this way.
func PathHasPrefix(target, prefix string) bool {
	if prefix == "" {
		return true
	}
	if i := strings.IndexAny(target, "?#"); i >= 0 {
		target = target[:i]
	}
	if !strings.HasPrefix(target, prefix) {
		return false
	}
	rest := target[len(prefix):]
	return rest == "" || strings.HasSuffix(prefix, "/") || rest[0] == '/'
}
