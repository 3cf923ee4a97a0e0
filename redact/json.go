package redact

import (
	"bytes"
	"slices"
	"strings"
	"sync"
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

// redactValueIn redacts one decoded string. key, when not empty, is the object
// key the value belongs to: it gives generic rules their context
// (`"password": "..."`), but only the value is ever replaced. It returns the
// redacted value (nil when unchanged) and the spans found (in value offsets).
// It builds the key=value text it scans in *keyed (when not
// nil) instead of a new buffer: RedactJSON reuses one for every value of a body.
func (e *Engine) redactValueIn(v []byte, key string, o *Options, sc *scratch, keyed *[]byte) ([]byte, []span) {
	var text []byte
	off := 0
	if key != "" && len(key) < 128 {
		if keyed != nil {
			text = (*keyed)[:0]
		} else {
			text = make([]byte, 0, len(key)+1+len(v))
		}
		text = append(append(append(text, key...), '='), v...)
		if keyed != nil {
			*keyed = text
		}
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
	if secretKey(key) {
		return key
	}
	for i, up := len(path)-2, 0; i >= 0 && up < 3; i-- {
		if !path[i].isKey {
			continue
		}
		up++
		if len(path[i].key) <= 64 && secretKey(path[i].key) {
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
	r := e.newJSONRedaction(b, opts)
	defer r.release()
	err := walkJSON(b, func(path []pathElem, start, end int) {
		r.visit(path, start, end, decodeJSONString(b[start:end]))
	})
	if err != nil {
		return nil, nil, err
	}
	return applySplices(b, r.splices), r.findings, nil
}

// jsonRedaction is one RedactJSON run: the splices and findings of the strings visited so far.
type jsonRedaction struct {
	e        *Engine
	b        []byte
	opts     Options
	sc       *scratch
	splices  []splice
	findings []Finding
	keyed    []byte     // the key=value text of the value being scanned
	path     []pathElem // RedactParsedJSON's path to the value being visited
	name     struct {
		depth, end int
		v          string
	}
	flag argvFlag // an argv element that is a flag naming a secret (rules_fx6ctx_argv.go)
}

// jsonRedactions keeps the buffers of finished runs (the splice list, the key=value text) for
// the next body.
var jsonRedactions = sync.Pool{New: func() any { return new(jsonRedaction) }}

func (e *Engine) newJSONRedaction(b []byte, opts Options) *jsonRedaction {
	r := jsonRedactions.Get().(*jsonRedaction)
	r.e, r.b, r.opts, r.sc = e, b, opts, e.pool.Get().(*scratch)
	return r
}

// release returns the run's buffers; the findings belong to the caller and are not kept.
func (r *jsonRedaction) release() {
	r.e.putScratch(r.sc)
	splices, keyed, path := r.splices[:0], r.keyed[:0], r.path[:0]
	if cap(keyed) > 1<<16 || cap(splices) > 1<<10 || cap(path) > 1<<10 {
		return // one huge body: do not pin its buffers
	}
	clear(splices[:cap(splices)]) // the replacements are the caller's output now
	clear(path[:cap(path)])
	*r = jsonRedaction{splices: splices, keyed: keyed, path: path}
	jsonRedactions.Put(r)
}

// visit redacts the string value v (decoded) whose token is b[start:end], at path.
func (r *jsonRedaction) visit(path []pathElem, start, end int, v []byte) {
	if r.objectContext(path, start, end, v) { // rules_fx8_json.go
		return
	}
	key := ""
	if n := len(path); n > 0 && path[n-1].isKey {
		key = path[n-1].key
	} else {
		key = listKey(path) // {"passwords": ["…"]}: rules_fx8_lists.go
	}
	key = sectionKey(path, key)
	switch strings.ToLower(key) {
	case "name", "key":
		r.name.depth, r.name.end, r.name.v = len(path), end, string(v)
	case "value":
		// {"name": "PGPASSWORD", "value": "..."}: the sibling name is the value's key.
		if r.name.depth == len(path) && r.name.end > 0 && !bytes.ContainsAny(r.b[r.name.end:start], "{}") {
			key = r.name.v
		}
	}
	key = cookieKey(path, key)
	key = r.flag.key(path, r.b, start, end, v, key)
	red, spans := r.e.redactValueIn(v, key, &r.opts, r.sc, &r.keyed)
	if red == nil {
		return
	}
	r.splices = append(r.splices, splice{start: start, end: end, repl: appendJSONString(nil, red)})
	for _, sp := range spans {
		r.findings = append(r.findings, Finding{Rule: sp.id, Class: sp.class, Start: start, End: end, Tag: r.e.Tag(v[sp.s:sp.e])})
	}
}
