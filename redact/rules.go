package redact

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

type ruleKind uint8

const (
	kindPrefix ruleKind = iota // the keyword starts the token (or sits `before` bytes into it)
	kindAssign                 // keyword, assignment operator, then a value pattern
	kindCustom                 // hand-written matcher
	kindLook                   // not a rule: marks where the engine looks through an encoding
)

// matchFunc looks at a keyword hit b[ks:ke]. It returns the secret span
// [s, e) (s < 0: none) and pend: the first index that could still become part
// of a secret if more bytes followed b (pend < 0: nothing pending).
type matchFunc func(r *rule, b []byte, ks, ke int) (s, e, pend int)

type rule struct {
	id         string
	class      Class
	keywords   []string
	kind       ruleKind
	pattern    string
	source     string // pattern as written, before folding the literal prefix
	re         *regexp.Regexp
	group      int  // submatch holding the secret (0: whole match)
	before     int  // kindPrefix: the match may start this many bytes before the keyword
	leftAny    bool // no word boundary needed before the match
	maxLen     int  // longest possible match (window and hold-back bound)
	charset    [256]bool
	matchSet   [256]bool // the bytes a match can hold (rules_reject.go)
	minLen     int       // the shortest match's length
	validate   func([]byte) bool
	minEntropy float64
	custom     matchFunc
	// multi: a hand-written matcher that may find several spans at one
	// keyword hit (a table's column under its header); see rules_fx7.go.
	multi multiMatchFunc
	// keep: the rule's match is a value that must stay (a public key, a
	// committed ciphertext); findings of lower precedence inside it are
	// dropped (see rules_fx7_keep.go).
	keep bool
	// noHold: a stream does not hold back a partial keyword of this rule at
	// the end of a chunk (keywords that begin with a boundary byte such as a
	// space would otherwise delay ordinary prose). Its match is still found
	// across chunks through the context a stream keeps.
	noHold bool
	look   lookKind   // kindLook: what the keyword marks
	prec   precedence // set by compile
	// generic: the rule finds credentials by their context alone (generic
	// assignments, bearer/basic credentials): any more specific rule that
	// matches the same bytes names the finding.
	generic bool
	// wordKeywords must stand as a word part of their own (no letter before
	// or after): "pass" in `db_pass=`, not in `bypass` or `passive`.
	wordKeywords []string
	// escapedQuotes: a value in double quotes may hold JSON escapes (see escapedString).
	escapedQuotes bool
}

// RuleInfo describes a rule for listings and documentation.
type RuleInfo struct {
	ID       string   `json:"id"`
	Class    Class    `json:"class"`
	Keywords []string `json:"keywords,omitempty"`
	// Pattern is the rule's regular expression (for an assignment rule: the
	// value's); empty for hand-written matchers.
	Pattern string `json:"pattern,omitempty"`
	// Assign says the pattern is the value of a `<keyword>... = value` assignment.
	Assign bool `json:"assign,omitempty"`
}

const defaultMaxLen = 512

// tok declares a token rule: the regex starts with its keyword (the literal
// prefix of the pattern unless keywords are given).
func tok(id, pattern string, keywords ...string) *rule {
	return &rule{id: id, class: Secret, kind: kindPrefix, pattern: pattern, keywords: keywords}
}

// ctx declares a keyword-assignment rule: `<keyword><name>  = "value"` where
// value matches the pattern (case-insensitive, as in config files).
func ctx(id string, keywords []string, value string) *rule {
	return &rule{id: id, class: Secret, kind: kindAssign, pattern: "(?i)" + value, keywords: keywords}
}

func (r *rule) check(f func([]byte) bool) *rule { r.validate = f; return r }
func (r *rule) entropy(e float64) *rule         { r.minEntropy = e; return r }
func (r *rule) grp(g int) *rule                 { r.group = g; return r }
func (r *rule) back(n int) *rule                { r.before = n; return r }
func (r *rule) anyLeft() *rule                  { r.leftAny = true; return r }
func (r *rule) limit(n int) *rule               { r.maxLen = n; return r }
func (r *rule) noHoldBack() *rule               { r.noHold = true; return r }
func (r *rule) lowPrecedence() *rule            { r.generic = true; return r }
func (r *rule) words(k ...string) *rule         { r.wordKeywords = k; return r }
func (r *rule) jsonEscapes() *rule              { r.escapedQuotes = true; return r }

