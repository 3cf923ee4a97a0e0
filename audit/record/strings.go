package record

import "reflect"

// MapStrings replaces every string of r — every string field, slice element, map key and
// value, through every pointer — with f of it, in place. A string value under a string map key
// (a tool call's arguments in the decision input) is passed with its key as context
// (redact.InContext, as a header line), so that {"api_key": "<hex>"} is redacted where the hex
// alone shows nothing. It is how audit.Log passes a record
// through the redactor. The walk follows a plan built once per type by reflection (walk.go), so
// a field added to the record model later is covered without anyone remembering it, at a fraction
// of the cost of a plain reflection walk: fields that cannot hold text are never visited.
// TestMapStringsReachesEveryString checks that every string is reached exactly once.
func (r *Record) MapStrings(f func(string) string) {
	walk(reflect.ValueOf(r).Elem(), recordPlan, f)
}

var recordPlan = planFor(reflect.TypeFor[Record]())
