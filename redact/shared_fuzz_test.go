package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// visited is one string a JSON walk visited.
type visited struct {
	path       string
	start, end int
	text       string
}

func pathString(path []pathElem) string {
	var sb strings.Builder
	for _, p := range path {
		if p.isKey {
			fmt.Fprintf(&sb, "/k%q", p.key)
		} else {
			fmt.Fprintf(&sb, "/i%d", p.index)
		}
	}
	return sb.String()
}

// checkShared holds exchange.ParseJSON and the walk over its nodes to walkJSON and RedactJSON
// on the same bytes: the same verdict (valid or not; as encoding/json's too), the same strings
// with the same spans, paths and decoded text, the same redaction and error.
func checkShared(t *testing.T, e *Engine, body []byte) {
	t.Helper()
	var want []visited
	werr := walkJSON(body, func(path []pathElem, start, end int) {
		want = append(want, visited{pathString(path), start, end, string(decodeJSONString(body[start:end]))})
	})
	j, ok := exchange.ParseJSON(body)
	if ok != json.Valid(body) {
		t.Fatalf("ParseJSON ok=%v, json.Valid %v: %q", ok, json.Valid(body), body)
	}
	if !ok {
		if werr == nil {
			t.Fatalf("ParseJSON refused what walkJSON accepts: %q", body)
		}
		return
	}
	if (werr == nil) != (j.MaxDepth <= maxJSONDepth) {
		t.Fatalf("walkJSON error %v with MaxDepth %d: %q", werr, j.MaxDepth, body)
	}
	wantOut, wantFs, wantErr := e.RedactJSON(body, Options{})
	gotOut, gotFs, gotErr := e.RedactParsedJSON(j, Options{})
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !bytes.Equal(gotOut, wantOut) || !reflect.DeepEqual(gotFs, wantFs) {
		t.Fatalf("RedactParsedJSON = %q %v %v, RedactJSON = %q %v %v: %q", gotOut, gotFs, gotErr, wantOut, wantFs, wantErr, body)
	}
	if werr != nil {
		return
	}
	var got []visited
	w := sharedWalk{j: j, visit: func(path []pathElem, start, end int, v []byte) {
		got = append(got, visited{pathString(path), start, end, string(v)})
	}}
	w.value(0)
	if !slices.Equal(got, want) {
		t.Fatalf("strings from the parsed body\n%v\nwalkJSON\n%v\nbody %q", got, want, body)
	}
}

var sharedSeeds = []string{
	`{"model":"gpt-4o","messages":[{"role":"user","content":"hi ops@example.com"}],"stream":false}`,
	`{"a":"\u0067hp_\/\n","b":[1,-2.5e3,true,false,null,{"password":"x1y2z3!!"}]}`,
	`{"env":[{"name":"PGPASSWORD","value":"hunter2hunter2"}],"secrets":{"stripe":"sk_live_x"}}`,
	"{\"q\":\"a\xffb\",\"\xfe\":\"\\ud800\\udc00\\ud800x\"}",
	`"top"`, `[]`, `{}`, ` 7 `, `[1,]`, `{"a" 1}`, "\xef\xbb\xbf{}", `{"a":1}x`, `"\u12"`,
	strings.Repeat("[", 1001) + strings.Repeat("]", 1001),
	strings.Repeat("[", 1000) + `"s"` + strings.Repeat("]", 1000),
	strings.Repeat("[", 1001) + `1` + strings.Repeat("]", 1001),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

func TestParsedJSONMatchesWalk(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sharedSeeds {
		checkShared(t, e, []byte(s))
	}
}

// FuzzParsedJSON holds the shared reading of a body to the walk it replaces, on arbitrary bytes.
func FuzzParsedJSON(f *testing.F) {
	for _, s := range sharedSeeds {
		f.Add([]byte(s))
	}
	e, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkShared(t, e, body) })
}
