package redact_test

import (
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

type innerRec struct {
	Note  string
	Tags  []string
	Attrs map[string]string
}

type outerRec struct {
	Path   string
	Ptr    *innerRec
	List   []innerRec
	Any    any
	Bytes  []byte
	hidden string
}

// TestFieldsReachesEveryString: a canary planted in every kind of string
// field of a record (nested, in slices, map keys and values, behind pointers
// and interfaces) is redacted; bytes and unexported fields are left alone.
func TestFieldsReachesEveryString(t *testing.T) {
	eng := engine(t)
	tok := ""
	for _, s := range samples(t) {
		if s.Rule == "github-pat" {
			tok = s.Secret
		}
	}
	canary := "x " + tok + " y"
	r := &outerRec{
		Path:   "/bot/" + tok,
		Ptr:    &innerRec{Note: canary, Tags: []string{canary}, Attrs: map[string]string{canary: canary}},
		List:   []innerRec{{Note: canary}},
		Any:    innerRec{Note: canary},
		Bytes:  []byte(canary),
		hidden: canary,
	}
	redact.Fields(r, eng.Text)
	got := []string{r.Path, r.Ptr.Note, r.Ptr.Tags[0], r.List[0].Note, r.Any.(innerRec).Note}
	for k, v := range r.Ptr.Attrs {
		got = append(got, k, v)
	}
	for i, s := range got {
		if strings.Contains(s, tok) || !strings.Contains(s, "[REDACTED:github-pat]") {
			t.Errorf("string %d not redacted: %q", i, s)
		}
	}
	if string(r.Bytes) != canary || r.hidden != canary {
		t.Error("bytes or an unexported field changed")
	}
	if got := eng.Text("contact jane@example.org"); got != "contact jane@example.org" {
		t.Errorf("Text redacted personal data: %q", got)
	}
}
