package redact

import (
	"bytes"
	"slices"
)

// angleSlot reports whether the `<` at v[lt] (lt > 0) opens a placeholder
// slot: a `<...>` that ends the value or is followed by a separator
// (`sk-<your-key>`, `${HOME}<x>`, `<user>:<pass>`, `https://<host>/`). A
// `<...>` inside a run of characters on both sides (`q7&Lz<pssxar>XwkLJ`)
// is part of a generated password: such passwords carry `&`, `<` and `>`
// often, and JSON encoders that escape them for HTML (Go's encoding/json
// writes \u0026, \u003c, \u003e) hand the rules exactly that text once the
// escapes are decoded.
func angleSlot(v []byte, lt int) bool {
	gt := bytes.IndexByte(v[lt:], '>')
	if gt <= 0 {
		return false
	}
	gt += lt
	return !isAlnum(v[lt-1]) || gt+1 >= len(v) || !isAlnum(v[gt+1])
}

// hasAlnum reports whether v holds a letter or a digit: a value made of
// punctuation alone (`}}]},` after `-p"` where a JSON string closes in a
// streamed tool call) is framing, not a password.
func hasAlnum(v []byte) bool {
	for _, c := range v {
		if isAlnum(c) {
			return true
		}
	}
	return false
}

// joinLines adds to spans (the findings of b, sorted) the findings of b read
// with its line breaks left out, where such a finding crosses a line break
// and names a more specific rule than the findings of b as it stands that
// it overlaps. A plain-text event stream
// cuts a token over data lines as readily as over events (`data: gsk_PCQ3`
// / `data: EVSg...`), and many clients append the lines without a break; a
// value that a line break ends as written (`KEY=<token>` / `Done.`) keeps
// its own finding and does not grow over the next line.
func (e *Engine) joinLines(b []byte, spans []span, o *Options, final bool) []span {
	if bytes.IndexByte(b, '\n') < 0 {
		return spans
	}
	view := make([]byte, 0, len(b))
	off := make([]int, 0, len(b)+1)
	for i, c := range b {
		if c == '\n' || c == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			continue
		}
		view = append(view, c)
		off = append(off, i)
	}
	off = append(off, len(b))
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	var inner []span
	if final {
		inner = e.scanFinal(view, o, sc)
	} else {
		inner, _ = e.scan(view, o, sc)
	}
	var added []span
	for _, sp := range inner {
		s, en := off[sp.s], off[sp.e-1]+1
		if en-s == sp.e-sp.s || !moreSpecific(sp, spans, s, en) {
			continue
		}
		sp.s, sp.e = s, en
		added = append(added, sp)
	}
	if len(added) == 0 {
		return spans
	}
	return mergeSpans(append(slices.Clone(spans), added...))
}

// moreSpecific reports whether sp, found at [s, e), names a more specific rule
// than every span that overlaps [s, e) (true when none does): a token format
// found across a line break wins over a keyed value the line break cut
// (`token:` / `glpat-Xq3` / `vR8s...`), a keyed value that would run over
// the next line does not win over the token the line break ends.
func moreSpecific(sp span, spans []span, s, e int) bool {
	for _, o := range spans {
		if o.s < e && s < o.e && o.prio <= sp.prio {
			return false
		}
	}
	return true
}
