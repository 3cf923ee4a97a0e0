package main

import (
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
	kindSSE                    // event by event, deltas of one string joined
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
	switch {
	case mt == "text/event-stream":
		return kindSSE
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return kindJSON
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
// found. It returns the body itself when nothing was found. JSON that does not
// parse is scanned as text, so a body that merely claims to be JSON is still
// redacted.
func redactWhole(eng *redact.Engine, kind bodyKind, body []byte, opts redact.Options, maxEvent int,
	found func(redact.Class),
) ([]byte, int, error) {
	switch kind {
	case kindSSE:
		n := 0
		s := eng.NewStream(redact.KindSSE, redact.StreamOptions{
			Options:   opts,
			MaxEvent:  maxEvent,
			OnFinding: func(f redact.Finding) { n++; found(f.Class) },
		})
		out, err := s.Write(body)
		if err != nil {
			return nil, 0, fmt.Errorf("redact SSE body: %w", err)
		}
		tail, err := s.Close()
		if err != nil {
			return nil, 0, fmt.Errorf("redact SSE body: %w", err)
		}
		if n == 0 {
			return body, 0, nil
		}
		return append(out, tail...), n, nil
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
