package approval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// maxNote bounds an approver's note.
const maxNote = 1024

// Decide approves or denies a pending request. It refuses unknown ids (ErrNotFound), expired
// requests (ErrExpired), requests already decided (ErrAlreadyDecided), approvers outside the
// approver groups (ErrForbidden) and the requesting identity itself (ErrSelfApproval). Refusals
// are reported as EventRefused.
func (s *Service) Decide(ctx context.Context, id string, approver exchange.Identity, approve bool, note string) error {
	err := s.decide(ctx, id, approver, approve, note)
	if err != nil && !errors.Is(err, ErrConflict) {
		a, _ := s.store.Get(id)
		if a.ID == "" {
			a.ID = clip(id, 128)
		}
		ev := Event{Kind: EventRefused, Approval: a, Actor: approver.Subject, Error: err.Error()}
		if errors.Is(err, ErrStoreUnavailable) {
			// The approver was not refused: their decision could not be stored. The record says
			// so, without the store's internals (broker addresses, client errors).
			s.log.Error("approval decision not stored", "id", a.ID, "err", err)
			ev = Event{Kind: EventStoreUnavailable, Approval: a, Actor: approver.Subject, Error: ErrStoreUnavailable.Error()}
		}
		s.events(ctx, ev)
	}
	return err
}

func (s *Service) decide(ctx context.Context, id string, approver exchange.Identity, approve bool, note string) error {
	if approver.Subject == "" || !slices.ContainsFunc(approver.Groups, func(g string) bool {
		return slices.Contains(s.cfg.ApproverGroups, g)
	}) {
		return fmt.Errorf("%s may not decide approvals (needs one of groups %v): %w", approver.Subject, s.cfg.ApproverGroups, ErrForbidden)
	}
	for attempt := 0; ; attempt++ {
		a, ok := s.store.Get(id)
		if !ok {
			return fmt.Errorf("approval %q: %w", clip(id, 128), ErrNotFound)
		}
		now := s.now()
		switch {
		case a.Status == Pending && !now.Before(a.Expires):
			_ = s.expire(ctx, a)
			return fmt.Errorf("approval %s expired at %s: %w", id, a.Expires.UTC().Format(time.RFC3339), ErrExpired)
		case a.Status == Expired:
			return fmt.Errorf("approval %s: %w", id, ErrExpired)
		case a.Status == Superseded:
			return fmt.Errorf("approval %s was closed as a twin of %s (decided by %s): %w", id, a.LinkedTo, a.DecidedBy, ErrAlreadyDecided)
		case a.Status != Pending:
			return fmt.Errorf("approval %s is %s (by %s): %w", id, a.Status, a.DecidedBy, ErrAlreadyDecided)
		case approver.Subject == a.Requester.Subject || approver.Subject == a.Requester.Agent ||
			(s.cfg.FourEyes && approver.Subject == a.Requester.OnBehalfOf):
			return fmt.Errorf("approval %s: %w", id, ErrSelfApproval)
		}
		next := a
		next.Version++
		next.DecidedBy, next.DecidedAt, next.Note = approver.Subject, now, clip(note, maxNote)
		kind := EventDenied
		next.Status = Denied
		if approve {
			kind, next.Status, next.UsableUntil = EventApproved, Approved, now.Add(s.cfg.Window)
		}
		err := s.put(ctx, next)
		if errors.Is(err, ErrConflict) && attempt < 3 {
			continue // someone else changed it; look again (it is probably decided now)
		}
		if err != nil {
			return fmt.Errorf("record decision on approval %s: %w", id, err)
		}
		next, _ = s.store.Get(id)
		s.events(ctx, Event{Kind: kind, Approval: next, Actor: approver.Subject})
		s.closeTwins(ctx, next)
		return nil
	}
}

