package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// replaceFile writes atomically, so a poll never sees half a file.
func replaceFile(t *testing.T, path, body string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestStoreHotReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.yaml")
	denyGet := policy("p", "", rule("deny-get", `request.method == "GET"`, "deny"))
	denyPost := policy("p", "", rule("deny-post", `request.method == "POST"`, "deny"))
	replaceFile(t, path, denyGet)
	ps, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	store := NewStore(ps)
	changes := make(chan *Set, 4)
	errs := make(chan error, 4)
	w := Watcher{
		Paths: []string{dir}, Interval: 5 * time.Millisecond, Loaded: ps,
		OnChange: func(ps *Set) { store.Swap(ps); changes <- ps },
		OnError:  func(err error) { errs <- err },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	decide := func(method string) exchange.Decision {
		return store.Decide(context.Background(), req(method, "https://h/", ""), exchange.PhaseRequest)
	}
	if d := decide("GET"); d.Rule != "deny-get" {
		t.Fatalf("initial policy: %+v", d)
	}

	replaceFile(t, path, strings.Replace(denyPost, `request.method == "POST"`, `request.method ==`, 1))
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), "policy.yaml:8:") {
			t.Fatalf("broken policy error %v lacks file:line:col", err)
		}
	case ps := <-changes:
		t.Fatalf("broken policy was put in force: %v", ps.Versions())
	case <-time.After(10 * time.Second):
		t.Fatal("no error reported for a broken policy")
	}
	if d := decide("GET"); d.Rule != "deny-get" {
		t.Fatalf("after a broken edit the old policy must stay: %+v", d)
	}

	replaceFile(t, path, denyPost)
	select {
	case <-changes:
	case err := <-errs:
		t.Fatalf("fixed policy refused: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("fixed policy never put in force")
	}
	if d := decide("POST"); d.Rule != "deny-post" {
		t.Fatalf("new policy not in force: %+v", d)
	}
	if d := decide("GET"); d.Action != exchange.Allow {
		t.Fatalf("old rule still applies: %+v", d)
	}
}
