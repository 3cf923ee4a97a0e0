// Package approval holds risky actions for a human decision. A require_approval policy decision
// creates an approval request (who asks, what action, which rule, a digest of the request);
// approvers approve or deny it through the admin HTTP API or `warden approve|deny`; an approved
// request lets the same action through once (or for a configured window) when its digest comes
// back. State is shared by every warden replica through a Store: a compacted Kafka topic in
// production (KafkaStore), memory for a single replica (MemoryStore).
package approval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// Status is where an approval request stands.
type Status string

// The states of an approval: pending → approved | denied | expired | superseded;
// approved → used | expired.
const (
	Pending  Status = "pending"
	Approved Status = "approved"
	Denied   Status = "denied"
	Expired  Status = "expired"
	Used     Status = "used"
	// Superseded closes a pending twin: a second request for the same action (same digest) that
	// was opened while the first was pending, closed when the first is decided. LinkedTo names
	// the request whose decision stands for it.
	Superseded Status = "superseded"
)

// Terminal reports whether no further transition can happen.
func (s Status) Terminal() bool {
	return s == Denied || s == Expired || s == Used || s == Superseded
}

// Requester is who asked: the identity of the exchange that needed approval.
type Requester struct {
	Subject    string `json:"subject,omitempty"`
	Issuer     string `json:"issuer,omitempty"`
	Agent      string `json:"agent,omitempty"`
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
	Session    string `json:"session,omitempty"`
}

// Action summarises what is to be approved, for the approver. It holds no body and no header
// values, and its path and tool calls come from the Service's view (WithView), which redacts them.
type Action struct {
	Method    string   `json:"method"`
	Host      string   `json:"host"`
	Path      string   `json:"path"`
	Policy    string   `json:"policy,omitempty"`
	Rule      string   `json:"rule,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	ToolCalls []string `json:"tool_calls,omitempty"`
}

// Approval is one approval request and its state. Each transition writes a new Version.
type Approval struct {
	ID        string    `json:"id"`
	Version   int64     `json:"version"`
	Status    Status    `json:"status"`
	Digest    string    `json:"digest"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"` // a pending request expires then
	Requester Requester `json:"requester"`
	Action    Action    `json:"action"`

	DecidedBy   string    `json:"decided_by,omitempty"`
	DecidedAt   time.Time `json:"decided_at,omitzero"`
	Note        string    `json:"note,omitempty"`
	UsableUntil time.Time `json:"usable_until,omitzero"` // an approved request may pass until then
	Uses        int       `json:"uses,omitempty"`

	// Seq numbers the requests for one digest (1, 2, ...); with the digest it derives the id, so
	// replicas that open a request for the same action at the same instant open the same one.
	Seq int `json:"seq,omitempty"`
	// LinkedTo is, for a superseded twin, the id of the request whose decision stands for it.
	LinkedTo string `json:"linked_to,omitempty"`
	// DigestVersion is how Digest was computed: DigestIssuer (2) binds the subject's issuer;
	// absent (0) is a replica from before that (see Key).
	DigestVersion int `json:"digest_version,omitempty"`

	// WriteID identifies the write that produced this version; the Kafka store uses it to tell a
	// replica whether its write won.
	WriteID string `json:"write_id,omitempty"`
}

// EventKind names a step of an approval's life.
type EventKind string

// The steps reported to Events.
const (
	EventRequested EventKind = "approval.requested"
	EventApproved  EventKind = "approval.approved"
	EventDenied    EventKind = "approval.denied"
	EventExpired   EventKind = "approval.expired"
	EventUsed      EventKind = "approval.used"
	EventRefused   EventKind = "approval.refused" // a Decide call that was refused (who, why)
	// EventSuperseded: a twin request for the same action was closed because another request
	// for it was decided (Approval.LinkedTo names that one; Actor is its approver).
	EventSuperseded EventKind = "approval.superseded"
	// EventStoreUnavailable: a step (an approver's decision) could not be recorded because the
	// approval store is down; nobody was refused, nothing was decided.
	EventStoreUnavailable EventKind = "approval.store_unavailable"
)

