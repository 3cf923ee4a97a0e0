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

// TestScanRemembersOnlyItsOwnVerdict: a complete scan remembers texts it found nothing in, so a
// text seen again is not scanned again; the verdict must be the one a new scan gives under the
// same options, never one taken under others, and a text with a finding is found every time.
func TestScanRemembersOnlyItsOwnVerdict(t *testing.T) {
	eng, err := redact.New(redact.Config{}) // its own engine: nothing remembered yet
	if err != nil {
		t.Fatal(err)
	}
	prose := "The deployment pipeline builds each service and publishes an image when the tests pass. "
	// Personal data only: clean for a scan of secrets, not for a scan of everything.
	pii := prose + "Call the on-call engineer at (415) 555-0134 or mail oncall.lead@example.com."
	for range 3 { // remembered from the second clean scan on (see cleanTexts)
		if _, fs := eng.Redact([]byte(pii), secretsOnly); len(fs) != 0 {
			t.Fatalf("secrets only: %v", fs)
		}
	}
	if out, fs := eng.Redact([]byte(pii), redact.Options{}); len(fs) == 0 || strings.Contains(string(out), "555-0134") {
		t.Errorf("every class, after the text was clean of secrets three times: %d findings, %q", len(fs), out)
	}
	// An exact value named for one call is found in a text remembered as clean without it.
	for range 3 {
		if _, fs := eng.Redact([]byte(prose), redact.Options{}); len(fs) != 0 {
			t.Fatalf("prose: %v", fs)
		}
	}
	if out, fs := eng.Redact([]byte(prose), redact.Options{Exact: [][]byte{[]byte("publishes")}}); len(fs) != 1 || strings.Contains(string(out), "publishes") {
		t.Errorf("exact value for the call in remembered prose: %v, %q", fs, out)
	}
	// JSON strings are scanned with their key as context: the remembered verdict is the text's.
	body := []byte(`{"messages":[{"role":"user","content":"` + prose + `"}]}`)
	for range 3 {
		if _, fs, err := eng.RedactJSON(body, redact.Options{}); err != nil || len(fs) != 0 {
			t.Fatalf("clean body: %v, %v", fs, err)
		}
	}
	for _, sm := range samples(t)[:40] {
		text := prose + "token=" + sm.Secret + "\n"
		want, _ := eng.Redact([]byte(text), redact.Options{})
		for range 3 {
			if got, _ := eng.Redact([]byte(text), redact.Options{}); string(got) != string(want) {
				t.Fatalf("%s: a second scan gave %q, the first %q", sm.Rule, got, want)
			}
		}
	}
}

// TestScanRemembersNoBoundReached: a scan that reached one of the engine's bounds is not
// remembered, so each repeat of the text is scanned and counted again (BoundsReached).
func TestScanRemembersNoBoundReached(t *testing.T) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	file := strings.Repeat("FEATURE_FLAG_ENABLED=true\n", 3000) + "SESSION_SECRET_ROTATION=weekly\n"
	in := []byte("$ base64 app.env\n" + wrapB64(file, 76, "") + "$ ")
	for i := range 4 {
		before := redact.BoundsReached()["base64_block_too_long"]
		if _, fs := eng.Redact(in, secretsOnly); len(fs) != 0 {
			t.Fatalf("findings in a clean block: %v", fs)
		}
		if after := redact.BoundsReached()["base64_block_too_long"]; after <= before {
			t.Errorf("scan %d: base64_block_too_long not counted (%d before, %d after)", i+1, before, after)
		}
	}
}
