package creds

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

var (
	// ErrUnavailable means Vault could not be reached (or is sealed or
	// failing) and no usable cached credential exists. Callers fail closed
	// (HTTP 503).
	ErrUnavailable = errors.New("vault unavailable")
	// ErrNoRoute means no route matches the request: it needs no credential.
	ErrNoRoute = errors.New("no credential route matches")
	// ErrVault means Vault answered but refused or lacks the secret
	// (permission denied, missing path, unusable data). Callers fail closed.
	ErrVault = errors.New("vault refused the credential")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("credential broker closed")
)

// HeaderValue is one header to set on the upstream request.
type HeaderValue struct {
	Name  string // lower case
	Value string // secret: never log it
}

// Injection is what to do to one upstream request.
type Injection struct {
	Role    string
	LeaseID string        // empty for secrets without a lease (kv2)
	TTL     time.Duration // remaining lifetime of the lease; 0 when there is none
	Version int           // kv2 secret version; 0 otherwise
	// Set are the headers to add, after removing Remove.
	Set []HeaderValue
	// Remove are the agent's credential headers to strip (lower case).
	Remove []string
	// Secrets are the raw secret values (and rendered header values) for the
	// redactor's exact-match list, so an upstream echoing them is redacted.
	// Never log them.
	Secrets []string
}

// String describes the injection without secret values.
func (in Injection) String() string {
	names := make([]string, len(in.Set))
	for i, h := range in.Set {
		names[i] = h.Name
	}
	return fmt.Sprintf("creds.Injection{Role: %q, LeaseID: %q, TTL: %s, Version: %d, Set: [%s] (values redacted), Remove: %v, Secrets: %d redacted}",
		in.Role, in.LeaseID, in.TTL, in.Version, strings.Join(names, " "), in.Remove, len(in.Secrets))
}

// GoString is String, so %#v cannot print secrets either.
func (in Injection) GoString() string { return in.String() }

// Format makes every fmt verb (%v, %+v, %s, %q, %#v) print the redacted form.
func (in Injection) Format(f fmt.State, verb rune) {
	_, _ = f.Write([]byte(in.String()))
}

// LogValue makes slog print the audit-safe fields only.
func (in Injection) LogValue() slog.Value {
	names := make([]string, len(in.Set))
	for i, h := range in.Set {
		names[i] = h.Name
	}
	return slog.GroupValue(
		slog.String("role", in.Role),
		slog.String("lease_id", in.LeaseID),
		slog.Duration("ttl", in.TTL),
		slog.Any("set_headers", names),
	)
}

// String redacts the value.
func (h HeaderValue) String() string { return h.Name + ": [redacted]" }

// GoString redacts the value.
func (h HeaderValue) GoString() string { return h.String() }

// Format makes every fmt verb print the redacted form.
func (h HeaderValue) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(h.String())) }

// LogValue redacts the value.
func (h HeaderValue) LogValue() slog.Value { return slog.StringValue(h.String()) }

// MarshalJSON redacts the value, so a HeaderValue encoded into a log or an
// audit record cannot leak the credential.
func (h HeaderValue) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"name": h.Name, "value": "[redacted]"})
}

// MarshalJSON encodes the audit-safe fields only.
func (in Injection) MarshalJSON() ([]byte, error) {
	names := make([]string, len(in.Set))
	for i, h := range in.Set {
		names[i] = h.Name
	}
	return json.Marshal(struct {
		Role       string   `json:"role"`
		LeaseID    string   `json:"lease_id,omitempty"`
		TTLSeconds int64    `json:"ttl_seconds,omitempty"`
		Version    int      `json:"version,omitempty"`
		SetHeaders []string `json:"set_headers"`
	}{in.Role, in.LeaseID, int64(in.TTL / time.Second), in.Version, names})
}
