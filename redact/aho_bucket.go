package redact

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// The trigram filter's anchors and buckets.
//
// Each keyword of three bytes or more is found through one of its trigrams,
// its anchor: the one least frequent in ordinary text (anchorCost), not
// necessarily its first. Keyed by first trigrams, the filter stopped at every
// `con`, `int`, `ver`, `htt`, `nam` of ordinary source for `confluence`,
// `intercom`, `vercel`, `https://hooks.slack.com/`, `name="`, and nine in ten
// of those positions started no keyword; `flu`, `rco`, `rce`, `oks` are met
// far less often. A set bit's rank names a bucket holding the keywords whose
// anchor hashes to it, each with its anchor's offset and its first eight
// folded bytes and a mask, so a candidate is one masked compare of the eight
// bytes where it would start.

// kwCand is one keyword in a trigram bucket.
type kwCand struct {
	pat  uint64 // the keyword's first min(8, n) bytes, folded, little-endian
	mask uint64 // 0xff for each of those bytes
	off  int32  // the anchor's offset in the keyword
	n    int32  // the keyword's length
	kw   int32  // the keyword's id
	rest string // the keyword's folded bytes past the eighth
}

// triBuckets is the per-bit candidate lists of a trigram bitset.
type triBuckets struct {
	rank  [triWords]uint16 // set bits of tri in the words before word i
	start []uint16         // bucket k is cand[start[k]:start[k+1]]
	cand  []kwCand
}

// byteCost approximates how common a byte is in English prose and source
// code (letters by their frequency in English text), in arbitrary units.
func byteCost(c byte) float64 {
	c = foldByte(c)
	const letters = "etaoinshrdlcumwfgypbvkjxqz"
	for i := range len(letters) {
		if letters[i] == c {
			return 12 - float64(i)*0.45
		}
	}
	switch {
	case c == ' ':
		return 16
	case c == '\n' || c == '\t' || c == '.' || c == ',' || c == '(' || c == ')' || c == '"':
		return 3
	case c == '_' || c == '=' || c == ':' || c == '/' || c == '-' || c == '{' || c == '}' || c == '*':
		return 1.5
	case c >= '0' && c <= '9':
		return 1
	case c < 0x80:
		return 0.5
	}
	return 0.1
}

// commonTrigrams are trigrams far more common in English and in source code
// than their letters' frequencies make them: the most frequent English
// trigrams, the words and endings of code (return, function, error, string,
// context, version, ...) and its punctuation.
var commonTrigrams = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range []string{
		"the", "and", "ing", "ion", "tio", "ent", "ati", "for", "her", "ter", "hat", "tha", "ere", "ate", "his", "con", "res", "ver", "all", "ons", "nce", "men", "ith", "ted", "ers", "pro", "thi", "wit", "are", "ess", "not", "ive", "was", "ect", "rea", "com", "eve", "per", "int", "est", "sta", "cti", "ica", "ist", "ear", "ain", "one", "our", "iti", "rat", "nte", "tin", "ine", "der", "ome", "man", "pre", "rom", "tra", "whi", "ave", "str", "act", "ill", "ran", "ort", "ont", "ide", "ali", "lic", "nse", "sio", "pen", "tex", "ext", "fig", "put", "out", "use", "new", "get", "set", "var", "err", "ret", "urn", "fun", "unc", "typ", "ype", "nam", "ame", "val", "alu", "lue", "len", "lin", "ble", "abl", "ack", "ock", "ode", "cod", "ser", "ert", "rre", "ror", "tri", "rin", "ult", "sul", "eri", "ken", "oke", "tok", "key", "ass", "ord", "por", "imp", "mpo", "pac", "kag", "age", "ncr", "ryp", "cry", "ypt", "pri", "riv", "iva", "vat", "cli", "lie", "ien", "sec", "ecr", "cre", "eat", "loc", "cal", "ler", "fer", "ref", "ope", "las", "cla", "qui", "uir", "ify", "fic", "ook", "oki", "kie", "amp", "pla", "lat", "wil", "pol", "oli", "ked", "gor", "ori", "256", "---", //nolint:misspell // trigrams, not words
		"equ", "que", "ues", "und", "pon", "ink", "ern", "ssi", "nex", "ext", "che", "eck", "cke", "tin", "ont", "nfi", "ead", "dex", "ind", "ode", "ele", "ble", "ted", "red", "e s", "t s", "s s", "et ", "en ", "er ", "es ", "ed ", "or ", "e =", " by", " us", " to", " th", " is", " in", " a ", " of", " on", "en(", "io.", "if ", "er(", "al(", "t) ", "s) ", "e) ", "nt(", "et(", "er.", ".in", ".cl", "// ", ", t", " = ", ":= ", "},\n", " %d", " %s", "th_",
	} {
		m[t] = true
	}
	return m
}()

