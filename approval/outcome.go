package approval

import "time"

// LastDecision returns the most recently decided request for the action with this digest:
// approved, used, denied, or expired undecided. It is what the pipeline tells an agent whose
// retry finds no usable approval ("denied by alice: not in prod"), so that a denial and its note
// reach the agent instead of a new request asking the approvers again. Superseded twins are
// skipped: the request they link to carries the decision.
func (s *Service) LastDecision(digest string) (Approval, bool) {
	var last Approval
	for _, a := range s.store.List() {
		if a.Digest != digest || !decided(a) {
			continue
		}
		if last.ID == "" || closedAt(a).After(closedAt(last)) {
			last = a
		}
	}
	return last, last.ID != ""
}

// Denial returns the latest denial of the action with this digest if it was decided within the
// approval window (approval.window, the time an approval would have been usable) and no later
// decision replaced it. A retry within the window is refused with it; after the window the
// agent may ask again.
func (s *Service) Denial(digest string) (Approval, bool) {
	a, ok := s.LastDecision(digest)
	if !ok || a.Status != Denied || !s.now().Before(a.DecidedAt.Add(s.cfg.Window)) {
		return Approval{}, false
	}
	return a, true
}

func decided(a Approval) bool {
	switch a.Status {
	case Approved, Used, Denied, Expired:
		return true
	}
	return false
}

// closedAt is when a request was decided, or when it expired undecided.
func closedAt(a Approval) time.Time {
	if !a.DecidedAt.IsZero() {
		return a.DecidedAt
	}
	return a.Expires
}
