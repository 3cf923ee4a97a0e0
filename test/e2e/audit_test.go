package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/auditcli"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// records reads every audit record in warden's spool.
func (w *wardenProc) records(t *testing.T) []audit.Record {
	t.Helper()
	var out []audit.Record
	err := spool.Scan(filepath.Join(w.cfg.DataDir, "audit"), func(e spool.Entry) error {
		var r audit.Record
		if err := json.Unmarshal(e.Payload, &r); err != nil {
			return err
		}
		if r.Unmapped.Warden.Marker == nil {
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// byRequest groups the records by request id and stage.
func byRequest(rs []audit.Record) map[string]map[audit.Stage]audit.Record {
	out := map[string]map[audit.Stage]audit.Record{}
	for _, r := range rs {
		id := r.Metadata.CorrelationUID
		if out[id] == nil {
			out[id] = map[audit.Stage]audit.Record{}
		}
		out[id][r.Unmapped.Warden.Stage] = r
	}
	return out
}

func TestEveryPathLeavesItsRecordsAndTheChainVerifies(t *testing.T) {
	w := startWarden(t, nil)
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
	run := jsonSender(t, w, up, "")
	run("allowed-1", "GET", "https://api.example/v1/models", "")
	run("denied-1", "POST", "https://db.internal/sql", `{"query":"DROP TABLE users"}`)

	// A client that goes away mid-stream.
	events := newChanBody()
	sse := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		return &extproctest.Response{Status: 200, Headers: extproctest.Headers{{Key: "content-type", Value: "text/event-stream"}}, Body: events}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	down := newNotifyDown()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = w.envoy.Do(ctx, request("GET", "https://api.example/stream", map[string]string{"x-request-id": "cancelled-1"}), sse, down)
	}()
	events.ch <- []byte("data: {\"n\":1}\n\n") // no text: nothing is held back
	waitFor(t, down.got, 10*time.Second)
	cancel()
	<-done

	var got map[string]map[audit.Stage]audit.Record
	waitUntil(t, 10*time.Second, func() bool {
		got = byRequest(w.records(t))
		_, ok := got["cancelled-1"][audit.StageCompletion]
		return ok
	})
	want := []struct {
		id          string
		stages      int
		disposition string
	}{
		{"allowed-1", 2, "allowed"},
		{"denied-1", 1, "denied"},
		{"cancelled-1", 2, "cancelled"},
	}
	for _, c := range want {
		st := got[c.id]
		if len(st) != c.stages {
			t.Errorf("%s: %d records, want %d", c.id, len(st), c.stages)
			continue
		}
		last := st[audit.StageRequest]
		if c.stages == 2 {
			last = st[audit.StageCompletion]
		}
		if last.Unmapped.Warden.Disposition != c.disposition {
			t.Errorf("%s: disposition %q, want %q", c.id, last.Unmapped.Warden.Disposition, c.disposition)
		}
	}
	if p := got["allowed-1"][audit.StageRequest].Metadata.Product; p.Name != "warden" || p.VendorName != "warden-gw" || p.Version == "" {
		t.Errorf("metadata.product = %+v, want name warden, vendor_name warden-gw (docs/audit.md) and a version", p)
	}
	if d := got["denied-1"][audit.StageRequest].Unmapped.Warden.Decision; d == nil || d.Rule == "" || d.PolicyVersion == "" {
		t.Errorf("the deny record must name the rule and policy version: %+v", d)
	}
	var out, errb bytes.Buffer
	if err := auditcli.Run(context.Background(), []string{"verify", "--dir", filepath.Join(w.cfg.DataDir, "audit")}, nil, &out, &errb); err != nil {
		t.Fatalf("warden audit verify: %v\n%s%s", err, out.String(), errb.String())
	}
	if !strings.Contains(strings.ToLower(out.String()+errb.String()), "ok") {
		t.Errorf("verify output: %s %s", out.String(), errb.String())
	}
}
