package redact

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Look-through: secrets travel wrapped in encodings (JSON string escapes in a
// log line, percent-encoding in a URL or form body, base64 in a Kubernetes
// Secret or a Basic header). The engine scans a decoded view of such bytes
// with the same rules and maps every finding back to the encoded bytes where
// they stand, so the output keeps its format: an escaped or percent-encoded
// secret is replaced in its encoded form, a base64 block holding a secret is
// replaced whole. Views nest (a percent-encoded JSON body, base64 JSON with
// escapes) up to maxLayers deep; each layer is bounded by its input.

// maxLayers bounds how many encodings deep the engine looks.
const maxLayers = 3

// view is a decoded copy of src with, for every byte of buf, the offset in
// src where its encoded form starts (off has one more entry: len(src)).
type view struct {
	buf []byte
	off []int32
}

func (v *view) reset() {
	v.buf = v.buf[:0]
	v.off = v.off[:0]
}

// mapSpan maps [s, e) of the view to src.
func (v *view) mapSpan(s, e int) (int, int) { return int(v.off[s]), int(v.off[e]) }

func hexVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// pctByte decodes %XX at b[i:]; ok only for a byte that can be part of text
// (printable ASCII or UTF-8), so `%02x` format verbs are not decoded.
func pctByte(b []byte, i int) (byte, bool) {
	if i+2 >= len(b) {
		return 0, false
	}
	h, l := hexVal(b[i+1]), hexVal(b[i+2])
	if h < 0 || l < 0 {
		return 0, false
	}
	c := byte(h<<4 | l) //nolint:gosec // G115: h and l are hex digit values, 0..15
	return c, c >= 0x20 && c != 0x7f
}

// jsonEscape decodes the JSON escape at b[i] ('\\'): the bytes it stands for
// and its length, or n == 0 when it is not a JSON escape.
func jsonEscape(b []byte, i int, dst []byte) ([]byte, int) {
	if i+1 >= len(b) {
		return dst, 0
	}
	switch c := b[i+1]; c {
	case '"', '\\', '/':
		return append(dst, c), 2
	case 'n':
		return append(dst, '\n'), 2
	case 'r':
		return append(dst, '\r'), 2
	case 't':
		return append(dst, '\t'), 2
	case 'u':
		r, ok := hex4At(b, i+2)
		if !ok {
			return dst, 0
		}
		if utf16.IsSurrogate(r) {
			if i+11 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
				if r2, ok := hex4At(b, i+8); ok {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						return utf8.AppendRune(dst, d), 12
					}
				}
			}
			return dst, 0
		}
		return utf8.AppendRune(dst, r), 6
	}
	return dst, 0
}

func hex4At(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		v := hexVal(c)
		if v < 0 {
			return 0, false
		}
		r = r<<4 | rune(v) //nolint:gosec // G115: v is a hex digit value, 0..15
	}
	return r, true
}

// lookKind says what a look-through keyword marks.
type lookKind uint8

const (
	lookEscape   lookKind = iota // an escape that can hide a secret or its key
	lookB64Start                 // the opening of base64 JSON, PEM or a URL with credentials
	lookB64After                 // a block follows (after an assignment operator or a space)
	lookB64Word                  // a credential word encoded inside a block (see b64Words)
	lookHex                      // a keyword in hex (see hexLookRule)
	lookQP                       // a quoted-printable MIME part's header (see lookthrough_qp.go)
	lookFrame                    // an SSE data line or a JSON line after another (see lookthrough_frames.go)
	lookArray                    // an element of a streamed JSON array after another (see lookthrough_frames_array.go)
)

type lookHit struct {
	ks, ke int
	kind   lookKind
}

func look(kind lookKind, keywords ...string) *rule {
	return &rule{id: "look-through", class: Secret, kind: kindLook, look: kind, keywords: keywords, noHold: true}
}

// b64Secrets are words that a text holding a credential contains (a key
// name, the start of a key file or of a credentials file) and whose base64
// forms mark a block worth decoding wherever it stands: a Kubernetes Secret
// value, an Ansible `b64decode`, a base64 SQL script or .npmrc in a log.
var b64Secrets = []string{
	"password", "Password", "PASSWORD", "passwd", "secret", "Secret", "SECRET", "token", "Token", "TOKEN",
	"_auth", "apikey", "api_key", "apiKey", "API_KEY", "[default]", "PRIVATE", "credential", "IDENTIFIED BY",
}

