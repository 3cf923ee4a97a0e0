package record

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/redact"
)

// lookup walks a dotted path in decoded JSON.
func lookup(v map[string]any, path string) (any, bool) {
	var cur any = v
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func typeOf(v any) string {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return "float"
		}
		return "integer"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "null"
}

func decodeRecord(t *testing.T, r *Record) map[string]any {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOCSFRequiredAttributes checks every attribute OCSF 1.3 marks required for API Activity
// (class 6003, including the base event and the required attributes of the objects used), plus
// the recommended ones warden fills, with the OCSF data type of each.
func TestOCSFRequiredAttributes(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	variants := map[string]*exchange.Exchange{
		"allowed llm call": sampleExchange(1, "sess-1"),
		"anonymous denied": {
			ID: "r-2", Start: now, Request: exchange.Request{Method: "DELETE", Authority: "k8s.local", Path: "/api/v1/namespaces/prod"},
			Decisions:   []exchange.Decision{{Action: exchange.Deny, Phase: exchange.PhaseRequest, Rule: "no-prod-delete"}},
			Disposition: exchange.Denied, Status: 403,
		},
		"empty exchange": {},
	}
	attrs := []struct{ path, typ string }{
		{"activity_id", "integer"},
		{"category_uid", "integer"},
		{"class_uid", "integer"},
		{"type_uid", "integer"},
		{"severity_id", "integer"},
		{"time", "integer"},
		{"metadata", "object"},
		{"metadata.product", "object"},
		{"metadata.product.name", "string"},
		{"metadata.product.vendor_name", "string"},
		{"metadata.version", "string"},
		{"metadata.uid", "string"},
		{"metadata.correlation_uid", "string"},
		{"actor", "object"},
		{"api", "object"},
		{"api.operation", "string"},
		{"api.request.uid", "string"},
		{"src_endpoint", "object"},
		{"http_request", "object"},
		{"http_request.http_method", "string"},
		{"http_request.url", "object"},
		{"status_id", "integer"},
		{"disposition_id", "integer"},
		{"activity_name", "string"},
		{"class_name", "string"},
		{"category_name", "string"},
		{"type_name", "string"},
		{"unmapped.warden.stage", "string"},
	}
	for name, x := range variants {
		for _, stage := range []Stage{StageRequest, StageCompletion, StageEvent} {
			t.Run(name+"/"+string(stage), func(t *testing.T) {
				m := decodeRecord(t, BuildRecord(x, stage, Product{Name: "warden", VendorName: "warden-gw", Version: "test"}, now))
				for _, a := range attrs {
					v, ok := lookup(m, a.path)
					if !ok {
						t.Errorf("required attribute %s is missing", a.path)
						continue
					}
					if got := typeOf(v); got != a.typ {
						t.Errorf("%s is %s, OCSF says %s", a.path, got, a.typ)
					}
				}
				cls, _ := lookup(m, "class_uid")
				act, _ := lookup(m, "activity_id")
				typ, _ := lookup(m, "type_uid")
				c, _ := cls.(json.Number).Int64()
				a, _ := act.(json.Number).Int64()
				ty, _ := typ.(json.Number).Int64()
				if c != 6003 || ty != c*100+a {
					t.Errorf("class_uid %d, type_uid %d for activity %d: want 6003 and class*100+activity", c, ty, a)
				}
				if cat, _ := lookup(m, "category_uid"); cat.(json.Number).String() != "6" {
					t.Errorf("category_uid = %v, want 6 (Application Activity)", cat)
				}
				if tm, _ := lookup(m, "time"); len(tm.(json.Number).String()) != 13 {
					t.Errorf("time %v is not epoch milliseconds", tm)
				}
				if !anyOf(m, "actor", "user", "session", "app_name", "process") {
					t.Error("actor needs at least one of user, session, app_name, process")
				}
				if !anyOf(m, "src_endpoint", "ip", "hostname", "name", "uid") {
					t.Error("src_endpoint needs at least one of ip, hostname, name, uid")
				}
			})
		}
	}
}

func anyOf(m map[string]any, obj string, keys ...string) bool {
	o, _ := m[obj].(map[string]any)
	for _, k := range keys {
		if _, ok := o[k]; ok {
			return true
		}
	}
	return false
}

func TestRecordMapping(t *testing.T) {
	x := sampleExchange(3, "sess-42")
	x.Decisions = append(x.Decisions, exchange.Decision{
		Action: exchange.RequireApproval, Phase: exchange.PhaseResponse,
		Policy: "tools", Rule: "shell-needs-approval", ApprovalID: "appr-7",
	})
	x.Disposition = exchange.ApprovalRequired
	r := BuildRecord(x, StageCompletion, Product{Name: "warden"}, time.Now())
	b, _ := json.Marshal(r)
	s := string(b)
	for _, secret := range []string{"HEADERSECRET", "APIKEYSECRET", "COOKIESECRET", "QUERYSECRET", "ORIGPATHSECRET"} {
		if strings.Contains(s, secret) {
			t.Errorf("record leaks %s", secret)
		}
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"activity", r.ActivityName, "Create"},
		{"disposition", r.DispositionID, 14},
		{"actor human", r.Actor.User.UID, "alice@example.com"},
		{"actor agent", r.Actor.AppName, "spiffe://example.org/agent/coder"},
		{"session", r.Actor.Session.UID, "sess-42"},
		{"src ip from first x-forwarded-for hop", r.SrcEndpoint.IP, "10.1.2.3"},
		{"query secret replaced", r.HTTPRequest.URL.QueryString, "api_key=REDACTED&stream=true"},
		{"governing decision", r.Unmapped.Warden.Decision.Rule, "shell-needs-approval"},
		{"approval id", r.Unmapped.Warden.ApprovalID, "appr-7"},
		{"lease id", r.Unmapped.Warden.Credentials[0].LeaseID, "database/creds/ro/LEASE1"},
		{"ttl", r.Unmapped.Warden.Credentials[0].TTLSec, int64(300)},
		{"redaction counts", r.Unmapped.Warden.Redactions["secret"], 2},
		{"tool call", r.Unmapped.Warden.ToolCalls[0].Text, "ls -la /tmp"},
		{"duration ms", r.Duration, int64(850)},
		{"upstream status", r.Unmapped.Warden.Response.Status, 200},
		{"correlation", r.Metadata.CorrelationUID, "req-0003"},
		{"uid per stage", r.Metadata.UID, "req-0003:completion"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Once the identity stage resolved the client's address (Envoy's source.address), an address
	// header the client wrote does not choose the record's src_endpoint.
	x.Request.ClientAddress = "192.168.7.7"
	if got := BuildRecord(x, StageCompletion, Product{Name: "warden"}, time.Now()).SrcEndpoint.IP; got != "192.168.7.7" {
		t.Errorf("src_endpoint ip = %s, want the resolved client address 192.168.7.7, not x-forwarded-for", got)
	}
	for _, h := range r.HTTPRequest.HTTPHeaders {
		if h.Name == "authorization" || h.Name == "cookie" || h.Name == "x-api-key" {
			t.Errorf("credential header %s copied into the record", h.Name)
		}
	}
}

// TestRecordEncodingIsCanonical guards the fast path of Record: the content hash is taken over
// Encode's output, which must equal the canonical form a verifier recomputes.
func TestRecordEncodingIsCanonical(t *testing.T) {
	tricky := sampleExchange(9, "s<&>\u2028é")
	tricky.Request.Path = "/a?b=<script>&c=\xff\xfe"
	tricky.ToolCalls[0].Text = "echo \"<&>\" \\ \t\n\u00e9\U0001F600 \xff"
	tricky.Redactions["z.last"], tricky.Redactions["A.first"] = 1, 2
	tricky.Timings["tiny"] = 3 * time.Nanosecond
	tricky.Timings["huge"] = 90 * time.Hour
	tricky.Decisions[0].Shadowed = []exchange.Decision{{Action: exchange.Deny, Rule: "shadow-rule", Shadow: true}}
	marker := &exchange.Exchange{ID: "m"}
	for name, x := range map[string]*exchange.Exchange{"sample": sampleExchange(1, "s"), "tricky": tricky, "empty": marker} {
		for _, stage := range []Stage{StageRequest, StageCompletion} {
			t.Run(name+"/"+string(stage), func(t *testing.T) {
				r := BuildRecord(x, stage, Product{Name: "warden"}, time.Now())
				if name == "empty" {
					r.Unmapped.Warden.Marker = &Marker{Kind: "spool_dropped", Count: 3}
					r.Unmapped.Warden.Event = "audit.spool_dropped"
					r.Unmapped.Warden.Truncated = &Truncation{OriginalBytes: 1, Removed: []string{"x"}}
				}
				body, content, err := Encode(r)
				if err != nil {
					t.Fatal(err)
				}
				canon, err := Canonical(body)
				if err != nil {
					t.Fatal(err)
				}
				if string(canon) != string(body) {
					t.Fatalf("encoding is not canonical:\n got %s\nwant %s", body, canon)
				}
				if want, _ := ContentHash(body); want != content {
					t.Fatal("content hash differs from the verifier's")
				}
			})
		}
	}
}

func TestHugeToolCallIsCapped(t *testing.T) {
	x := sampleExchange(1, "s")
	x.ToolCalls[0].Text = strings.Repeat("é", 100_000) // 200 000 bytes
	r := BuildRecord(x, StageRequest, Product{}, time.Now())
	got := r.Unmapped.Warden.ToolCalls[0].Text
	if len(got) > maxToolText+64 || !strings.HasSuffix(got, " bytes cut]") || !utf8.ValidString(got) {
		t.Fatalf("capped text: %d bytes, suffix %q", len(got), got[len(got)-20:])
	}
}

// TestCapDoesNotSplitAKey: a key that straddles the cut of a long string in the decision input
// does not leave its beginning in the record (the redactor, which sees only the kept part, would
// no longer recognise it); the record still says the text was cut.
func TestCapDoesNotSplitAKey(t *testing.T) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	key := "sk-proj-Zq8mV2xLp4Rt7Yw1Nc5Kd9Hs3Fg6Jb0Ae2UiTo4Pe8Wr"
	if got := eng.Text("token " + key); strings.Contains(got, key[:10]) {
		t.Fatalf("the engine does not redact the test key: %q", got)
	}
	for kept := 2; kept < len(key); kept += 3 { // kept-1 bytes of the key fall before the cut
		s := "SELECT '" + strings.Repeat("x", maxInputText-8-kept) + " " + key + "' AS t"
		x := sampleExchange(4, "s")
		x.Facts = fakeFacts{"actions": []any{map[string]any{"kind": "sql", "text": s}}}
		for name, build := range map[string]func() *Record{
			"live": func() *Record { return Build(x, StageRequest, Product{}, time.Unix(1, 0)) },
			"copy": func() *Record { return BuildRecord(x, StageRequest, Product{}, time.Unix(1, 0)) },
		} {
			b, _, err := EncodeRedactedInto(nil, build(), eng.Text)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "x …[") {
				i := strings.Index(string(b), "xxx ")
				t.Fatalf("%s, %d bytes of the key before the cut: the record keeps its beginning: %q", name, kept-1, b[i:i+40])
			}
			if !strings.Contains(string(b), `"text_cut":true`) {
				t.Fatalf("%s: the record does not say the text was cut", name)
			}
		}
	}
}
