package redact

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Finding is one redacted value. It never carries the value itself: only the
// rule, its class, the byte span in the scanned input and, in tag mode, a
// keyed HMAC tag an auditor can recompute from a known value.
type Finding struct {
	Rule  string `json:"rule"`
	Class Class  `json:"class"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Tag   string `json:"tag,omitempty"`
}

// Config configures an Engine.
type Config struct {
	// HMACKey switches replacements to tag mode: `[REDACTED:<rule>:<tag>]`
	// where tag is the first 8 hex digits of HMAC-SHA256(HMACKey, value).
	HMACKey []byte
	// Exact values are redacted wherever they appear (rule "exact-value").
	Exact [][]byte
}

// Options select what one call (or one stream) redacts. The zero value
// redacts every class.
type Options struct {
	Disable Class    // classes to leave alone, e.g. redact.PII
	Exact   [][]byte // extra exact values for this call or stream
}

// Engine holds compiled rules. It is immutable and safe for concurrent use;
// build it once and share it.
type Engine struct {
	rules   []*rule
	ki      *keywordIndex
	holdKI  *keywordIndex // keywords whose partial occurrence at the end of a chunk is held
	kwRules [][]*rule
	hmacKey []byte
	exact   [][]byte
	pool    sync.Pool
	clean   cleanStrings // strings Text found nothing in
	cleanT  *cleanTexts  // texts scanFinal found nothing in, by hash
}

const minExactLen = 4

var (
	compiledOnce  sync.Once
	compiledRules []*rule
	compiledErr   error
	// compiledHexLook marks the hex forms of the rules' keywords (lookhex.go).
	compiledHexLook *rule
	// compiledB64Look marks the base64 forms of token prefixes (lookhex.go).
	compiledB64Look *rule
)

func allRules() ([]*rule, error) {
	compiledOnce.Do(func() {
		rs := append(providerRulesAtoG(), providerRulesHtoZ()...)
		rs = append(rs, contextRules()...)
		rs = append(rs, keyedRules()...)
		rs = append(rs, recallRules()...)
		rs = append(rs, fx6provRules()...)
		rs = append(rs, genericRules()...)
		rs = append(rs, pairedRules()...)
		rs = append(rs, fx8Rules()...)
		rs = append(rs, fx9Rules()...) // last: the samples of the rules before keep their seeds
		seen := map[string]bool{}
		for _, r := range rs {
			if seen[r.id] {
				compiledErr = fmt.Errorf("duplicate rule id %s", r.id)
				return
			}
			seen[r.id] = true
			if err := r.compile(); err != nil {
				compiledErr = err
				return
			}
		}
		compiledRules = rs
		compiledHexLook = hexLookRule(rs)
		compiledB64Look = tokenB64LookRule(rs)
	})
	return compiledRules, compiledErr
}

// New compiles the rule set (once per process) and returns an engine.
func New(cfg Config) (*Engine, error) {
	rs, err := allRules()
	if err != nil {
		return nil, fmt.Errorf("redact: built-in rules do not compile (a bug in warden): %w", err)
	}
	e := &Engine{rules: rs, hmacKey: slices.Clone(cfg.HMACKey), cleanT: newCleanTexts()}
	for _, v := range cfg.Exact {
		if len(v) >= minExactLen {
			e.exact = append(e.exact, slices.Clone(v))
		}
	}
	var kws, holdKws []string
	index := map[string]int{}
	for _, r := range append(append(append(slices.Clip(rs), lookRules...), keepRuleSet...), compiledHexLook, compiledB64Look) {
		if !r.noHold {
			holdKws = append(holdKws, r.keywords...)
		}
		for _, k := range r.keywords {
			id, ok := index[k]
			if !ok {
				id = len(kws)
				index[k] = id
				kws = append(kws, k)
				e.kwRules = append(e.kwRules, nil)
			}
			e.kwRules[id] = append(e.kwRules[id], r)
		}
	}
	e.ki = newKeywordIndex(kws)
	e.holdKI = newKeywordIndex(holdKws)
	e.pool.New = func() any { return &scratch{} }
	return e, nil
}

// Rules lists the engine's rules.
func (e *Engine) Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(e.rules)+1)
	for _, r := range e.rules {
		ri := RuleInfo{ID: r.id, Class: r.class, Keywords: slices.Clone(r.keywords), Assign: r.kind == kindAssign}
		if r.kind != kindCustom {
			ri.Pattern = r.source
		}
		out = append(out, ri)
	}
	return append(out, RuleInfo{ID: "credit-card", Class: Card}, RuleInfo{ID: "us-ssn", Class: SSN},
		RuleInfo{ID: "phone-number", Class: Phone}, RuleInfo{ID: "iban", Class: IBAN},
		RuleInfo{ID: exactRuleID, Class: Exact})
}

const exactRuleID = "exact-value"

type span struct {
	s, e  int
	id    string
	class Class
	prio  precedence
}

// precedence orders rules that match the same bytes: the lower value names
// the finding (its marker and its count in the record); equal values fall
// back to the rule id. It depends only on the rules, never on the other
// findings of the body.
type precedence uint8

const (
	precExact    precedence = iota // a value warden injected: known for certain
	precChecksum                   // a token format with a checksum that validated
	precToken                      // a provider token with a distinctive prefix
	precShape                      // a structure: PEM block, URL password, webhook path, look-through
	precContext                    // a provider rule that needs the provider's name as key
	precGeneric                    // generic assignments, bearer and basic credentials
	precPII                        // personal data
)

// rulePrec is a rule's precedence, from its kind and filters.
func rulePrec(r *rule) precedence {
	switch {
	case r.generic:
		return precGeneric
	case r.class != Secret:
		return precPII
	case r.kind == kindPrefix && r.validate != nil:
		return precChecksum
	case r.kind == kindPrefix:
		return precToken
	case r.kind == kindAssign:
		return precContext
	}
	return precShape
}

type scratch struct {
	hits  []kwHit
	spans []span
	look  []lookHit
}

// putScratch returns scratch buffers to the pool unless one huge body grew
// them: the pool must not pin memory after a 100 MB scan.
func (e *Engine) putScratch(sc *scratch) {
	if cap(sc.hits) > 1<<16 || cap(sc.spans) > 1<<14 {
		return
	}
	e.pool.Put(sc)
}

// scan finds every secret span in b (merged, sorted) and, when pending is
// requested, the first index that more input could still turn into part of
// a secret (len(b) when nothing is pending).
func (e *Engine) scan(b []byte, o *Options, sc *scratch) ([]span, int) {
	return e.scanLayer(b, o, sc, 0)
}

// tailContext is how far before a pending index scanFinal rescans: past the
// longest name and separator a keyword-led match reads before its value.
const tailContext = 512

// scanFinal scans b as complete input: a value that runs to the very end of
// b (`--password V` at the end of a header or a log line with no newline) is
// pending in scan, because more bytes could extend it; here nothing follows,
// so the tail is scanned again as if a line ended there.
func (e *Engine) scanFinal(b []byte, o *Options, sc *scratch) []span {
	l := e.cleanT.lookup(b, o)
	if l.clean {
		return nil
	}
	reached := bounds.reached.Load()
	spans := e.scanWhole(b, o, sc)
	if l.keep && len(spans) == 0 && bounds.reached.Load() == reached {
		e.cleanT.remember(l)
	}
	return spans
}

// scanWhole is scanFinal without the remembered verdicts.
func (e *Engine) scanWhole(b []byte, o *Options, sc *scratch) []span {
	spans, pend := e.scan(b, o, sc)
	if pend >= len(b) {
		return spans
	}
	from := max(0, pend-tailContext)
	tail := make([]byte, 0, len(b)-from+1)
	tail = append(append(tail, b[from:]...), '\n')
	tsc := e.pool.Get().(*scratch)
	defer e.putScratch(tsc)
	more, _ := e.scan(tail, o, tsc)
	added := false
	for _, sp := range more {
		if sp.e <= len(tail)-1 && sp.e+from > pend {
			sp.s, sp.e = sp.s+from, sp.e+from
			spans = append(spans, sp)
			added = true
		}
	}
	if !added {
		return spans
	}
	spans = mergeSpans(spans)
	sc.spans = spans
	return spans
}

// scanLayer scans b, which is layer encodings deep (0: the input itself).
func (e *Engine) scanLayer(b []byte, o *Options, sc *scratch, layer int) ([]span, int) {
	enabled := ^o.Disable
	pend := len(b)
	hits := e.ki.scan(b, sc.hits[:0])
	sc.hits = hits
	spans := sc.spans[:0]
	look := sc.look[:0]
	var keepBuf [8]span
	keeps := keepBuf[:0] // values public by design or committed encrypted (rules_fx7_keep.go)
	if depth := e.holdKI.partialDepth(b); depth > 0 {
		pend = len(b) - depth
		// A token may start before its keyword (`<bot id>:AA...`): hold its digits too.
		if b[pend] == ':' {
			for k := 0; pend > 0 && k < 16 && isDigit(b[pend-1]); k++ {
				pend--
			}
		}
	}
	for _, h := range hits {
		ke := h.end
		ks := ke - e.ki.kwLen[h.kw]
		for _, r := range e.kwRules[h.kw] {
			if r.class&enabled == 0 {
				continue
			}
			if r.kind == kindLook {
				look = append(look, lookHit{ks: ks, ke: ke, kind: r.look})
				continue
			}
			if r.keep {
				ks2, ke2, p := r.match(b, ks, ke)
				if ks2 >= 0 && ke2 > ks2 {
					keeps = append(keeps, span{s: ks2, e: ke2, id: r.id, class: r.class, prio: r.prec})
				}
				if p >= 0 && p < pend { // a keep that needs the rest of its object (rules_fx8_keep.go)
					pend = p
				}
				continue
			}
			if r.multi != nil {
				var p int
				spans, p = r.multi(r, b, ks, ke, spans)
				if p >= 0 && p < pend {
					pend = p
				}
				continue
			}
			s, en, p := r.match(b, ks, ke)
			if s >= 0 && en > s {
				spans = append(spans, span{s: s, e: en, id: r.id, class: r.class, prio: r.prec})
			}
			if p >= 0 && p < pend {
				pend = p
			}
		}
	}
	if enabled&(Secret|Email) != 0 {
		if p := trailingWord(b); p < pend {
			pend = p
		}
	}
	if enabled&Secret != 0 {
		pend = min(pend, trailingB64(b), trailingWrapped(b), trailingUserinfo(b))
	}
	if enabled&Secret != 0 {
		pend = min(pend, cutEscape(b))
	}
	if enabled&(Card|SSN|Phone|IBAN) != 0 {
		p := scanNumbers(b, enabled, func(s, en int, id string, c Class) {
			spans = append(spans, span{s: s, e: en, id: id, class: c, prio: precPII})
		})
		if p >= 0 && p < pend {
			pend = p
		}
	}
	if enabled&Exact != 0 {
		for _, list := range [][][]byte{e.exact, o.Exact} {
			for _, v := range list {
				if len(v) < minExactLen {
					continue
				}
				spans = appendExact(spans, b, v)
				if p := partialSuffix(b, v); p < pend {
					pend = p
				}
			}
		}
	}
	sc.look = look
	if enabled&Secret != 0 && len(look) > 0 {
		spans, pend = e.lookThrough(b, o, look, spans, pend, layer)
	}
	if len(keeps) > 0 {
		spans = dropKept(spans, keeps)
	}
	spans = mergeSpans(spans)
	sc.spans = spans
	return spans, pend
}

// trailingWordMax bounds the trailing-word hold: the longest e-mail local part
// plus the longest secret part that precedes its keyword (maxmind: 36).
const trailingWordMax = 64

// trailingWord returns the start of the run of word characters at the end of
// b: the local part of an e-mail or the part of a token before its keyword
// may still be growing there.
func trailingWord(b []byte) int {
	i := len(b)
	for i > 0 && len(b)-i < trailingWordMax && (isEmailLocal(b[i-1]) || b[i-1] == '~') {
		i--
	}
	return i
}

// maxB64Hold bounds how much of a base64 block still arriving a stream holds:
// a block with a credential word anywhere inside is replaced whole, so its
// start must not leave before the word arrives. Blocks longer than this
// (images, archives) are released; their credential words, if any, are then
// found only in the part still held.
const maxB64Hold = 8 << 10

// trailingB64 returns the start of a run of base64 characters at the end of
// b longer than a word (held by trailingWord), or len(b).
func trailingB64(b []byte) int {
	i := len(b)
	for i > 0 && len(b)-i < maxB64Hold && (b64Char[b[i-1]] || b[i-1] == '=') {
		i--
	}
	if len(b)-i <= trailingWordMax || len(b)-i >= maxB64Hold {
		return len(b)
	}
	return i
}

func appendExact(spans []span, b, v []byte) []span {
	off := 0
	for {
		i := bytes.Index(b[off:], v)
		if i < 0 {
			return spans
		}
		spans = append(spans, span{s: off + i, e: off + i + len(v), id: exactRuleID, class: Exact, prio: precExact})
		off += i + len(v)
	}
}

// partialSuffix returns the start of the longest suffix of b that is a proper
// prefix of v, or len(b).
func partialSuffix(b, v []byte) int {
	from := max(0, len(b)-len(v)+1)
	for i := from; i < len(b); i++ {
		if b[i] == v[0] && bytes.HasPrefix(v, b[i:]) {
			return i
		}
	}
	return len(b)
}

// spanOrder is a total order: by start, longer first, then precedence and
// rule id, so the result never depends on the order rules ran in.
func spanOrder(a, b span) int {
	switch {
	case a.s != b.s:
		return a.s - b.s
	case a.e != b.e:
		return b.e - a.e
	case a.prio != b.prio:
		return int(a.prio) - int(b.prio)
	}
	return strings.Compare(a.id, b.id)
}

// stronger reports whether a names a finding in place of b.
func stronger(a, b span) bool {
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return a.id < b.id
}

// mergeSpans sorts spans and merges overlapping ones; a merged span is named
// by its strongest rule (see precedence).
func mergeSpans(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	slices.SortFunc(spans, spanOrder)
	out := spans[:1]
	for _, sp := range spans[1:] {
		last := &out[len(out)-1]
		if sp.s < last.e {
			last.e = max(last.e, sp.e)
			if stronger(sp, *last) {
				last.id, last.class, last.prio = sp.id, sp.class, sp.prio
			}
			continue
		}
		out = append(out, sp)
	}
	return out
}

// marker writes the replacement for value, keeping its newline count.
func (e *Engine) marker(dst []byte, id string, value []byte) ([]byte, string) {
	tag := ""
	dst = append(dst, "[REDACTED:"...)
	dst = append(dst, id...)
	if len(e.hmacKey) > 0 {
		tag = e.Tag(value)
		dst = append(dst, ':')
		dst = append(dst, tag...)
	}
	dst = append(dst, ']')
	for range bytes.Count(value, []byte{'\n'}) {
		dst = append(dst, '\n')
	}
	return dst, tag
}

// Tag returns the HMAC tag the engine writes for value in tag mode (empty
// without a key): an auditor holding the key checks a known value with it.
func (e *Engine) Tag(value []byte) string {
	if len(e.hmacKey) == 0 {
		return ""
	}
	m := hmac.New(sha256.New, e.hmacKey)
	m.Write(value)
	return hex.EncodeToString(m.Sum(nil)[:4])
}

// Scan returns the findings in b without changing it. It always scans b: the verdicts the
// data path remembers (Redact, RedactJSON, Text, streams; see cleanTexts) are neither used nor
// recorded, so that a corpus scanned again and again (a throughput benchmark, a recall run)
// measures the rules' scan. The findings are the same either way.
func (e *Engine) Scan(b []byte, opts Options) []Finding {
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	spans := e.scanWhole(b, &opts, sc)
	out := make([]Finding, 0, len(spans))
	for _, sp := range spans {
		out = append(out, Finding{Rule: sp.id, Class: sp.class, Start: sp.s, End: sp.e, Tag: e.Tag(b[sp.s:sp.e])})
	}
	return out
}

// Redact returns b with every finding replaced by its marker, and the
// findings (offsets in b). When nothing is found it returns b itself.
func (e *Engine) Redact(b []byte, opts Options) ([]byte, []Finding) {
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	spans := e.scanFinal(b, &opts, sc)
	if len(spans) == 0 {
		return b, nil
	}
	out, findings := e.apply(nil, b, 0, len(b), spans, nil, 0)
	return out, findings
}

// apply appends b[from:to] to dst with the spans (clipped to [from, to))
// replaced, and appends findings with offsets shifted by base.
func (e *Engine) apply(dst, b []byte, from, to int, spans []span, findings []Finding, base int) ([]byte, []Finding) {
	pos := from
	for _, sp := range spans {
		s, en := max(sp.s, from), min(sp.e, to)
		if s >= en {
			continue
		}
		dst = append(dst, b[pos:s]...)
		var tag string
		dst, tag = e.marker(dst, sp.id, b[s:en])
		findings = append(findings, Finding{Rule: sp.id, Class: sp.class, Start: base + s, End: base + en, Tag: tag})
		pos = en
	}
	return append(dst, b[pos:to]...), findings
}
