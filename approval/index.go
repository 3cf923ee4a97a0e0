package approval

import (
	"container/heap"
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
	// terminal orders the terminal approvals by creation for the retention, so that the janitor
	// visits only those due instead of walking the store (under its lock) every sweep. Entries
	// of approvals deleted since are dropped when they come up.
	terminal createdHeap
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
	old, had := x.byID[a.ID]
	if had && old.Digest != a.Digest {
		x.unlinkDigest(old)
	}
	if a.Status.Terminal() && (!had || !old.Status.Terminal() || !old.Created.Equal(a.Created)) {
		heap.Push(&x.terminal, created{at: a.Created, id: a.ID})
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

// terminalBefore returns the terminal approvals created before t (the retention's candidates),
// oldest first. They stay indexed until deleted: a deletion that fails is tried again.
func (x *index) terminalBefore(t time.Time) []Approval {
	var out []Approval
	var keep []created
	for x.terminal.Len() > 0 && x.terminal[0].at.Before(t) {
		e := heap.Pop(&x.terminal).(created)
		a, ok := x.byID[e.id]
		if !ok || !a.Status.Terminal() || !a.Created.Equal(e.at) {
			continue // deleted (or not this approval any more): drop the entry
		}
		out = append(out, a)
		keep = append(keep, e)
	}
	for _, e := range keep {
		heap.Push(&x.terminal, e)
	}
	return out
}

// created is a terminal approval in the retention order.
type created struct {
	at time.Time
	id string
}

// createdHeap is a min-heap of created (container/heap).
type createdHeap []created

func (h createdHeap) Len() int { return len(h) }

func (h createdHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].id < h[j].id
}

func (h createdHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// Push implements heap.Interface.
func (h *createdHeap) Push(v any) { *h = append(*h, v.(created)) }

// Pop implements heap.Interface.
func (h *createdHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
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
