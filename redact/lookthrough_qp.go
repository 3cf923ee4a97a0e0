package redact

import "bytes"

// Quoted-printable (RFC 2045): a MIME part declared
// `Content-Transfer-Encoding: quoted-printable` wraps its lines at 76
// characters with soft line breaks (`=` at the end of a line) that may fall
// inside a token, and writes bytes as `=XX`. The part's body is scanned in a
// decoded view (soft breaks removed, `=XX` decoded) and every finding mapped
// back, so a token cut by a soft break is replaced in both halves (the
// replacement keeps the line break).
//
// The header marks the part: a Stream decodes a body while its header is
// within what it holds or keeps as context (256 bytes); a soft break further
// into a streamed mail body is read as plain text. Whole bodies (Redact,
// RedactJSON) decode up to qpMaxBody after the header.

// qpMaxBody bounds the body decoded after one quoted-printable header.
const qpMaxBody = 64 << 10

// qpHeaderMax bounds how far after the header its part's body may start
// (the rest of the part's headers).
const qpHeaderMax = 4 << 10

// qpBodies scans the bodies of the quoted-printable parts whose headers end
// at the indexes in hits.
func (e *Engine) qpBodies(b []byte, hits []int, o *Options, spans []span, pend, layer int) ([]span, int) {
	v := &view{}
	done := 0
	for _, h := range hits {
		if h < done {
			continue
		}
		bs := qpBodyStart(b, h)
		if bs < 0 {
			continue
		}
		be := len(b)
		if k := bytes.Index(b[bs:min(len(b), bs+qpMaxBody)], []byte("\n--")); k >= 0 {
			be = bs + k + 1 // the next MIME boundary
		} else if be-bs > qpMaxBody {
			be = bs + qpMaxBody
			countBound(&bounds.qpBody)
		}
		done = be
		cut := v.unQP(b[bs:be])
		sc := e.pool.Get().(*scratch)
		inner, ipend := e.scanLayer(v.buf, o, sc, layer+1)
		for _, sp := range inner {
			sp.s, sp.e = v.mapSpan(sp.s, sp.e)
			spans = append(spans, span{s: sp.s + bs, e: sp.e + bs, id: sp.id, class: sp.class, prio: sp.prio})
		}
		if be == len(b) {
			pend = min(pend, bs+cut)
			if ipend < len(v.buf) {
				pend = min(pend, bs+int(v.off[ipend]))
			}
		}
		e.putScratch(sc)
	}
	return spans, pend
}

// qpBodyStart returns where the body starts after a header ending at h: past
// the blank line that ends the part's headers, or -1.
func qpBodyStart(b []byte, h int) int {
	rest := b[h:min(len(b), h+qpHeaderMax)]
	if k := bytes.Index(rest, []byte("\n\n")); k >= 0 {
		return h + k + 2
	}
	if k := bytes.Index(rest, []byte("\n\r\n")); k >= 0 {
		return h + k + 3
	}
	return -1
}

// unQP fills v with b decoded as quoted-printable: soft line breaks
// (`=` before CRLF or LF, with trailing blanks) dropped and `=XX` decoded
// when it stands for a text byte. It returns the start of an escape cut by
// the end of b (len(b) if none), which a stream must hold.
func (v *view) unQP(b []byte) (cut int) {
	v.reset()
	for i := 0; i < len(b); {
		if b[i] != '=' {
			v.buf = append(v.buf, b[i])
			v.off = append(v.off, int32(i)) //nolint:gosec // bodies are far below 2 GiB
			i++
			continue
		}
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j < len(b) && b[j] == '\r' {
			j++
		}
		if j >= len(b) || len(b)-i < 3 && isHex(b[len(b)-1]) {
			v.off = append(v.off, int32(i)) //nolint:gosec // bodies are far below 2 GiB
			return i
		}
		if b[j] == '\n' {
			i = j + 1 // a soft line break
			continue
		}
		if d, ok := qpByte(b, i); ok {
			v.buf = append(v.buf, d)
			v.off = append(v.off, int32(i)) //nolint:gosec // bodies are far below 2 GiB
			i += 3
			continue
		}
		v.buf = append(v.buf, '=')
		v.off = append(v.off, int32(i)) //nolint:gosec // bodies are far below 2 GiB
		i++
	}
	v.off = append(v.off, int32(len(b))) //nolint:gosec // bodies are far below 2 GiB
	return len(b)
}

// qpByte decodes =XX (upper-case hex, as RFC 2045 writes it) at b[i:] when
// it stands for a text byte.
func qpByte(b []byte, i int) (byte, bool) {
	if i+2 >= len(b) || !upperHex(b[i+1]) || !upperHex(b[i+2]) {
		return 0, false
	}
	c := byte(hexVal(b[i+1])<<4 | hexVal(b[i+2])) //nolint:gosec // G115: two hex digit values, 0..255
	return c, c >= 0x20 && c != 0x7f || c == '\t'
}
