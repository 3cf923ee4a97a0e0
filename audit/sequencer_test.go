package audit

import (
	"errors"
	"testing"

	"github.com/warden-gw/warden/audit/spool"
)

// TestAppendAnsweredAsTheSequencerStops: a record the sequencer appended in its last batch,
// just before it stopped (Close), is reported appended with its ticket, never as ErrClosed:
// the caller would otherwise refuse a request, or count a completion lost, whose record is in
// the chain. Here the reply and the stop are both ready when the caller looks, as when Close
// stops the sequencer while the caller is descheduled; a plain select between the two picked
// ErrClosed about half of the time.
func TestAppendAnsweredAsTheSequencerStops(t *testing.T) {
	l := &Log{seqDone: make(chan struct{})}
	close(l.seqDone)
	for i := range 200 {
		reply := make(chan appendRes, 1)
		reply <- appendRes{t: spool.Ticket{Index: uint64(i)}}
		tk, err := l.awaitAppend(reply)
		if errors.Is(err, ErrClosed) {
			t.Fatalf("attempt %d: the appended record was reported as %v", i, err)
		}
		if err != nil || tk.Index != uint64(i) {
			t.Fatalf("attempt %d: ticket %+v, err %v", i, tk, err)
		}
	}
	if _, err := l.awaitAppend(make(chan appendRes, 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("no reply from a stopped sequencer: err %v, want ErrClosed", err)
	}
}
