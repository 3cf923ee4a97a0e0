package inspect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxYAMLDocs bounds the documents of one YAML body (kubectl apply sends several).
const maxYAMLDocs = 64

// isYAMLType reports the media types that carry YAML: application/yaml, text/yaml,
// application/x-yaml, and Kubernetes' application/apply-patch+yaml.
func isYAMLType(mt string) bool {
	return strings.HasSuffix(mt, "yaml") || strings.HasSuffix(mt, "+yaml")
}

// readYAML decodes a YAML body (every document) into the values a JSON body gives, so that
// the same walk judges it: one document is its value, several are a list. A body that does
// not parse is ambiguous; past maxYAMLDocs or the body bound it is truncated.
func (f *Facts) readYAML(body []byte) requestBody {
	if len(body) > maxFormBody {
		f.truncate("YAML body is larger than the " + itoa(maxFormBody) + "-byte inspection limit")
		return requestBody{kind: bodyOther}
	}
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var docs []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.ambiguous("request body is declared YAML but does not parse")
			break
		}
		if len(docs) >= maxYAMLDocs {
			f.truncate("YAML body has more than " + itoa(maxYAMLDocs) + " documents")
			break
		}
		if v != nil {
			docs = append(docs, jsonLike(v, 0))
		}
	}
	switch len(docs) {
	case 0:
		return requestBody{kind: bodyOther}
	case 1:
		return requestBody{kind: bodyYAML, json: docs[0]}
	}
	return requestBody{kind: bodyYAML, json: docs}
}

// jsonLike turns decoded YAML into the shapes encoding/json gives (string keys, float64
// numbers), bounded in depth like the JSON walk.
func jsonLike(v any, depth int) any {
	if depth > maxDepth {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		for k, el := range t {
			t[k] = jsonLike(el, depth+1)
		}
		return t
	case map[any]any:
		// A map with a key that is not a string (1:, true:, ~:): every value is kept under its
		// key's text, as the server that reads the key as a string will have it.
		m := make(map[string]any, len(t))
		for k, el := range t {
			m[fmt.Sprint(k)] = jsonLike(el, depth+1)
		}
		return m
	case []any:
		for i, el := range t {
			t[i] = jsonLike(el, depth+1)
		}
		return t
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	}
	return v
}

// isNDJSONType reports the media types of newline-delimited JSON (Elasticsearch _bulk, JSON
// Lines uploads, JSON text sequences).
func isNDJSONType(mt string) bool {
	switch mt {
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines",
		"application/jsonlines", "application/json-seq":
		return true
	}
	return false
}

// maxNDJSONLines bounds the lines of one newline-delimited JSON body.
const maxNDJSONLines = 4096

// readNDJSON decodes a newline-delimited JSON body into a list of its lines' values, walked as
// a top-level array. A line that does not parse makes the body ambiguous; past maxNDJSONLines
// or the body bound it is truncated.
func (f *Facts) readNDJSON(body []byte) requestBody {
	if len(body) > maxFormBody {
		f.truncate("newline-delimited JSON body is larger than the " + itoa(maxFormBody) + "-byte inspection limit")
		return requestBody{kind: bodyOther}
	}
	var vals, dups []any
	for _, line := range bytes.FieldsFunc(body, func(r rune) bool { return r == '\n' || r == '\r' || r == 0x1e }) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if len(vals) >= maxNDJSONLines {
			f.truncate("newline-delimited JSON body has more than " + itoa(maxNDJSONLines) + " lines")
			break
		}
		v, d, ok := decodeJSONAll(line)
		if !ok {
			f.ambiguous("a line of a newline-delimited JSON body does not parse")
			continue
		}
		vals, dups = append(vals, v), append(dups, d...)
	}
	if len(vals) == 0 {
		return requestBody{kind: bodyOther}
	}
	b := f.jsonRead(vals, dups)
	b.kind = bodyYAML // structured, walked like JSON, not exposed as the JSON body
	return b
}
