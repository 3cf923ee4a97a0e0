package redact

import "github.com/warden-gw/warden/exchange"

// RedactParsedJSON is RedactJSON on a body already read by exchange.ParseJSON: the strings,
// their spans and their keys come from j instead of a second walk over the bytes. The result,
// findings and errors are RedactJSON's on j.Src.
func (e *Engine) RedactParsedJSON(j *exchange.JSONBody, opts Options) ([]byte, []Finding, error) {
	if j.MaxDepth > maxJSONDepth {
		// Valid JSON that RedactJSON refuses as too deep: its error, from its own walk.
		return e.RedactJSON(j.Src, opts)
	}
	r := e.newJSONRedaction(j.Src, opts)
	defer r.release()
	w := sharedWalk{j: j, visit: r.visit, path: r.path}
	w.value(0)
	r.path = w.path
	return applySplices(j.Src, r.splices), r.findings, nil
}

// sharedWalk visits the strings of a JSONBody in document order with their paths, as walkJSON
// does over the bytes.
type sharedWalk struct {
	j     *exchange.JSONBody
	visit func(path []pathElem, start, end int, v []byte)
	path  []pathElem
}

// value visits the value at node i and returns the index of the node after it.
func (w *sharedWalk) value(i int) int {
	nodes := w.j.Nodes
	n := &nodes[i]
	switch n.Kind {
	case exchange.JSONString:
		w.visit(w.path, int(n.Start), int(n.End), w.j.Text(i))
	case exchange.JSONObject:
		for k := i + 1; k < int(n.Next); {
			w.path = append(w.path, pathElem{key: w.j.Key(k), isKey: true})
			k = w.value(k + 1)
			w.path = w.path[:len(w.path)-1]
		}
	case exchange.JSONArray:
		idx := 0
		for k := i + 1; k < int(n.Next); idx++ {
			w.path = append(w.path, pathElem{index: idx})
			k = w.value(k)
			w.path = w.path[:len(w.path)-1]
		}
	}
	return int(n.Next)
}
