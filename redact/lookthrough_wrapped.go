package redact

// Wrapped base64: `base64` (coreutils, 76 columns), MIME bodies (76) and
// `openssl base64` (64) break a long block into lines of one width, so a
// secret file printed with `base64 .env` in a terminal or a log is a column
// of full-width lines and a shorter last one. Read line by line, each line
// decodes to an unrelated slice of the file (a key name on one line, half of
// its value on the next); the block is decoded whole and, when it holds a
// secret, replaced whole (the marker keeps its line breaks).

// wrapWidth reports whether n is a width encoders wrap base64 at.
func wrapWidth(n int) bool { return n == 64 || n == 76 }

// maxWrapLine bounds the lines looked at: a wrap width and its indentation.
const maxWrapLine = 76 + 64

// wrapLineStart returns the start of the line holding b[i], or -1 when it is
// more than maxWrapLine bytes back (no wrapped line).
func wrapLineStart(b []byte, i int) int {
	for k := i; k > 0 && i-k <= maxWrapLine; k-- {
		if b[k-1] == '\n' {
			return k
		}
	}
	if i <= maxWrapLine {
		return 0
	}
	return -1
}

// b64LineRun returns the end of the run of base64 characters at b[i] (no
// padding).
func b64LineRun(b []byte, i int) int {
	for i < len(b) && b64Char[b[i]] {
		i++
	}
	return i
}

// wrappedBlock widens the base64 run b[s:e] (e before any padding) over the
// full-width lines around it: the lines before it of the same indentation
// and width when it starts a line (not before floor, where the block
// looked at last ended), and the lines after it while each line so far is
// full, each way at most maxB64Run bytes. It returns the block's bounds,
// padding included, and whether it spans more than one line.
func wrappedBlock(b []byte, s, e, floor int) (bs, be int, wrapped bool) {
	if e-s > 76 {
		return s, e, false
	}
	ls := wrapLineStart(b, s)
	if ls < 0 || !blankIndent(b[ls:s]) {
		return s, e, false
	}
	indent := b[ls:s]
	width := 0
	if e < len(b) && (b[e] == '\n' || b[e] == '\r') && wrapWidth(e-s) {
		width = e - s
	}
	// Lines before: each a full line of base64 of one wrap width.
	bs = s
	for s-bs <= maxB64Run {
		if ls-1 <= 0 || ls-1 <= floor {
			break
		}
		pls, ps, w := prevWrapLine(b, ls, indent)
		if w == 0 || width != 0 && w != width || width == 0 && e-s > w {
			break
		}
		width, bs, ls, wrapped = w, ps, pls, true
	}
	// Lines after, while the line so far is full.
	be = e
	for width != 0 && be-bs <= maxB64Run && be-wrapLineStart(b, be)-len(indent) == width && wrapLineStart(b, be) >= 0 {
		j := be
		if j < len(b) && b[j] == '\r' {
			j++
		}
		if j >= len(b) || b[j] != '\n' {
			break
		}
		ns := j + 1 + len(indent)
		if ns > len(b) || string(b[j+1:ns]) != string(indent) {
			break
		}
		ne := b64LineRun(b, ns)
		if ne == ns || ne-ns > width {
			break
		}
		be, wrapped = ne, true
	}
	for k := 0; be < len(b) && k < 2 && b[be] == '='; k++ {
		be++
	}
	return bs, be, wrapped
}

// prevWrapLine looks at the line before the one starting at ls (ls > 0): when
// it is indent and a run of base64 of a wrap width, it returns the line's
// start, the run's start and its width; width 0 otherwise.
func prevWrapLine(b []byte, ls int, indent []byte) (pls, ps, width int) {
	pe := ls - 1 // the '\n' ending the previous line
	if pe > 0 && b[pe-1] == '\r' {
		pe--
	}
	pls = wrapLineStart(b, pe)
	ps = pls + len(indent)
	if pls < 0 || ps > pe || string(b[pls:ps]) != string(indent) || b64LineRun(b, ps) != pe || !wrapWidth(pe-ps) {
		return -1, -1, 0
	}
	return pls, ps, pe - ps
}

func blankIndent(p []byte) bool {
	for _, c := range p {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// unwrapB64 appends the base64 characters of blk (padding included) to dst,
// leaving out line breaks and indentation.
func unwrapB64(dst, blk []byte) []byte {
	for _, c := range blk {
		if b64Char[c] || c == '=' {
			dst = append(dst, c)
		}
	}
	return dst
}

// trailingWrapped returns where a stream holds back a wrapped base64 block
// that may still be growing: the start of the full-width lines that end b
// (followed by a line break and, maybe, the start of the next line), so that
// the whole block is decoded once it is complete. len(b) when b does not end
// so, or when the block is longer than a stream holds (maxB64Hold).
func trailingWrapped(b []byte) int {
	// The line b ends with: base64 (or nothing) after its indentation. Walked
	// back from the end, so ordinary text costs a step or two.
	cur := len(b)
	for cur > 0 && len(b)-cur <= maxWrapLine && b64Char[b[cur-1]] {
		cur--
	}
	ls := cur
	for ls > 0 && cur-ls < 64 && (b[ls-1] == ' ' || b[ls-1] == '\t') {
		ls--
	}
	if ls == 0 || b[ls-1] != '\n' {
		return len(b)
	}
	indent := b[ls:cur]
	if cur == len(b) && ls == cur && ls > 1 {
		// Nothing of the next line yet: the block's indentation is the last line's.
		pls := wrapLineStart(b, ls-1)
		pi := pls
		for pls >= 0 && pi < ls-1 && (b[pi] == ' ' || b[pi] == '\t') {
			pi++
		}
		if pls >= 0 {
			indent = b[pls:pi]
		}
	}
	start, width := len(b), 0
	for ls > 0 && len(b)-ls < maxB64Hold {
		pls, _, w := prevWrapLine(b, ls, indent)
		if w == 0 || width != 0 && w != width {
			break
		}
		start, width, ls = pls, w, pls
	}
	if width == 0 || len(b)-start >= maxB64Hold || len(b)-cur > width {
		return len(b)
	}
	return start
}
