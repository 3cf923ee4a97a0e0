package pack_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/cel/policycli"
)

// fixture is one line of the shared fixture format: a `warden check` input plus id and expect.
type fixture struct {
	ID     string `json:"id"`
	Expect string `json:"expect"`
}

// TestFixturesThroughCheck runs the public fixtures and the held-out cases through the code
// path of `warden check` with the embedded pack: block must be deny or require_approval
// (enforced), allow must be allow.
func TestFixturesThroughCheck(t *testing.T) {
	for _, file := range []string{"actions.jsonl", "heldout.jsonl"} {
		t.Run(file, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("..", "testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			if err := policycli.Check(context.Background(), nil, bytes.NewReader(in), &out, &errOut); err != nil {
				t.Fatalf("check: %v\n%s", err, errOut.String())
			}
			inLines := strings.Split(strings.TrimSpace(string(in)), "\n")
			outLines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(inLines) != len(outLines) {
				t.Fatalf("%d input lines, %d output lines", len(inLines), len(outLines))
			}
			blocked, allowed := 0, 0
			for i := range inLines {
				var f fixture
				var o policycli.Output
				if err := json.Unmarshal([]byte(inLines[i]), &f); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal([]byte(outLines[i]), &o); err != nil {
					t.Fatalf("output line %d: %v", i+1, err)
				}
				blocks := !o.Shadow && (o.Action == "deny" || o.Action == "require_approval")
				switch {
				case f.Expect == "block" && !blocks:
					t.Errorf("%s: want block, got %s", f.ID, outLines[i])
				case f.Expect == "allow" && o.Action != "allow":
					t.Errorf("%s: want allow, got %s", f.ID, outLines[i])
				case f.Expect == "block":
					blocked++
				default:
					allowed++
				}
				if blocks && (o.Rule == "" || o.Reason == "") {
					t.Errorf("%s: a block must name its rule and reason: %s", f.ID, outLines[i])
				}
			}
			t.Logf("%s: %d blocked, %d allowed as expected", file, blocked, allowed)
		})
	}
}

// TestPackPolicyTests runs the PolicyTest documents beside the pack, as
// `warden policy test cel/pack` does.
func TestPackPolicyTests(t *testing.T) {
	var out, errOut bytes.Buffer
	err := policycli.Policy(context.Background(), []string{"test", "."}, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("policy test: %v\n%s%s", err, out.String(), errOut.String())
	}
	sc := bufio.NewScanner(&out)
	passed := 0
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "PASS ") {
			passed++
		}
	}
	if passed < 20 {
		t.Fatalf("only %d cases passed:\n%s", passed, out.String())
	}
}

// TestEmbeddedPackMatchesFiles checks that Default() is the pack on disk.
func TestEmbeddedPackMatchesFiles(t *testing.T) {
	embedded, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := policy.Load(".")
	if err != nil {
		t.Fatal(err)
	}
	ev, dv := embedded.Versions(), onDisk.Versions()
	if len(ev) < 6 || len(ev) != len(dv) {
		t.Fatalf("embedded %v, on disk %v", ev, dv)
	}
	for name, v := range dv {
		if ev[name] != v {
			t.Errorf("policy %s: embedded version %s, file version %s", name, ev[name], v)
		}
	}
}
