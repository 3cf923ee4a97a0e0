package pipeline

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

const awsKey = "AKIAIOSFODNN7EXAMPL3"

func exchangeTo(authority, path string) *exchange.Exchange {
	return &exchange.Exchange{Request: exchange.Request{Authority: authority, Path: path}}
}

func off() *bool { b := false; return &b }

func TestRedactBodies(t *testing.T) {
	r := newTestRedactor(t)
	x := exchangeTo("api.openai.com", "/v1/chat/completions")
	req := extproc.RedactOptions{Phase: exchange.PhaseRequest}
	for _, tc := range []struct {
		name, contentType, body string
		valid                   func([]byte) bool
	}{
		{"json stays json", "application/json", `{"k":"key ` + awsKey + `","mail":"bob@example.com"}`, json.Valid},
		{"json array stream", "application/json", `[{"t":"key ` + awsKey + `"}]`, json.Valid},
		{"sse", "text/event-stream", "data: {\"t\":\"key " + awsKey + "\"}\n\n", nil},
		{"ndjson", "application/x-ndjson", `{"t":"key ` + awsKey + `"}` + "\n", nil},
		{"broken json read as text", "application/json", `{"k": "` + awsKey, nil},
		{"text", "text/plain", "key " + awsKey, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := req
			opts.ContentType = tc.contentType
			out, counts, err := r.Redact(x, []byte(tc.body), opts)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, []byte(awsKey)) || counts["secret"] == 0 {
				t.Fatalf("out %q counts %v", out, counts)
			}
			if tc.valid != nil && !tc.valid(out) {
				t.Fatalf("out %q is no longer valid", out)
			}
		})
	}
}

