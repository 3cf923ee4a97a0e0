package redact

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Hex look-through: a token written as the hex encoding of its bytes (a
// frame or payload dump, `xxd -p`, a hex-encoded config value). The hex
// forms of every token rule's keyword (`ghp_` is 6768705f) and of the
// credential words mark a hex run worth decoding; the run is decoded, scanned
// with the same rules, and each finding replaced in its hex form where it
// stands.

// maxHexRun bounds the hex run decoded around one hit (either side).
const maxHexRun = 2048

// tokenPrefixes are the token rules' keywords that carry their separator
// (`ghp_`, `glpat-`, `sk-ant-`, `hvs.`): distinctive enough to mark an
// encoded token. A bare word would make the prefilter stop at common runs.
func tokenPrefixes(rs []*rule) []string {
	var out []string
	for _, r := range rs {
		if r.kind != kindPrefix {
			continue
		}
		for _, k := range r.keywords {
			if len(k) >= 4 && strings.ContainsAny(k, "_-.") {
				out = append(out, k)
			}
		}
	}
	return out
}

// tokenB64LookRule marks the base64 form of a token prefix at the start of a
// block (`Z2hwX` is base64 of "ghp_"): a token encoded alone, with no key
// before it and no credential word in it (`echo Z2hwX... | base64 -d`).
func tokenB64LookRule(rs []*rule) *rule {
	seen := map[string]bool{}
	var kws []string
	for _, k := range tokenPrefixes(rs) {
		enc := base64.StdEncoding.EncodeToString([]byte(k))[:8*len(k)/6]
		if len(enc) >= 5 && !seen[enc] {
			seen[enc] = true
			kws = append(kws, enc)
		}
	}
	return look(lookB64Word, kws...)
}

// hexLookRule marks hex encodings of the rules' keywords and of b64Secrets.
func hexLookRule(rs []*rule) *rule {
	seen := map[string]bool{}
	var kws []string
	add := func(k string) {
		if len(k) < 4 || seen[k] {
			return
		}
		for i := 0; i < len(k); i++ {
			if k[i] < 0x21 || k[i] > 0x7e {
				return
			}
		}
		seen[k] = true
		kws = append(kws, hex.EncodeToString([]byte(k)))
	}
	for _, k := range tokenPrefixes(rs) {
		add(k)
	}
	for _, w := range b64Secrets {
		add(strings.ToLower(w))
	}
	return look(lookHex, kws...)
}

// hexRuns decodes the hex runs around the hits and scans them.
func (e *Engine) hexRuns(b []byte, hits []int, o *Options, spans []span, pend, layer int) ([]span, int) {
	last := -1
	v := &view{}
	for _, ks := range hits {
		if ks < last {
			continue
		}
		s := ks
		for s > 0 && ks-s < maxHexRun && isHex(b[s-1]) {
			s--
		}
		if (ks-s)%2 == 1 {
			s++
		}
		en := ks
		for en < len(b) && en-ks < maxHexRun && isHex(b[en]) {
			en++
		}
		if en == len(b) {
			pend = min(pend, s) // the run may still be growing
		}
		if ks-s >= maxHexRun || en-ks >= maxHexRun {
			countBound(&bounds.hexRun)
		}
		en -= (en - s) % 2
		last = en
		v.reset()
		for i := s; i < en; i += 2 {
			v.buf = append(v.buf, byte(hexVal(b[i])<<4|hexVal(b[i+1]))) //nolint:gosec // G115: two hex digit values
			v.off = append(v.off, int32(i))                             //nolint:gosec // bodies are far below 2 GiB
		}
		v.off = append(v.off, int32(en)) //nolint:gosec // bodies are far below 2 GiB
		sc := e.pool.Get().(*scratch)
		inner, _ := e.scanLayer(v.buf, o, sc, layer+1)
		for _, sp := range inner {
			if sp.class != Secret {
				continue
			}
			sp.s, sp.e = v.mapSpan(sp.s, sp.e)
			spans = append(spans, sp)
		}
		e.putScratch(sc)
	}
	return spans, pend
}