// anchorOf returns the offset of keyword k's anchor trigram: the one whose
// bytes are least common together (ties: the first).
func anchorOf(k string) int {
	best, bestCost := 0, 0.0
	for o := 0; o+3 <= len(k); o++ {
		a, b, d := foldByte(k[o]), foldByte(k[o+1]), foldByte(k[o+2])
		c := byteCost(a) * byteCost(b) * byteCost(d)
		if commonTrigrams[string([]byte{a, b, d})] {
			c *= 100
		}
		if o == 0 || c < bestCost {
			best, bestCost = o, c
		}
	}
	return best
}

// anchorHash is the filter's hash of keyword k's anchor at offset o.
func anchorHash(k string, o int) uint32 {
	return triHash(foldByte(k[o]), foldByte(k[o+1]), foldByte(k[o+2]))
}

// buildBuckets fills ki.bk from the keywords of three bytes or more; ki.tri
// must already hold their anchors' bits.
func (ki *keywordIndex) buildBuckets(keywords []string) {
	bk := &ki.bk
	nb := 0
	for w := range ki.tri {
		bk.rank[w] = uint16(nb) //nolint:gosec // at most one bit per keyword of the built-in tables (a few thousand)
		nb += bits.OnesCount64(ki.tri[w])
	}
	per := make([][]kwCand, nb)
	for id, k := range keywords {
		if len(k) < 3 {
			continue
		}
		var f [8]byte
		var mask uint64
		for i := 0; i < len(k) && i < 8; i++ {
			f[i] = foldByte(k[i])
			mask |= 0xff << (8 * i)
		}
		rest := make([]byte, 0, max(0, len(k)-8))
		for i := 8; i < len(k); i++ {
			rest = append(rest, foldByte(k[i]))
		}
		o := anchorOf(k)
		b := bk.bucket(&ki.tri, anchorHash(k, o))
		per[b] = append(per[b], kwCand{
			pat: binary.LittleEndian.Uint64(f[:]), mask: mask, off: int32(o), //nolint:gosec // keyword lengths and ids are small (built-in tables)
			n: int32(len(k)), kw: int32(id), rest: string(rest), //nolint:gosec // see above
		})
	}
	bk.start = make([]uint16, 0, nb+1)
	for _, cs := range per {
		// Candidates that start further left first: scan then reports the hits of one anchor
		// in the order a walk from each start does (start, then length, then id).
		slices.SortFunc(cs, func(a, b kwCand) int {
			switch {
			case a.off != b.off:
				return int(b.off - a.off)
			case a.n != b.n:
				return int(a.n - b.n)
			}
			return int(a.kw - b.kw)
		})
		bk.start = append(bk.start, uint16(len(bk.cand))) //nolint:gosec // see rank
		bk.cand = append(bk.cand, cs...)
	}
	bk.start = append(bk.start, uint16(len(bk.cand))) //nolint:gosec // see rank
}

// bucket returns the bucket of the set bit h.
func (bk *triBuckets) bucket(tri *[triWords]uint64, h uint32) int {
	w := (h >> 6) & (triWords - 1)
	return int(bk.rank[w]) + bits.OnesCount64(tri[w]&(1<<(h&63)-1))
}

// swarFold folds the ASCII capitals of the eight bytes in w to lower case.
func swarFold(w uint64) uint64 {
	const ones = 0x0101010101010101
	x := w & (0x7f * ones)
	ge := x + (0x80-'A')*ones   // high bit: byte >= 'A'
	gt := x + (0x80-'Z'-1)*ones // high bit: byte > 'Z'
	return w | (ge&^gt&^w&(0x80*ones))>>2
}

// load8 returns the bytes at b[i:] (fewer than eight) folded, padded with
// zeros.
func load8(b []byte, i int) uint64 {
	var f [8]byte
	copy(f[:], b[i:])
	return swarFold(binary.LittleEndian.Uint64(f[:]))
}

// match appends the keywords of bucket k whose anchor is at b[q].
func (bk *triBuckets) match(b []byte, q, k int, hits []kwHit) []kwHit {
	for c := bk.start[k]; c < bk.start[k+1]; c++ {
		cd := &bk.cand[c]
		i := q - int(cd.off)
		end := i + int(cd.n)
		if i < 0 || end > len(b) {
			continue
		}
		var w uint64
		if i+8 <= len(b) {
			w = swarFold(binary.LittleEndian.Uint64(b[i:]))
		} else {
			w = load8(b, i)
		}
		if w&cd.mask != cd.pat || cd.rest != "" && !foldedEqual(b[i+8:end], cd.rest) {
			continue
		}
		hits = append(hits, kwHit{end: end, kw: cd.kw})
	}
	return hits
}

// foldedEqual reports whether b folded is f (already folded, same length).
func foldedEqual(b []byte, f string) bool {
	for i := range len(f) {
		if foldByte(b[i]) != f[i] {
			return false
		}
	}
	return true
}
