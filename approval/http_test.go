package approval

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestHTTPAPI(t *testing.T) {
	clk := newClock()
	s, ev, tk := newService(t, Config{Timeout: time.Minute}, NewMemoryStore(), clk)
	srv := httptest.NewServer(s.Handler(auth))
	defer srv.Close()
	ctx := context.Background()
	a, _ := s.Request(ctx, testExchange("1"), decision)
	old, _ := s.Request(ctx, testExchange("2"), decision)

	tests := []struct {
		name, method, path, token, body string
		want                            int
		check                           func(t *testing.T, body map[string]any)
	}{
		{"no token", "GET", "/approvals", "", "", 401, nil},
		{"bad token", "GET", "/approvals", "forged", "", 401, nil},
		{"reader outside the group", "GET", "/approvals", "tok-mallory", "", 403, nil},
		{"list pending", "GET", "/approvals", "tok-alice", "", 200, func(t *testing.T, b map[string]any) {
			if l, _ := b["approvals"].([]any); len(l) != 2 {
				t.Fatalf("listed %v", b)
			}
		}},
		{"get one", "GET", "/approvals/" + a.ID, "tok-alice", "", 200, func(t *testing.T, b map[string]any) {
			if b["id"] != a.ID || b["status"] != "pending" {
				t.Fatalf("got %v", b)
			}
		}},
		{"get unknown", "GET", "/approvals/apr_nope", "tok-alice", "", 404, nil},
		{"approve unknown", "POST", "/approvals/apr_nope/approve", "tok-alice", "", 404, func(t *testing.T, b map[string]any) {
			if b["error"] != "not_found" {
				t.Fatalf("got %v", b)
			}
		}},
		{"forged token on approve", "POST", "/approvals/" + a.ID + "/approve", "forged", "", 401, func(t *testing.T, _ map[string]any) {
			if last := ev.last(); last.Kind != EventRefused || last.Approval.ID != a.ID || !strings.Contains(last.Error, "unauthenticated") {
				t.Fatalf("unauthenticated attempt not audited: %+v", last)
			}
		}},
		{"bad JSON body", "POST", "/approvals/" + a.ID + "/approve", "tok-alice", "{note", 400, nil},
		{"outsider approves", "POST", "/approvals/" + a.ID + "/approve", "tok-mallory", "", 403, nil},
		{"deny", "POST", "/approvals/" + a.ID + "/deny", "tok-alice", `{"note":"not now"}`, 200, func(t *testing.T, b map[string]any) {
			if b["status"] != "denied" || b["note"] != "not now" {
				t.Fatalf("got %v", b)
			}
		}},
		{"approve after deny", "POST", "/approvals/" + a.ID + "/approve", "tok-alice", "", 409, nil},
		{"wrong method", "DELETE", "/approvals/" + a.ID, "tok-alice", "", 405, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, tc.method, srv.URL+tc.path, tc.token, tc.body)
			if code != tc.want {
				t.Fatalf("%s %s: %d %v, want %d", tc.method, tc.path, code, body, tc.want)
			}
			if tc.check != nil {
				tc.check(t, body)
			}
		})
	}
	clk.Add(2 * time.Minute)
	tk.tick(clk.Now())
	if code, body := do(t, "POST", srv.URL+"/approvals/"+old.ID+"/approve", "tok-alice", ""); code != http.StatusGone {
		t.Fatalf("approve expired: %d %v", code, body)
	}
	if _, ok := s.Consume(ctx, DigestKey(old.Digest)); ok {
		t.Fatal("expired request released")
	}
}
