package main

import (
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Config
		wantErr string
	}{
		{name: "empty means defaults", in: "", want: defaultConfig()},
		{name: "whitespace means defaults", in: " \n", want: defaultConfig()},
		{name: "empty object keeps defaults", in: `{}`, want: defaultConfig()},
		{
			name: "all set", in: `{"request": true, "response": false, "pii": false, "max_body_bytes": 65536}`,
			want: Config{Request: true, PII: false, MaxBodyBytes: 65536},
		},
		{
			name: "pii off keeps the response default", in: `{"pii": false}`,
			want: Config{Response: true, MaxBodyBytes: defaultMaxBody},
		},
		{name: "bad JSON", in: `{"request": tru}`, wantErr: "not valid JSON"},
		{name: "wrong type", in: `{"pii": "no"}`, wantErr: "not valid JSON"},
		{name: "unknown field (typo)", in: `{"reponse": true}`, wantErr: `unknown field "reponse"`},
		{name: "two objects", in: `{} {}`, wantErr: "data after the JSON object"},
		{name: "both directions off", in: `{"response": false}`, wantErr: "would do nothing"},
		{name: "bound too small", in: `{"max_body_bytes": 10}`, wantErr: "out of range"},
		{name: "bound too large", in: `{"max_body_bytes": 1073741824}`, wantErr: "out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseConfig([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseConfig(%q) error = %v, want one containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("parseConfig(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestPluginStart(t *testing.T) {
	tests := []struct {
		name, config string
		ok           bool
		log          string
	}{
		{name: "bad JSON fails the start", config: `{"response": yes}`, log: "plugin configuration is not valid JSON"},
		{name: "typo fails the start", config: `{"requets": true}`, log: `unknown field "requets"`},
		{
			name: "valid config starts", config: `{"request": true, "pii": false}`, ok: true,
			log: "request=true response=true pii=false max_body_bytes=8388608",
		},
		{
			name: "no config starts with defaults", config: ``, ok: true,
			log: "request=false response=true pii=true",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := newHost(t, &vmContext{}, tc.config)
			st := host.StartPlugin()
			if (st == types.OnPluginStartStatusOK) != tc.ok {
				t.Fatalf("StartPlugin = %v, want ok=%v; critical logs: %v", st, tc.ok, host.GetCriticalLogs())
			}
			logs := host.GetCriticalLogs()
			if tc.ok {
				logs = host.GetInfoLogs()
			}
			if !containsLine(logs, tc.log) {
				t.Fatalf("logs %q do not say %q", logs, tc.log)
			}
		})
	}
}

func containsLine(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}
