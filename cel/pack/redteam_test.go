package pack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/warden-gw/warden/cel/policycli"
)

// Thresholds of issue #11 for the red-team corpus.
const (
	minBlockRecall    = 0.97
	maxFalseBlockRate = 0.03
	// The fresh corpus's floor (see TestFreshRedTeamThroughCheck): 0.929 (157/169) recall and
	// 0.000 (0/75) false blocks on arrival; 1.000 and 0.000 once the classes of its 12 misses
	// were fixed (generalisation work of issue #11, docs/inspection.md). The floor guards that.
	freshMinRecall     = 0.99
	freshMaxFalseBlock = 0.02
	// The third corpus (cel/testdata/THIRD.md) was held out from all the work: 0.917 (111/121)
	// before it, 0.975 (118/121) and 0.000 (0/61) after. Its three misses and the fourth's
	// (structured MCP tool arguments, a code interpreter, a console proxy) were then fixed by
	// class (docs/inspection.md, "Actions described by tool arguments"): 1.000 on both since,
	// so neither is held out any more and both gate at 0.99.
	thirdMinRecall     = 0.99
	thirdMaxFalseBlock = 0.02
	// The fourth corpus (cel/testdata/FOURTH.md) weighs false blocks: 0.973 (110/113) recall and
	// 0.013 (2/156) false blocks when it arrived; 1.000 and 0.013 after the class fixes above.
	fourthMinRecall     = 0.99
	fourthMaxFalseBlock = 0.015
)

// redteamCase is one line of cel/testdata/redteam.jsonl: a `warden check` input with its id,
// the expected verdict and a note saying what it tries.
type redteamCase struct {
	ID     string `json:"id"`
	Expect string `json:"expect"`
	Note   string `json:"note"`
}

// classScore counts one class's outcomes.
type classScore struct{ block, blocked, allow, falseBlocked int }

// TestRedTeamThroughCheck runs the red-team corpus (written from outside the code, see
// cel/testdata/REDTEAM.md) through the code path of `warden check` with the embedded pack and
// fails when block recall is below 0.97 or the false-block rate above 0.03. Every miss is
// printed with its note and decision; the score is logged per class.
func TestRedTeamThroughCheck(t *testing.T) {
	redTeam(t, "redteam.jsonl", 300, minBlockRecall, maxFalseBlockRate)
}

// TestFreshRedTeamThroughCheck runs a second corpus (cel/testdata/FRESH.md), written by another
// session that had read neither the code nor the first corpus, after the work on issue #11 was
// done. Its 12 misses on arrival showed classes of gaps, which were then fixed as classes (not
// as cases); since then it no longer measures generalisation, the lead's held-out corpus does.
// Its bounds guard against regression.
func TestFreshRedTeamThroughCheck(t *testing.T) {
	redTeam(t, "fresh.jsonl", 150, freshMinRecall, freshMaxFalseBlock)
}

// TestThirdRedTeamThroughCheck runs the held-out corpus (cel/testdata/THIRD.md): written by a
// session that had read neither the code nor the earlier corpora, and kept from every session
// that worked on the code until it was measured. It says how far the understanding generalises.
func TestThirdRedTeamThroughCheck(t *testing.T) {
	redTeam(t, "third.jsonl", 150, thirdMinRecall, thirdMaxFalseBlock)
}

// TestFourthRedTeamThroughCheck runs a corpus written to measure false blocks
// (cel/testdata/FOURTH.md): mostly everyday traffic that looks administrative.
func TestFourthRedTeamThroughCheck(t *testing.T) {
	redTeam(t, "fourth.jsonl", 150, fourthMinRecall, fourthMaxFalseBlock)
}

// TestShapesThroughCheck runs the cases written with the generalisation work of issue #11
// (cel/testdata/gen_shapes.py): APIs judged by shape, administrator grants, wire shapes,
// data-store commands and SQL tautologies, each with benign twins. Every case must be right.
func TestShapesThroughCheck(t *testing.T) {
	redTeam(t, "shapes.jsonl", 50, 1, 0)
}

