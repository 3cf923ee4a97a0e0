package approval

import (
	"testing"

	"github.com/warden-gw/warden/audit"
)

// Every step an approval reports can be recorded: the audit log refuses event kinds it does not
// know (audit.ErrUnknownEvent), and approval.EventKind values are passed to it as they are.
func TestEveryApprovalEventIsAnAuditEvent(t *testing.T) {
	for _, k := range []EventKind{
		EventRequested, EventApproved, EventDenied, EventExpired, EventUsed, EventRefused,
		EventStoreUnavailable, EventSuperseded,
	} {
		if !audit.EventKind(k).Valid() {
			t.Errorf("approval event %s is not an audit event kind", k)
		}
	}
}
