package record

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect"
)

// completionChanges are what can happen to an exchange between its request and its completion
// record; each must show in the completion record exactly as without a memo.
var completionChanges = map[string]func(x *exchange.Exchange){
	"nothing": func(*exchange.Exchange) {},
	"response": func(x *exchange.Exchange) {
		x.Response = exchange.Response{Status: 201, Headers: exchange.Headers{{Key: "content-type", Value: "text/plain"}}}
		x.Decisions = append(x.Decisions, exchange.Decision{Action: exchange.Deny, Phase: exchange.PhaseResponse, Rule: "r7"})
		x.Disposition = exchange.Denied
	},
	"identity": func(x *exchange.Exchange) { x.Identity.OnBehalfOf, x.Identity.Session = "bob7", "s2" },
	"groups":   func(x *exchange.Exchange) { x.Identity.Groups = append(x.Identity.Groups, "ops7") },
	"header": func(x *exchange.Exchange) {
		x.Request.Headers = append(exchange.Headers{{Key: "accept", Value: "text/e7"}}, x.Request.Headers...)
	},
	"path":   func(x *exchange.Exchange) { x.Request.Path = "/other?token=e7" },
	"client": func(x *exchange.Exchange) { x.Request.ClientAddress = "10.0.0.7" },
	"facts": func(x *exchange.Exchange) {
		if f, ok := x.Facts.(*inspect.Facts); ok && f != nil {
			f.AddResponse(&exchange.Response{
				Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}},
				Body: []byte(`{"object":"chat.completion","choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"sh","arguments":"{\"cmd\":\"psql -c 'DROP TABLE t7'\"}"}}]}}]}`),
			})
		}
		x.Facts = fakeFacts{"actions": []any{map[string]any{"kind": "sql", "sql": map[string]any{"statements": []any{map[string]any{"tables": []any{"t7"}}}}}}}
	},
	"facts rebuilt the same": func(x *exchange.Exchange) {
		if f, ok := x.Facts.(*inspect.Facts); ok && f != nil {
			f.AddResponse(&exchange.Response{
				Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}},
				Body: []byte(`{"object":"chat.completion","choices":[{"message":{"role":"assistant","content":"ok"}}]}`),
			})
		}
	},
	"no decision": func(x *exchange.Exchange) { x.Decisions = nil },
}

// TestMemoReuseIsInvisible: a completion record encoded with its request record's memo is byte
// for byte the one encoded without, whatever changed in between; and what did not change is
// taken from the memo (the redactor sees fewer strings).
func TestMemoReuseIsInvisible(t *testing.T) {
	cases := liveCases()
	cases["sample"] = func() *exchange.Exchange { return sampleExchange(2, "s") }
	for name, mk := range cases {
		for change, apply := range completionChanges {
			for rname, f := range redactors {
				calls := 0
				counted := func(s string) string { calls++; return f(s) }
				x := mk()
				now := time.Unix(100, 0)
				var m Memo
				req, _, err := EncodeMemo(nil, Build(x, StageRequest, Product{Name: "warden"}, now), counted, nil, &m)
				if err != nil {
					t.Fatal(err)
				}
				for i := range req {
					req[i] = 0 // the memo keeps its own copy: the buffer is reused at once
				}
				if len(m.body) > maxMemoBytes {
					t.Fatalf("%s: the memo keeps %d bytes, over its bound %d", name, len(m.body), maxMemoBytes)
				}
				apply(x)
				calls = 0
				want, wantHash, err := EncodeRedactedInto(nil, Build(x, StageCompletion, Product{Name: "warden"}, now), counted)
				if err != nil {
					t.Fatal(err)
				}
				without := calls
				calls = 0
				got, gotHash, err := EncodeMemo(nil, Build(x, StageCompletion, Product{Name: "warden"}, now), counted, &m, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) || gotHash != wantHash {
					t.Fatalf("%s/%s/%s: the memo changed the completion record:\n got %s\nwant %s", name, change, rname, got, want)
				}
				if change == "nothing" && calls >= without {
					t.Fatalf("%s/%s: %d strings redacted with the memo, %d without: nothing was reused", name, rname, calls, without)
				}
			}
		}
	}
}

