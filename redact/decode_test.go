package redact_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/warden-gw/warden/redact"
)

func compress(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "raw-deflate":
		w, _ = flate.NewWriter(&buf, flate.BestSpeed)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		zw, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecode(t *testing.T) {
	body := []byte(`{"content":"token ghp_... and more text"}`)
	tests := []struct {
		name, header string
		encoded      []byte
	}{
		{"gzip", "gzip", compress(t, "gzip", body)},
		{"deflate zlib", "deflate", compress(t, "deflate", body)},
		{"deflate raw", "deflate", compress(t, "raw-deflate", body)},
		{"br", "br", compress(t, "br", body)},
		{"zstd", "zstd", compress(t, "zstd", body)},
		{"identity", "identity", body},
		{"two codings in order", "gzip, br", compress(t, "br", compress(t, "gzip", body))},
		{"case and spaces", " GZIP ", compress(t, "gzip", body)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := redact.Decode(tt.header, tt.encoded, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, body) {
				t.Fatalf("got %q", got)
			}
		})
	}
}

func TestDecodeBombIsTooLarge(t *testing.T) {
	bomb := bytes.Repeat([]byte{0}, 50<<20)
	for _, enc := range []string{"gzip", "br", "zstd", "deflate"} {
		t.Run(enc, func(t *testing.T) {
			packed := compress(t, enc, bomb)
			if len(packed) > 1<<20 {
				t.Fatalf("bomb not small: %d", len(packed))
			}
			_, err := redact.Decode(enc, packed, 1<<20)
			if !errors.Is(err, redact.ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	if _, err := redact.Decode("compress", []byte("x"), 10); !errors.Is(err, redact.ErrUnknownEncoding) {
		t.Fatalf("unknown encoding: err = %v", err)
	}
	if _, err := redact.Decode("gzip", []byte("not gzip at all"), 100); err == nil {
		t.Fatal("corrupt gzip accepted")
	}
	if _, err := redact.Decode("identity", []byte("0123456789"), 5); !errors.Is(err, redact.ErrTooLarge) {
		t.Fatalf("identity over limit: err = %v", err)
	}
}
