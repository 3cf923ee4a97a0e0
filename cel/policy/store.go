package policy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"sync/atomic"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// Store holds the Set in force. Readers never lock; a reload swaps the whole set.
type Store struct {
	p atomic.Pointer[Set]
}

// NewStore returns a Store holding ps.
func NewStore(ps *Set) *Store {
	s := &Store{}
	s.p.Store(ps)
	return s
}

// Current returns the Set in force.
func (s *Store) Current() *Set { return s.p.Load() }

// Swap puts ps in force.
func (s *Store) Swap(ps *Set) { s.p.Store(ps) }

// Decide decides with the Set in force at the time of the call.
func (s *Store) Decide(ctx context.Context, x *exchange.Exchange, phase exchange.Phase) exchange.Decision {
	return s.p.Load().Decide(ctx, x, phase)
}

// HasPhase reports whether the Set in force has rules for phase.
func (s *Store) HasPhase(phase exchange.Phase) bool { return s.p.Load().HasPhase(phase) }

// Watch polls paths every second and puts every version that compiles in force; onError (may
// be nil) hears about a version that does not, once per distinct content. It returns when ctx
// is done.
func (s *Store) Watch(ctx context.Context, paths []string, onError func(error)) {
	w := Watcher{Paths: paths, Loaded: s.Current(), OnChange: s.Swap, OnError: onError}
	w.Run(ctx)
}

// Watcher polls policy files and reports new compiled versions. The content of every file is
// hashed on each poll, so an edit is seen even when the mtime does not change.
type Watcher struct {
	Paths    []string
	Interval time.Duration // default 1s
	Limits   Limits
	// Loaded is the Set the caller loaded from Paths: a change since it was read is
	// reported on the first poll. When nil, the content present when Run starts is taken as
	// loaded.
	Loaded *Set
	// OnChange receives each new Set that compiled.
	OnChange func(*Set)
	// OnError receives the error of each distinct content that does not compile (or cannot be
	// read); the policy in force stays.
	OnError func(error)
}

// Watch runs a Watcher on paths until ctx is done.
func Watch(ctx context.Context, paths []string, onChange func(*Set), onError func(error)) {
	w := Watcher{Paths: paths, OnChange: onChange, OnError: onError}
	w.Run(ctx)
}

// Run polls until ctx is done.
func (w *Watcher) Run(ctx context.Context) {
	interval := w.Interval
	if interval <= 0 {
		interval = time.Second
	}
	var last []byte
	if w.Loaded != nil {
		last = w.Loaded.fingerprint
	} else {
		srcs, err := ReadSources(w.Paths...)
		last = fingerprintOf(srcs, err)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		srcs, err := ReadSources(w.Paths...)
		fp := fingerprintOf(srcs, err)
		if bytes.Equal(fp, last) {
			continue
		}
		last = fp
		if err == nil {
			var ps *Set
			if ps, err = Compile(w.Limits, srcs...); err == nil {
				if w.OnChange != nil {
					w.OnChange(ps)
				}
				continue
			}
		}
		if w.OnError != nil {
			w.OnError(err)
		}
	}
}

func fingerprintOf(srcs []Source, err error) []byte {
	h := sha256.New()
	if err != nil {
		h.Write([]byte("error: " + err.Error()))
	}
	for _, s := range srcs {
		h.Write([]byte(s.Name))
		h.Write([]byte{0})
		sum := sha256.Sum256(s.Data)
		h.Write(sum[:])
	}
	return h.Sum(nil)
}
