package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Config is the plugin configuration (the `configuration` of the Envoy wasm
// filter), for example {"request": false, "response": true, "pii": true}.
type Config struct {
	// Request redacts request bodies (default false).
	Request bool `json:"request"`
	// Response redacts response bodies (default true).
	Response bool `json:"response"`
	// PII redacts personal data (e-mail, phone, card, IBAN, SSN) as well as
	// secrets (default true).
	PII bool `json:"pii"`
	// MaxBodyBytes bounds a buffered body, before and after decoding
	// (default 8 MiB). A larger request gets a 413 local reply, a larger
	// response a 502: a body that cannot be scanned is never passed on.
	MaxBodyBytes int `json:"max_body_bytes"`
}

const (
	defaultMaxBody = 8 << 20
	minMaxBody     = 4 << 10
	maxMaxBody     = 256 << 20
)

func defaultConfig() Config {
	return Config{Response: true, PII: true, MaxBodyBytes: defaultMaxBody}
}

// parseConfig reads the plugin configuration. An empty configuration means
// the defaults; unknown fields are refused so that a typo ("reponse") does not
// silently turn redaction off.
func parseConfig(data []byte) (Config, error) {
	cfg := defaultConfig()
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("plugin configuration is not valid JSON of the form "+
			`{"request": bool, "response": bool, "pii": bool, "max_body_bytes": int}: %w`, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Config{}, errors.New("plugin configuration has data after the JSON object; give exactly one object")
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = defaultMaxBody
	}
	if cfg.MaxBodyBytes < minMaxBody || cfg.MaxBodyBytes > maxMaxBody {
		return Config{}, fmt.Errorf("plugin configuration: max_body_bytes %d is out of range; give a value between %d and %d",
			cfg.MaxBodyBytes, minMaxBody, maxMaxBody)
	}
	if !cfg.Request && !cfg.Response {
		return Config{}, errors.New(`plugin configuration turns off both "request" and "response": the filter would do nothing; remove it from the route instead`)
	}
	return cfg, nil
}