// FuzzMemoReuse: for any request and any change of its strings before the completion record, the
// completion record encoded with the request record's memo is the one encoded without.
func FuzzMemoReuse(f *testing.F) {
	f.Add("/v1/x?a=1", "agent", "content-type", "application/json", "/v1/x?a=1", "agent", "application/json", "e")
	f.Add("", "", "accept", "", "/p", "b", "x", "")
	f.Fuzz(func(t *testing.T, path, agent, hk, hv, path2, agent2, hv2, secret string) {
		red := func(s string) string {
			if secret == "" {
				return s
			}
			return strings.ReplaceAll(s, secret, "[REDACTED]")
		}
		x := inputExchange()
		x.Request.Path, x.Identity.Agent = path, agent
		x.Request.Headers = append(x.Request.Headers, exchange.Header{Key: hk, Value: hv})
		now := time.Unix(5, 0)
		var m Memo
		if _, _, err := EncodeMemo(nil, Build(x, StageRequest, Product{}, now), red, nil, &m); err != nil {
			t.Fatal(err)
		}
		x.Request.Path, x.Identity.Agent = path2, agent2
		x.Request.Headers = append(exchange.Headers{}, x.Request.Headers...)
		x.Request.Headers[len(x.Request.Headers)-1].Value = hv2
		x.Response.Status = 200
		want, _, err := EncodeRedactedInto(nil, Build(x, StageCompletion, Product{}, now), red)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := EncodeMemo(nil, Build(x, StageCompletion, Product{}, now), red, &m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("the memo changed the completion record:\n got %q\nwant %q", got, want)
		}
	})
}

// leaves returns every settable string and integer reachable from v through exported fields,
// pointers and slice elements (the values a record part is written from).
func leaves(v reflect.Value, out *[]reflect.Value) {
	switch v.Kind() {
	case reflect.String, reflect.Int, reflect.Int64:
		*out = append(*out, v)
	case reflect.Pointer:
		if !v.IsNil() {
			leaves(v.Elem(), out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				leaves(v.Field(i), out)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			leaves(v.Index(i), out)
		}
	}
}

// TestMemoPartsCompareEveryField: the hand-written comparisons that decide whether a part is
// copied from the memo (sameActor, sameHTTPRequest) see a change in any field of the part, a
// field added to the model later included; a field they missed would copy the request record's
// value into the completion record.
func TestMemoPartsCompareEveryField(t *testing.T) {
	check := func(name string, mk func() any, same func(a, b any) bool) {
		t.Helper()
		filled := func() any {
			v := mk()
			n := 0
			fill(reflect.ValueOf(v).Elem(), &n, 0)
			return v
		}
		a := filled()
		if !same(a, filled()) {
			t.Fatalf("%s: two equal values compare different", name)
		}
		var all []reflect.Value
		leaves(reflect.ValueOf(a).Elem(), &all)
		for i := range all {
			b := filled()
			var lb []reflect.Value
			leaves(reflect.ValueOf(b).Elem(), &lb)
			f := lb[i]
			if f.Kind() == reflect.String {
				f.SetString(f.String() + "'")
			} else {
				f.SetInt(f.Int() + 1)
			}
			if same(a, b) {
				t.Errorf("%s: a change of field %d (%s) is not seen: the completion record would repeat the request record's value", name, i, f.Type())
			}
		}
	}
	check("actor", func() any { return new(Actor) }, func(a, b any) bool { return sameActor(a.(*Actor), b.(*Actor)) })
	check("http_request", func() any { return new(HTTPRequest) }, func(a, b any) bool {
		return sameHTTPRequest(a.(*HTTPRequest), b.(*HTTPRequest))
	})
	check("src_endpoint", func() any { return new(Endpoint) }, func(a, b any) bool { return *a.(*Endpoint) == *b.(*Endpoint) })
	check("resource", func() any { return new(Resource) }, func(a, b any) bool {
		return slices.Equal([]Resource{*a.(*Resource)}, []Resource{*b.(*Resource)})
	})
}