// closeTwins supersedes the other pending requests for the decided request's action: twins that
// replicas opened for the same digest before they saw each other's (requestID's bucket edge, or a
// replica behind on the topic). Their waiters follow LinkedTo to this decision, so approving one
// releases the action once and denying one denies it everywhere; no approver is asked twice.
//
// A twin is of the same principal too: an old replica's request (no DigestVersion, Key) under
// the same digest counts only for the issuer it recorded, so a decision never stands for another
// issuer's request.
func (s *Service) closeTwins(ctx context.Context, decided Approval) {
	same := Key{Digest: decided.Digest, Issuer: decided.Requester.Issuer}
	for _, a := range s.store.ByDigest(decided.Digest) {
		if a.ID == decided.ID || a.Status != Pending || !same.Matches(a) {
			continue
		}
		next := a
		next.Version++
		next.Status, next.LinkedTo = Superseded, decided.ID
		next.DecidedBy, next.DecidedAt, next.Note = decided.DecidedBy, decided.DecidedAt, decided.Note
		if err := s.put(ctx, next); err != nil {
			if !errors.Is(err, ErrConflict) {
				s.log.Warn("close the twin of a decided approval", "id", a.ID, "decided", decided.ID, "err", err)
			}
			continue
		}
		next, _ = s.store.Get(a.ID)
		s.events(ctx, Event{Kind: EventSuperseded, Approval: next, Actor: decided.DecidedBy})
	}
}

// Consume lets an approved action through: it finds an approved request of k's action (Key) that
// is still usable, records the use (once-only approvals become Used) and returns it. Two replicas
// consuming a once-only approval at the same time: the store's version check lets only one win.
func (s *Service) Consume(ctx context.Context, k Key) (Approval, bool) {
	for attempt := 0; attempt < 4; attempt++ {
		a, ok := s.findApproved(k)
		if !ok {
			return Approval{}, false
		}
		now := s.now()
		if !now.Before(a.UsableUntil) {
			_ = s.expire(ctx, a)
			continue // maybe another approval for the same digest
		}
		next := a
		next.Version++
		next.Uses++
		if !s.cfg.Reusable {
			next.Status = Used
		}
		err := s.put(ctx, next)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			s.log.Error("record use of approval; not releasing", "id", a.ID, "err", err)
			return Approval{}, false
		}
		next, _ = s.store.Get(a.ID)
		s.events(ctx, Event{Kind: EventUsed, Approval: next})
		return next, true
	}
	return Approval{}, false
}

func (s *Service) findApproved(k Key) (Approval, bool) {
	for _, a := range k.Select(s.store.ByDigest) {
		if k.Matches(a) && a.Status == Approved && (s.cfg.Reusable || a.Uses == 0) {
			return a, true
		}
	}
	return Approval{}, false
}

// expire ends a pending request past its deadline, or an approval past its use window (Used if
// it was used, Expired otherwise).
func (s *Service) expire(ctx context.Context, a Approval) error {
	next := a
	next.Version++
	next.Status = Expired
	if a.Status == Approved && a.Uses > 0 {
		next.Status = Used
	}
	if err := s.put(ctx, next); err != nil {
		return err
	}
	next, _ = s.store.Get(a.ID)
	if next.Status == Expired {
		s.events(ctx, Event{Kind: EventExpired, Approval: next})
	}
	return nil
}

// sweep expires what is due and deletes terminal approvals older than the retention. Every replica
// sweeps; the version check makes one of them win each transition, and only the winner reports
// the event.
func (s *Service) sweep(ctx context.Context) {
	now := s.now()
	for _, a := range s.store.Live() {
		if (a.Status == Pending && !now.Before(a.Expires)) || (a.Status == Approved && !now.Before(a.UsableUntil)) {
			s.swept(a.ID, s.expire(ctx, a))
		}
	}
	for _, a := range s.store.TerminalBefore(now.Add(-s.cfg.Retention)) {
		s.swept(a.ID, s.store.Delete(ctx, a.ID))
	}
}

func (s *Service) swept(id string, err error) {
	if err != nil && !errors.Is(err, ErrConflict) {
		s.log.Warn("approval janitor", "id", id, "err", err)
	}
}
