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
		look(lookEscape, `\u00`, `\":`, `=\"`),
		look(lookEscape, slash...),
		look(lookEscape, pct...),
		look(lookB64Start, "eyj", "ewo", "ew0k", "ls0tls1",
			"cg9zdgdyzxm6ly9", "cg9zdgdyzxnxbdovl", "bxlzcww6ly9", "bw9uz29kyjovl", "bw9uz29kyitzcny6ly9",
			"cmvkaxm6ly9", "cmvkaxnzoi8v", "ywlxcdovl", "ywlxchm6ly9", "ahr0chm6ly9", "ahr0cdovl"),
		look(lookB64Word, b64Words(b64Secrets...)...),
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
	cut = len(b)
	for i := 0; i < len(b); {
		c := b[i]
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
		return spans, pend
	}
	var esc, blocks, hexes []int
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
		case lookB64Word:
			s := h.ks
			for s > 0 && h.ks-s < maxB64Run && b64Char[b[s-1]] {
				s--
			}
			blocks = append(blocks, s)
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
	if len(blocks) > 0 {
		slices.Sort(blocks)
		spans, pend = e.base64Blocks(b, blocks, o, spans, pend, layer)
	}
	return spans, pend
}

// maxWindowGrowth bounds how many times a look-through window grows by
// escWindow on each side while a match is still open at its edge.
const maxWindowGrowth = 4

// scanWindow scans the decoded view of b[ws:we] (widened to whole tokens)
// and maps the findings back. While a match is still open at an edge of the
// window (a finding touches its start, or the scan is pending at its end)
// the window grows by escWindow on that side and is scanned again, up to
// maxWindowGrowth times; a match still open then is scanned as it stands and
// counted (BoundsReached "lookthrough_window"), never cut silently.
func (e *Engine) scanWindow(b []byte, ws, we int, v *view, o *Options, spans []span, pend, layer int) ([]span, int) {
	ws, we = tokenStart(b, ws), tokenEnd(b, we)
	for grow := 0; ; grow++ {
		changed, cut := v.unescape(b[ws:we])
		if !changed {
			return spans, pend
		}
		sc := e.pool.Get().(*scratch)
		inner, ipend := e.scanLayer(v.buf, o, sc, layer+1)
		openStart := ws > 0 && len(inner) > 0 && inner[0].s == 0
		// Open at the end: a rule is still matching there (not the last word or base64 run,
		// which the window edge cuts by construction: it ends at white space).
		openEnd := we < len(b) && ipend < len(v.buf)-trailingWordMax && ipend < trailingB64(v.buf)
		if openStart || openEnd {
			if grow < maxWindowGrowth {
				e.putScratch(sc)
				if openStart {
					ws = tokenStart(b, max(0, ws-escWindow))
				}
				if openEnd {
					we = tokenEnd(b, min(len(b), we+escWindow))
				}
				continue
			}
			countBound(&bounds.lookWindow)
		}
		for _, sp := range inner {
			sp.s, sp.e = v.mapSpan(sp.s, sp.e)
			sp.s, sp.e = sp.s+ws, sp.e+ws
			spans = append(spans, sp)
		}
		if we == len(b) {
			pend = min(pend, ws+cut)
			if ipend < len(v.buf) {
				pend = min(pend, ws+int(v.off[ipend]))
			}
		}
		e.putScratch(sc)
		return spans, pend
	}
}

// tokenStart and tokenEnd widen a window edge to the whitespace around the
// token it cuts (at most 256 bytes), so a window does not start or end
// inside a word.
func tokenStart(b []byte, i int) int {
	for k := 0; i > 0 && k < 256 && b[i-1] > ' '; k++ {
		i--
	}
	return i
}

func tokenEnd(b []byte, i int) int {
	for k := 0; i < len(b) && k < 256 && b[i] > ' '; k++ {
		i++
	}
	return i
}

const (
	minB64Run = 16       // shortest base64 block worth decoding (12 bytes)
	maxB64Run = 64 << 10 // longer blocks are images and archives, not credentials
)

var b64Char = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isAlnum(byte(c)) || c == '+' || c == '/' || c == '-' || c == '_'
	}
	return t
}()

