package inspect

import (
	"strconv"

	"github.com/warden-gw/warden/exchange"
)

// decodeBodyJSON is decodeJSONAll(body), read from parsed when parsed was read from exactly
// these bytes (the pipeline reads a JSON body once for every stage), else from body.
func decodeBodyJSON(body []byte, parsed *exchange.JSONBody) (any, []any, bool) {
	if parsed.Of(body) {
		return decodeParsed(parsed)
	}
	return decodeJSONAll(body)
}

// decodeParsed builds from a parsed body the values decodeJSONAll gives for its bytes: those of
// encoding/json for an `any` target, and the values repeated keys shadowed. A number
// encoding/json cannot hold (1e400) makes the body undecodable, as there.
func decodeParsed(j *exchange.JSONBody) (any, []any, bool) {
	b := parsedBuilder{j: j}
	v, _, ok := b.value(0)
	if !ok {
		return nil, nil, false
	}
	return v, b.dups, true
}

type parsedBuilder struct {
	j    *exchange.JSONBody
	dups []any
}

// value builds the value at node i; next is the node after it.
func (b *parsedBuilder) value(i int) (v any, next int, ok bool) {
	n := &b.j.Nodes[i]
	switch n.Kind {
	case exchange.JSONNull:
		return nil, i + 1, true
	case exchange.JSONTrue:
		return true, i + 1, true
	case exchange.JSONFalse:
		return false, i + 1, true
	case exchange.JSONString:
		return b.j.StdText(i), i + 1, true
	case exchange.JSONNumber:
		f, err := strconv.ParseFloat(string(b.j.Raw(i)), 64)
		return f, i + 1, err == nil
	case exchange.JSONArray:
		a := make([]any, 0, n.Members)
		for k := i + 1; k < int(n.Next); {
			var e any
			if e, k, ok = b.value(k); !ok {
				return nil, 0, false
			}
			a = append(a, e)
		}
		return a, int(n.Next), true
	case exchange.JSONObject:
		m := make(map[string]any, n.Members)
		for k := i + 1; k < int(n.Next); {
			key := b.j.StdKey(k)
			var e any
			if e, k, ok = b.value(k + 1); !ok {
				return nil, 0, false
			}
			if old, seen := m[key]; seen && len(b.dups) <= maxDuplicates {
				b.dups = append(b.dups, map[string]any{key: old})
			}
			m[key] = e // a repeated key: the last one wins, as in encoding/json
		}
		return m, int(n.Next), true
	}
	return nil, 0, false
}
