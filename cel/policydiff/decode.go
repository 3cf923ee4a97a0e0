package policydiff

import (
	"github.com/warden-gw/warden/audit"
)

// The decoders of the record members a replay reads, on spans scan.go checked.

// fields calls fn for each member of the object v (null: none, as encoding/json leaves a
// struct alone). fn reports whether it used the member; a used name seen twice sends the record
// to encoding/json, whose merging of duplicates this reader does not copy.
func fields(v []byte, fn func(k, v []byte) (bool, error)) error {
	_, err := fieldsAt(v, 0, unchecked, func(k []byte, i int) (int, bool, error) {
		end := skipKnown(v, i)
		used, err := fn(k, v[i:end])
		return end, used, err
	})
	return err
}

// unchecked, as fieldsAt's depth, says that the object lies in a span already checked.
const unchecked = -1

// fieldsAt is fields for the object at b[i] whose callback reads a member's value in place and
// returns the index after it (used false and end 0: not read, the walk steps over it), so that
// a member descended into is not scanned once more to find its end: the decision input, most
// of a record, lies three objects deep. depth is the nesting depth of the object's members
// for the syntax check (see skipDepth), or unchecked for a span already checked; a callback
// reading a member in place checks it (valueEnd). It returns the index after the object.
func fieldsAt(b []byte, i, depth int, fn func(k []byte, i int) (end int, used bool, err error)) (int, error) {
	if i >= len(b) {
		return 0, errSyntax
	}
	if b[i] == 'n' {
		return literal(b, i, "null") // no members, as encoding/json leaves a struct alone
	}
	if b[i] != '{' {
		return 0, errFallback
	}
	var seen [16][]byte
	n := 0
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, errSyntax
		}
		kend, esc, err := skipString(b, i)
		if err != nil {
			return 0, err
		}
		key := b[i+1 : kend-1]
		if esc || !plainKey(key) {
			return 0, errFallback
		}
		i = skipWS(b, kend)
		if i >= len(b) || b[i] != ':' {
			return 0, errSyntax
		}
		i = skipWS(b, i+1)
		end, used, err := fn(key, i)
		if err != nil {
			return 0, err
		}
		if used {
			for _, u := range seen[:n] {
				if string(u) == string(key) {
					return 0, errFallback
				}
			}
			if n == len(seen) {
				return 0, errFallback
			}
			seen[n] = key
			n++
		} else if end == 0 {
			if end, err = valueEnd(b, i, depth); err != nil {
				return 0, err
			}
		}
		i = skipWS(b, end)
		if i >= len(b) {
			return 0, errSyntax
		}
		if b[i] == '}' {
			return i + 1, nil
		}
		if b[i] != ',' {
			return 0, errSyntax
		}
		i = skipWS(b, i+1)
	}
}

// valueEnd returns the index after the value at b[i], checking it unless depth is unchecked.
func valueEnd(b []byte, i, depth int) (int, error) {
	if depth == unchecked {
		return skipKnown(b, i), nil
	}
	return skipDepth(b, i, depth)
}

// elems calls fn for each element of the array v; null gives none.
func elems(v []byte, fn func(e []byte) error) error {
	if string(v) == "null" {
		return nil
	}
	if len(v) == 0 || v[0] != '[' {
		return errFallback
	}
	i := skipWS(v, 1)
	if i < len(v) && v[i] == ']' {
		return nil
	}
	for {
		end := skipKnown(v, i)
		if err := fn(v[i:end]); err != nil {
			return err
		}
		i = skipWS(v, end)
		if i >= len(v) {
			return errSyntax
		}
		if v[i] == ']' {
			return nil
		}
		i = skipWS(v, i+1)
	}
}

func setStr(dst *string, v []byte) error {
	if string(v) == "null" {
		return nil
	}
	if v[0] != '"' {
		return errFallback
	}
	s, err := str(v)
	*dst = s
	return err
}

func setInt(dst *int64, v []byte) error {
	if string(v) == "null" {
		return nil
	}
	n, err := num(v)
	if err != nil {
		return errFallback
	}
	*dst = n
	return nil
}

func setBool(dst *bool, v []byte) error {
	switch string(v) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	case "null":
	default:
		return errFallback
	}
	return nil
}

