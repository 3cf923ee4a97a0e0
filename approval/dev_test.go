package approval

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDevApprover(t *testing.T) {
	tok := NewDevApproverToken()
	clk := newClock()
	s, ev, _ := newService(t, Config{DevApprover: true, DevApproverToken: tok}, NewMemoryStore(), clk)
	for name, a := range map[string]Authenticator{"dev approver only": nil, "beside OIDC": auth} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(s.Handler(a))
			defer srv.Close()
			r, _ := s.Request(context.Background(), testExchange(name), decision)
			if code, _ := do(t, "POST", srv.URL+"/approvals/"+r.ID+"/approve", "wdev_guess", ""); code != 401 {
				t.Fatalf("a wrong dev token got %d", code)
			}
			code, body := do(t, "POST", srv.URL+"/approvals/"+r.ID+"/approve", tok, `{"note":"trying it out"}`)
			if code != 200 || body["decided_by"] != DevApproverSubject {
				t.Fatalf("dev approver: %d %v", code, body)
			}
			if e := ev.last(); e.Kind != EventApproved || e.Actor != DevApproverSubject {
				t.Fatalf("recorded as %+v", e)
			}
			if a != nil { // the OIDC approvers still work beside it
				r2, _ := s.Request(context.Background(), testExchange(name+"2"), decision)
				if code, _ := do(t, "POST", srv.URL+"/approvals/"+r2.ID+"/deny", "tok-alice", ""); code != 200 {
					t.Fatalf("OIDC approver beside the dev approver: %d", code)
				}
			}
		})
	}
}

// warden serve never makes a dev token, so a configuration asking for the dev approver is refused.
func TestDevApproverRefusedWithoutToken(t *testing.T) {
	for _, cfg := range []Config{
		{DevApprover: true, ApproverGroups: []string{"a"}},
		{DevApproverToken: NewDevApproverToken(), ApproverGroups: []string{"a"}},
	} {
		_, err := New(context.Background(), cfg, NewMemoryStore())
		if err == nil || !strings.Contains(err.Error(), "dev") {
			t.Fatalf("New(%+v) = %v, want a refusal naming the dev approver", cfg, err)
		}
	}
}

func TestHandlerWithoutAnyAuthenticatorRefuses(t *testing.T) {
	s, _, _ := newService(t, Config{}, NewMemoryStore(), newClock())
	srv := httptest.NewServer(s.Handler(nil))
	defer srv.Close()
	if code, _ := do(t, "GET", srv.URL+"/approvals", "anything", ""); code != 401 {
		t.Fatalf("got %d", code)
	}
}

func TestWriteDevApproverToken(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, tok := range []string{"wdev_first", "wdev_second"} {
		path, err := WriteDevApproverToken(dir, tok)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != tok+"\n" {
			t.Fatalf("token file holds %q (%v), want %q", b, err, tok)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Fatalf("token file mode %v, want 0600", fi.Mode().Perm())
		}
	}
}
