package redact

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// ErrTooLarge is returned by Decode when the decoded body would exceed the
// limit (a decompression bomb, or simply a body too large to scan). The
// server answers 413 on the request side and 502 on the response side.
var ErrTooLarge = errors.New("redact: decoded body exceeds the size limit")

// ErrUnknownEncoding is returned by Decode for a content-coding it cannot
// decode. The body must then not be passed on unscanned.
var ErrUnknownEncoding = errors.New("redact: unsupported content-encoding")

// Decode undoes a Content-Encoding header value ("gzip", "br", "deflate",
// "zstd", "identity", or a comma-separated list applied in order, which is
// undone in reverse) so the body can be scanned. The decoded size is bounded
// by limit at every step. Deflate accepts both the zlib-wrapped form RFC 9110
// specifies and the raw form some servers send.
func Decode(contentEncoding string, body []byte, limit int64) ([]byte, error) {
	codings := strings.Split(contentEncoding, ",")
	out := body
	for i := len(codings) - 1; i >= 0; i-- {
		c := strings.ToLower(strings.TrimSpace(codings[i]))
		var err error
		switch c {
		case "", "identity":
			continue
		case "gzip", "x-gzip":
			out, err = decodeWith(out, limit, func(r io.Reader) (io.ReadCloser, error) { return gzip.NewReader(r) })
		case "deflate":
			dec, zerr := decodeWith(out, limit, func(r io.Reader) (io.ReadCloser, error) { return zlib.NewReader(r) })
			if zerr == nil || errors.Is(zerr, ErrTooLarge) {
				out, err = dec, zerr
				break
			}
			out, err = decodeWith(out, limit, func(r io.Reader) (io.ReadCloser, error) { return flate.NewReader(r), nil })
		case "br":
			out, err = decodeWith(out, limit, func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(brotli.NewReader(r)), nil })
		case "zstd":
			out, err = decodeWith(out, limit, func(r io.Reader) (io.ReadCloser, error) {
				d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(max(limit, 1<<20))))
				if err != nil {
					return nil, err
				}
				return d.IOReadCloser(), nil
			})
		default:
			return nil, fmt.Errorf("%w %q: accept only gzip, deflate, br, zstd (or ask the upstream for identity)", ErrUnknownEncoding, c)
		}
		if err != nil {
			return nil, fmt.Errorf("decode %s body: %w", c, err)
		}
	}
	if int64(len(out)) > limit {
		return nil, ErrTooLarge
	}
	return out, nil
}

func decodeWith(body []byte, limit int64, open func(io.Reader) (io.ReadCloser, error)) ([]byte, error) {
	r, err := open(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded) {
		return nil, ErrTooLarge
	}
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, ErrTooLarge
	}
	return buf.Bytes(), nil
}
