package envoyconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"gopkg.in/yaml.v3"
)

// Kubernetes CRDs cannot go through the Bootstrap proto. Their documents are decoded strictly
// (unknown fields are errors) into structs that mirror the CRD fields the examples use, and the
// Envoy part of each is checked through the Envoy protos: an Istio patch value as the proto
// it patches, an Envoy Gateway ExtProc as the ext_proc filter Envoy Gateway builds from it.

type objectMeta struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
}

type manifestHeader struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
}

func isKubernetesManifest(data []byte) bool {
	var h manifestHeader
	return yaml.Unmarshal(data, &h) == nil && h.APIVersion != "" && h.Kind != ""
}

// loadKubernetesManifest checks every document of a multi-document manifest and returns the
// ext_proc filter the manifest configures.
func loadKubernetesManifest(path string, data []byte) (configFile, error) {
	cf := configFile{path: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return cf, fmt.Errorf("document %d: %w", i, err)
		}
		var h manifestHeader
		if err := doc.Decode(&h); err != nil {
			return cf, fmt.Errorf("document %d: %w", i, err)
		}
		ep, err := loadKubernetesDocument(h, &doc)
		if err != nil {
			return cf, fmt.Errorf("document %d (%s): %w", i, h.Kind, err)
		}
		if ep != nil && cf.extProc == nil {
			cf.extProc = ep
			cf.noMaxMessageTimeout = h.Kind == "EnvoyExtensionPolicy"
		}
	}
	return cf, nil
}

func loadKubernetesDocument(h manifestHeader, doc *yaml.Node) (*extprocfilterv3.ExternalProcessor, error) {
	switch h.APIVersion + "/" + h.Kind {
	case "networking.istio.io/v1alpha3/EnvoyFilter":
		var ef istioEnvoyFilter
		if err := decodeStrict(doc, &ef); err != nil {
			return nil, err
		}
		return ef.check()
	case "gateway.envoyproxy.io/v1alpha1/EnvoyExtensionPolicy":
		var p egExtensionPolicy
		if err := decodeStrict(doc, &p); err != nil {
			return nil, err
		}
		return p.extProcFilter()
	case "gateway.envoyproxy.io/v1alpha1/SecurityPolicy":
		var p egSecurityPolicy
		return nil, decodeStrict(doc, &p)
	default:
		return nil, fmt.Errorf("kind %s/%s is not checked by this test; add it to loadKubernetesDocument", h.APIVersion, h.Kind)
	}
}

func decodeStrict(doc *yaml.Node, v any) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	return dec.Decode(v)
}

// --- Istio EnvoyFilter (networking.istio.io/v1alpha3) ---

type istioEnvoyFilter struct {
	manifestHeader `yaml:",inline"`
	Metadata       objectMeta `yaml:"metadata"`
	Spec           struct {
		WorkloadSelector struct {
			Labels map[string]string `yaml:"labels"`
		} `yaml:"workloadSelector"`
		ConfigPatches []istioPatch `yaml:"configPatches"`
	} `yaml:"spec"`
}

type istioPatch struct {
	ApplyTo string `yaml:"applyTo"`
	Match   struct {
		Context  string `yaml:"context"`
		Listener struct {
			PortNumber  int `yaml:"portNumber"`
			FilterChain struct {
				Filter struct {
					Name      string `yaml:"name"`
					SubFilter struct {
						Name string `yaml:"name"`
					} `yaml:"subFilter"`
				} `yaml:"filter"`
			} `yaml:"filterChain"`
		} `yaml:"listener"`
	} `yaml:"match"`
	Patch struct {
		Operation string    `yaml:"operation"`
		Value     yaml.Node `yaml:"value"`
	} `yaml:"patch"`
}

var (
	istioContexts   = map[string]bool{"ANY": true, "SIDECAR_INBOUND": true, "SIDECAR_OUTBOUND": true, "GATEWAY": true}
	istioOperations = map[string]bool{
		"MERGE": true, "ADD": true, "REMOVE": true, "INSERT_BEFORE": true,
		"INSERT_AFTER": true, "INSERT_FIRST": true, "REPLACE": true,
	}
)

func (ef *istioEnvoyFilter) check() (*extprocfilterv3.ExternalProcessor, error) {
	var found *extprocfilterv3.ExternalProcessor
	for i, p := range ef.Spec.ConfigPatches {
		if !istioContexts[p.Match.Context] || !istioOperations[p.Patch.Operation] {
			return nil, fmt.Errorf("configPatches[%d]: context %q or operation %q is not an Istio value", i, p.Match.Context, p.Patch.Operation)
		}
		ep, err := p.check()
		if err != nil {
			return nil, fmt.Errorf("configPatches[%d] (%s): %w", i, p.ApplyTo, err)
		}
		if found == nil {
			found = ep
		}
	}
	return found, nil
}