// Event is one step, for the audit log. Actor is the approver for approved/denied/refused.
type Event struct {
	Kind     EventKind `json:"kind"`
	Approval Approval  `json:"approval"`
	Actor    string    `json:"actor,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// Sentinel errors callers branch on (the HTTP API maps them to statuses).
var (
	ErrNotFound       = errors.New("no approval request with this id")
	ErrExpired        = errors.New("the approval request has expired")
	ErrAlreadyDecided = errors.New("the approval request was already decided")
	ErrForbidden      = errors.New("approver is not in a configured approver group")
	ErrSelfApproval   = errors.New("the requesting identity cannot approve its own request")
	ErrConflict       = errors.New("another replica changed the approval first")
	ErrTooMany        = errors.New("too many pending approval requests")
	// ErrStoreUnavailable: the shared approval state could not be written (the Kafka brokers
	// cannot be reached, or the write was not read back in time). Nothing was decided.
	ErrStoreUnavailable = errors.New("the approval store is unavailable")
)

// Digest identifies an action for approval: sha256 over a length-prefixed canonical form of the
// method, host, path, body and the acting identity (subject and agent). The same request by the
// same agent gets the same digest; anything else (another body, another agent) does not.
//
// A request without a subject (anonymous) is told apart from another client's identical request
// only by its session (identity.AnonymousSession: the client's address, user agent and own
// session header), so for it the session is hashed too: an approval granted to one anonymous
// client's request releases that client's retry, not another client sending the same request.
// An identified request's digest does not depend on its session (a retry in a new session of
// the same agent still matches). It does depend on the subject's issuer: the same subject name
// from two identity providers is two principals, and an approval granted to one must not release
// the other's request. The issuer is hashed even when empty, so that no digest equals the one
// replicas from before the issuer binding compute (LegacyDigest), which does not depend on the
// issuer: such a replica can never take an approval given here for another issuer's request.
func Digest(method, scheme, host, path string, body []byte, who Principal) string {
	return digest(method, scheme, host, path, body, who, true)
}

// LegacyDigest is the digest replicas from before the issuer binding gave an action: Digest
// without the issuer. Their approvals carry no DigestVersion; Key finds them only for the
// issuer they recorded.
func LegacyDigest(method, scheme, host, path string, body []byte, who Principal) string {
	return digest(method, scheme, host, path, body, who, false)
}

func digest(method, scheme, host, path string, body []byte, who Principal, withIssuer bool) string {
	bodySum := sha256.Sum256(body)
	fields := []string{
		"warden-approval-v1", strings.ToUpper(method), canonicalHost(scheme, host), path,
		hex.EncodeToString(bodySum[:]), who.Subject, who.Agent,
	}
	if who.Subject == "" {
		fields = append(fields, "anonymous-session", who.Session)
	}
	if withIssuer {
		fields = append(fields, "issuer", who.Issuer)
	}
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DigestOf is Digest of an exchange's request and identity.
func DigestOf(x *exchange.Exchange) string {
	r, id := x.Request, x.Identity
	return Digest(r.Method, r.Scheme, r.Authority, r.Path, r.Body,
		Principal{Subject: id.Subject, Issuer: id.Issuer, Agent: id.Agent, Session: id.Session})
}

// Principal is who asks for an action, as far as its approval digest goes: the subject and the
// issuer that vouched for it, the workload acting, and (for anonymous requests only) the session.
type Principal struct {
	Subject, Issuer, Agent, Session string
}

func canonicalHost(scheme, host string) string {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	switch {
	case scheme == "https" && strings.HasSuffix(h, ":443"):
		h = strings.TrimSuffix(h, ":443")
	case scheme == "http" && strings.HasSuffix(h, ":80"):
		h = strings.TrimSuffix(h, ":80")
	}
	return h
}

// maxToolCalls and maxText bound what an approval carries to approvers.
const (
	maxToolCalls = 16
	maxText      = 1024
)

func actionOf(x *exchange.Exchange, d exchange.Decision) Action {
	a := Action{
		Method: x.Request.Method, Host: x.Request.Authority, Path: clip(x.Request.Path, maxText),
		Policy: d.Policy, Rule: d.Rule, Reason: clip(d.Reason, maxText),
	}
	for i, tc := range x.ToolCalls {
		if i == maxToolCalls {
			a.ToolCalls = append(a.ToolCalls, fmt.Sprintf("... and %d more", len(x.ToolCalls)-i))
			break
		}
		s := tc.Kind
		if tc.Name != "" {
			s += " " + tc.Name
		}
		if tc.Text != "" {
			s += ": " + tc.Text
		}
		a.ToolCalls = append(a.ToolCalls, clip(s, maxText))
	}
	return a
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Store keeps approval state. Put is a compare-and-set on Version: next.Version must be one more
// than the stored version (1 for a new id), otherwise Put returns ErrConflict. Put returns once
// the write is visible to Get on this replica. Watch callbacks see every applied state, written
// here or by another replica.
type Store interface {
	Put(ctx context.Context, next Approval) error
	Get(id string) (Approval, bool)
	// List returns every approval kept, oldest first (a copy: the API and history views).
	List() []Approval
	// ByDigest returns the approvals of one action (digest), oldest first, without walking the
	// others: the request path looks an action up here on every held or approved request.
	ByDigest(digest string) []Approval
	// Live returns the pending and approved approvals, oldest first.
	Live() []Approval
	// TerminalBefore returns the terminal approvals created before t (retention).
	TerminalBefore(t time.Time) []Approval
	Watch(fn func(Approval))
	// Delete forgets a terminal approval (retention).
	Delete(ctx context.Context, id string) error
	Close() error
}

// IDSalter is a Store that says what to mix into the request ids derived from a digest: the
// same for every replica sharing the store, different for a store that starts empty again.
type IDSalter interface {
	IDSalt() string
}

// HealthReporter is a Store that can say whether writes currently work (readiness).
type HealthReporter interface {
	// Health returns nil, or why the last write failed when no write has worked since.
	Health() error
}
