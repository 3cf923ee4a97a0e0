package envoy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/extproc"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	"google.golang.org/protobuf/proto"
)

// configFile is one YAML file under envoy/ with the ext_proc filter it configures (nil if none).
type configFile struct {
	path    string
	extProc *extprocfilterv3.ExternalProcessor
	// noMaxMessageTimeout marks a format that cannot set max_message_timeout (Envoy Gateway);
	// the test reports the skip instead of hiding it.
	noMaxMessageTimeout bool
	// redactsInProxy marks a manifest that runs warden's proxy-wasm redaction filter instead of
	// ext_proc (an Istio WasmPlugin): it is decoded strictly but has no ext_proc filter to check.
	redactsInProxy bool
}

// loadAllConfigs loads every *.yaml under envoy/ (testdata excepted) the way its kind needs and
// fails the test on any error, so a new file cannot escape validation.
func loadAllConfigs(t *testing.T) []configFile {
	t.Helper()
	var out []configFile
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		cf, err := loadConfigFile(path, data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if cf.redactsInProxy && cf.extProc == nil {
			return nil
		}
		out = append(out, cf)
		return nil
	})
	if err != nil {
		t.Fatalf("walk envoy/: %v", err)
	}
	if len(out) < 4 {
		t.Fatalf("found %d configs under envoy/, want bootstrap.yaml and the 3 examples", len(out))
	}
	return out
}

func loadConfigFile(path string, data []byte) (configFile, error) {
	if isKubernetesManifest(data) {
		return loadKubernetesManifest(path, data)
	}
	b, err := LoadBootstrap(data)
	if err != nil {
		return configFile{}, err
	}
	ep, err := ExtProcFilter(b)
	if errors.Is(err, ErrNoExtProcFilter) {
		return configFile{path: path}, nil
	}
	return configFile{path: path, extProc: ep}, err
}

func TestEveryConfigLoadsAndValidates(t *testing.T) {
	for _, cf := range loadAllConfigs(t) {
		t.Run(cf.path, func(t *testing.T) {
			if cf.extProc == nil {
				t.Fatalf("%s has no ext_proc filter; every config under envoy/ should run warden", cf.path)
			}
		})
	}
}

// TestWardenRequirements checks, in every config, the ext_proc settings warden's behaviour
// depends on: fail closed, approval holds, SSE switching, identity from jwt_authn.
func TestWardenRequirements(t *testing.T) {
	for _, cf := range loadAllConfigs(t) {
		ep := cf.extProc
		t.Run(cf.path, func(t *testing.T) {
			pm := ep.GetProcessingMode()
			checks := []struct {
				name string
				ok   bool
				why  string
			}{
				{"fail closed", !ep.GetFailureModeAllow(), "failure_mode_allow must be false: an unreachable warden must block, not wave through"},
				{"mode override allowed", ep.GetAllowModeOverride(), "allow_mode_override must be true: warden switches SSE responses to STREAMED"},
				{
					"request body buffered", pm.GetRequestBodyMode() == extprocfilterv3.ProcessingMode_BUFFERED,
					"request_body_mode must be BUFFERED, got " + pm.GetRequestBodyMode().String(),
				},
				{
					"response headers sent", pm.GetResponseHeaderMode() == extprocfilterv3.ProcessingMode_SEND,
					"response_header_mode must be SEND, got " + pm.GetResponseHeaderMode().String(),
				},
				{"request headers sent", pm.GetRequestHeaderMode() != extprocfilterv3.ProcessingMode_SKIP, "request_header_mode must not be SKIP"},
				{
					"jwt claims forwarded", contains(ep.GetMetadataOptions().GetForwardingNamespaces().GetUntyped(), "envoy.filters.http.jwt_authn"),
					"metadata_options.forwarding_namespaces.untyped must list envoy.filters.http.jwt_authn",
				},
			}
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) {
					if !c.ok {
						t.Errorf("%s: %s", cf.path, c.why)
					}
				})
			}
			t.Run("approval holds", func(t *testing.T) {
				if cf.noMaxMessageTimeout {
					t.Skipf("%s cannot set max_message_timeout (documented in the file): approvals answer 403 + id there", cf.path)
				}
				if got := ep.GetMaxMessageTimeout().AsDuration(); got < 60*time.Second {
					t.Errorf("%s: max_message_timeout = %v, want >= 60s so warden can hold a request for approval", cf.path, got)
				}
			})
			t.Run("request attributes are Envoy's", func(t *testing.T) {
				for _, a := range append(ep.GetRequestAttributes(), ep.GetResponseAttributes()...) {
					if !knownAttributes[a] {
						t.Errorf("%s: attribute %q is not one Envoy knows; Envoy would send nothing for it", cf.path, a)
					}
				}
			})
		})
	}
}

// TestStreamedOverrideIsAllowed checks, for every config, the mode_override warden derives from
// it for SSE (extproc.OptionsFromFilter, what the server sends): Envoy accepts it (it is one of
// allowed_override_modes, compared enum by enum ignoring request_header_mode, when the list is
// set) and it changes nothing but the response body mode.
func TestStreamedOverrideIsAllowed(t *testing.T) {
	for _, cf := range loadAllConfigs(t) {
		if cf.extProc == nil || !cf.extProc.GetAllowModeOverride() {
			continue
		}
		t.Run(cf.path, func(t *testing.T) {
			o := extproc.OptionsFromFilter(cf.extProc, extproc.DefaultOptions())
			override := o.StreamedOverride
			if !o.AllowModeOverride || override == nil {
				t.Fatalf("no SSE override derived (allow=%v)", o.AllowModeOverride)
			}
			want := effectiveMode(cf.extProc.GetProcessingMode())
			want.ResponseBodyMode = extprocfilterv3.ProcessingMode_STREAMED
			if !sameModeIgnoringRequestHeaders(override, want) {
				t.Errorf("override %v changes more than the response body mode of %v", override, cf.extProc.GetProcessingMode())
			}
			allowed := cf.extProc.GetAllowedOverrideModes()
			for _, m := range allowed {
				if sameModeIgnoringRequestHeaders(m, override) {
					return
				}
			}
			if len(allowed) > 0 {
				t.Errorf("allowed_override_modes %v does not contain warden's override %v; Envoy would ignore it", allowed, override)
			}
		})
	}
}

