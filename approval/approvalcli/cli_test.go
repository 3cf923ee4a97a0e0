package approvalcli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/exchange"
)

type fakeAuth map[string]exchange.Identity

func (f fakeAuth) AuthenticateBearer(_ context.Context, tok string) (exchange.Identity, error) {
	if id, ok := f[tok]; ok {
		return id, nil
	}
	return exchange.Identity{}, errors.New("unknown token")
}

func TestCLI(t *testing.T) {
	svc, err := approval.New(context.Background(), approval.Config{ApproverGroups: []string{"approvers"}}, approval.NewMemoryStore(),
		approval.WithTicks(make(chan time.Time)))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	srv := httptest.NewServer(svc.Handler(fakeAuth{"tok-alice": {Subject: "alice", Groups: []string{"approvers"}}}))
	defer srv.Close()
	x := &exchange.Exchange{
		Request:  exchange.Request{Method: "DELETE", Authority: "k8s", Path: "/api/v1/pods/web"},
		Identity: exchange.Identity{Subject: "bot", Agent: "coder"},
	}
	a1, _ := svc.Request(context.Background(), x, exchange.Decision{Rule: "prod-deletes"})
	x.Request.Path = "/api/v1/pods/db"
	a2, _ := svc.Request(context.Background(), x, exchange.Decision{Rule: "prod-deletes"})

	dir := t.TempDir()
	tokFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokFile, []byte("tok-alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := Run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
		return out.String(), err
	}
	t.Setenv(TokenEnv, "")

	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantOut string
		wantErr string
	}{
		{"list", "", []string{"approvals", "--admin", srv.URL, "--token-file", tokFile}, a1.ID, ""},
		{
			"approve with note after the id", "",
			[]string{"approve", a1.ID, "--note", "ok", "--admin", srv.URL, "--token-file", tokFile},
			a1.ID + " approved by alice", "",
		},
		{
			"deny with note from stdin", "too risky\n",
			[]string{"deny", "--admin", srv.URL, "--token-file", tokFile, a2.ID, "--note", "-"},
			a2.ID + " denied by alice", "",
		},
		{"unknown id", "", []string{"approve", "apr_nope", "--admin", srv.URL, "--token-file", tokFile}, "", "404 not_found"},
		{"already decided", "", []string{"deny", a1.ID, "--admin", srv.URL, "--token-file", tokFile}, "", "409 already_decided"},
		{"no token", "", []string{"approvals", "--admin", srv.URL}, "", TokenEnv},
		{"no id", "", []string{"approve", "--admin", srv.URL, "--token-file", tokFile}, "", "exactly one approval ID"},
		{"unknown subcommand", "", []string{"approvez", "--token-file", tokFile}, "", "unknown subcommand"},
		{"admin down", "", []string{"approvals", "--admin", "http://127.0.0.1:1", "--token-file", tokFile}, "", "check --admin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(tc.stdin, tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(out, tc.wantOut) {
				t.Fatalf("out %q err %v, want %q", out, err, tc.wantOut)
			}
		})
	}
	if got, _ := svc.Get(a2.ID); got.Note != "too risky" {
		t.Fatalf("note from stdin = %q", got.Note)
	}
	t.Setenv(TokenEnv, "tok-alice")
	if out, err := run("", "approvals", "--admin", srv.URL); err != nil || !strings.Contains(out, "no pending approvals") {
		t.Fatalf("token from env: %q %v", out, err)
	}
}

// The server's own words reach the approver: a plain-text 503 (approvals API disabled, and what
// to configure) or a 404 from a listener that is not the approvals API, not just "status 503".
func TestCLIShowsTheServersMessage(t *testing.T) {
	t.Setenv(TokenEnv, "tok")
	cases := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{
			"plain-text 503", 503, "approvals API disabled: configure identity (or approval.approvers) so approvers can authenticate\n",
			"503 Service Unavailable: approvals API disabled: configure identity (or approval.approvers)",
		},
		{"404 page", 404, "404 page not found\n", "404 Not Found: 404 page not found"},
		{"terminal escapes dropped", 500, "boom\x1b[2J\nsecond line", "500 Internal Server Error: boom[2J second line"},
		{"empty body", 502, "", "502 Bad Gateway (empty answer)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			var out, errOut bytes.Buffer
			err := Run(context.Background(), []string{"approvals", "--admin", srv.URL}, strings.NewReader(""), &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Fatal("a terminal escape reached the approver's terminal")
			}
		})
	}
}
