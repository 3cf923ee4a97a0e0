package policydiff

import (
	"encoding/binary"
	"encoding/json"
	"strconv"

	"github.com/warden-gw/warden/cel/policy"
)

// factDecoder turns a recorded input's facts into the values policy.Decide reads, in one pass
// over a span the record reader already checked, and only the part the candidate's rules can
// read (policy.FactProjection): the rest (statement lists, argument maps, texts no rule
// reads) is stepped over without being decoded. The values it keeps are those encoding/json
// gives an any, with numbers as CEL has them (celValue), so facts cut down this way decide as
// the whole facts do (TestProjectedFactsDecideAsWholeFacts, FuzzProjectedFacts).
//
// Strings up to maxInterned bytes are decoded once and shared, boxed, between exchanges: a
// day of traffic repeats its keys and its short values (kinds, verbs, dialects). The maps and
// lists of one decision are reused by the next once the caller releases them (release).
type factDecoder struct {
	proj   *policy.FactProjection // nil: decode everything
	intern map[string]any

	freeMaps, usedMaps   []map[string]any
	freeLists, usedLists [][]any
}

// maxPooled bounds the maps and lists kept for reuse.
const maxPooled = 4096

func (d *factDecoder) newMap() map[string]any {
	var m map[string]any
	if n := len(d.freeMaps); n > 0 {
		m, d.freeMaps = d.freeMaps[n-1], d.freeMaps[:n-1]
	} else {
		m = make(map[string]any, 8) // one group of a Go map
	}
	d.usedMaps = append(d.usedMaps, m)
	return m
}

func (d *factDecoder) newList() []any {
	if n := len(d.freeLists); n > 0 {
		l := d.freeLists[n-1]
		d.freeLists = d.freeLists[:n-1]
		return l
	}
	return make([]any, 0, 4)
}

// release makes every map and list decoded since the last release reusable: the caller holds
// none of them any more (policy.Decide keeps nothing of the facts it read).
func (d *factDecoder) release() {
	for _, m := range d.usedMaps {
		clear(m)
		if len(d.freeMaps) < maxPooled {
			d.freeMaps = append(d.freeMaps, m)
		}
	}
	d.usedMaps = d.usedMaps[:0]
	for _, l := range d.usedLists {
		clear(l[:cap(l)])
		if len(d.freeLists) < maxPooled {
			d.freeLists = append(d.freeLists, l[:0])
		}
	}
	d.usedLists = d.usedLists[:0]
}

const (
	maxInterned  = 48
	internBudget = 1 << 14 // entries, then the table starts over
)

func newFactDecoder(proj *policy.FactProjection) *factDecoder {
	return &factDecoder{proj: proj, intern: make(map[string]any, 256)}
}

// value decodes the value at b[i] under projection p and returns the index after it. A nil or
// whole p, or one this decoder cannot honour for the value at hand, decodes the value whole.
func (d *factDecoder) value(b []byte, i int, p *policy.FactProjection) (any, int, error) {
	whole := p == nil || p.Whole || (p.Fields == nil && !p.Iterated)
	switch b[i] {
	case '{':
		if whole || p.Iterated || p.Fields == nil {
			return d.object(b, i, nil)
		}
		return d.object(b, i, p)
	case '[':
		if whole || !p.Iterated {
			return d.array(b, i, nil)
		}
		return d.array(b, i, p.Elem)
	case '"':
		return d.str(b, i)
	case 't':
		return true, i + 4, nil
	case 'f':
		return false, i + 5, nil
	case 'n':
		return nil, i + 4, nil
	}
	end := skipKnown(b, i)
	n, err := numberValue(b[i:end])
	return n, end, err
}

