package trace

import (
	"os"
	"testing"

	_ "github.com/envoyproxy/go-control-plane/envoy/config/trace/v3" // OpenTelemetryConfig (also registered by the HCM package)

	"github.com/warden-gw/warden/envoy"
)

// The Envoy configuration docs/tracing.md shows loads into Envoy's Bootstrap proto and passes
// its validation rules, and names the OpenTelemetry tracer with a collector cluster.
func TestEnvoyTracingExampleIsValid(t *testing.T) {
	b, err := os.ReadFile("testdata/envoy-tracing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bs, err := envoy.LoadBootstrap(b)
	if err != nil {
		t.Fatalf("docs' Envoy tracing example: %v", err)
	}
	names := map[string]bool{}
	for _, c := range bs.GetStaticResources().GetClusters() {
		names[c.GetName()] = true
	}
	if !names["otel_collector"] || !names["warden"] {
		t.Fatalf("clusters %v: want warden and otel_collector", names)
	}
	if _, err := envoy.ExtProcFilter(bs); err != nil {
		t.Fatalf("no ext_proc filter in the example: %v", err)
	}
}