func (r *rule) compile() error {
	r.prec = rulePrec(r)
	if r.kind == kindCustom {
		return nil
	}
	if r.kind == kindPrefix && len(r.keywords) == 0 {
		plain, err := regexp.Compile(r.pattern)
		if err != nil {
			return fmt.Errorf("rule %s: compile pattern: %w", r.id, err)
		}
		lit, _ := plain.LiteralPrefix()
		if len(lit) < 3 {
			return fmt.Errorf("rule %s: pattern has no literal prefix of 3+ bytes; give keywords", r.id)
		}
		r.keywords = []string{strings.ToLower(lit)}
	}
	r.source = r.pattern
	if r.kind == kindPrefix {
		r.pattern = foldLiteralPrefix(r.pattern)
	}
	re, err := regexp.Compile("^(?:" + r.pattern + ")")
	if err != nil {
		return fmt.Errorf("rule %s: compile pattern: %w", r.id, err)
	}
	r.re = re
	parsed, err := syntax.Parse(r.pattern, syntax.Perl)
	if err != nil {
		return fmt.Errorf("rule %s: parse pattern: %w", r.id, err)
	}
	parsed = parsed.Simplify()
	if r.maxLen == 0 {
		r.maxLen = maxMatchLen(parsed)
		if r.maxLen < 0 || r.maxLen > defaultMaxLen*8 {
			r.maxLen = defaultMaxLen
		}
	}
	addCharset(&r.charset, parsed)
	matchSet(&r.matchSet, parsed)
	r.minLen = minMatchLen(parsed)
	for i, k := range r.keywords {
		r.keywords[i] = strings.ToLower(k)
	}
	return nil
}

// maxMatchLen returns the longest match of re in bytes, or -1 if unbounded.
func maxMatchLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, c := range re.Rune {
			n += len(string(c))
		}
		return n
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return 4
	case syntax.OpCapture:
		return maxMatchLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			m := maxMatchLen(s)
			if m < 0 {
				return -1
			}
			n += m
		}
		return n
	case syntax.OpAlternate:
		n := 0
		for _, s := range re.Sub {
			m := maxMatchLen(s)
			if m < 0 {
				return -1
			}
			n = max(n, m)
		}
		return n
	case syntax.OpStar, syntax.OpPlus:
		return -1
	case syntax.OpQuest:
		return maxMatchLen(re.Sub[0])
	case syntax.OpRepeat:
		if re.Max < 0 {
			return -1
		}
		m := maxMatchLen(re.Sub[0])
		if m < 0 {
			return -1
		}
		return m * re.Max
	default:
		return 0
	}
}

// addCharset marks every byte the pattern can match (ASCII; any non-ASCII rune
// marks all bytes >= 0x80).
func addCharset(set *[256]bool, re *syntax.Regexp) {
	mark := func(lo, hi rune) {
		for c := lo; c <= hi && c < 256; c++ {
			if c >= 0x80 {
				for b := 0x80; b < 256; b++ {
					set[b] = true
				}
				return
			}
			set[c] = true
			if re.Flags&syntax.FoldCase != 0 {
				if c >= 'A' && c <= 'Z' {
					set[c-'A'+'a'] = true
				}
				if c >= 'a' && c <= 'z' {
					set[c-'a'+'A'] = true
				}
			}
		}
		if hi >= 0x80 {
			for b := 0x80; b < 256; b++ {
				set[b] = true
			}
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			mark(c, c)
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			mark(re.Rune[i], re.Rune[i+1])
		}
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		for b := 0; b < 256; b++ {
			set[b] = b != '\n' || re.Op == syntax.OpAnyChar
		}
	}
	for _, s := range re.Sub {
		addCharset(set, s)
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// match dispatches a keyword hit to the rule's matcher.
func (r *rule) match(b []byte, ks, ke int) (int, int, int) {
	switch r.kind {
	case kindPrefix:
		return r.matchPrefix(b, ks, ke)
	case kindAssign:
		return r.matchAssign(b, ks, ke)
	default:
		return r.custom(r, b, ks, ke)
	}
}

// pendingRun reports whether every byte of b[from:] is in the rule's charset
// and the candidate starting at start still fits in maxLen.
func (r *rule) pendingRun(b []byte, from, start int) bool {
	if len(b)-start > r.maxLen {
		return false
	}
	for i := from; i < len(b); i++ {
		if !r.charset[b[i]] {
			return false
		}
	}
	return true
}

func (r *rule) matchPrefix(b []byte, ks, ke int) (int, int, int) {
	s0 := ks - r.before
	if s0 < 0 {
		return -1, -1, -1
	}
	if !r.leftAny && s0 > 0 && isAlnum(b[s0-1]) {
		return -1, -1, -1
	}
	pend := -1
	if r.pendingRun(b, ke, s0) {
		pend = s0
	}
	end := min(len(b), s0+r.maxLen)
	loc := r.re.FindSubmatchIndex(b[s0:end])
	if loc == nil || loc[2*r.group] < 0 {
		return -1, -1, pend
	}
	s, e := s0+loc[2*r.group], s0+loc[2*r.group+1]
	if !r.accept(b[s:e]) {
		return -1, -1, pend
	}
	return s, e, pend
}

func (r *rule) accept(v []byte) bool {
	if r.class == Secret && maskRun(v) {
		return false // a documented shape with its random part masked
	}
	if r.validate != nil && !r.validate(v) {
		return false
	}
	return r.minEntropy == 0 || shannon(v) >= r.minEntropy
}
