package redact

import (
	"bytes"
	"slices"
	"strings"
)

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
	spans := e.scanFinal(text, o, sc)
	var vs []span
	for _, sp := range spans {
		if sp.e <= off {
			continue
		}
		sp.s, sp.e = max(sp.s, off)-off, sp.e-off
		vs = append(vs, sp)
	}
	if len(vs) == 0 && o.Disable&Secret == 0 && wholePassword(key, v) {
		vs = append(vs, span{s: 0, e: len(v), id: "generic-password", class: Secret, prio: precGeneric})
	}
	if len(vs) == 0 {
		return nil, nil
	}
	out, _ := e.apply(nil, v, 0, len(v), vs, nil, 0)
	return out, vs
}

// wholePassword reports a JSON string under a password key that holds
// characters a password in running text cannot (quotes, backslashes,
// brackets): in JSON the string's bounds are known, so the whole string is
// the password.
func wholePassword(key string, v []byte) bool {
	k := strings.ToLower(key)
	if !strings.Contains(k, "password") && !strings.Contains(k, "passwd") && k != "pwd" && k != "secret" {
		return false
	}
	return len(v) >= 6 && len(v) <= 256 && bytes.ContainsAny(v, "\"'\\;,<>(){}[]`") &&
		!bytes.ContainsAny(v, " \t\n") && genericPassword(v)
}

// sectionKey names a value after the secret-named object it sits in, when
// its own key names nothing: {"secrets": {"stripe": "..."}} reads as
// secrets_stripe, {"credentials": {"github": {"token": ...}}} keeps "token".
// Up to three levels up.
func sectionKey(path []pathElem, key string) string {
	if key == "" || len(key) > 64 {
		return key
	}
	if s, _ := secretKeyName([]byte(key)); s {
		return key
	}
	for i, up := len(path)-2, 0; i >= 0 && up < 3; i-- {
		if !path[i].isKey {
			continue
		}
		up++
		if s, _ := secretKeyName([]byte(path[i].key)); s && len(path[i].key) <= 64 {
			return path[i].key + "_" + key
		}
	}
	return key
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
	var name struct {
		depth, end int
		v          string
	}
	var flag argvFlag
	err := walkJSON(b, func(path []pathElem, start, end int) {
		key := ""
		if n := len(path); n > 0 && path[n-1].isKey {
			key = path[n-1].key
		}
		v := decodeJSONString(b[start:end])
		key = sectionKey(path, key)
		switch strings.ToLower(key) {
		case "name", "key":
			name.depth, name.end, name.v = len(path), end, string(v)
		case "value":
			// {"name": "PGPASSWORD", "value": "..."}: the sibling name is the value's key.
			if name.depth == len(path) && name.end > 0 && !bytes.ContainsAny(b[name.end:start], "{}") {
				key = name.v
			}
		}
		key = cookieKey(path, key)
		key = flag.key(path, b, start, end, v, key)
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
