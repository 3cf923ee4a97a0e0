package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"
)

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
	var dec, unwrapped []byte
	last, lastEnd, noWrap := -1, -1, -1
	for _, s := range starts {
		if s <= last || s < lastEnd || s >= len(b) || !b64Char[b[s]] || s > 0 && b64Char[b[s-1]] {
			continue
		}
		last = s
		i := s
		for i < len(b) && i-s <= maxB64Run && b64Char[b[i]] {
			i++
		}
		wrapped := false
		if s >= noWrap {
			// A wrapped block longer than a block is read line by line, as before,
			// and counted: it is not decoded whole.
			bs, be, w := wrappedBlock(b, s, i, max(lastEnd, noWrap))
			switch {
			case w && be-bs <= maxB64Run:
				s, i, lastEnd, wrapped = bs, be, be, true
			case w:
				noWrap = be
				countBound(&bounds.b64Block)
			}
		}
		for k := 0; !wrapped && i < len(b) && k < 2 && b[i] == '='; k++ {
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
		blk := b[s:i]
		if wrapped {
			unwrapped = unwrapB64(unwrapped[:0], blk)
			blk = unwrapped
		}
		var ok bool
		if dec, ok = decodeB64Text(dec[:0], blk); !ok {
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
		bytes.IndexByte(dec[:c], ' ') < 0 && plausiblePassword(dec[c+1:]) && !jsonDocument(dec) {
		return "basic-auth" // user:password, as in Basic credentials and docker `auth`
	}
	if p := bytes.Split(dec, []byte{0}); len(p) == 3 && len(p[1]) > 0 && len(p[2]) >= 6 && !bytes.ContainsAny(dec, "\n ") {
		return "sasl-plain" // authzid NUL authcid NUL password (RFC 4616)
	}
	return ""
}

// jsonDocument reports whether dec is a JSON object or array: its colons
// separate members (a JWT header {"alg":"HS256","typ":"JWT"}, an analytics
// cookie {"id":"..","created":..}), not a user from a password. The
// members themselves were scanned with the rest of the decoded text.
func jsonDocument(dec []byte) bool {
	return (dec[0] == '{' || dec[0] == '[') && json.Valid(dec)
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
