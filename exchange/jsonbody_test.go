package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseJSONReadsEveryString(t *testing.T) {
	body := []byte("{\"a\\u0062\":[\"x\\ny\",\"caf\xc3\xa9\",\"\xff\"],\"n\":-1.5e3,\"t\":true}")
	j, ok := ParseJSON(body)
	if !ok {
		t.Fatal("valid JSON refused")
	}
	if !j.Of(body) || j.Of(bytes.Clone(body)) {
		t.Fatal("Of must hold for the bytes read and no others")
	}
	var keys, texts []string
	for i, n := range j.Nodes {
		switch n.Kind {
		case JSONKey:
			keys = append(keys, j.Key(i))
		case JSONString:
			texts = append(texts, string(j.Text(i)))
			if got := string(j.Src[n.Start:n.End]); got[0] != '"' || got[len(got)-1] != '"' {
				t.Fatalf("string span %q is not the quoted token", got)
			}
		}
	}
	if want := []string{"ab", "n", "t"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %q, want %q", keys, want)
	}
	if want := []string{"x\ny", "café", "\xff"}; !slices.Equal(texts, want) {
		t.Fatalf("texts %q, want %q", texts, want)
	}
	if got := j.StdText(5); got != "\uFFFD" {
		t.Fatalf("StdText of invalid UTF-8 = %q, want U+FFFD as encoding/json gives", got)
	}
	if j.Nodes[0].Members != 3 || j.Nodes[2].Members != 3 || j.MaxDepth != 2 {
		t.Fatalf("members %d/%d, depth %d", j.Nodes[0].Members, j.Nodes[2].Members, j.MaxDepth)
	}
	for _, bad := range []string{"", " ", `{"a":1}x`, "\xef\xbb\xbf{}", `{"a":1,}`, `"\u12"`, "[\"\x01\"]"} {
		if _, ok := ParseJSON([]byte(bad)); ok {
			t.Fatalf("ParseJSON accepted %q", bad)
		}
	}
}

// TestParseJSONNestingBound: ParseJSON reads nesting up to encoding/json's bound (10000
// containers) and refuses deeper text, as encoding/json does, so a stage that falls back to
// encoding/json for a body ParseJSON refused reaches the same verdict.
func TestParseJSONNestingBound(t *testing.T) {
	for _, n := range []int{maxJSONNesting, maxJSONNesting + 1} {
		for _, c := range [][2]string{{"[", "]"}, {`{"a":`, "}"}} {
			b := []byte(strings.Repeat(c[0], n) + "1" + strings.Repeat(c[1], n))
			j, ok := ParseJSON(b)
			if ok != json.Valid(b) || ok != (n <= maxJSONNesting) {
				t.Fatalf("%d of %q: ParseJSON %v, encoding/json %v", n, c[0], ok, json.Valid(b))
			}
			if ok && j.MaxDepth != n {
				t.Fatalf("%d of %q: MaxDepth %d", n, c[0], j.MaxDepth)
			}
		}
	}
}

// TestStdTextSharesTheBody: the text of a valid string is the body's bytes (or the unescaped
// buffer's), not a copy, so inspection's values of a large prompt cost no second allocation of
// it; escaped and invalid-UTF-8 strings still read as encoding/json reads them.
func TestStdTextSharesTheBody(t *testing.T) {
	prompt := strings.Repeat("deploy the service after review. ", 128)
	body := []byte(`{"messages":[{"content":"` + prompt + `"},{"content":"a\nb"}],"x":"` + "\xff" + `"}`)
	j, ok := ParseJSON(body)
	if !ok {
		t.Fatal("valid JSON refused")
	}
	var plain, escaped, invalid int
	for i, n := range j.Nodes {
		if n.Kind != JSONString {
			continue
		}
		switch string(j.Raw(i)) {
		case `"` + prompt + `"`:
			plain = i
		case `"a\nb"`:
			escaped = i
		case "\"\xff\"":
			invalid = i
		}
	}
	want := []string{prompt, "a\nb", "\uFFFD"} // as encoding/json decodes them
	got := []string{j.StdText(plain), j.StdText(escaped), j.StdText(invalid)}
	if !slices.Equal(got, want) {
		t.Fatalf("StdText %q, want %q", got, want)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = j.StdText(plain); _ = j.StdText(escaped) }); allocs != 0 {
		t.Fatalf("StdText of valid text allocated %.0f times per call pair; want 0 (shared with the body)", allocs)
	}
}

// TestReleasedBodyIsReadAfresh: a body read after another was released (its node and key arrays
// reused) reads exactly as one read first, and the strings taken from the released body, escaped
// ones included, keep their text.
func TestReleasedBodyIsReadAfresh(t *testing.T) {
	first := []byte(`{"messages":[{"role":"user","content":"line\none"}],"zz_key":"v","n":[1,2,3,{"deep":true}]}`)
	second := []byte(`{"model":"m","other_key":"x\u0041y"}`)
	wantSecond, ok := ParseJSON(bytes.Clone(second))
	if !ok {
		t.Fatal("valid JSON refused")
	}
	want := dumpJSON(wantSecond)
	for range 50 {
		j, ok := ParseJSON(first)
		if !ok {
			t.Fatal("valid JSON refused")
		}
		var escaped, key string
		for i, n := range j.Nodes {
			switch {
			case n.Kind == JSONString && string(j.Raw(i)) == `"line\none"`:
				escaped = j.StdText(i)
			case n.Kind == JSONKey && j.Key(i) == "zz_key":
				key = j.Key(i)
			}
		}
		ReleaseJSON(j)
		k, ok := ParseJSON(second)
		if !ok {
			t.Fatal("valid JSON refused")
		}
		if got := dumpJSON(k); got != want {
			t.Fatalf("a body read after a release:\n got %s\nwant %s", got, want)
		}
		if escaped != "line\none" || key != "zz_key" {
			t.Fatalf("strings of a released body changed: %q %q", escaped, key)
		}
		ReleaseJSON(k)
	}
	ReleaseJSON(nil)
}

// dumpJSON lists every node of j with its text, for comparing two readings.
func dumpJSON(j *JSONBody) string {
	var b strings.Builder
	for i, n := range j.Nodes {
		b.WriteString(string(j.Raw(i)))
		switch n.Kind {
		case JSONKey:
			b.WriteString("=" + j.Key(i))
		case JSONString:
			b.WriteString("=" + j.StdText(i))
		}
		fmt.Fprintf(&b, " %d/%d/%d/%d;", n.Kind, n.Next, n.Members, n.Start)
	}
	return b.String() + fmt.Sprint(j.MaxDepth)
}
