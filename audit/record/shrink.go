package record

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// shrinkSteps lists, in order, what ShrinkForKafka removes from a record that does not fit in a
// Kafka message. Each step is a path; removal stops as soon as the record fits.
var shrinkSteps = [][]string{
	{"unmapped", "warden", "input"},
	{"unmapped", "warden", "tool_calls"},
	{"unmapped", "warden", "decisions"},
	{"http_request", "http_headers"},
	{"unmapped", "warden", "error"},
	{"message"},
	{"unmapped", "warden", "redactions"},
	{"unmapped", "warden", "timings_ms"},
	{"unmapped", "warden", "decision"},
	{"http_request", "url"},
	{"http_request", "user_agent"},
	{"api", "operation"},
}

// ShrinkForKafka returns a version of a record that fits in max bytes. Fields are removed in the
// order of shrinkSteps; unmapped.warden.truncated records the original size and the removed
// paths. unmapped.integrity is kept unchanged, so the chain still verifies: its content_hash is
// the hash of the full record, which stays in the spool and in exports; a verifier checks the
// chain link of a truncated record from the stated content_hash and reports it as truncated.
// Checkpoints are never large and are returned as they are.
func ShrinkForKafka(payload []byte, max int) ([]byte, error) {
	if len(payload) <= max {
		return payload, nil
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("record is not a JSON object: %w", err)
	}
	um, _ := v["unmapped"].(map[string]any)
	w, _ := um["warden"].(map[string]any)
	if um == nil || w == nil || um["integrity"] == nil {
		return nil, fmt.Errorf("entry of %d bytes is not an audit record and exceeds %d bytes", len(payload), max)
	}
	tr := map[string]any{"original_bytes": len(payload), "removed": []string{}}
	w["truncated"] = tr
	for _, step := range shrinkSteps {
		if !deletePath(v, step) {
			continue
		}
		tr["removed"] = append(tr["removed"].([]string), joinPath(step))
		out, err := encodeCanonical(v)
		if err != nil {
			return nil, err
		}
		if len(out) <= max {
			return out, nil
		}
	}
	return nil, fmt.Errorf("audit record of %d bytes still exceeds %d bytes after removing every optional field: raise audit.kafka.max_message_bytes", len(payload), max)
}

func deletePath(v map[string]any, path []string) bool {
	m := v
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return false
		}
		m = next
	}
	last := path[len(path)-1]
	if _, ok := m[last]; !ok {
		return false
	}
	delete(m, last)
	return true
}

func joinPath(p []string) string {
	s := p[0]
	for _, x := range p[1:] {
		s += "." + x
	}
	return s
}
