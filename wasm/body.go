package main

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"strings"

	"github.com/warden-gw/warden/redact"
)

// bodyKind is how a body is read by the engine.
type bodyKind int

const (
	kindText   bodyKind = iota // scanned as bytes
	kindJSON                   // decoded string by string (escapes cannot hide a secret)
	kindSSE                    // event by event, text that continues across events joined
	kindNDJSON                 // line by line, like SSE
	kindOpaque                 // framed binary (gRPC): replacing bytes would corrupt it; passed as is
)

// kindOf classifies a content-type header value. Anything that is not JSON,
// SSE or gRPC, including a missing or malformed content-type, is scanned as
// text: the byte scanner finds every secret a text body can hold.
func kindOf(contentType string) bodyKind {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return kindText
	}
	switch redact.KindOf(mt) {
	case redact.KindSSE:
		return kindSSE
	case redact.KindNDJSON:
		return kindNDJSON
	case redact.KindJSON:
		return kindJSON
	}
	switch {
	case mt == "application/grpc" || strings.HasPrefix(mt, "application/grpc+") || strings.HasPrefix(mt, "application/grpc-web"):
		return kindOpaque
	}
	return kindText
}

// isIdentity reports whether a content-encoding value leaves the body as is.
func isIdentity(enc string) bool {
	enc = strings.ToLower(strings.TrimSpace(enc))
	return enc == "" || enc == "identity"
}

// redactWhole redacts a complete body and reports each finding's class to
// found, and to unlearned how many values of a body read as a stream of
// events were scanned on their own (redact.Stream.Limits). It returns the body itself when nothing was found. JSON that does not
// parse is scanned as text, so a body that merely claims to be JSON is still
// redacted.
func redactWhole(eng *redact.Engine, kind bodyKind, body []byte, opts redact.Options, maxEvent int,
	found func(redact.Class), unlearned func(int),
) ([]byte, int, error) {
	if kind == kindSSE || kind == kindNDJSON || kind == kindJSON && isJSONArray(body) {
		// A stream of events, even buffered whole: text split across events (a Gemini JSON
		// array, an NDJSON body) is joined before it is scanned.
		n := 0
		s := eng.NewStream(kind.stream(), redact.StreamOptions{
			Options:   opts,
			MaxEvent:  maxEvent,
			OnFinding: func(f redact.Finding) { n++; found(f.Class) },
		})
		out, err := s.Write(body)
		if err != nil {
			return nil, 0, fmt.Errorf("redact streamed body: %w", err)
		}
		tail, err := s.Close()
		if err != nil {
			return nil, 0, fmt.Errorf("redact streamed body: %w", err)
		}
		unlearned(s.Limits()["stream_fields_unlearned"])
		if n == 0 {
			return body, 0, nil
		}
		return append(out, tail...), n, nil
	}
	switch kind {
	case kindJSON:
		out, fs, err := eng.RedactJSON(body, opts)
		if err == nil {
			for _, f := range fs {
				found(f.Class)
			}
			return out, len(fs), nil
		}
		if !errors.Is(err, redact.ErrInvalidJSON) {
			return nil, 0, fmt.Errorf("redact JSON body: %w", err)
		}
	}
	out, fs := eng.Redact(body, opts)
	for _, f := range fs {
		found(f.Class)
	}
	return out, len(fs), nil
}

// stream is the redact stream kind that reads a body of this kind.
func (k bodyKind) stream() redact.Kind {
	switch k {
	case kindSSE:
		return redact.KindSSE
	case kindNDJSON:
		return redact.KindNDJSON
	case kindJSON:
		return redact.KindJSON
	}
	return redact.KindText
}

// isJSONArray reports whether a JSON body is an array (after white space and a byte order mark).
func isJSONArray(body []byte) bool {
	b := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")), " \t\r\n")
	return len(b) > 0 && b[0] == '['
}