func TestRedactRoutesAndExact(t *testing.T) {
	r, err := NewRedactor(RedactConfig{Routes: []RedactRoute{
		{Host: "*.internal", PathPrefix: "/raw", Request: off(), Response: off()},
		{Host: "api.example.com", PII: off()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("key " + awsKey + " mail bob@example.com echo sk-injected-1234")
	t.Run("a route switches a direction off, injected credentials still go", func(t *testing.T) {
		for _, phase := range []exchange.Phase{exchange.PhaseRequest, exchange.PhaseResponse} {
			out, _, err := r.Redact(exchangeTo("db.internal:8443", "/raw/x"), body, extproc.RedactOptions{Phase: phase, Exact: []string{"sk-injected-1234"}})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(out, []byte(awsKey)) || bytes.Contains(out, []byte("sk-injected-1234")) {
				t.Fatalf("%s: %q", phase, out)
			}
			out, _, _ = r.Redact(exchangeTo("db.internal", "/raw"), body, extproc.RedactOptions{Phase: phase})
			if !bytes.Equal(out, body) {
				t.Fatalf("%s: redaction off changed the body: %q", phase, out)
			}
		}
	})
	t.Run("pii off keeps e-mail addresses, not secrets", func(t *testing.T) {
		out, _, _ := r.Redact(exchangeTo("API.example.com", "/"), body, extproc.RedactOptions{Phase: exchange.PhaseRequest})
		if !bytes.Contains(out, []byte("bob@example.com")) || bytes.Contains(out, []byte(awsKey)) {
			t.Fatalf("%q", out)
		}
	})
	t.Run("other hosts: defaults", func(t *testing.T) {
		out, _, _ := r.Redact(exchangeTo("other.example.org", "/raw"), body, extproc.RedactOptions{Phase: exchange.PhaseRequest})
		if bytes.Contains(out, []byte("bob@example.com")) || bytes.Contains(out, []byte(awsKey)) {
			t.Fatalf("%q", out)
		}
	})
	t.Run("streams follow the same settings", func(t *testing.T) {
		s := r.NewStream(exchangeTo("db.internal", "/raw"), extproc.RedactOptions{Phase: exchange.PhaseResponse, ContentType: "text/plain"})
		a, _ := s.Write(body)
		b, _ := s.Close()
		if !bytes.Equal(append(a, b...), body) {
			t.Fatalf("%q", append(a, b...))
		}
		s = r.NewStream(exchangeTo("x.example.org", "/"), extproc.RedactOptions{Phase: exchange.PhaseResponse, ContentType: "text/event-stream"})
		a, _ = s.Write([]byte("data: {\"t\":\"" + awsKey + "\"}\n\n"))
		b, _ = s.Close()
		if bytes.Contains(append(a, b...), []byte(awsKey)) || s.Counts()["secret"] != 1 {
			t.Fatalf("%q %v", append(a, b...), s.Counts())
		}
	})
}

func TestRedactTextAndSecrets(t *testing.T) {
	r := newTestRedactor(t)
	in := "key " + awsKey + " mail bob@example.com"
	if got := r.Text(in); strings.Contains(got, awsKey) || strings.Contains(got, "bob@example.com") {
		t.Fatalf("Text: %q", got)
	}
	if got := r.Secrets(in); strings.Contains(got, awsKey) || !strings.Contains(got, "bob@example.com") {
		t.Fatalf("Secrets: %q, want the secret gone and the address kept", got)
	}
}

func TestRedactHMACKeyFile(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("tiny"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRedactor(RedactConfig{HMACKeyFile: short}); err == nil || !strings.Contains(err.Error(), "at least 16 bytes") {
		t.Fatalf("short key: %v", err)
	}
	if _, err := NewRedactor(RedactConfig{HMACKeyFile: filepath.Join(dir, "missing")}); err == nil {
		t.Fatal("missing key file accepted")
	}
	good := filepath.Join(dir, "key")
	if err := os.WriteFile(good, bytes.Repeat([]byte("k"), 32), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := NewRedactor(RedactConfig{HMACKeyFile: good})
	if err != nil {
		t.Fatal(err)
	}
	out, _, _ := r.Redact(exchangeTo("h", "/"), []byte("key "+awsKey), extproc.RedactOptions{Phase: exchange.PhaseRequest})
	if bytes.Contains(out, []byte(awsKey)) || !bytes.Contains(out, []byte("[REDACTED:")) {
		t.Fatalf("%q", out)
	}
}

func TestDecodeBody(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(bytes.Repeat([]byte("a"), 4096))
	_ = zw.Close()
	out, err := DecodeBody("gzip", buf.Bytes(), 1<<20)
	if err != nil || len(out) != 4096 {
		t.Fatalf("%d bytes, %v", len(out), err)
	}
	if _, err := DecodeBody("gzip", buf.Bytes(), 100); !errors.Is(err, extproc.ErrBodyTooLarge) {
		t.Fatalf("over the limit: %v, want extproc.ErrBodyTooLarge", err)
	}
}

// A redaction route names its host as the credential and identity routes do: case does not
// matter, nor the port or the trailing dot of a fully qualified authority. A route that switches
// redaction on where it is off by default must not be missed by a differently written host.
func TestRedactRouteHostMatchesLikeTheOtherRoutes(t *testing.T) {
	on := func() *bool { b := true; return &b }
	r, err := NewRedactor(RedactConfig{Request: off(), Routes: []RedactRoute{
		{Host: "*.Internal.Example", Request: on()},
		{Host: "DB.Example.com", Request: on()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	req := extproc.RedactOptions{Phase: exchange.PhaseRequest, ContentType: "text/plain"}
	for _, authority := range []string{
		"db.internal.example", "db.internal.example:8443", "db.internal.example.", "Db.Internal.Example.:443",
		"db.example.com", "db.example.com.",
	} {
		out, _, err := r.Redact(exchangeTo(authority, "/"), []byte("key "+awsKey), req)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), awsKey) {
			t.Errorf("%s: the route that switches request redaction on did not apply: %q", authority, out)
		}
	}
	for _, authority := range []string{"internal.example", "evilinternal.example", "db.example.com.evil"} {
		out, _, _ := r.Redact(exchangeTo(authority, "/"), []byte("key "+awsKey), req)
		if !strings.Contains(string(out), awsKey) {
			t.Errorf("%s: a route for another host applied", authority)
		}
	}
}
