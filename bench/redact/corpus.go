package main

import (
	"encoding/base64"
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
	// Rules whose regex the generator cannot satisfy (multi-line context, \z, back-references to
	// structure) get hand-built lines in the rule's documented shape, kept only if gitleaks
	// detects them under that rule.
	var still []string
	for _, id := range skipped {
		got := false
		for _, line := range handSamples(id, rnd) {
			for _, f := range gl.DetectString(line) {
				if f.RuleID == id && f.Secret != "" {
					out = append(out, glSample{Rule: id, Line: line, Secret: f.Secret})
					got = true
					break
				}
			}
		}
		if !got {
			still = append(still, id)
		}
	}
	return out, still
}

func randAlnum(rnd *rand.Rand, n int) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[rnd.IntN(len(a))]
	}
	return string(b)
}

// handSamples builds lines in the documented shape of a gitleaks rule the
// regex generator cannot satisfy.
func handSamples(id string, rnd *rand.Rand) []string {
	pw := "Fk9" + randAlnum(rnd, 13)
	switch id {
	case "curl-auth-user":
		return []string{"curl -s --user 'api:" + pw + "' https://api.example.test/v2/messages",
			"curl -u deploy:" + pw + " https://ci.example.test/api/json"}
	case "curl-auth-header":
		return []string{`curl -H "Authorization: Bearer ` + randAlnum(rnd, 40) + `" https://api.example.test/v1/me`,
			`curl --header "X-Api-Key: ` + randAlnum(rnd, 32) + `" https://api.example.test/v1/me`}
	case "kubernetes-secret-yaml":
		b := base64.StdEncoding.EncodeToString([]byte(pw))
		return []string{"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: " + b + "\n"}
	case "slack-webhook-url":
		return []string{"https://hooks.slack.com/services/T" + randAlnum(rnd, 8) + "/B" + randAlnum(rnd, 8) + "/" + randAlnum(rnd, 24)}
	case "sidekiq-sensitive-url":
		return []string{"https://" + randAlnum(rnd, 8) + ":" + randAlnum(rnd, 8) + "@gems.contribsys.com/"}
	case "nuget-config-password":
		return []string{`<add key="ClearTextPassword" value="` + pw + `" />`}
	case "hashicorp-tf-password":
		return []string{`administrator_login_password = "` + pw + `"`}
	case "freemius-secret-key":
		return []string{`$fs = array('secret_key' => "sk_` + randAlnum(rnd, 29) + `");`}
	case "facebook-access-token":
		return []string{"facebook_token = " + fmt.Sprint(100000000000000+rnd.IntN(899999999999999)) + "|" + randAlnum(rnd, 27)}
	case "airtable-personnal-access-token":
		return []string{"AIRTABLE_TOKEN=pat" + randAlnum(rnd, 14) + "." + strings.ToLower(fmt.Sprintf("%064x", rnd.Uint64()))[:64]}
	case "slack-config-access-token":
		return []string{"xoxe.xoxp-1-" + strings.ToUpper(randAlnum(rnd, 163))}
	}
	return nil
}

var (
	marker  = regexp.MustCompile(`\[REDACTED:[^\]]*\]`)
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

// glRecall reports which samples warden leaves (partly) unredacted: a sample
// counts as found when no 8-byte window of gitleaks' secret survives in
// warden's output (the definition of fully redacted; a user name
// gitleaks reports with the password, as in `deploy:<password>`, is not a
// secret, and windows of it that survive alone are not counted). whole counts
// the samples where one finding covers gitleaks' whole secret.
func glRecall(eng *redact.Engine, samples []glSample) (missed []glSample, whole int) {
	for _, s := range samples {
		i := strings.Index(s.Line, s.Secret)
		for _, f := range eng.Scan([]byte(s.Line), redact.Options{Disable: redact.PII}) {
			if f.Start <= i && f.End >= i+len(s.Secret) {
				whole++
				break
			}
		}
		red, _ := eng.Redact([]byte(s.Line), redact.Options{Disable: redact.PII})
		out := marker.ReplaceAllString(string(red), "\x00") // a marker names the rule (`rubygems-...`)
		for k := 0; k+8 <= len(s.Secret); k++ {
			w := s.Secret[k : k+8]
			if strings.Contains(out, w) && !userPart(s.Secret, k) {
				missed = append(missed, s)
				break
			}
		}
	}
	return missed, whole
}

// userPart reports whether the window at k lies in the `user:` part of a
// `user:password` secret.
func userPart(secret string, k int) bool {
	c := strings.IndexByte(secret, ':')
	return c > 0 && k+8 <= c+1 && !strings.Contains(secret[:c], "/")
}

func glRecallReport(eng *redact.Engine, gl *detect.Detector, seed uint64, perRule int) {
	samples, skipped := glCorpus(gl, seed, perRule)
	missed, whole := glRecall(eng, samples)
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
	fmt.Printf("| warden (no 8-byte window of the secret survives) | %d/%d | %.1f%% |\n", n-len(missed), n, 100*float64(n-len(missed))/float64(max(n, 1)))
	fmt.Printf("| warden (one finding covers gitleaks' whole secret) | %d/%d | %.1f%% |\n", whole, n, 100*float64(whole)/float64(max(n, 1)))
	fmt.Printf("| gitleaks (by construction) | %d/%d | 100%% |\n\n", n, n)
	fmt.Printf("warden missed samples of (%d rules): %s\n\nno detectable sample generated for (%d): %s\n\n",
		len(names), strings.Join(names, ", "), len(skipped), strings.Join(skipped, ", "))
}
