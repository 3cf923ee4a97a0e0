package inspect

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// maxDecodedBody bounds a request body after its Content-Encoding is undone.
const maxDecodedBody = 8 << 20

// decodeContentEncoding undoes a request's Content-Encoding (gzip, deflate, br, zstd, in the
// order listed, as a server would) so that inspection reads what the server will read. A body
// that does not decode, an encoding warden does not know, or a decoded body past
// maxDecodedBody is reported (ambiguous, truncated) instead of being read as it is.
func (f *Facts) decodeContentEncoding(body []byte, encoding string) []byte {
	encs := strings.Split(strings.ToLower(encoding), ",")
	for i := len(encs) - 1; i >= 0; i-- { // the last encoding applied is undone first
		enc := strings.TrimSpace(encs[i])
		var r io.Reader
		var err error
		src := bytes.NewReader(body)
		switch enc {
		case "", "identity":
			continue
		case "gzip", "x-gzip":
			r, err = gzip.NewReader(src)
		case "deflate":
			// HTTP's deflate is zlib-wrapped; some clients send raw deflate.
			if r, err = zlib.NewReader(src); err != nil {
				r, err = flate.NewReader(bytes.NewReader(body)), nil
			}
		case "br":
			r = brotli.NewReader(src)
		case "zstd":
			d, derr := zstd.NewReader(src, zstd.WithDecoderMaxMemory(maxDecodedBody))
			if derr == nil {
				defer d.Close()
				r = d
			}
			err = derr
		default:
			f.ambiguous("request body has a content encoding warden does not read (" + enc + ")")
			return nil
		}
		if err != nil {
			f.ambiguous("request body does not decode as its content encoding (" + enc + ")")
			return nil
		}
		out, err := io.ReadAll(io.LimitReader(r, maxDecodedBody+1))
		if err != nil {
			f.ambiguous("request body does not decode as its content encoding (" + enc + ")")
			return nil
		}
		if len(out) > maxDecodedBody {
			f.truncate("decoded request body is larger than the " + itoa(maxDecodedBody) + "-byte inspection limit")
			return nil
		}
		body = out
	}
	return body
}
