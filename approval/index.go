package approval

import (
	"sort"
	"time"
)

// index is a store's view of the approvals: by id, and the lookups the request path makes without
// walking every approval kept for the retention — the approvals of one digest (an action's
// requests, retries and twins) and the live ones (pending or approved). Callers hold the store's
// lock; index itself is not safe for concurrent use.
type index struct {
	byID     map[string]Approval
	byDigest map[string]map[string]struct{}
	live     map[string]struct{} // Pending or Approved: what can still change by time alone
}

func newIndex() index {
	return index{byID: map[string]Approval{}, byDigest: map[string]map[string]struct{}{}, live: map[string]struct{}{}}
}

func (x *index) get(id string) (Approval, bool) {
	a, ok := x.byID[id]
	return a, ok
}

// set stores a as the current state of its id.
func (x *index) set(a Approval) {
	if old, ok := x.byID[a.ID]; ok && old.Digest != a.Digest {
		x.unlinkDigest(old)
	}
	x.byID[a.ID] = a
	ids := x.byDigest[a.Digest]
	if ids == nil {
		ids = map[string]struct{}{}
		x.byDigest[a.Digest] = ids
	}
	ids[a.ID] = struct{}{}
	if a.Status == Pending || a.Status == Approved {
		x.live[a.ID] = struct{}{}
	} else {
		delete(x.live, a.ID)
	}
}

func (x *index) del(id string) {
	old, ok := x.byID[id]
	if !ok {
		return
	}
	delete(x.byID, id)
	delete(x.live, id)
	x.unlinkDigest(old)
}

func (x *index) unlinkDigest(a Approval) {
	ids := x.byDigest[a.Digest]
	delete(ids, a.ID)
	if len(ids) == 0 {
		delete(x.byDigest, a.Digest)
	}
}

// all returns every approval, oldest first.
func (x *index) all() []Approval {
	out := make([]Approval, 0, len(x.byID))
	for _, a := range x.byID {
		out = append(out, a)
	}
	return oldestFirst(out)
}

// withDigest returns the approvals of one digest, oldest first.
func (x *index) withDigest(digest string) []Approval {
	return x.pick(x.byDigest[digest])
}

// liveOnes returns the pending and approved approvals, oldest first.
func (x *index) liveOnes() []Approval { return x.pick(x.live) }

// terminalBefore returns the terminal approvals created before t (the retention's candidates).
func (x *index) terminalBefore(t time.Time) []Approval {
	var out []Approval
	for id, a := range x.byID {
		if _, live := x.live[id]; !live && a.Status.Terminal() && a.Created.Before(t) {
			out = append(out, a)
		}
	}
	return oldestFirst(out)
}

func (x *index) pick(ids map[string]struct{}) []Approval {
	if len(ids) == 0 {
		return nil
	}
	out := make([]Approval, 0, len(ids))
	for id := range ids {
		out = append(out, x.byID[id])
	}
	return oldestFirst(out)
}

func oldestFirst(out []Approval) []Approval {
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}
