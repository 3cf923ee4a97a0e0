package inspect

import (
	"reflect"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// checkParsedSame fails when the values built from the shared reading of body differ from
// decodeJSONAll's (encoding/json's values, the shadowed duplicates, the verdict).
func checkParsedSame(t *testing.T, body []byte) {
	t.Helper()
	want, wantDups, wantOK := decodeJSONAll(body)
	j, parsed := exchange.ParseJSON(body)
	if !parsed {
		if wantOK {
			t.Fatalf("ParseJSON refused %q, which decodes", body)
		}
		if _, _, ok := decodeBodyJSON(body, j); ok {
			t.Fatalf("decodeBodyJSON without a parsed body accepted %q", body)
		}
		return
	}
	got, gotDups, gotOK := decodeBodyJSON(body, j)
	if gotOK != wantOK || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotDups, wantDups) {
		t.Fatalf("from the parsed body %v %#v %#v\ndecodeJSONAll %v %#v %#v\nbody %q", gotOK, got, gotDups, wantOK, want, wantDups, body)
	}
}

var parsedSeeds = []string{
	`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":"SELECT 1"}}}`,
	`{"q":"a\"b\\c\/d\n\t\r\b\f","u":"caf\u00e9 \ud83d\ude00 \ud800"}`,
	"{\"q\":\"a\xffb\",\"\xff\":1,\"\xff\":2}",
	`{"a":1,"b":{"a":2,"a":"x"},"a":[3],"a":{"a":1,"a":2}}`,
	`[0,-0,1.5,-2e10,3E-2,123456789012345678901234567890]`, `[1e400]`, `{"a":-1e309}`,
	`[true,false,null]`, `"x"`, `{}`, `[]`, " \t{ \"a\" : [ 1 , 2 ] }\n", `{"a":1,}`,
	strings.Repeat("[", 300) + strings.Repeat("]", 300),
	strings.Repeat(`{"a":1,"a":2,`, 300) + `"z":0` + strings.Repeat("}", 300),
}

func TestParsedJSONMatchesDecode(t *testing.T) {
	for _, s := range parsedSeeds {
		checkParsedSame(t, []byte(s))
	}
}

// FuzzParsedJSON holds the values inspection builds from the pipeline's shared reading of a
// body to decodeJSONAll's, on arbitrary bytes.
func FuzzParsedJSON(f *testing.F) {
	for _, s := range parsedSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkParsedSame(t, body) })
}
