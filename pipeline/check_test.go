package pipeline_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/cel/policycli"
	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/pipeline"
)

// identityHeader carries a test input's identity to the serve side; inputIdentity reads it and
// removes it, so the policy sees the same headers on both sides.
const identityHeader = "x-test-identity"

type inputIdentity struct{}

func (inputIdentity) Identify(_ context.Context, x *exchange.Exchange, _ extproc.Metadata) ([]string, error) {
	var kept exchange.Headers
	for _, h := range x.Request.Headers {
		if h.Key != identityHeader {
			kept = append(kept, h)
			continue
		}
		b, err := base64.StdEncoding.DecodeString(h.Value)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &x.Identity); err != nil {
			return nil, err
		}
	}
	x.Request.Headers = kept
	return []string{identityHeader}, nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// decisions is an auditor that keeps the decisions of each exchange by request id.
type decisions struct {
	mu sync.Mutex
	by map[string]exchange.Exchange
}

func (d *decisions) RecordRequest(_ context.Context, x *exchange.Exchange) error { return d.keep(x) }

func (d *decisions) RecordCompletion(_ context.Context, x *exchange.Exchange) error { return d.keep(x) }

func (d *decisions) keep(x *exchange.Exchange) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.by[x.ID] = exchange.Exchange{Decisions: append([]exchange.Decision(nil), x.Decisions...), Route: x.Route}
	return nil
}

// testPolicy reads what the pack does not: creds.role and identity, and asks for approval.
const testPolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: roles
spec:
  rules:
    - name: no-delete-on-orders
      when: creds.role == "orders-db" && request.method == "DELETE"
      action: deny
      message: orders are never deleted
    - name: interns-need-approval
      when: '"interns" in identity.groups && request.method == "POST" && creds.role == "orders-db"'
      action: require_approval
      message: an intern writes to orders
`

// extraInputs exercise the router and identity, which the fixtures do not.
var extraInputs = []string{
	`{"request": {"method": "DELETE", "url": "https://orders.db.internal/rows/1"}}`,
	`{"request": {"method": "DELETE", "url": "https://other.internal/rows/1"}}`,
	`{"request": {"method": "POST", "url": "https://orders.db.internal/rows", "body": "{}", "headers": {"content-type": "application/json"}}, "identity": {"subject": "ivy", "groups": ["interns"]}}`,
	`{"request": {"method": "POST", "url": "https://orders.db.internal/rows", "body": "{}", "headers": {"content-type": "application/json"}}, "identity": {"subject": "sam", "groups": ["sre"]}}`,
}

func fixtureLines(t *testing.T) []string {
	t.Helper()
	files := []string{"../cel/testdata/actions.jsonl"}
	shared, _ := filepath.Glob("/work/shared/fixtures/*.jsonl")
	files = append(files, shared...)
	var lines []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				lines = append(lines, l)
			}
		}
	}
	if len(lines) < 80 {
		t.Fatalf("only %d fixture lines", len(lines))
	}
	return append(lines, extraInputs...)
}

// TestCheckAgreesWithServe decides every fixture with `warden check`'s path (pipeline.Check)
// and with the ext_proc server driven as Envoy drives it (extproctest, the embedded Envoy
// filter's processing modes), and compares the governing decisions.
func TestCheckAgreesWithServe(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "roles.yaml"), []byte(testPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	pack, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	roles, err := policy.Load(filepath.Join(dir, "roles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := creds.NewRoutes([]creds.Route{{Host: "*.db.internal", Role: "orders-db"}})
	if err != nil {
		t.Fatal(err)
	}
	lines := fixtureLines(t)
	for name, ps := range map[string]*policy.Set{"pack": pack, "roles": roles} {
		t.Run(name, func(t *testing.T) {
			stages := extproc.Pipeline{Route: pipeline.Router{Roles: routes}, Inspect: pipeline.Inspector{}, Policy: ps}
			serve := newServe(t, stages)
			seen := map[string]int{}
			for i, line := range lines {
				x, err := policycli.ParseInput([]byte(line))
				if err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				want := pipeline.Check(context.Background(), stages, x, x.Response.Status != 0)
				got, route := serve.decide(t, fmt.Sprint("fx-", i), line)
				if !same(got, want) || route != x.Route {
					t.Errorf("line %d (%.80s): serve decided %+v (route %+v), check %+v (route %+v)", i+1, line, got, route, want, x.Route)
				}
				seen[string(want.Phase)+"/"+string(want.Action)]++
			}
			t.Logf("%d inputs, decisions by phase/action: %v", len(lines), seen)
			// The comparison covers each kind of outcome, not only allows.
			for _, k := range wantSeen[name] {
				if seen[k] == 0 {
					t.Errorf("no %s decision among the inputs", k)
				}
			}
		})
	}
}

var wantSeen = map[string][]string{
	"pack":  {"request/deny", "request/allow", "response/deny"},
	"roles": {"request/deny", "request/require_approval", "request/allow"},
}

// same compares what a user of either command sees of a decision.
func same(a, b exchange.Decision) bool {
	return a.Action == b.Action && a.Code == b.Code && a.Rule == b.Rule && a.Reason == b.Reason &&
		a.Shadow == b.Shadow && len(a.Shadowed) == len(b.Shadowed)
}

type serveSide struct {
	emu *extproctest.Envoy
	rec *decisions
}

func newServe(t *testing.T, stages extproc.Pipeline) *serveSide {
	t.Helper()
	rec := &decisions{by: map[string]exchange.Exchange{}}
	stages.Identity, stages.Audit = inputIdentity{}, rec
	filter := envoy.DefaultExtProcFilter()
	srv, err := extproc.NewServer(stages, extproc.OptionsFromFilter(filter, extproc.DefaultOptions()))
	if err != nil {
		t.Fatal(err)
	}
	emu, err := extproctest.New(extproctest.StartServer(t, srv), filter)
	if err != nil {
		t.Fatal(err)
	}
	return &serveSide{emu: emu, rec: rec}
}

// decide sends one input line through the emulated Envoy; the upstream answers with the line's
// response.
func (s *serveSide) decide(t *testing.T, id, line string) (exchange.Decision, exchange.Route) {
	t.Helper()
	x, err := policycli.ParseInput([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	hs := extproctest.Headers{}
	for _, h := range x.Request.Headers {
		hs.Add(h.Key, h.Value)
	}
	hs.Set("x-request-id", id)
	if x.Identity.Subject != "" || len(x.Identity.Groups) > 0 {
		b, _ := json.Marshal(x.Identity)
		hs.Set(identityHeader, base64.StdEncoding.EncodeToString(b))
	}
	req := &extproctest.Request{Headers: hs}
	if x.Request.BodySeen {
		req.Body = extproctest.Chunks(nil, string(x.Request.Body))
	}
	up := extproctest.UpstreamFunc(func(ctx context.Context, ur *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		if ur.Body != nil {
			if _, err := extproctest.ReadAll(ctx, ur.Body); err != nil {
				return nil, err
			}
		}
		if x.Response.Status == 0 {
			return &extproctest.Response{Status: 200, Headers: extproctest.H(":status", "200")}, nil
		}
		rh := extproctest.Headers{}
		for _, h := range x.Response.Headers {
			rh.Add(h.Key, h.Value)
		}
		return &extproctest.Response{Status: x.Response.Status, Headers: rh, Body: extproctest.Chunks(nil, string(x.Response.Body))}, nil
	})
	if _, err := s.emu.Run(context.Background(), req, up); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	got, ok := s.rec.by[id]
	if !ok {
		t.Fatalf("%s: no record", id)
	}
	return got.Final(), got.Route
}