// TestDescribedThroughCheck runs the cases of actions described by tool arguments and of
// requests tunnelled through console endpoints (cel/testdata/gen_described.py), each with benign
// twins. Every case must be right.
func TestDescribedThroughCheck(t *testing.T) {
	redTeam(t, "described.jsonl", 40, 1, 0)
}

// TestDescribedHeldoutThroughCheck runs the held-out cases of described actions written by a
// session that had not read the readers (cel/testdata/DESCRIBED-HELDOUT.md): it gates at their
// arrival score, 0.706 recall and 0.029 false blocks, as a regression floor.
func TestDescribedHeldoutThroughCheck(t *testing.T) {
	redTeam(t, "described-heldout.jsonl", 60, 0.70, 0.03)
}

func redTeam(t *testing.T, file string, minCases int, minRecall, maxFalseBlock float64) {
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
	if len(inLines) != len(outLines) || len(inLines) < minCases {
		t.Fatalf("%d input lines, %d output lines (want the same, at least %d)", len(inLines), len(outLines), minCases)
	}
	classes := map[string]*classScore{}
	var total classScore
	var misses []string
	for i := range inLines {
		var c redteamCase
		var o policycli.Output
		if err := json.Unmarshal([]byte(inLines[i]), &c); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if err := json.Unmarshal([]byte(outLines[i]), &o); err != nil {
			t.Fatalf("output line %d: %v", i+1, err)
		}
		class := caseClass(c.ID)
		cs := classes[class]
		if cs == nil {
			cs = &classScore{}
			classes[class] = cs
		}
		blocks := !o.Shadow && (o.Action == "deny" || o.Action == "require_approval")
		switch c.Expect {
		case "block":
			cs.block++
			total.block++
			if blocks {
				cs.blocked++
				total.blocked++
			} else {
				misses = append(misses, fmt.Sprintf("MISSED %s (%s): %s", c.ID, c.Note, outLines[i]))
			}
		case "allow":
			cs.allow++
			total.allow++
			if o.Action != "allow" {
				cs.falseBlocked++
				total.falseBlocked++
				misses = append(misses, fmt.Sprintf("FALSE BLOCK %s (%s): %s", c.ID, c.Note, outLines[i]))
			}
		default:
			t.Fatalf("%s: expect must be block or allow, got %q", c.ID, c.Expect)
		}
	}
	names := make([]string, 0, len(classes))
	for n := range classes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		cs := classes[n]
		t.Logf("%-10s blocked %3d/%-3d  false-blocked %3d/%-3d", n, cs.blocked, cs.block, cs.falseBlocked, cs.allow)
	}
	if total.block == 0 || total.allow == 0 {
		// Either rate would be 0/0 (NaN), which no bound comparison fails.
		t.Fatalf("%s has %d block and %d allow cases; both kinds are needed to score it", file, total.block, total.allow)
	}
	recall := float64(total.blocked) / float64(total.block)
	falseBlock := float64(total.falseBlocked) / float64(total.allow)
	t.Logf("block recall %.3f (%d/%d), false-block rate %.3f (%d/%d)",
		recall, total.blocked, total.block, falseBlock, total.falseBlocked, total.allow)
	for _, m := range misses {
		t.Log(m)
	}
	if recall < minRecall || falseBlock > maxFalseBlock {
		t.Errorf("block recall %.3f (want >= %.2f), false-block rate %.3f (want <= %.2f): %d misses listed above",
			recall, minRecall, falseBlock, maxFalseBlock, len(misses))
	}
}

// caseClass is the class of a case id: "cli-047" → "cli", "http-tool-003" → "http-tool" (a
// numbered id drops its number), "saas-gitlab-project" → "saas" (a named id keeps its prefix).
func caseClass(id string) string {
	if j := strings.LastIndexByte(id, '-'); j > 0 && strings.Trim(id[j+1:], "0123456789") == "" {
		return id[:j]
	}
	if j := strings.IndexByte(id, '-'); j > 0 {
		return id[:j]
	}
	return id
}
