package redact_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// TestTextRemembersOnlyCleanStrings: Engine.Text remembers the strings it found nothing in, so
// the same secret must be redacted on every call, before and after its clean neighbours were
// remembered, and after the set of remembered strings has started over many times.
func TestTextRemembersOnlyCleanStrings(t *testing.T) {
	eng, err := redact.New(redact.Config{}) // its own engine: a fresh set of remembered strings
	if err != nil {
		t.Fatal(err)
	}
	ref, err := redact.New(redact.Config{}) // the verdicts before anything was remembered
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, sm := range samples(t) {
		if s := "token=" + sm.Secret; len(s) < 200 && ref.Text(s) != s {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) < 10 {
		t.Fatalf("only %d short samples that Text redacts", len(secrets))
	}
	check := func(round int) {
		t.Helper()
		for _, s := range secrets {
			if got := eng.Text(s); got == s {
				t.Fatalf("round %d: %q came back unredacted", round, s)
			}
		}
	}
	for round := range 3 {
		check(round)
		// Clean strings that differ from a secret by one byte, and enough others to start the
		// remembered set over more than once.
		for _, s := range secrets {
			near := s[:len(s)-1]
			if got, want := eng.Text(near), ref.Text(near); got != want {
				t.Fatalf("round %d: %q -> %q, before anything was remembered %q", round, near, got, want)
			}
		}
		for i := range 10000 {
			c := fmt.Sprintf("GET /v1/models/%d", i)
			if got := eng.Text(c); got != c {
				t.Fatalf("clean string changed: %q -> %q", c, got)
			}
		}
	}
	check(3)
}

// TestTextConcurrent: Text is used by every stream at once (run with -race).
func TestTextConcurrent(t *testing.T) {
	eng := engine(t)
	secret := ""
	for _, s := range samples(t) {
		if s.Rule == "github-pat" {
			secret = s.Secret
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				c := fmt.Sprintf("host-%d-%d.example", g, i%300)
				if got := eng.Text(c); got != c {
					t.Errorf("clean string changed: %q -> %q", c, got)
					return
				}
				if got := eng.Text("x " + secret); strings.Contains(got, secret) {
					t.Errorf("secret came back: %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
