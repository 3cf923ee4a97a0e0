package envoy

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// protojson reports positions in the JSON it was given ("(line 1:3526)"), which the user never
// sees: the YAML was converted. describePosition replaces that with the field path instead.
var protojsonPos = regexp.MustCompile(`\(line 1:(\d+)\)`)

func describePosition(msg string, js []byte) string {
	m := protojsonPos.FindStringSubmatchIndex(msg)
	if m == nil {
		return msg
	}
	col, err := strconv.Atoi(msg[m[2]:m[3]])
	if err != nil {
		return msg
	}
	p := jsonPathAt(js, col-1)
	if p == "" {
		p = "(root)"
	}
	return msg[:m[0]] + "at " + p + msg[m[1]:]
}

type pathFrame struct {
	object  bool
	key     string
	index   int
	wantKey bool
}

// jsonPathAt returns the path (".a.b[2].c") of the token of js that covers byte offset off.
func jsonPathAt(js []byte, off int) string {
	dec := json.NewDecoder(bytes.NewReader(js))
	var stack []*pathFrame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.object && f.key != "":
				b.WriteString("." + f.key)
			case !f.object && f.index >= 0:
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		return b.String()
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return path()
		}
		var top *pathFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := false
		if s, ok := tok.(string); ok && top != nil && top.object && top.wantKey {
			top.key, top.wantKey, isKey = s, false, true
		}
		d, isDelim := tok.(json.Delim)
		closing := isDelim && (d == '}' || d == ']')
		if !isKey && !closing && top != nil && !top.object {
			top.index++
		}
		if dec.InputOffset() > int64(off) {
			return path()
		}
		switch {
		case isDelim && d == '{':
			stack = append(stack, &pathFrame{object: true, wantKey: true})
		case isDelim && d == '[':
			stack = append(stack, &pathFrame{index: -1})
		case closing:
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				stack[len(stack)-1].wantKey = true
			}
		case !isKey && top != nil && top.object:
			top.wantKey = true
		}
	}
}