// object decodes the object at b[i]; with p set, only the members p selects.
func (d *factDecoder) object(b []byte, i int, p *policy.FactProjection) (any, int, error) {
	m := d.newMap()
	i = skipWS(b, i+1)
	if b[i] == '}' {
		return m, i + 1, nil
	}
	for {
		kend := knownStringEnd(b, i)
		q := b[i:kend]
		i = skipWS(b, skipWS(b, kend)+1) // past ':'
		var sub *policy.FactProjection
		if p != nil {
			// A plain name is looked up as it lies; one with escapes is decoded first.
			var ok bool
			if plainASCII(q) {
				sub, ok = p.Fields[string(q[1:len(q)-1])]
			} else if k, err := str(q); err == nil {
				sub, ok = p.Fields[k]
			}
			if !ok {
				i = skipWS(b, skipKnown(b, i))
				if b[i] == '}' {
					return m, i + 1, nil
				}
				i = skipWS(b, i+1)
				continue
			}
		}
		key, err := d.key(q)
		if err != nil {
			return nil, 0, err
		}
		var v any
		if v, i, err = d.value(b, i, sub); err != nil {
			return nil, 0, err
		}
		m[key] = v // a repeated key: the last one wins, as with encoding/json
		i = skipWS(b, i)
		if b[i] == '}' {
			return m, i + 1, nil
		}
		i = skipWS(b, i+1)
	}
}

// array decodes the array at b[i], each element under elem.
func (d *factDecoder) array(b []byte, i int, elem *policy.FactProjection) (any, int, error) {
	out := d.newList()
	defer func() { d.usedLists = append(d.usedLists, out) }()
	i = skipWS(b, i+1)
	if b[i] == ']' {
		return out, i + 1, nil
	}
	for {
		v, end, err := d.value(b, i, elem)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
		i = skipWS(b, end)
		if b[i] == ']' {
			return out, i + 1, nil
		}
		i = skipWS(b, i+1)
	}
}

// key decodes a member name: interned when plain.
func (d *factDecoder) key(q []byte) (string, error) {
	if v, ok := d.lookup(q); ok {
		if s, ok := v.(string); ok {
			return s, nil
		}
	}
	s, err := str(q)
	if err == nil {
		d.remember(q, s)
	}
	return s, err
}

// str decodes the string at b[i], boxed.
func (d *factDecoder) str(b []byte, i int) (any, int, error) {
	end := knownStringEnd(b, i)
	q := b[i:end]
	if v, ok := d.lookup(q); ok {
		return v, end, nil
	}
	s, err := str(q)
	if err != nil {
		return nil, 0, err
	}
	var v any = s
	d.remember(q, v)
	return v, end, nil
}

// lookup finds an interned value by its quoted form (escapes and all: equal quoted bytes
// decode to equal strings).
func (d *factDecoder) lookup(q []byte) (any, bool) {
	if len(q) > maxInterned+2 {
		return nil, false
	}
	v, ok := d.intern[string(q)]
	return v, ok
}

func (d *factDecoder) remember(q []byte, v any) {
	if len(q) > maxInterned+2 || !plainASCII(q) {
		return
	}
	if len(d.intern) >= internBudget {
		clear(d.intern)
	}
	d.intern[string(q)] = v
}

// plainASCII reports bytes that encoding/json copies as they are (no escape, no byte that
// UTF-8 validation could replace).
func plainASCII(q []byte) bool {
	i := 0
	for ; i+8 <= len(q); i += 8 {
		if binary.LittleEndian.Uint64(q[i:])&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(q); i++ {
		if q[i] >= 0x80 {
			return false
		}
	}
	for _, c := range q {
		if c == '\\' {
			return false
		}
	}
	return true
}

// numberValue is celValue of a checked JSON number: whole numbers int64, others float64.
func numberValue(v []byte) (any, error) {
	if len(v) > 0 && len(v) < 19 {
		whole := true
		for k, c := range v {
			if (c < '0' || c > '9') && (k > 0 || c != '-') {
				whole = false
				break
			}
		}
		if whole {
			if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				return n, nil
			}
		}
	}
	return celValue(json.Number(v)), nil
}
