// Package redactlog wraps a log/slog handler so that every string a log line
// carries - its message and every attribute, including errors and values
// formatted with %v - passes a redactor first. Installed once around the
// process logger, it makes "no secret reaches a log" hold for log calls
// written later too.
package redactlog

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/warden-gw/warden/redact"
)

// Handler redacts records before passing them to the wrapped handler.
type Handler struct {
	next   slog.Handler
	redact func(string) string
}

var _ slog.Handler = (*Handler)(nil)

// New wraps next; redact replaces the secrets in one string.
func New(next slog.Handler, redact func(string) string) *Handler {
	return &Handler{next: next, redact: redact}
}

// Enabled reports whether the wrapped handler handles level.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle redacts the message and the attributes, then passes the record on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts attrs once, when they are attached.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return &Handler{next: h.next.WithAttrs(red), redact: h.redact}
}

// WithGroup passes the group on, its name redacted.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(h.redact(name)), redact: h.redact}
}

// attr redacts a's value and its key: keys are nearly always constants (one
// memo look-up each with Engine.Text), but a token passed where a key goes,
// log.Info("msg", tok, v), is written as a key.
func (h *Handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	key := h.redact(a.Key)
	switch v.Kind() {
	case slog.KindString:
		// The key is the value's context: slog.String("x-api-key", hex) is a secret by its key.
		return slog.String(key, redact.InContext(a.Key, v.String(), h.redact))
	case slog.KindGroup:
		g := v.Group()
		red := make([]slog.Attr, len(g))
		for i, ga := range g {
			red[i] = h.attr(ga)
		}
		return slog.Attr{Key: key, Value: slog.GroupValue(red...)}
	case slog.KindAny:
		if b, ok := v.Any().([]byte); ok {
			// A body: fmt would write its bytes as decimal numbers, which no rule reads.
			return slog.String(key, redact.InContext(a.Key, string(b), h.redact))
		}
		// Errors, Stringers and structs are written as text: redact that text.
		return slog.String(key, h.redact(fmt.Sprint(v.Any())))
	default:
		return slog.Attr{Key: key, Value: v}
	}
}