// parseRecordFast decodes the members of r that a replay reads, or refuses (the caller then
// uses parseRecordSlow).
func parseRecordFast(b []byte, r *recorded) error {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errFallback
	}
	end, err := fieldsAt(b, i, 0, func(k []byte, j int) (int, bool, error) {
		if string(k) == "unmapped" {
			end, err := parseUnmapped(b, j, r)
			return end, true, err
		}
		end, err := skipDepth(b, j, 0)
		if err != nil {
			return 0, false, err
		}
		used, err := recordMember(r, k, b[j:end])
		return end, used, err
	})
	if err != nil {
		return err
	}
	if skipWS(b, end) != len(b) {
		return errFallback
	}
	return nil
}

// parseUnmapped reads the unmapped object at b[i] (a member of the record, checked as it is
// read) and returns the index after it.
func parseUnmapped(b []byte, i int, r *recorded) (int, error) {
	return fieldsAt(b, i, 1, func(k []byte, j int) (int, bool, error) {
		switch string(k) {
		case "warden":
			end, err := parseWarden(b, j, 2, &r.Unmapped.Warden)
			return end, true, err
		case "integrity":
			end, err := skipDepth(b, j, 1)
			if err != nil {
				return 0, true, err
			}
			return end, true, parseIntegrity(b[j:end], r)
		}
		return 0, false, nil
	})
}

// recordMember reads one member of a record other than unmapped; used is false for a member a
// replay does not read.
func recordMember(r *recorded, k, v []byte) (bool, error) {
	switch string(k) {
	case "class_uid":
		return true, setInt(&r.ClassUID, v)
	case "time":
		return true, setInt(&r.Time, v)
	case "actor":
		return true, fields(v, func(k, v []byte) (bool, error) {
			if string(k) != "user" {
				return false, nil
			}
			if string(v) == "null" {
				r.Actor.User = nil
				return true, nil
			}
			r.Actor.User = &recUser{}
			return true, fields(v, func(k, v []byte) (bool, error) {
				if string(k) != "groups" {
					return false, nil
				}
				return true, parseNames(&r.Actor.User.Groups, v)
			})
		})
	case "http_request":
		return true, parseRequest(&r.HTTPRequest, v)
	case "http_response":
		return true, parseResponse(r, v)
	case "metadata":
		return true, fields(v, func(k, v []byte) (bool, error) {
			if string(k) != "correlation_uid" {
				return false, nil
			}
			return true, setStr(&r.Metadata.CorrelationUID, v)
		})
	}
	return false, nil
}

func parseNames(dst *[]recName, v []byte) error {
	*dst = nil
	if string(v) != "null" {
		*dst = []recName{}
	}
	return elems(v, func(e []byte) error {
		var n recName
		err := fields(e, func(k, v []byte) (bool, error) {
			if string(k) != "name" {
				return false, nil
			}
			return true, setStr(&n.Name, v)
		})
		*dst = append(*dst, n)
		return err
	})
}

func parseRequest(q *recRequest, v []byte) error {
	return fields(v, func(k, v []byte) (bool, error) {
		switch string(k) {
		case "http_method":
			return true, setStr(&q.Method, v)
		case "http_headers":
			q.Headers = nil
			if string(v) != "null" {
				q.Headers = []recHeader{}
			}
			return true, elems(v, func(e []byte) error {
				var h recHeader
				err := fields(e, func(k, v []byte) (bool, error) {
					switch string(k) {
					case "name":
						return true, setStr(&h.Name, v)
					case "value":
						return true, setStr(&h.Value, v)
					}
					return false, nil
				})
				q.Headers = append(q.Headers, h)
				return err
			})
		case "url":
			u := &q.URL
			return true, fields(v, func(k, v []byte) (bool, error) {
				switch string(k) {
				case "hostname":
					return true, setStr(&u.Hostname, v)
				case "path":
					return true, setStr(&u.Path, v)
				case "port":
					return true, setInt(&u.Port, v)
				case "query_string":
					return true, setStr(&u.QueryString, v)
				case "scheme":
					return true, setStr(&u.Scheme, v)
				}
				return false, nil
			})
		}
		return false, nil
	})
}