// b64Words returns, for each word and each of the three byte alignments it
// can have in a base64 block, the base64 characters that encode only the
// word's bits: they appear in the block whatever surrounds the word.
func b64Words(words ...string) []string {
	var out []string
	for _, w := range words {
		for a := range 3 {
			enc := base64.StdEncoding.EncodeToString(append(make([]byte, a), w...))
			first := (8*a + 5) / 6       // first character with only the word's bits
			last := (8*a + 8*len(w)) / 6 // one past the last such character
			if last-first >= 5 {
				out = append(out, enc[first:last])
			}
		}
	}
	return out
}

// lookRules put the places worth decoding into the keyword prefilter, so that
// benign text costs no extra pass: escapes (`\u00XX`, `\/` in URLs, `\"`
// around a key or value, percent-encoded text bytes), the openings of base64
// that decodes to JSON (`eyJ`, `ewo`), PEM (`LS0tLS1`) or a URL with
// credentials, and where a base64 value follows a credential key, a `b64`
// key, or `PLAIN`/`Basic`.
var lookRules = func() []*rule {
	pct := make([]string, 0, 95)
	for c := 0x20; c < 0x7f; c++ {
		if !isAlnum(byte(c)) {
			pct = append(pct, "%"+string("0123456789ABCDEF"[c>>4])+string("0123456789ABCDEF"[c&15]))
		}
	}
	slash := []string{`"\/`, `:\/`}
	for c := 0; c < 256; c++ {
		if isAlnum(byte(c)) && !isUpper(byte(c)) { // keywords are case-folded
			slash = append(slash, `\/`+string(rune(c)))
		}
	}
	rs := []*rule{
		look(lookEscape, `\u00`, `\":`, `=\"`, `= \"`, `: \"`, `\ndata:`, `}\n{`, `}\r\n{`),
		look(lookEscape, slash...),
		look(lookEscape, pct...),
		look(lookB64Start, "eyj", "ewo", "ew0k", "ls0tls1",
			"cg9zdgdyzxm6ly9", "cg9zdgdyzxnxbdovl", "bxlzcww6ly9", "bw9uz29kyjovl", "bw9uz29kyitzcny6ly9",
			"cmvkaxm6ly9", "cmvkaxnzoi8v", "ywlxcdovl", "ywlxchm6ly9", "ahr0chm6ly9", "ahr0cdovl"),
		look(lookB64Word, b64Words(b64Secrets...)...),
		look(lookQP, "quoted-printable"),
		look(lookFrame, "\ndata:", "}\n{", "}\r\n{"),
		look(lookArray, "}\n,\r\n{", "}\r\n,\r\n{", "}\n,\n{", "},\r\n{", "},\n{"),
		look(lookB64After, "plain ", "basic ", "b64:", "b64=", `b64":`, "base64:", "base64=", `base64":`,
			"password", "passwd", "pwd", "secret", "token", "auth", "credential", "creds", "key", "pass"),
	}
	for _, r := range rs {
		for i, k := range r.keywords {
			r.keywords[i] = strings.ToLower(k)
		}
	}
	return rs
}()

func upperHex(c byte) bool { return isDigit(c) || c >= 'A' && c <= 'F' }

// unescape fills v with b's JSON escapes and percent-encoded text bytes
// decoded. It reports whether anything was decoded, and the start of an
// escape cut by the end of b (len(b) if none), which a stream must hold.
func (v *view) unescape(b []byte) (changed bool, cut int) {
	v.reset()
	// The view is never longer than b: size it once rather than grow it byte by byte.
	v.buf = slices.Grow(v.buf, len(b))
	v.off = slices.Grow(v.off, len(b)+1)
	cut = len(b)
	for i := 0; i < len(b); {
		c := b[i]
		if c != '\\' && c != '%' {
			i = v.copyPlain(b, i)
			continue
		}
		n := 0
		start := len(v.buf)
		switch c {
		case '\\':
			v.buf, n = jsonEscape(b, i, v.buf)
			if n == 0 && len(b)-i < 12 && bytes.IndexByte(b[i+1:], '\\') < 0 && (i+1 == len(b) || b[i+1] == 'u') {
				cut = i
			}
		case '%':
			if d, ok := pctByte(b, i); ok {
				v.buf, n = append(v.buf, d), 3
			} else if len(b)-i < 3 {
				cut = i
			}
		}
		if cut < len(b) {
			break // an escape cut by the end of b: the view stops before it
		}
		if n == 0 {
			v.buf = append(v.buf, c)
			v.off = append(v.off, int32(i)) //nolint:gosec // bodies are far below 2 GiB
			i++
			continue
		}
		changed = true
		for range len(v.buf) - start {
			v.off = append(v.off, int32(i)) //nolint:gosec // bodies are far below 2 GiB
		}
		i += n
	}
	v.off = append(v.off, int32(cut)) //nolint:gosec // bodies are far below 2 GiB
	return changed, cut
}

