package redact

import "slices"

// splice is a replacement of b[start:end].
type splice struct {
	start, end int
	repl       []byte
}

func applySplices(b []byte, sp []splice) []byte {
	if len(sp) == 0 {
		return b
	}
	slices.SortFunc(sp, func(x, y splice) int { return x.start - y.start })
	out := make([]byte, 0, len(b)+64)
	pos := 0
	for _, s := range sp {
		out = append(out, b[pos:s.start]...)
		out = append(out, s.repl...)
		pos = s.end
	}
	return append(out, b[pos:]...)
}

// redactValue redacts one decoded string. key, when not empty, is the object
// key the value belongs to: it gives generic rules their context
// (`"password": "..."`), but only the value is ever replaced. It returns the
// redacted value (nil when unchanged) and the spans found (in value offsets).
func (e *Engine) redactValue(v []byte, key string, o *Options, sc *scratch) ([]byte, []span) {
	var text []byte
	off := 0
	if key != "" && len(key) < 128 {
		text = make([]byte, 0, len(key)+1+len(v))
		text = append(append(append(text, key...), '='), v...)
		off = len(key) + 1
	} else {
		text = v
	}
	spans, _ := e.scan(text, o, sc)
	var vs []span
	for _, sp := range spans {
		if sp.e <= off {
			continue
		}
		sp.s, sp.e = max(sp.s, off)-off, sp.e-off
		vs = append(vs, sp)
	}
	if len(vs) == 0 {
		return nil, nil
	}
	out, _ := e.apply(nil, v, 0, len(v), vs, nil, 0)
	return out, vs
}

// RedactJSON detects on decoded JSON string values, so escapes (`\n`, `\/`,
// `\u002b`) cannot hide a secret, and re-encodes replaced strings in place:
// the output is valid JSON of the same shape and every untouched byte is kept.
// Findings report the byte span of the whole string token in b. Object keys
// are context for generic rules but are never changed. Invalid JSON returns
// an error wrapping ErrInvalidJSON; fall back to Redact then.
func (e *Engine) RedactJSON(b []byte, opts Options) ([]byte, []Finding, error) {
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	var splices []splice
	var findings []Finding
	err := walkJSON(b, func(path []pathElem, start, end int) {
		key := ""
		if n := len(path); n > 0 && path[n-1].isKey {
			key = path[n-1].key
		}
		v := decodeJSONString(b[start:end])
		red, spans := e.redactValue(v, key, &opts, sc)
		if red == nil {
			return
		}
		splices = append(splices, splice{start: start, end: end, repl: appendJSONString(nil, red)})
		for _, sp := range spans {
			findings = append(findings, Finding{Rule: sp.id, Class: sp.class, Start: start, End: end, Tag: e.Tag(v[sp.s:sp.e])})
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return applySplices(b, splices), findings, nil
}