// effectiveMode spells out what DEFAULT means in Envoy: headers are sent, trailers skipped.
func effectiveMode(m *extprocfilterv3.ProcessingMode) *extprocfilterv3.ProcessingMode {
	e := proto.Clone(m).(*extprocfilterv3.ProcessingMode)
	if e.ResponseHeaderMode == extprocfilterv3.ProcessingMode_DEFAULT {
		e.ResponseHeaderMode = extprocfilterv3.ProcessingMode_SEND
	}
	if e.RequestTrailerMode == extprocfilterv3.ProcessingMode_DEFAULT {
		e.RequestTrailerMode = extprocfilterv3.ProcessingMode_SKIP
	}
	if e.ResponseTrailerMode == extprocfilterv3.ProcessingMode_DEFAULT {
		e.ResponseTrailerMode = extprocfilterv3.ProcessingMode_SKIP
	}
	return e
}

func sameModeIgnoringRequestHeaders(a, b *extprocfilterv3.ProcessingMode) bool {
	return a.GetResponseHeaderMode() == b.GetResponseHeaderMode() &&
		a.GetRequestBodyMode() == b.GetRequestBodyMode() &&
		a.GetResponseBodyMode() == b.GetResponseBodyMode() &&
		a.GetRequestTrailerMode() == b.GetRequestTrailerMode() &&
		a.GetResponseTrailerMode() == b.GetResponseTrailerMode()
}

func TestDefaultExtProcFilter(t *testing.T) {
	ep := DefaultExtProcFilter()
	if got := ep.GetGrpcService().GetEnvoyGrpc().GetClusterName(); got != "warden" {
		t.Errorf("grpc_service cluster = %q, want warden", got)
	}
	if got := ep.GetMessageTimeout().AsDuration(); got != 2*time.Second {
		t.Errorf("message_timeout = %v, want 2s", got)
	}
	pm := ep.GetProcessingMode()
	if pm.GetResponseBodyMode() != extprocfilterv3.ProcessingMode_BUFFERED ||
		pm.GetRequestTrailerMode() != extprocfilterv3.ProcessingMode_SKIP ||
		pm.GetResponseTrailerMode() != extprocfilterv3.ProcessingMode_SKIP {
		t.Errorf("processing_mode = %v, want response body BUFFERED and trailers SKIP", pm)
	}

	t.Run("callers get a copy", func(t *testing.T) {
		ep.FailureModeAllow = true
		ep.ProcessingMode.RequestBodyMode = extprocfilterv3.ProcessingMode_NONE
		again := DefaultExtProcFilter()
		if again.GetFailureModeAllow() || again.GetProcessingMode().GetRequestBodyMode() != extprocfilterv3.ProcessingMode_BUFFERED {
			t.Errorf("a caller's change leaked into DefaultExtProcFilter(): %v", again)
		}
	})
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// knownAttributes are the attribute names Envoy documents
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/attributes).
var knownAttributes = func() map[string]bool {
	names := []string{
		"request.path", "request.url_path", "request.host", "request.scheme", "request.method",
		"request.headers", "request.referer", "request.useragent", "request.time", "request.id",
		"request.protocol", "request.query", "request.duration", "request.size", "request.total_size",
		"response.code", "response.code_details", "response.flags", "response.grpc_status",
		"response.headers", "response.trailers", "response.size", "response.total_size",
		"response.backend_latency",
		"source.address", "source.port", "destination.address", "destination.port",
		"connection.id", "connection.mtls", "connection.requested_server_name",
		"connection.tls_version", "connection.subject_local_certificate",
		"connection.subject_peer_certificate", "connection.dns_san_local_certificate",
		"connection.dns_san_peer_certificate", "connection.uri_san_local_certificate",
		"connection.uri_san_peer_certificate", "connection.sha256_peer_certificate_digest",
		"connection.transport_failure_reason", "connection.termination_details",
		"upstream.address", "upstream.port", "upstream.tls_version",
		"upstream.subject_local_certificate", "upstream.subject_peer_certificate",
		"upstream.dns_san_local_certificate", "upstream.dns_san_peer_certificate",
		"upstream.uri_san_local_certificate", "upstream.uri_san_peer_certificate",
		"upstream.sha256_peer_certificate_digest", "upstream.local_address",
		"upstream.transport_failure_reason", "upstream.request_attempt_count",
		"xds.node", "xds.cluster_name", "xds.cluster_metadata", "xds.listener_direction",
		"xds.listener_metadata", "xds.route_name", "xds.route_metadata", "xds.virtual_host_name",
		"xds.virtual_host_metadata", "xds.upstream_host_metadata", "xds.filter_chain_name",
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}()

// mustReplace returns s with old replaced once, failing if old is absent so that a test editing
// the bootstrap cannot silently test the unedited file.
func mustReplace(t *testing.T, s, old, replacement string) string {
	t.Helper()
	if strings.Count(s, old) < 1 {
		t.Fatalf("bootstrap.yaml no longer contains %q; update the test", old)
	}
	return strings.Replace(s, old, replacement, 1)
}