// copyPlain copies the run of bytes from b[i] up to the next '\\' or '%' (the
// bytes an escape can start with) into the view as they are, and returns
// the run's end: windows are mostly plain text, copied here in bulk rather
// than byte by byte through the escape switch.
func (v *view) copyPlain(b []byte, i int) int {
	j := i + 1
	for j < len(b) && b[j] != '\\' && b[j] != '%' {
		j++
	}
	v.buf = append(v.buf, b[i:j]...)
	n := len(v.off)
	v.off = slices.Grow(v.off, j-i)[:n+j-i]
	for k := range j - i {
		v.off[n+k] = int32(i + k) //nolint:gosec // bodies are far below 2 GiB
	}
	return j
}

// cutEscape returns the start of an escape cut by the end of b (`\`, `\u00`,
// `%2`), which a stream holds until it is complete, or len(b).
func cutEscape(b []byte) int {
	n := len(b)
	for i := max(0, n-5); i < n; i++ {
		switch b[i] {
		case '\\':
			if i == n-1 || b[i+1] == 'u' {
				return i
			}
		case '%':
			if n-i < 3 {
				return i
			}
		}
	}
	return n
}

// escWindow is how far around an escape the decoded view reaches: past the
// longest key-plus-value an escape can sit inside of (longer tokens that
// contain escapes, such as PEM bodies, are matched on the raw bytes).
const escWindow = 640

// lookThrough scans the decoded views of b around its look-through keyword
// hits (escapes, base64 blocks) and appends their findings, mapped back to b.
// It returns the updated spans and the pending index (a stream must hold from
// there).
func (e *Engine) lookThrough(b []byte, o *Options, hits []lookHit, spans []span, pend, layer int) ([]span, int) {
	if layer >= maxLayers {
		// hits holds an encoding this deep that is not decoded: a secret inside it is not seen.
		countBound(&bounds.lookLayers)
		return spans, pend
	}
	var esc, blocks, hexes, qps, frames, arrays []int
	for _, h := range hits {
		switch h.kind {
		case lookEscape:
			if b[h.ks] == '%' && (!upperHex(b[h.ks+1]) || !upperHex(b[h.ks+2])) {
				continue // a format verb such as %2f
			}
			esc = append(esc, h.ks)
		case lookB64Start:
			blocks = append(blocks, h.ks)
		case lookHex:
			hexes = append(hexes, h.ks)
		case lookQP:
			qps = append(qps, h.ke)
		case lookFrame:
			frames = append(frames, h.ks)
		case lookArray:
			arrays = append(arrays, h.ks)
		case lookB64Word:
			s := h.ks
			for s > 0 && h.ks-s < maxB64Run && b64Char[b[s-1]] {
				s--
			}
			blocks = append(blocks, s)
		case lookB64Body: // rules_fx7_oauth.go
			if bs := mimeB64BodyStart(b, h.ke); bs >= 0 {
				blocks = append(blocks, bs)
			}
		case lookB64After:
			if vs, _, _ := assignValueStart(b, h.ke); vs > 0 {
				blocks = append(blocks, vs)
			} else if b[h.ke-1] == ' ' || b[h.ke-1] == ':' || b[h.ke-1] == '=' {
				blocks = append(blocks, skipSpaces(b, h.ke, 4))
			}
		}
	}
	if len(esc) > 0 {
		slices.Sort(esc)
		v := &view{}
		for k := 0; k < len(esc); {
			ws, we := max(0, esc[k]-escWindow), min(len(b), esc[k]+escWindow)
			for k++; k < len(esc) && esc[k]-escWindow <= we; k++ {
				we = min(len(b), esc[k]+escWindow)
			}
			spans, pend = e.scanWindow(b, ws, we, v, o, spans, pend, layer)
		}
	}
	if len(hexes) > 0 {
		slices.Sort(hexes)
		spans, pend = e.hexRuns(b, hexes, o, spans, pend, layer)
	}
	if len(qps) > 0 {
		spans, pend = e.qpBodies(b, qps, o, spans, pend, layer)
	}
	if len(blocks) > 0 {
		slices.Sort(blocks)
		spans, pend = e.base64Blocks(b, blocks, o, spans, pend, layer)
	}
	if len(frames) > 0 || len(arrays) > 0 {
		// Last: a finding the frames hold in several pieces moves every other hold before it.
		var links, more []frameLink
		if len(frames) > 0 {
			slices.Sort(frames)
			spans, pend, links = e.frameHits(b, frames, o, spans, pend, layer)
		}
		if len(arrays) > 0 {
			slices.Sort(arrays)
			spans, pend, more = e.arrayHits(b, arrays, o, spans, pend, layer)
		}
		pend = holdLinked(pend, append(links, more...))
	}
	return spans, pend
}
