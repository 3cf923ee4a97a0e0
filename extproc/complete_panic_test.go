package extproc

import (
	"context"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/warden-gw/warden/exchange"
)

// panickyCompletion is an auditor whose completion record panics (a redaction bug).
type panickyCompletion struct{ fakeAudit }

func (*panickyCompletion) RecordCompletion(context.Context, *exchange.Exchange) error {
	panic("redaction bug")
}

// A completion record that panics is counted as a panic whichever way the exchange ends: after
// its last reply, or cut short (the stream ends mid-response), where the panic used to escape
// the stream's last deferred call and end the process.
func TestCompletionRecordPanicIsCountedNotFatal(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(h *harness)
	}{
		{"after the last reply", func(h *harness) {
			h.send(respHeaders(true, "content-type", "application/json"))
		}},
		{"cut short mid response", func(h *harness) {
			h.send(respHeaders(false, "content-type", "text/event-stream"))
			h.send(respBody("data: a\n\n", false))
			h.st.finish(context.Background(), context.Canceled)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(_ *Options, p *Pipeline) { p.Audit = &panickyCompletion{} })
			h.send(reqHeaders(true))
			tc.end(h)
			var m dto.Metric
			if err := h.st.srv.metrics.errors.WithLabelValues("panic").Write(&m); err != nil {
				t.Fatal(err)
			}
			if got := m.GetCounter().GetValue(); got != 1 {
				t.Fatalf("warden_extproc_errors_total{code=\"panic\"} = %v, want 1", got)
			}
		})
	}
}
