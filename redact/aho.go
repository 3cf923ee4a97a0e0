package redact

import (
	"bytes"
	"slices"
)

var bytesIndexByte = bytes.IndexByte

// keywordIndex finds every occurrence of every keyword (ASCII case-folded) in
// one pass. A bitset over a hash of the keywords' first three bytes (16 KiB)
// rejects almost every position with one lookup; only positions whose
// trigram may start a keyword walk a trie. This is the engine's hot path on benign
// text, so it does no allocation and no regex.
type keywordIndex struct {
	fold   [256]byte
	class  [256]uint8
	nclass int32
	next   []int32 // trie: state*nclass + class -> child state (0: none)
	out    [][]int32
	kwLen  []int
	tri    [triWords]uint64 // bit triHash(a,b,c) set when some keyword starts with abc
	bk     triBuckets       // the keywords of each bit of tri (aho_bucket.go)
	bigram map[uint16]bool  // two-byte keywords (rare; checked only where the trigram misses)
	single []byte           // one-byte keywords, found with bytes.IndexByte
	maxLen int
}

type kwHit struct {
	end int // index just past the keyword
	kw  int32
}

func foldByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func newKeywordIndex(keywords []string) *keywordIndex {
	ki := &keywordIndex{}
	for c := 0; c < 256; c++ {
		ki.fold[c] = foldByte(byte(c))
	}
	var used [256]bool
	for _, k := range keywords {
		for i := 0; i < len(k); i++ {
			used[foldByte(k[i])] = true
		}
	}
	n := int32(1) // at most 1 + 256 - 26 classes
	for c := 0; c < 256; c++ {
		if used[c] && (c < 'A' || c > 'Z') {
			ki.class[c] = uint8(n)
			n++
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		ki.class[c] = ki.class[c+'a'-'A']
	}
	ki.nclass = n
	ki.next = make([]int32, n) // root
	ki.out = [][]int32{nil}
	for id, k := range keywords {
		s := int32(0)
		for i := 0; i < len(k); i++ {
			c := int32(ki.class[k[i]])
			nx := ki.next[s*n+c]
			if nx == 0 {
				// The trie has at most 1 + sum(len(keyword)) states, and the keywords are the
				// built-in rules' and stopwords (a few KiB): far below 2^31.
				nx = int32(len(ki.out)) //nolint:gosec // bounded by the built-in keyword bytes, see above
				ki.out = append(ki.out, nil)
				ki.next = append(ki.next, make([]int32, n)...)
				ki.next[s*n+c] = nx
			}
			s = nx
		}
		ki.out[s] = append(ki.out[s], int32(id))
		ki.kwLen = append(ki.kwLen, len(k))
		ki.maxLen = max(ki.maxLen, len(k))
		switch len(k) {
		case 1:
			ki.single = append(ki.single, foldByte(k[0]))
			if c := k[0]; c >= 'a' && c <= 'z' {
				ki.single = append(ki.single, c-'a'+'A')
			}
		case 2:
			if ki.bigram == nil {
				ki.bigram = map[uint16]bool{}
			}
			ki.bigram[uint16(foldByte(k[0]))<<8|uint16(foldByte(k[1]))] = true
		default:
			h := anchorHash(k, anchorOf(k))
			ki.tri[h>>6] |= 1 << (h & 63)
		}
	}
	ki.buildBuckets(keywords)
	return ki
}

const (
	triBits  = 18
	triWords = 1 << triBits / 64
)

func triHash(a, b, c byte) uint32 {
	return (uint32(a)<<16 | uint32(b)<<8 | uint32(c)) * 2654435761 >> (32 - triBits)
}

// walk follows the trie from b[i] and appends the keywords of lo to hi bytes
// starting at i: scan finds each keyword length with its own filter, and a
// walk that one filter starts must not report what another one reports too.
func (ki *keywordIndex) walk(b []byte, i, lo, hi int, hits []kwHit) []kwHit {
	nc := ki.nclass
	s := int32(0)
	for j := i; j < min(len(b), i+hi); j++ {
		s = ki.next[s*nc+int32(ki.class[b[j]])]
		if s == 0 {
			break
		}
		if j+1-i < lo {
			continue
		}
		for _, kw := range ki.out[s] {
			hits = append(hits, kwHit{end: j + 1, kw: kw})
		}
	}
	return hits
}

// scan appends every keyword occurrence in b to hits.
func (ki *keywordIndex) scan(b []byte, hits []kwHit) []kwHit {
	n := len(b)
	if n == 0 {
		return hits
	}
	fold := &ki.fold
	tri := &ki.tri
	bk := &ki.bk
	from := len(hits)
	if n >= 3 {
		h := uint32(fold[b[0]])<<8 | uint32(fold[b[1]])
		// i is the position the trigram ending at c starts at. The masks let the compiler drop
		// the bounds checks of this loop, which every byte of every scanned text goes through.
		for i, c := range b[2:] {
			h = (h<<8 | uint32(fold[c])) & 0xffffff
			x := h * 2654435761 >> (32 - triBits)
			if tri[(x>>6)&(triWords-1)]&(1<<(x&63)) != 0 {
				hits = bk.match(b, i, bk.bucket(tri, x), hits)
			}
		}
		ki.sortHits(hits[from:])
	}
	if ki.bigram != nil {
		for i := 0; i+1 < n; i++ {
			if ki.bigram[uint16(fold[b[i]])<<8|uint16(fold[b[i+1]])] {
				hits = ki.walk(b, i, 2, 2, hits)
			}
		}
	}
	for _, c := range ki.single {
		for off := 0; ; {
			j := bytesIndexByte(b[off:], c)
			if j < 0 {
				break
			}
			hits = ki.walk(b, off+j, 1, 1, hits)
			off += j + 1
		}
	}
	return hits
}

// sortHits puts the hits of the trigram filter in the order a walk from every
// position reports them (start, then end, then keyword id): found at their
// anchors, a keyword that starts earlier can be found after one that starts
// later.
func (ki *keywordIndex) sortHits(hits []kwHit) {
	before := func(a, b kwHit) bool {
		as, bs := a.end-ki.kwLen[a.kw], b.end-ki.kwLen[b.kw]
		if as != bs {
			return as < bs
		}
		if a.end != b.end {
			return a.end < b.end
		}
		return a.kw < b.kw
	}
	for i := 1; i < len(hits); i++ {
		if before(hits[i], hits[i-1]) {
			slices.SortFunc(hits, func(a, b kwHit) int {
				switch {
				case before(a, b):
					return -1
				case before(b, a):
					return 1
				}
				return 0
			})
			return
		}
	}
}

// partialDepth returns the length of the longest suffix of b that is a
// proper prefix of some keyword.
func (ki *keywordIndex) partialDepth(b []byte) int {
	nc := ki.nclass
	for i := max(0, len(b)-ki.maxLen+1); i < len(b); i++ {
		s := int32(0)
		j := i
		for ; j < len(b); j++ {
			s = ki.next[s*nc+int32(ki.class[b[j]])]
			if s == 0 {
				break
			}
		}
		if j == len(b) && s != 0 {
			return len(b) - i
		}
	}
	return 0
}
