package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/exchange"
)

// StageEvent is the stage of a record that is not an HTTP exchange (see Event).
const StageEvent = record.StageEvent

// EventKind says what a non-HTTP record is about. It is written to unmapped.warden.event and
// api.operation ("warden.<kind>"), never into error_code.
type EventKind string

// The events RecordEvent accepts. The approval kinds have the values of approval.EventKind,
// so a caller converts with EventKind(ev.Kind).
const (
	// EventSessionEnded closes an agent session (idle, max lifetime, shutdown).
	EventSessionEnded EventKind = "session.ended"
	// EventApprovalRequested … EventApprovalStoreUnavailable are the steps of an approval.
	EventApprovalRequested        EventKind = "approval.requested"
	EventApprovalApproved         EventKind = "approval.approved"
	EventApprovalDenied           EventKind = "approval.denied"
	EventApprovalExpired          EventKind = "approval.expired"
	EventApprovalUsed             EventKind = "approval.used"
	EventApprovalRefused          EventKind = "approval.refused"
	EventApprovalStoreUnavailable EventKind = "approval.store_unavailable"
	// EventApprovalSuperseded closes a twin request for an action another request decided
	// (approval.Superseded); its default disposition is Denied, a caller recording a twin of an
	// approved request sets Disposition Allowed.
	EventApprovalSuperseded EventKind = "approval.superseded"
	// EventSpoolDropped records entries that on_full=drop_oldest deleted unshipped.
	EventSpoolDropped EventKind = "audit.spool_dropped"
)

var eventDispositions = map[EventKind]exchange.Disposition{
	EventSessionEnded:             exchange.Allowed,
	EventApprovalRequested:        exchange.ApprovalRequired,
	EventApprovalApproved:         exchange.Allowed,
	EventApprovalDenied:           exchange.Denied,
	EventApprovalExpired:          exchange.Denied,
	EventApprovalUsed:             exchange.Allowed,
	EventApprovalRefused:          exchange.Denied,
	EventApprovalStoreUnavailable: exchange.Failed,
	EventApprovalSuperseded:       exchange.Denied,
	EventSpoolDropped:             exchange.Failed,
}

// Valid reports whether k is one of the kinds above.
func (k EventKind) Valid() bool {
	_, ok := eventDispositions[k]
	return ok
}

// ErrUnknownEvent is returned by RecordEvent for a kind it does not know.
var ErrUnknownEvent = errors.New("unknown audit event kind")

// Event is one record of something that is not an HTTP exchange.
type Event struct {
	Kind EventKind
	// ID correlates the event with others (metadata.correlation_uid): the approval id, the
	// session id, the request id an event is about.
	ID string
	// Time is when it happened (default: the log's clock).
	Time time.Time
	// Identity is who acted: the approver on an approval decision (as Subject), the agent and
	// the human it acts for, the session.
	Identity exchange.Identity
	// Action is the HTTP request the event is about, when there is one (an approval's action).
	Action *exchange.Request
	// Decision is the decision the event records (an approval's rule, reason, approval id).
	Decision *exchange.Decision
	// Disposition overrides the kind's default (Allowed, Denied, ApprovalRequired, Failed).
	Disposition exchange.Disposition
	// ErrorCode is a stable code for what failed (error events only); Error says it for humans.
	// Both pass the redactor like every string of a record.
	ErrorCode, Error string
	// Marker describes spool entries deleted by drop_oldest.
	Marker *Marker
}

// RecordEvent appends the record of ev to the chain with the same durability as Record. Pass
// context.WithoutCancel(ctx) so that a cancelled caller still leaves its record.
func (l *Log) RecordEvent(ctx context.Context, ev Event) error {
	rec, err := l.buildEvent(ev)
	if err != nil {
		return err
	}
	t, err := l.enqueue(rec, StageEvent)
	if err != nil {
		return err
	}
	return l.wait(ctx, t, StageEvent, time.Now())
}

func (l *Log) buildEvent(ev Event) (*Record, error) {
	if !ev.Kind.Valid() {
		return nil, fmt.Errorf("%w %q", ErrUnknownEvent, ev.Kind)
	}
	if ev.ID == "" {
		return nil, fmt.Errorf("audit event %s: an id is required (it correlates the record)", ev.Kind)
	}
	t := ev.Time
	if t.IsZero() {
		t = l.cfg.Now()
	}
	x := &exchange.Exchange{
		ID: ev.ID, Start: t, End: t, Identity: ev.Identity,
		Disposition: ev.Disposition, ErrorCode: ev.ErrorCode, Error: ev.Error,
	}
	if x.Disposition == "" {
		x.Disposition = eventDispositions[ev.Kind]
	}
	if ev.Action != nil {
		x.Request = *ev.Action
	}
	if ev.Decision != nil {
		x.Decisions = []exchange.Decision{*ev.Decision}
	}
	rec := BuildRecord(x, StageEvent, l.cfg.Product, l.cfg.Now())
	rec.Metadata.UID = ev.ID + ":" + string(ev.Kind)
	rec.Unmapped.Warden.Event = string(ev.Kind)
	if ev.Action == nil {
		rec.API.Operation = "warden." + string(ev.Kind)
		rec.Message = strings.TrimSpace("warden." + string(ev.Kind) + " " + ev.ID)
	}
	if ev.Marker != nil {
		m := *ev.Marker
		rec.Unmapped.Warden.Marker = &m
		rec.SeverityID, rec.Severity = 4, "High"
	}
	return rec, nil // redacted as it is encoded (Log.encode)
}