// check loads the patch value as the proto it patches. A MERGE value is partial by design, so
// it is only decoded (field names, types, "@type" URLs); other values must also validate.
func (p *istioPatch) check() (*extprocfilterv3.ExternalProcessor, error) {
	var buf bytes.Buffer
	if err := yaml.NewEncoder(&buf).Encode(&p.Patch.Value); err != nil {
		return nil, err
	}
	var m proto.Message
	switch p.ApplyTo {
	case "HTTP_FILTER":
		m = &hcmv3.HttpFilter{}
	case "NETWORK_FILTER":
		m = &listenerv3.Filter{}
	case "CLUSTER":
		m = &clusterv3.Cluster{}
	default:
		return nil, fmt.Errorf("applyTo %s is not checked by this test; add its proto", p.ApplyTo)
	}
	if err := Unmarshal(buf.Bytes(), m); err != nil {
		return nil, err
	}
	if p.Patch.Operation != "MERGE" {
		if err := Validate(m); err != nil {
			return nil, err
		}
	}
	if hf, ok := m.(*hcmv3.HttpFilter); ok {
		return ExtProcFromHTTPFilter(hf)
	}
	return nil, nil
}

// --- Envoy Gateway (gateway.envoyproxy.io/v1alpha1) ---

type egTargetRef struct {
	Group       string `yaml:"group"`
	Kind        string `yaml:"kind"`
	Name        string `yaml:"name"`
	SectionName string `yaml:"sectionName"`
}

type egBackendRef struct {
	Group     string `yaml:"group"`
	Kind      string `yaml:"kind"`
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
	Port      int    `yaml:"port"`
}

type egProcessingModeOptions struct {
	Body       *string  `yaml:"body"`
	Attributes []string `yaml:"attributes"`
}

type egExtProc struct {
	BackendRefs    []egBackendRef `yaml:"backendRefs"`
	Stage          string         `yaml:"stage"`
	MessageTimeout string         `yaml:"messageTimeout"`
	FailOpen       *bool          `yaml:"failOpen"`
	ProcessingMode *struct {
		Request           *egProcessingModeOptions `yaml:"request"`
		Response          *egProcessingModeOptions `yaml:"response"`
		AllowModeOverride bool                     `yaml:"allowModeOverride"`
	} `yaml:"processingMode"`
	Metadata *struct {
		AccessibleNamespaces []string `yaml:"accessibleNamespaces"`
		WritableNamespaces   []string `yaml:"writableNamespaces"`
	} `yaml:"metadata"`
}

type egExtensionPolicy struct {
	manifestHeader `yaml:",inline"`
	Metadata       objectMeta `yaml:"metadata"`
	Spec           struct {
		TargetRefs []egTargetRef `yaml:"targetRefs"`
		ExtProc    []egExtProc   `yaml:"extProc"`
	} `yaml:"spec"`
}

type egSecurityPolicy struct {
	manifestHeader `yaml:",inline"`
	Metadata       objectMeta `yaml:"metadata"`
	Spec           struct {
		TargetRefs []egTargetRef `yaml:"targetRefs"`
		JWT        *struct {
			Optional  *bool `yaml:"optional"`
			Providers []struct {
				Name       string   `yaml:"name"`
				Issuer     string   `yaml:"issuer"`
				Audiences  []string `yaml:"audiences"`
				RemoteJWKS *struct {
					URI string `yaml:"uri"`
				} `yaml:"remoteJWKS"`
				ExtractFrom *struct {
					Headers []struct {
						Name        string `yaml:"name"`
						ValuePrefix string `yaml:"valuePrefix"`
					} `yaml:"headers"`
					Cookies []string `yaml:"cookies"`
					Params  []string `yaml:"params"`
				} `yaml:"extractFrom"`
			} `yaml:"providers"`
		} `yaml:"jwt"`
	} `yaml:"spec"`
}

var egBodyModes = map[string]extprocfilterv3.ProcessingMode_BodySendMode{
	"Streamed":           extprocfilterv3.ProcessingMode_STREAMED,
	"Buffered":           extprocfilterv3.ProcessingMode_BUFFERED,
	"BufferedPartial":    extprocfilterv3.ProcessingMode_BUFFERED_PARTIAL,
	"FullDuplexStreamed": extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED,
}

