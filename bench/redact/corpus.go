package main

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redacttest"
)

// glSample is one secret planted from a gitleaks default rule.
type glSample struct {
	Rule   string // gitleaks rule id
	Line   string // the generated text (one full match of the rule's regex)
	Secret string // what gitleaks reports as the secret
}

// glCorpus generates up to perRule samples from each gitleaks default rule's
// regex, keeping a candidate only when gitleaks itself detects it under that
// rule. Formats with a checksum get a real one (GitHub CRC32, JWT header), as
// a leaked token would have. Rules for which no candidate is detected are
// returned in skipped.
func glCorpus(gl *detect.Detector, seed uint64, perRule int) (out []glSample, skipped []string) {
	rnd := rand.New(rand.NewPCG(seed, 99)) //nolint:gosec // reproducible test data
	ids := make([]string, 0, len(gl.Config.Rules))
	for id := range gl.Config.Rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		r := gl.Config.Rules[id]
		if r.Regex == nil {
			skipped = append(skipped, id)
			continue
		}
		got := 0
		seen := map[string]bool{}
		for try := 0; try < 60*perRule && got < perRule; try++ {
			cand, err := redacttest.Generate(r.Regex.String(), rnd)
			if err != nil || strings.ContainsAny(cand, "\n\r") {
				continue
			}
			cand = withChecksums(cand, rnd)
			for _, f := range gl.DetectString(cand) {
				if f.RuleID == id && f.Secret != "" && !seen[f.Secret] {
					seen[f.Secret] = true
					out = append(out, glSample{Rule: id, Line: cand, Secret: f.Secret})
					got++
					break
				}
			}
		}
		if got == 0 {
			skipped = append(skipped, id)
		}
	}
	return out, skipped
}

var (
	ghToken = regexp.MustCompile(`gh[pousr]_[0-9A-Za-z]{36}`)
	jwtTok  = regexp.MustCompile(`ey[A-Za-z0-9_-]{10,}\.`)
)

// withChecksums replaces GitHub tokens by checksum-valid ones and JWT headers
// by a decodable header, keeping every other byte: the corpus then holds what
// a real leak would, not strings a checksum-aware scanner rightly ignores.
func withChecksums(s string, rnd *rand.Rand) string {
	s = ghToken.ReplaceAllStringFunc(s, func(t string) string { return redacttest.GitHubToken(rnd, t[:4]) })
	return jwtTok.ReplaceAllStringFunc(s, func(string) string {
		return strings.SplitN(redacttest.JWT(rnd), ".", 2)[0] + "."
	})
}

// glRecall reports which samples warden leaves (partly) unredacted: a
// sample counts as found when a warden finding covers gitleaks' whole secret.
func glRecall(eng *redact.Engine, samples []glSample) (missed []glSample) {
	for _, s := range samples {
		i := strings.Index(s.Line, s.Secret)
		hit := false
		for _, f := range eng.Scan([]byte(s.Line), redact.Options{Disable: redact.PII}) {
			if f.Start <= i && f.End >= i+len(s.Secret) {
				hit = true
			}
		}
		if !hit {
			missed = append(missed, s)
		}
	}
	return missed
}

func glRecallReport(eng *redact.Engine, gl *detect.Detector, seed uint64, perRule int) {
	samples, skipped := glCorpus(gl, seed, perRule)
	missed := glRecall(eng, samples)
	rules := map[string]bool{}
	var names []string
	for _, m := range missed {
		if !rules[m.Rule] {
			rules[m.Rule] = true
			names = append(names, m.Rule)
		}
	}
	n := len(samples)
	fmt.Println("### Recall on a corpus generated from gitleaks' own rule regexes")
	fmt.Println()
	fmt.Printf("Up to %d samples per rule (seed %d), each kept only if gitleaks detects it.\n\n", perRule, seed)
	fmt.Printf("| engine | found | recall |\n|---|---|---|\n")
	fmt.Printf("| warden (value fully covered) | %d/%d | %.1f%% |\n", n-len(missed), n, 100*float64(n-len(missed))/float64(max(n, 1)))
	fmt.Printf("| gitleaks (by construction) | %d/%d | 100%% |\n\n", n, n)
	fmt.Printf("warden missed samples of (%d rules): %s\n\nno detectable sample generated for (%d): %s\n\n",
		len(names), strings.Join(names, ", "), len(skipped), strings.Join(skipped, ", "))
}
