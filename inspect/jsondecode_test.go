package inspect

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// checkSameAsStdlib fails when decodeJSON's result differs from encoding/json's for body.
func checkSameAsStdlib(t *testing.T, body []byte) {
	t.Helper()
	var want any
	wantErr := json.Unmarshal(body, &want)
	got, ok := decodeJSON(body)
	if ok != (wantErr == nil) {
		t.Fatalf("decodeJSON(%q) ok=%v, encoding/json error %v", body, ok, wantErr)
	}
	if ok && !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeJSON(%q) = %#v, encoding/json gives %#v", body, got, want)
	}
}

func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	deep := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	tests := map[string]string{
		"mcp call":          `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":"SELECT 1"}}}`,
		"escapes":           `{"q":"a\"b\\c\/d\n\t\r\b\f"}`,
		"unicode escape":    `{"q":"caf\u00e9 \ud83d\ude00 \ud800"}`,
		"invalid utf8":      "{\"q\":\"a\xffb\"}",
		"utf8":              `{"q":"café ✓"}`,
		"duplicate key":     `{"a":1,"a":2}`,
		"numbers":           `[0,-0,1.5,-2e10,3E-2,1e400,01,1.,-,.5]`,
		"valid numbers":     `[0,-0,1.5,-2e10,3E-2,123456789012345678901234567890]`,
		"literals":          `[true,false,null]`,
		"bad literal":       `[truex]`,
		"trailing data":     `{"a":1} x`,
		"trailing comma":    `{"a":1,}`,
		"whitespace":        " \t\r\n{ \"a\" : [ 1 , 2 ] }\n",
		"empty containers":  `{"a":{},"b":[]}`,
		"control byte":      "{\"a\":\"x\x01\"}",
		"unterminated":      `{"a":"x`,
		"deep nesting":      deep,
		"only space":        "   ",
		"top-level string":  `"x"`,
		"invalid escape":    `{"a":"\x"}`,
		"vertical tab":      "{\v}",
		"escaped then utf8": `{"a":"\n\xff"}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) { checkSameAsStdlib(t, []byte(body)) })
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,"b",null,true,{"c":-1.5e3}]}`, `{"q":"x\"y\u0041"}`, "[\"\xff\"]", `1`} {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"a":1,"b":{"a":2,"a":"x"},"a":[3]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkSameAsStdlib(t, body)
		checkDuplicates(t, body)
	})
}

// checkDuplicates fails when the single-pass decoder and encoding/json's tokenizer disagree on
// the values repeated keys shadow.
func checkDuplicates(t *testing.T, body []byte) {
	t.Helper()
	_, dups, ok := decodeJSONAll(body)
	if !ok {
		return
	}
	if want := duplicatesOf(body); !reflect.DeepEqual(dups, want) && (len(dups) > 0 || len(want) > 0) {
		t.Fatalf("decodeJSONAll(%q) shadowed %#v, tokenizer %#v", body, dups, want)
	}
}

func TestDuplicateKeysEveryValue(t *testing.T) {
	for body, want := range map[string]int{
		`{"a":1,"a":2}`:                         1,
		`{"a":1,"a":2,"a":3}`:                   2,
		`{"x":{"q":"DROP","q":"SELECT"},"q":1}`: 1,
		`{"q":"\u0044ROP","q":"x"}`:             1, // an escape sends the body to encoding/json
		`{"a":1,"b":2}`:                         0,
	} {
		checkDuplicates(t, []byte(body))
		if _, dups, _ := decodeJSONAll([]byte(body)); len(dups) != want {
			t.Errorf("%s: %d shadowed values, want %d", body, len(dups), want)
		}
	}
}

// TestDecodeJSONReadsUnicodeEscapes: strings with \u escapes (what Python's json.dumps sends
// for any non-ASCII text) are read by the single-pass decoder, not re-read by encoding/json,
// and give encoding/json's values.
func TestDecodeJSONReadsUnicodeEscapes(t *testing.T) {
	for _, body := range []string{
		`{"q":"caf\u00e9 \ud83d\ude00 \ud800 \udc00x \ud800\u0041 \u0000"}`,
		`["\u00E9\"\\\/\b\f\n\r\t"]`,
	} {
		d := jsonDecoder{s: []byte(body)}
		if _, ok := d.value(0); !ok {
			t.Errorf("the single-pass decoder left %s to encoding/json", body)
		}
		checkSameAsStdlib(t, []byte(body))
	}
	for _, body := range []string{`["\u12"]`, `["\u12G4"]`, `["\u`, "[\"\\u00e9\xff\"]"} {
		checkSameAsStdlib(t, []byte(body))
	}
}