// extProcFilter builds the ext_proc filter Envoy Gateway generates from the first ExtProc, the
// way its translator maps each field, and validates it.
func (p *egExtensionPolicy) extProcFilter() (*extprocfilterv3.ExternalProcessor, error) {
	if len(p.Spec.ExtProc) == 0 || len(p.Spec.TargetRefs) == 0 {
		return nil, errors.New("spec.extProc and spec.targetRefs must not be empty")
	}
	x := p.Spec.ExtProc[0]
	if len(x.BackendRefs) != 1 || x.BackendRefs[0].Name == "" || x.BackendRefs[0].Port == 0 {
		return nil, errors.New("extProc[0].backendRefs needs exactly one ref with name and port")
	}
	ep := &extprocfilterv3.ExternalProcessor{
		GrpcService: grpcServiceForCluster(fmt.Sprintf("envoyextensionpolicy/%s/%s/0", p.Metadata.Namespace, p.Metadata.Name)),
		ProcessingMode: &extprocfilterv3.ProcessingMode{
			RequestHeaderMode:  extprocfilterv3.ProcessingMode_SKIP,
			ResponseHeaderMode: extprocfilterv3.ProcessingMode_SKIP,
		},
	}
	if x.FailOpen != nil {
		ep.FailureModeAllow = *x.FailOpen
	}
	if x.MessageTimeout != "" {
		d, err := time.ParseDuration(x.MessageTimeout)
		if err != nil {
			return nil, fmt.Errorf("messageTimeout: %w", err)
		}
		ep.MessageTimeout = durationpb.New(d)
	}
	if pm := x.ProcessingMode; pm != nil {
		ep.AllowModeOverride = pm.AllowModeOverride
		var err error
		if pm.Request != nil {
			ep.ProcessingMode.RequestHeaderMode = extprocfilterv3.ProcessingMode_SEND
			ep.RequestAttributes = pm.Request.Attributes
			ep.ProcessingMode.RequestBodyMode, err = egBodyMode(pm.Request.Body)
			if err != nil {
				return nil, fmt.Errorf("processingMode.request: %w", err)
			}
		}
		if pm.Response != nil {
			ep.ProcessingMode.ResponseHeaderMode = extprocfilterv3.ProcessingMode_SEND
			ep.ResponseAttributes = pm.Response.Attributes
			ep.ProcessingMode.ResponseBodyMode, err = egBodyMode(pm.Response.Body)
			if err != nil {
				return nil, fmt.Errorf("processingMode.response: %w", err)
			}
		}
	}
	if md := x.Metadata; md != nil {
		ep.MetadataOptions = &extprocfilterv3.MetadataOptions{
			ForwardingNamespaces: &extprocfilterv3.MetadataOptions_MetadataNamespaces{Untyped: md.AccessibleNamespaces},
			ReceivingNamespaces:  &extprocfilterv3.MetadataOptions_MetadataNamespaces{Untyped: md.WritableNamespaces},
		}
	}
	if err := Validate(ep); err != nil {
		return nil, err
	}
	return ep, nil
}

func grpcServiceForCluster(name string) *corev3.GrpcService {
	return &corev3.GrpcService{TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{
		EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: name},
	}}
}

func egBodyMode(body *string) (extprocfilterv3.ProcessingMode_BodySendMode, error) {
	if body == nil {
		return extprocfilterv3.ProcessingMode_NONE, nil
	}
	m, ok := egBodyModes[*body]
	if !ok {
		return 0, fmt.Errorf("body %q is not one of Streamed, Buffered, BufferedPartial, FullDuplexStreamed", *body)
	}
	return m, nil
}

func TestEnvoyGatewayJWTIsOptional(t *testing.T) {
	data, err := os.ReadFile("examples/envoy-gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	seen := false
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		var sp egSecurityPolicy
		if err := decodeStrict(&doc, &sp); err != nil || sp.Kind != "SecurityPolicy" {
			continue
		}
		seen = true
		if sp.Spec.JWT == nil || sp.Spec.JWT.Optional == nil || !*sp.Spec.JWT.Optional {
			t.Errorf("SecurityPolicy %s: jwt.optional must be true so that requests without a JWT reach warden", sp.Metadata.Name)
		}
	}
	if !seen {
		t.Fatal("examples/envoy-gateway.yaml has no SecurityPolicy: agents' JWT claims would never reach warden")
	}
}

// TestIstioPatchErrorsAreCaught checks that a typo inside an EnvoyFilter's embedded Envoy config
// is caught, not just YAML-level typos.
func TestIstioPatchErrorsAreCaught(t *testing.T) {
	data, err := os.ReadFile("examples/istio-envoyfilter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, old, replacement string }{
		{"unknown ext_proc field", "allow_mode_override: true", "allow_mode_overide: true"},
		{"unknown CRD field", "operation: INSERT_BEFORE", "operaton: INSERT_BEFORE"},
		{"bad Istio operation", "operation: INSERT_BEFORE", "operation: INSERT_BEFOR"},
		{"bad enum in typed_config", "response_body_mode: STREAMED", "response_body_mode: STREAM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			broken := mustReplace(t, string(data), tc.old, tc.replacement)
			if _, err := loadKubernetesManifest("istio", []byte(broken)); err == nil {
				t.Errorf("replacing %q with %q was not detected", tc.old, tc.replacement)
			}
		})
	}
}
