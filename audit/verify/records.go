package verify

import (
	"encoding/json"
	"fmt"
	"iter"

	"github.com/warden-gw/warden/audit/record"
)

// Records yields the records of entries in order, once each. Entries the source could not read,
// entries that are not records (checkpoints) and copies of a record already yielded (a Kafka
// topic may hold one twice: same chain and seq) are skipped. It is how the report and the CLIs
// that read a trail (sessions, replay) walk it; Entries is what says whether it is intact.
func Records(entries []Entry) iter.Seq[*record.Record] {
	return func(yield func(*record.Record) bool) {
		seen := map[string]bool{}
		for _, e := range entries {
			if e.Err != "" {
				continue
			}
			var r record.Record
			if json.Unmarshal(e.Payload, &r) != nil || r.ClassUID != record.ClassUID {
				continue
			}
			if in := r.Unmapped.Integrity; in != nil {
				k := fmt.Sprintf("%s:%d", in.ChainID, in.Seq)
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			if !yield(&r) {
				return
			}
		}
	}
}
