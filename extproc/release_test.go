package extproc

import (
	"context"
	"errors"
	"testing"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"

	"github.com/warden-gw/warden/exchange"
)

// releasingCreds is a credential stage whose leases may belong to the exchange.
type releasingCreds struct {
	fakeCreds
	released []string
}

func (c *releasingCreds) Release(_ context.Context, x *exchange.Exchange) {
	c.released = append(c.released, x.ID)
}

// The credential stage gives back an exchange's own leases once its stream ends: after a normal
// end, and also when Inject failed (a lease still being read when the deadline ended is the
// exchange's too); an exchange that never reached the stage releases nothing.
func TestCredentialsReleasedWhenTheStreamEnds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		msgs     []*extprocv3.ProcessingRequest
		released int
	}{
		{"allowed", nil, []*extprocv3.ProcessingRequest{reqHeaders(true), respHeaders(true, "content-type", "application/json")}, 1},
		{"inject failed", errors.New("vault: context deadline exceeded"), []*extprocv3.ProcessingRequest{reqHeaders(true)}, 1},
		{"ended before the stage", nil, []*extprocv3.ProcessingRequest{reqHeaders(false)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &releasingCreds{fakeCreds: fakeCreds{err: tc.err}}
			h := newHarness(t, func(_ *Options, p *Pipeline) { p.Creds = c })
			_ = h.st.srv.Process(&scriptedStream{msgs: tc.msgs})
			if len(c.released) != tc.released || (tc.released > 0 && c.released[0] != "req-1") {
				t.Fatalf("released %q after %d Inject calls, want %d release(s) of req-1", c.released, c.calls, tc.released)
			}
		})
	}
}
