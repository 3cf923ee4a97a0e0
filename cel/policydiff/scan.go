package policydiff

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/warden-gw/warden/audit"
)

// A single-pass reader of the record members a replay needs. encoding/json decodes every byte
// of a record through reflection, and that was most of a diff's time: a record is mostly what
// a replay does not read (message, metadata, tool calls). This reader skips those spans without
// decoding them and hands the small members it needs to encoding/json. parseRecordSlow is the
// reference; FuzzParseRecord checks that both agree or both refuse.

var (
	errSyntax   = errors.New("invalid JSON")
	errFallback = errors.New("not a plain record: decode with encoding/json")
)

// plainKey reports a member name of lower-case ASCII letters, digits and '_' (every name
// warden writes): matched exactly, as encoding/json would match it.
func plainKey(k []byte) bool {
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// skipWS returns the index of the first non-space byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i] == '"', and whether it
// holds escapes. Escapes and control characters are checked as encoding/json checks them.
func skipString(b []byte, i int) (int, bool, error) {
	esc := false
	for j := i + 1; j < len(b); j++ {
		for j+8 <= len(b) && plain8(binary.LittleEndian.Uint64(b[j:])) {
			j += 8
		}
		if j >= len(b) {
			break
		}
		switch c := b[j]; {
		case c == '"':
			return j + 1, esc, nil
		case c == '\\':
			esc = true
			j++
			if j >= len(b) {
				return 0, false, errSyntax
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) {
					return 0, false, errSyntax
				}
				for _, h := range b[j+1 : j+5] {
					if !isHex(h) {
						return 0, false, errSyntax
					}
				}
				j += 4
			default:
				return 0, false, errSyntax
			}
		case c < 0x20:
			return 0, false, errSyntax
		}
	}
	return 0, false, errSyntax
}

// plain8 reports that none of 8 bytes is a quote, a backslash or a control character, so a
// string scan can step over them at once.
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	less20 := (x - 0x20*ones) & ^x & highs
	return less20|hasZero(x^('"'*ones))|hasZero(x^('\\'*ones)) == 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// skipValue returns the index after the JSON value that starts at b[i] (no leading space),
// checking its syntax as fully as encoding/json does, without decoding it.
func skipValue(b []byte, i int) (int, error) { return skipDepth(b, i, 0) }

func skipDepth(b []byte, i, depth int) (int, error) {
	if i >= len(b) || depth > maxDepth {
		return 0, errSyntax
	}
	switch c := b[i]; {
	case c == '"':
		end, _, err := skipString(b, i)
		return end, err
	case c == '{':
		return skipObject(b, i, depth+1)
	case c == '[':
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, nil
		}
		for {
			end, err := skipDepth(b, i, depth+1)
			if err != nil {
				return 0, err
			}
			i = skipWS(b, end)
			if i >= len(b) {
				return 0, errSyntax
			}
			if b[i] == ']' {
				return i + 1, nil
			}
			if b[i] != ',' {
				return 0, errSyntax
			}
			i = skipWS(b, i+1)
		}
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		return skipNumber(b, i)
	}
	return 0, errSyntax
}

func skipObject(b []byte, i, depth int) (int, error) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, errSyntax
		}
		end, _, err := skipString(b, i)
		if err != nil {
			return 0, err
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, errSyntax
		}
		if end, err = skipDepth(b, skipWS(b, i+1), depth); err != nil {
			return 0, err
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

func literal(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, errSyntax
	}
	return i + len(lit), nil
}

// skipNumber checks JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(b []byte, i int) (int, error) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return 0, errSyntax
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return 0, errSyntax
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, errSyntax
		}
	}
	return i, nil
}

// skipKnown returns the index after the value at b[i] in a span skipValue already checked:
// it only finds the value's end.
func skipKnown(b []byte, i int) int {
	switch b[i] {
	case '"':
		return knownStringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = knownStringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j
}

// knownStringEnd returns the index after the checked string that starts at b[i].
func knownStringEnd(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return len(b)
		}
		j += k
		bs := 0
		for b[j-1-bs] == '\\' {
			bs++
		}
		if bs%2 == 0 {
			return j + 1
		}
		j++
	}
}

// walkMembers calls fn for each member of the object at b[i] with its key and the span of its
// value, and returns the index after the object. With check set it also checks the syntax of
// each value (for the outermost object, whose bytes nothing checked yet); without, the object
// lies in a span already checked.
func walkMembers(b []byte, i int, check bool, fn func(key []byte, v []byte) error) (int, error) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '{' {
		return 0, errSyntax
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, errSyntax
		}
		end, esc, err := skipString(b, i)
		if err != nil {
			return 0, err
		}
		key := b[i+1 : end-1]
		if esc || !plainKey(key) {
			// encoding/json matches member names case-insensitively and after unescaping:
			// leave such records to it (parseRecordSlow).
			return 0, errFallback
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, errSyntax
		}
		i = skipWS(b, i+1)
		var vend int
		if check {
			if vend, err = skipValue(b, i); err != nil {
				return 0, err
			}
		} else {
			vend = skipKnown(b, i)
		}
		if err := fn(key, b[i:vend]); err != nil {
			return 0, err
		}
		i = skipWS(b, vend)
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

// str decodes a JSON string value; the common case (valid UTF-8, no escape) costs one copy.
func str(v []byte) (string, error) {
	if len(v) >= 2 && v[0] == '"' {
		if end, esc, err := skipString(v, 0); err == nil && end == len(v) && !esc && utf8.Valid(v) {
			return string(v[1 : len(v)-1]), nil
		}
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err
}

// num decodes an integer as encoding/json decodes it into an int64.
func num(v []byte) (int64, error) {
	if len(v) > 0 && len(v) < 19 && v[0] >= '1' && v[0] <= '9' {
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return n, nil
		}
	}
	var n int64
	err := json.Unmarshal(v, &n)
	return n, err
}

// fields calls fn for each member of the object v (null: none, as encoding/json leaves a
// struct alone). fn reports whether it used the member; a used name seen twice sends the record
// to encoding/json, whose merging of duplicates this reader does not copy.
func fields(v []byte, fn func(k, v []byte) (bool, error)) error {
	_, err := walkFields(v, false, fn)
	return err
}

func walkFields(v []byte, check bool, fn func(k, v []byte) (bool, error)) (int, error) {
	if string(v) == "null" {
		return len(v), nil
	}
	var used [16][]byte
	n := 0
	return walkMembers(v, 0, check, func(k, v []byte) error {
		ok, err := fn(k, v)
		if err != nil || !ok {
			return err
		}
		for _, u := range used[:n] {
			if string(u) == string(k) {
				return errFallback
			}
		}
		if n == len(used) {
			return errFallback
		}
		used[n] = k
		n++
		return nil
	})
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
	end, err := walkFields(b[i:], true, func(k, v []byte) (bool, error) {
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
		case "unmapped":
			return true, fields(v, func(k, v []byte) (bool, error) {
				switch string(k) {
				case "warden":
					return true, parseWarden(v, &r.Unmapped.Warden)
				case "integrity":
					return true, parseIntegrity(v, r)
				}
				return false, nil
			})
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	if skipWS(b, i+end) != len(b) {
		return errFallback
	}
	return nil
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

func parseWarden(v []byte, w *recWarden) error {
	return fields(v, func(k, v []byte) (bool, error) {
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
	})
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
