package record

import "reflect"

// MapStrings replaces every string of r — every string field, slice element, map key and
// value, through every pointer — with f of it, in place. A string value under a string map key
// (a tool call's arguments in the decision input) is passed with its key as context
// (redact.InContext, as a header line), so that {"api_key": "<hex>"} is redacted where the hex
// alone shows nothing. The walk follows a plan built once per type by reflection (walk.go), so a
// field added to the record model later is covered without anyone remembering it.
// TestMapStringsReachesEveryString checks that every string is reached exactly once.
//
// audit.Log does not call it: it redacts while encoding (EncodeRedactedInto), whose bytes must
// be those of MapStrings then Encode (TestEncodeRedactedMatchesMapStrings fills every field of
// the model), so MapStrings is the reference for which strings a record's redaction reaches.
func (r *Record) MapStrings(f func(string) string) {
	walk(reflect.ValueOf(r).Elem(), recordPlan, f)
}

var recordPlan = planFor(reflect.TypeFor[Record]())