// base64Blocks decodes the base64 or base64url blocks that start at the
// candidate offsets (ascending) and reports a whole block when its text holds
// a secret (given the key the block is assigned to, as in `password:
// <base64>`), is a `user:password` pair or a SASL PLAIN message.
func (e *Engine) base64Blocks(b []byte, starts []int, o *Options, spans []span, pend, layer int) ([]span, int) {
	var dec []byte
	last := -1
	for _, s := range starts {
		if s <= last || s >= len(b) || !b64Char[b[s]] || s > 0 && b64Char[b[s-1]] {
			continue
		}
		last = s
		i := s
		for i < len(b) && i-s <= maxB64Run && b64Char[b[i]] {
			i++
		}
		for k := 0; i < len(b) && k < 2 && b[i] == '='; k++ {
			i++
		}
		if i == len(b) && i-s <= maxB64Run {
			pend = min(pend, s) // the block may still be growing
		}
		if i-s > maxB64Run {
			countBound(&bounds.b64Block)
			continue
		}
		if i-s < minB64Run {
			continue
		}
		var ok bool
		if dec, ok = decodeB64Text(dec[:0], b[s:i]); !ok {
			continue
		}
		if id := e.b64Secret(b, s, dec, o, layer); id != "" {
			spans = append(spans, span{s: s, e: i, id: id, class: Secret, prio: precShape})
		}
	}
	return spans, pend
}

// decodeB64Text decodes a base64 or base64url block and reports whether the
// result is text (at most 1 in 16 bytes outside printable ASCII, tab, CR, LF,
// NUL and UTF-8). The first 12 characters are decoded first: random
// identifiers fail there.
func decodeB64Text(dst, blk []byte) ([]byte, bool) {
	blk = bytes.TrimRight(blk, "=")
	url := bytes.ContainsAny(blk, "-_")
	if url && bytes.ContainsAny(blk, "+/") {
		return dst, false
	}
	if len(blk)%4 == 1 {
		blk = blk[:len(blk)-1]
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	probe, err := enc.AppendDecode(dst, blk[:12])
	if err != nil || !isText(probe) {
		return dst, false
	}
	out, err := enc.AppendDecode(dst[:0], blk)
	if err != nil || !isText(out) {
		return dst, false
	}
	return out, true
}

func isText(b []byte) bool {
	bad := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0 || c == 0x7f {
			bad++
		}
	}
	return bad*16 <= len(b) && utf8.Valid(b)
}

// b64Secret returns the rule that finds a secret in dec, the decoded block
// that starts at b[s], or "".
func (e *Engine) b64Secret(b []byte, s int, dec []byte, o *Options, layer int) string {
	text := dec
	off := 0
	if key := keyBefore(b, s); len(key) > 0 {
		text = make([]byte, 0, len(key)+1+len(dec))
		text = append(append(append(text, key...), '='), dec...)
		off = len(key) + 1
	}
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	inner, _ := e.scanLayer(text, o, sc, layer+1)
	for _, sp := range inner {
		if sp.e > off && sp.class == Secret {
			return sp.id
		}
	}
	if c := bytes.IndexByte(dec, ':'); c > 0 && c < 128 && bytes.IndexByte(dec, '\n') < 0 &&
		bytes.IndexByte(dec[:c], ' ') < 0 && plausiblePassword(dec[c+1:]) {
		return "basic-auth" // user:password, as in Basic credentials and docker `auth`
	}
	if p := bytes.Split(dec, []byte{0}); len(p) == 3 && len(p[1]) > 0 && len(p[2]) >= 6 && !bytes.ContainsAny(dec, "\n ") {
		return "sasl-plain" // authzid NUL authcid NUL password (RFC 4616)
	}
	return ""
}

// keyBefore returns the name a value at b[i] is assigned to (`password:
// <value>`, `"token": "<value>"`, `KEY=<value>`), or nil.
func keyBefore(b []byte, i int) []byte {
	j := i
	for k := 0; j > 0 && k < 8 && (b[j-1] == ' ' || b[j-1] == '\t' || b[j-1] == '"' || b[j-1] == '\''); k++ {
		j--
	}
	if j == 0 || b[j-1] != ':' && b[j-1] != '=' {
		return nil
	}
	j--
	for k := 0; j > 0 && k < 4 && (b[j-1] == ' ' || b[j-1] == '"' || b[j-1] == '\''); k++ {
		j--
	}
	end := j
	for j > 0 && end-j < 64 && (isWordByte(b[j-1]) || b[j-1] == '-' || b[j-1] == '.') {
		j--
	}
	return b[j:end]
}
