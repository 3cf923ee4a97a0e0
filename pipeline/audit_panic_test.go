package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/record/recordtest"
	"github.com/warden-gw/warden/exchange"
)

// A completion record whose building panics (here the log's redaction, on a string only the
// completion carries) is lost: warden_audit_completion_lost_total{reason="panic"} says so, and
// the panic still reaches the stream, which counts it as a panic.
func TestCompletionRecordPanicIsCountedAsLost(t *testing.T) {
	reg := prometheus.NewRegistry()
	l, err := audit.Open(context.Background(), audit.Config{
		Dir: t.TempDir(), ChainID: "test-chain", Registerer: reg,
		Redact: func(s string) string {
			if strings.Contains(s, "boom-marker") {
				panic("redaction bug")
			}
			return s
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = l.Close(ctx)
	})
	au := Auditor{Log: l}
	x := recordtest.SampleExchange(1, "s1")
	if err := au.RecordRequest(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	x.Disposition, x.Error = exchange.Failed, "upstream said boom-marker"
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the stream")
			}
		}()
		_ = au.RecordCompletion(context.Background(), x)
	}()
	if got := lost(t, reg, "panic"); got != 1 {
		t.Fatalf(`warden_audit_completion_lost_total{reason="panic"} = %v, want 1`, got)
	}
}

func lost(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "warden_audit_completion_lost_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "reason" && lp.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
