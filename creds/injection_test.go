package creds

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestInjectionNeverPrintsSecrets(t *testing.T) {
	const secret = "sk-live-7f3a9c1e5b"
	in := Injection{
		Role:    "openai",
		LeaseID: "database/creds/app/abc",
		TTL:     time.Minute,
		Set:     []HeaderValue{{Name: "authorization", Value: "Bearer " + secret}},
		Remove:  []string{"authorization"},
		Secrets: []string{secret, "Bearer " + secret},
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("inject", "injection", in, "header", in.Set[0], "headers", in.Set)
	outputs := map[string]string{
		"String":  in.String(),
		"%v":      fmt.Sprintf("%v", in),
		"%+v":     fmt.Sprintf("%+v", in),
		"%#v":     fmt.Sprintf("%#v", in),
		"%s":      fmt.Sprintf("%s", in),
		"%q":      fmt.Sprintf("%q", in),
		"pointer": fmt.Sprintf("%v", &in),
		"header":  fmt.Sprintf("%+v %#v", in.Set[0], in.Set),
		"slog":    logged.String(),
		"errorf":  fmt.Errorf("wrapped: %v", in).Error(),
		"json":    mustJSON(t, map[string]any{"in": in, "set": in.Set, "ptr": &in}),
	}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(out, secret) {
				t.Fatalf("secret printed: %s", out)
			}
		})
	}
	t.Run("audit fields stay visible", func(t *testing.T) {
		for _, want := range []string{"openai", "database/creds/app/abc", "authorization"} {
			if !strings.Contains(in.String(), want) || !strings.Contains(logged.String(), want) {
				t.Errorf("%q missing from %s / %s", want, in.String(), logged.String())
			}
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
