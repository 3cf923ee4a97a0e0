// Package redacttest generates format-valid but obviously fake secrets and PII
// for every rule of the redact engine, for tests and benchmarks. Values are
// built at run time (random bodies, correct checksums) so no live-looking key
// is ever committed to the repository.
package redacttest

import (
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"

	"github.com/warden-gw/warden/redact"
)

// Sample is one planted value.
type Sample struct {
	Rule   string       // rule expected to find it
	Class  redact.Class // its class
	Secret string       // the value that must never reach an output
	Line   string       // a realistic line of text containing Secret once
}

// Samples returns one sample per rule of eng, deterministically from seed.
// Each sample is checked against eng and regenerated (up to 50 times) until
// eng finds it, so a rule whose sample cannot be found is reported by the
// returned error instead of silently dropped.
func Samples(eng *redact.Engine, seed uint64) ([]Sample, error) {
	// Test data must be reproducible from seed, so a seeded PRNG, not crypto/rand.
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) //nolint:gosec // deterministic test data, not a secret
	var out []Sample
	var missing []string
	for _, ri := range eng.Rules() {
		if ri.ID == "exact-value" {
			continue // needs a value configured at run time; tested on its own
		}
		var got *Sample
		for try := 0; try < 50 && got == nil; try++ {
			s, ok := sampleFor(ri, rnd)
			if !ok {
				break
			}
			if found(eng, s) {
				got = &s
			}
		}
		if got == nil {
			missing = append(missing, ri.ID)
			continue
		}
		out = append(out, *got)
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("no detectable sample for rules %v", missing)
	}
	return out, nil
}

func found(eng *redact.Engine, s Sample) bool {
	i := strings.Index(s.Line, s.Secret)
	if i < 0 {
		return false
	}
	for _, f := range eng.Scan([]byte(s.Line), redact.Options{}) {
		if f.Start <= i && f.End >= i+len(s.Secret) {
			return true
		}
	}
	return false
}

func sampleFor(ri redact.RuleInfo, rnd *rand.Rand) (Sample, bool) {
	s := Sample{Rule: ri.ID, Class: ri.Class}
	if f, ok := special[ri.ID]; ok {
		s.Secret, s.Line = f(rnd)
		return s, true
	}
	if ri.Pattern == "" {
		return s, false
	}
	re, err := syntax.Parse(ri.Pattern, syntax.Perl)
	if err != nil {
		return s, false
	}
	var sb strings.Builder
	gen(re.Simplify(), rnd, &sb)
	full := sb.String()
	s.Secret = full
	if re.MaxCap() > 0 {
		if m := regexp.MustCompile(ri.Pattern).FindStringSubmatchIndex(full); m != nil && m[2] >= 0 {
			s.Secret = full[m[2]:m[3]]
		}
	}
	if ri.Assign {
		key := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(ri.Keywords[rnd.IntN(len(ri.Keywords))]))
		s.Line = fmt.Sprintf(`%s_TOKEN = "%s"`, key, full)
	} else {
		s.Line = "export APP_CREDENTIAL=" + full
	}
	return s, true
}

// Generate returns a random ASCII string matching the regular expression
// pattern (Perl syntax): used to build corpora from any rule set.
func Generate(pattern string, rnd *rand.Rand) (string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	gen(re.Simplify(), rnd, &sb)
	return sb.String(), nil
}

// gen writes a random string matching re (ASCII only).
func gen(re *syntax.Regexp, rnd *rand.Rand, sb *strings.Builder) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				r = unicode.ToLower(r) // the parser stores folded literals upper-cased
			}
			sb.WriteRune(r)
		}
	case syntax.OpCharClass:
		c := pickClass(re.Rune, rnd)
		if re.Flags&syntax.FoldCase != 0 && c >= 'A' && c <= 'Z' {
			// (?i) classes: real tokens use the case the pattern spells
			// (usually lower), not a random mix.
			c += 'a' - 'A'
		}
		sb.WriteByte(c)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		sb.WriteByte(alnum[rnd.IntN(len(alnum))])
	case syntax.OpCapture:
		gen(re.Sub[0], rnd, sb)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			gen(s, rnd, sb)
		}
	case syntax.OpAlternate:
		gen(re.Sub[rnd.IntN(len(re.Sub))], rnd, sb)
	case syntax.OpQuest:
		if rnd.IntN(2) == 0 {
			gen(re.Sub[0], rnd, sb)
		}
	case syntax.OpStar, syntax.OpPlus:
		n := 1 + rnd.IntN(3)
		if re.Op == syntax.OpPlus {
			n += 8
		}
		for range n {
			gen(re.Sub[0], rnd, sb)
		}
	case syntax.OpRepeat:
		hi := re.Max
		if hi < 0 || hi > re.Min+40 {
			hi = re.Min + 40
		}
		n := re.Min + rnd.IntN(hi-re.Min+1)
		for range n {
			gen(re.Sub[0], rnd, sb)
		}
	}
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func pickClass(ranges []rune, rnd *rand.Rand) byte {
	var cands []byte
	for i := 0; i+1 < len(ranges); i += 2 {
		for c := ranges[i]; c <= ranges[i+1] && c < 0x7f; c++ {
			if c >= 0x20 && c != '\\' && c != '"' && c != '\'' {
				cands = append(cands, byte(c))
			}
		}
	}
	if len(cands) == 0 {
		return 'x'
	}
	return cands[rnd.IntN(len(cands))]
}

func randString(rnd *rand.Rand, charset string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = charset[rnd.IntN(len(charset))]
	}
	return string(b)
}

// GitHubToken builds a token with a correct CRC32 checksum.
func GitHubToken(rnd *rand.Rand, prefix string) string {
	body := randString(rnd, alnum, 30)
	v := crc32.ChecksumIEEE([]byte(body))
	const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	sum := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		sum[i] = b62[v%62]
		v /= 62
	}
	return prefix + body + string(sum)
}

// JWT builds an unsigned-looking but well-formed JWT.
func JWT(rnd *rand.Rand) string {
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p := enc.EncodeToString([]byte(fmt.Sprintf(`{"sub":"fake-%s","name":"Test User","iat":1700000000}`, randString(rnd, alnum, 8))))
	return h + "." + p + "." + randString(rnd, alnum+"-_", 43)
}

// CardNumber builds a Luhn-valid test card number with the given prefix.
func CardNumber(rnd *rand.Rand, prefix string, n int) string {
	d := []byte(prefix + randString(rnd, "0123456789", n-len(prefix)-1))
	for c := byte('0'); c <= '9'; c++ {
		cand := append(append([]byte{}, d...), c)
		if luhnOK(cand) {
			return string(cand)
		}
	}
	return ""
}

func luhnOK(d []byte) bool {
	sum, dbl := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if dbl {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		dbl = !dbl
	}
	return sum%10 == 0
}

// IBANNumber builds a mod-97-valid German IBAN.
func IBANNumber(rnd *rand.Rand) string {
	bban := randString(rnd, "0123456789", 18)
	num := bban + "131400" // "DE" -> 13 14, check digits 00
	rem := 0
	for _, c := range num {
		rem = (rem*10 + int(c-'0')) % 97
	}
	return fmt.Sprintf("DE%02d%s", 98-rem, bban)
}
