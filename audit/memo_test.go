package audit

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/redact"
)

// TestRecordsThroughTheLogMatchTheModel: the records the log writes for an exchange (the
// completion record reusing parts of the request record, both redacted as they are encoded)
// are exactly BuildRecord's, walked by MapStrings with the same redactor and encoded, and the
// chain verifies; the memo the request record left is gone once the completion is written.
func TestRecordsThroughTheLogMatchTheModel(t *testing.T) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)
	cfg := testConfig(t.TempDir())
	cfg.Now, cfg.Redact = func() time.Time { return now }, eng.Text
	l := openLog(t, cfg)

	x := chatExchange()
	x.Request.Path = "/v1/chat/completions?api_key=sk-live-0123456789abcdefghijklmnop"
	var want [][]byte
	reference := func(stage Stage) {
		r := BuildRecord(x, stage, l.cfg.Product, now)
		r.MapStrings(eng.Text)
		b, _, err := record.Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, b)
	}
	reference(StageRequest)
	if err := l.Record(context.Background(), x, StageRequest); err != nil {
		t.Fatal(err)
	}
	if l.memoOf(x) == nil {
		t.Fatal("the request record left no memo on the exchange")
	}
	x.Response.Status = 200
	x.Decisions = append(x.Decisions, exchange.Decision{Action: exchange.Allow, Phase: exchange.PhaseResponse, Rule: "r"})
	reference(StageCompletion)
	if err := l.Record(context.Background(), x, StageCompletion); err != nil {
		t.Fatal(err)
	}
	if x.AuditMemo != nil {
		t.Fatal("the completion record left the memo on the exchange")
	}
	closeLog(t, l)

	es := spoolEntries(t, cfg.Dir)
	idx := recordIndexes(t, es)
	if len(idx) != 2 {
		t.Fatalf("%d records in the spool, want 2", len(idx))
	}
	for i, j := range idx {
		got, err := record.Canonical(es[j].Payload)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want[i]) {
			t.Fatalf("record %d differs from the model:\n got %s\nwant %s", i, got, want[i])
		}
		if strings.Contains(string(got), "sk-live-0123") {
			t.Fatalf("record %d carries the key from the query", i)
		}
	}
	if rep := Verify(es, VerifyOptions{}); !rep.OK() {
		t.Fatalf("chain does not verify: %+v", rep)
	}
}
