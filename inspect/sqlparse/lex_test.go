package sqlparse

import (
	"errors"
	"strings"
	"testing"
)

// TestLexTokenOffsets checks the byte offsets lex records and that a letter directly before a
// quote starts a prefixed literal (E'...', B'...', U&'...') rather than an identifier.
func TestLexTokenOffsets(t *testing.T) {
	type tok struct {
		kind     tokKind
		text     string
		pos, end int32
	}
	tests := []struct {
		src  string
		want []tok
	}{
		{"select a, b", []tok{
			{tkIdent, "select", 0, 6}, {tkIdent, "a", 7, 8}, {tkPunct, ",", 8, 9}, {tkIdent, "b", 10, 11},
		}},
		{"x", []tok{{tkIdent, "x", 0, 1}}},
		{"e'a\\nb' = x", []tok{{tkString, "", 0, 7}, {tkOp, "=", 8, 9}, {tkIdent, "x", 10, 11}}},
		{"b'101'", []tok{{tkOpaque, "", 0, 6}}},
		{"ab'x'", []tok{{tkIdent, "ab", 0, 2}, {tkString, "x", 2, 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			toks, err := lex(tt.src, nil)
			if err != nil {
				t.Fatalf("lex: %v", err)
			}
			got := make([]tok, len(toks))
			for i, k := range toks {
				got[i] = tok{k.kind, k.text, k.pos, k.end}
				if k.kind == tkString && k.esc {
					got[i].text = "" // an undecoded E'' string carries no value
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("tokens = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("token %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
	if _, err := lex("u&'x'", nil); !errors.Is(err, errLexUnsure) {
		t.Errorf("lex(u&'x') error = %v, want errLexUnsure (Unicode escapes go to PostgreSQL)", err)
	}
}

// TestLexInputLimit checks that lex takes texts up to MaxInputBytes, with exact offsets at the
// end, and hands longer ones to the full parser instead of truncating their offsets.
func TestLexInputLimit(t *testing.T) {
	atLimit := strings.Repeat("a ", MaxInputBytes/2-1) + "zz"
	if len(atLimit) != MaxInputBytes {
		t.Fatalf("test text is %d bytes, want %d", len(atLimit), MaxInputBytes)
	}
	toks, err := lex(atLimit, nil)
	if err != nil {
		t.Fatalf("lex of a %d-byte text: %v", len(atLimit), err)
	}
	last := toks[len(toks)-1]
	if last.text != "zz" || int(last.pos) != MaxInputBytes-2 || int(last.end) != MaxInputBytes {
		t.Errorf("last token = %q [%d,%d), want \"zz\" [%d,%d)", last.text, last.pos, last.end, MaxInputBytes-2, MaxInputBytes)
	}
	if _, err := lex(atLimit+" ", nil); !errors.Is(err, errLexUnsure) {
		t.Errorf("lex of a %d-byte text: error = %v, want errLexUnsure", len(atLimit)+1, err)
	}
}
