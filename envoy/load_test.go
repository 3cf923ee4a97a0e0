package envoy

import (
	"errors"
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
)

// TestLoadBootstrapRejectsBrokenConfigs breaks one thing at a time in the real bootstrap and
// checks that loading fails with an error that points at the problem.
func TestLoadBootstrapRejectsBrokenConfigs(t *testing.T) {
	good := string(BootstrapYAML)
	tests := []struct {
		name     string
		edit     func(t *testing.T) string
		wantText []string
	}{
		{
			name: "unknown field",
			edit: func(t *testing.T) string {
				return mustReplace(t, good, "failure_mode_allow: false", "failure_mode_alow: false")
			},
			wantText: []string{"at .static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[1].typed_config.failure_mode_alow"},
		},
		{
			name: "invalid enum",
			edit: func(t *testing.T) string {
				return mustReplace(t, good, "request_body_mode: BUFFERED", "request_body_mode: BUFFERD")
			},
			wantText: []string{"BUFFERD", "typed_config.processing_mode.request_body_mode"},
		},
		{
			name: "bad duration",
			edit: func(t *testing.T) string {
				return mustReplace(t, good, "message_timeout: 2s", "message_timeout: 2 seconds")
			},
			wantText: []string{"2 seconds", "typed_config.message_timeout"},
		},
		{
			name: "unregistered typed_config type",
			edit: func(t *testing.T) string {
				return mustReplace(t, good, "envoy.extensions.filters.http.router.v3.Router", "envoy.extensions.filters.http.nope.v3.Nope")
			},
			wantText: []string{"type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope"},
		},
		{
			name: "validation rule inside a typed_config",
			edit: func(t *testing.T) string {
				// max_message_timeout is at most 1h: a rule on a field inside an Any, which the
				// bootstrap's own ValidateAll never reaches.
				return mustReplace(t, good, "max_message_timeout: 300s", "max_message_timeout: 7200s")
			},
			wantText: []string{"MaxMessageTimeout", "ext_proc"},
		},
		{
			name: "validation rule in the bootstrap",
			edit: func(t *testing.T) string {
				return mustReplace(t, good, "port_value: 10000", "port_value: 70000")
			},
			wantText: []string{"PortValue"},
		},
		{
			name: "missing required field",
			edit: func(t *testing.T) string {
				return mustReplace(t, good, "envoy_grpc: { cluster_name: warden }", "envoy_grpc: {}")
			},
			wantText: []string{"ClusterName"},
		},
		{
			name:     "YAML syntax",
			edit:     func(*testing.T) string { return good + "\n  : : [\n" },
			wantText: []string{"YAML"},
		},
		{
			name:     "two documents",
			edit:     func(*testing.T) string { return good + "\n---\nadmin: {}\n" },
			wantText: []string{"more than one YAML document"},
		},
		{
			name:     "empty",
			edit:     func(*testing.T) string { return "" },
			wantText: []string{"empty document"},
		},
		{
			name:     "duplicate key",
			edit:     func(*testing.T) string { return "admin: {}\nadmin: {}\n" },
			wantText: []string{"already defined"},
		},
		{
			name:     "not a mapping",
			edit:     func(*testing.T) string { return "- a\n- b\n" },
			wantText: []string{"Bootstrap"},
		},
		{
			name:     "infinite number",
			edit:     func(*testing.T) string { return "stats_flush_interval: .inf\n" },
			wantText: []string{"stats_flush_interval"},
		},
		{
			name:     "complex mapping key",
			edit:     func(*testing.T) string { return "? [a, b]\n: c\n" },
			wantText: []string{"map key"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := LoadBootstrap([]byte(tc.edit(t)))
			if err == nil {
				t.Fatalf("LoadBootstrap accepted the broken config: %v", b)
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %q does not wrap ErrInvalidConfig", err)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadBootstrapAcceptsJSON(t *testing.T) {
	js := `{"admin":{"address":{"socket_address":{"address":"127.0.0.1","port_value":9901}}}}`
	b, err := LoadBootstrap([]byte(js))
	if err != nil {
		t.Fatalf("LoadBootstrap(JSON): %v", err)
	}
	if got := b.GetAdmin().GetAddress().GetSocketAddress().GetPortValue(); got != 9901 {
		t.Errorf("admin port = %d, want 9901", got)
	}
}

func TestExtProcFilterAbsent(t *testing.T) {
	withoutExtProc := mustReplace(t, string(BootstrapYAML),
		"type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor",
		"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router")
	// The router accepts none of ext_proc's fields, so keep only the filter header: cut the
	// ext_proc typed_config body down to its @type line.
	start := strings.Index(withoutExtProc, "              grpc_service:")
	end := strings.Index(withoutExtProc, "          - name: envoy.filters.http.router")
	if start < 0 || end < start {
		t.Fatal("bootstrap.yaml layout changed; update the test")
	}
	edited := withoutExtProc[:start] + withoutExtProc[end:]
	b, err := LoadBootstrap([]byte(edited))
	if err != nil {
		t.Fatalf("LoadBootstrap: %v", err)
	}
	_, err = ExtProcFilter(b)
	if !errors.Is(err, ErrNoExtProcFilter) {
		t.Fatalf("ExtProcFilter error = %v, want ErrNoExtProcFilter", err)
	}

	if _, err := ExtProcFilter(&bootstrapv3.Bootstrap{}); !errors.Is(err, ErrNoExtProcFilter) {
		t.Errorf("ExtProcFilter(empty bootstrap) error = %v, want ErrNoExtProcFilter", err)
	}
}

// TestExtProcFilterFindsItByType checks the filter is found by its typed_config type, not its
// name, since operators rename filters (Envoy Gateway and Istio do).
func TestExtProcFilterFindsItByType(t *testing.T) {
	renamed := mustReplace(t, string(BootstrapYAML), "- name: envoy.filters.http.ext_proc", "- name: warden")
	b, err := LoadBootstrap([]byte(renamed))
	if err != nil {
		t.Fatalf("LoadBootstrap: %v", err)
	}
	ep, err := ExtProcFilter(b)
	if err != nil {
		t.Fatalf("ExtProcFilter: %v", err)
	}
	if ep.GetGrpcService().GetEnvoyGrpc().GetClusterName() != "warden" {
		t.Errorf("found the wrong filter: %v", ep)
	}
}

func TestJSONPathAt(t *testing.T) {
	js := []byte(`{"a":{"b":[1,{"c":"x"}],"d":true},"e":[[2,3]]}`)
	tests := []struct {
		at   string // the first occurrence of this text marks the offset
		want string
	}{
		{`"a"`, ".a"},
		{`"b"`, ".a.b"},
		{`1`, ".a.b[0]"},
		{`"c"`, ".a.b[1].c"},
		{`"x"`, ".a.b[1].c"},
		{`"d"`, ".a.d"},
		{`true`, ".a.d"},
		{`3`, ".e[0][1]"},
	}
	for _, tc := range tests {
		t.Run(tc.at, func(t *testing.T) {
			off := strings.Index(string(js), tc.at)
			if got := jsonPathAt(js, off); got != tc.want {
				t.Errorf("jsonPathAt(offset of %s) = %q, want %q", tc.at, got, tc.want)
			}
		})
	}
}
