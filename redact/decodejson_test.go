package redact

import (
	"bytes"
	"encoding/json"
	"syscall"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeJSONStringRef is the byte-at-a-time decoder decodeJSONString replaced; the fuzz target
// holds the two to the same output.
func decodeJSONStringRef(tok []byte) []byte {
	s := tok[1 : len(tok)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(s[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if d := utf16.DecodeRune(r, hex4(s[i+3:i+7])); d != utf8.RuneError {
						out = utf8.AppendRune(out, d)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			out = append(out, s[i])
		}
	}
	return out
}

// FuzzDecodeJSONString: the decoder that copies runs between escapes at once gives the same
// bytes as the reference on every valid JSON string token.
func FuzzDecodeJSONString(f *testing.F) {
	for _, s := range []string{
		`""`, `"plain"`, `"a\"b"`, `"\\"`, `"\\\\x"`, `"x\n\t\r\b\f\/y"`, `"\u002b\u00e9"`,
		`"\ud83d\ude00 pair"`, `"\ud83d lone"`, `"\ude00\ud83d"`, `"tail\\"`, `"sk-\u0041BC\\u0044"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, tok []byte) {
		var v string
		if len(tok) < 2 || tok[0] != '"' || !json.Valid(tok) || json.Unmarshal(tok, &v) != nil {
			return // decodeJSONString takes validated string tokens only
		}
		if got, want := decodeJSONString(tok), decodeJSONStringRef(tok); !bytes.Equal(got, want) {
			t.Fatalf("decode %q = %q, want %q", tok, got, want)
		}
	})
}

// BenchmarkDecodeJSONString compares the two decoders on a 4 KiB prompt-like string with a
// few escapes (a chat request's content).
//
//	go test -run '^$' -bench DecodeJSONString -benchmem ./redact/
func BenchmarkDecodeJSONString(b *testing.B) {
	line := `The deployment pipeline builds each service, runs its tests, and publishes an image.\n`
	tok := []byte(`"` + string(bytes.Repeat([]byte(line), 4096/len(line))) + `"`)
	for _, c := range []struct {
		name string
		fn   func([]byte) []byte
	}{{"bytewise", decodeJSONStringRef}, {"runs", decodeJSONString}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(tok)))
			var ru0, ru1 syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			for b.Loop() {
				_ = c.fn(tok)
			}
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			// CPU per op: wall time swings with the shared machine's load.
			cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case isDigit(c):
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}
