package inspect

import (
	"strconv"
)

// maxInspectionReasons bounds the reasons kept; the flags stay set whatever their number.
const maxInspectionReasons = 16

// Inspection says how completely an exchange was understood. Every limit inspection has
// (nesting depth, nodes visited, actions, tool calls, duplicate keys, nested JSON, body bytes)
// sets Truncated with a reason instead of dropping what lies past it; input that admits more
// than one reading inspection cannot settle (a body declared JSON that does not parse, a
// malformed multipart body) sets Ambiguous. The default pack blocks or holds an exchange on an
// executing endpoint that was not fully understood.
type Inspection struct {
	// Truncated is true when some of the input lay past an inspection limit.
	Truncated bool
	// Ambiguous is true when some of the input could not be read unambiguously.
	Ambiguous bool
	// Executing is true when the exchange goes to something that executes what it is sent: an
	// endpoint named for SQL or commands, an MCP tools/call, an LLM response with tool calls, or
	// any request in which inspection found an action.
	Executing bool
	// Reasons say what was cut or unclear, for the audit record and the policy message.
	Reasons []string
}

// cleanInspection and cleanExecuting are the inspection variable of the common cases, shared
// (CEL values are never modified) so that they cost no allocation.
var (
	cleanInspection = map[string]any{"truncated": false, "ambiguous": false, "executing": false, "reasons": []any{}}
	cleanExecuting  = map[string]any{"truncated": false, "ambiguous": false, "executing": true, "reasons": []any{}}
)

// Map returns the CEL variable "inspection": {truncated, ambiguous, executing, reasons}. The
// result must not be modified.
func (in Inspection) Map() map[string]any {
	if !in.Truncated && !in.Ambiguous && len(in.Reasons) == 0 {
		if in.Executing {
			return cleanExecuting
		}
		return cleanInspection
	}
	return map[string]any{
		"truncated": in.Truncated, "ambiguous": in.Ambiguous, "executing": in.Executing,
		"reasons": stringsAny(in.Reasons),
	}
}

func (in *Inspection) addReason(r string) {
	for _, have := range in.Reasons {
		if have == r {
			return
		}
	}
	if len(in.Reasons) < maxInspectionReasons {
		in.Reasons = append(in.Reasons, r)
	}
}

// truncate records that input past a limit was not inspected.
func (f *Facts) truncate(reason string) {
	f.Inspection.Truncated = true
	f.Inspection.addReason(reason)
	f.cel = nil
}

// ambiguous records input inspection could not read unambiguously.
func (f *Facts) ambiguous(reason string) {
	f.Inspection.Ambiguous = true
	f.Inspection.addReason(reason)
	f.cel = nil
}

func itoa(n int) string { return strconv.Itoa(n) }