func parseResponse(r *recorded, v []byte) error {
	if string(v) == "null" {
		r.HTTPResponse = nil
		return nil
	}
	hr := &recResponse{}
	r.HTTPResponse = hr
	return fields(v, func(k, v []byte) (bool, error) {
		switch string(k) {
		case "code":
			return true, setInt(&hr.Code, v)
		case "content_type":
			return true, setStr(&hr.ContentType, v)
		}
		return false, nil
	})
}

func parseIntegrity(v []byte, r *recorded) error {
	if string(v) == "null" {
		r.Unmapped.Integrity = nil
		return nil
	}
	in := &recIntegrity{}
	r.Unmapped.Integrity = in
	return fields(v, func(k, v []byte) (bool, error) {
		switch string(k) {
		case "chain_id":
			return true, setStr(&in.ChainID, v)
		case "seq":
			var n int64
			if err := setInt(&n, v); err != nil || n < 0 {
				return true, errFallback
			}
			in.Seq = uint64(n)
			return true, nil
		}
		return false, nil
	})
}

// parseWarden reads the warden object at b[i] and returns the index after it.
func parseWarden(b []byte, i, depth int, w *recWarden) (int, error) {
	return fieldsAt(b, i, depth, func(k []byte, i int) (int, bool, error) {
		end, err := valueEnd(b, i, depth)
		if err != nil {
			return 0, false, err
		}
		used, err := wardenMember(w, k, b[i:end])
		return end, used, err
	})
}

func wardenMember(w *recWarden, k, v []byte) (bool, error) {
	switch string(k) {
	case "stage":
		var s string
		err := setStr(&s, v)
		w.Stage = audit.Stage(s)
		return true, err
	case "agent":
		return true, setStr(&w.Agent, v)
	case "on_behalf_of":
		return true, setStr(&w.OnBehalfOf, v)
	case "subject":
		return true, setStr(&w.Subject, v)
	case "issuer":
		return true, setStr(&w.Issuer, v)
	case "auth_method":
		return true, setStr(&w.AuthMethod, v)
	case "session":
		return true, setStr(&w.Session, v)
	case "error_code":
		return true, setStr(&w.ErrorCode, v)
	case "event":
		return true, setStr(&w.Event, v)
	case "decisions":
		return true, parseDecisions(&w.Decisions, v)
	case "credentials":
		w.Credentials = nil
		if string(v) != "null" {
			w.Credentials = []recCredential{}
		}
		return true, elems(v, func(e []byte) error {
			var c recCredential
			err := fields(e, func(k, v []byte) (bool, error) {
				if string(k) != "role" {
					return false, nil
				}
				return true, setStr(&c.Role, v)
			})
			w.Credentials = append(w.Credentials, c)
			return err
		})
	case "response":
		if string(v) == "null" {
			w.Response = nil
			return true, nil
		}
		w.Response = &recRespInfo{}
		return true, fields(v, func(k, v []byte) (bool, error) {
			switch string(k) {
			case "status":
				return true, setInt(&w.Response.Status, v)
			case "streamed":
				return true, setBool(&w.Response.Streamed, v)
			}
			return false, nil
		})
	case "input":
		w.Input = nil
		if string(v) != "null" {
			w.Input = v // a span of the entry: Differ.Add copies it when it keeps the record
		}
		return true, nil
	}
	return false, nil
}

func parseDecisions(dst *[]recDecision, v []byte) error {
	*dst = nil
	if string(v) != "null" {
		*dst = []recDecision{}
	}
	return elems(v, func(e []byte) error {
		var d recDecision
		err := fields(e, func(k, v []byte) (bool, error) {
			switch string(k) {
			case "action":
				return true, setStr(&d.Action, v)
			case "approval_id":
				return true, setStr(&d.ApprovalID, v)
			case "phase":
				return true, setStr(&d.Phase, v)
			case "policy":
				return true, setStr(&d.Policy, v)
			case "policy_version":
				return true, setStr(&d.PolicyVersion, v)
			case "reason":
				return true, setStr(&d.Reason, v)
			case "rule":
				return true, setStr(&d.Rule, v)
			case "shadow":
				return true, setBool(&d.Shadow, v)
			}
			return false, nil
		})
		*dst = append(*dst, d)
		return err
	})
}
