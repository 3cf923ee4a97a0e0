package envoy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	egv1a1 "github.com/envoyproxy/gateway/api/v1alpha1"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"gopkg.in/yaml.v3"
	istioapinet "istio.io/api/networking/v1alpha3"
	istioextv1alpha1 "istio.io/client-go/pkg/apis/extensions/v1alpha1"
	istionetv1 "istio.io/client-go/pkg/apis/networking/v1"
	istionetv1alpha3 "istio.io/client-go/pkg/apis/networking/v1alpha3"
	"k8s.io/apimachinery/pkg/runtime"
	k8sjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

// Kubernetes manifests cannot go through the Bootstrap proto. Every document is decoded
// strictly (an unknown or duplicate field is an error) into the Go types of the project that
// owns the resource: Envoy Gateway (github.com/envoyproxy/gateway/api/v1alpha1), Gateway API
// (sigs.k8s.io/gateway-api/apis/v1) and Istio (istio.io/client-go). Istio's generated JSON
// decoder ignores unknown fields (AllowUnknownFields: true in istio.io/api's *_json.gen.go), so
// an Istio spec is decoded a second time with protojson, which does not. Then the Envoy part of
// each is checked through the Envoy protos: an Istio patch value as the proto it patches, an
// Envoy Gateway ExtProc as the ext_proc filter Envoy Gateway builds from it.

// manifestScheme knows every kind the examples use.
var manifestScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		egv1a1.AddToScheme, gwapiv1.Install, istionetv1alpha3.AddToScheme, istionetv1.AddToScheme,
		istioextv1alpha1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

var manifestDecoder = k8sjson.NewSerializerWithOptions(k8sjson.DefaultMetaFactory, manifestScheme, manifestScheme,
	k8sjson.SerializerOptions{Yaml: true, Strict: true})

type manifestHeader struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
}

func isKubernetesManifest(data []byte) bool {
	var h manifestHeader
	return yaml.Unmarshal(data, &h) == nil && h.APIVersion != "" && h.Kind != ""
}

// decodeManifests decodes every document of a multi-document manifest strictly into its
// owner's type.
func decodeManifests(data []byte) ([]runtime.Object, error) {
	var objs []runtime.Object
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		var buf bytes.Buffer
		if err := yaml.NewEncoder(&buf).Encode(&doc); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		obj, gvk, err := manifestDecoder.Decode(buf.Bytes(), nil, nil)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if err := strictIstioSpec(obj, buf.Bytes()); err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i, gvk.Kind, err)
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

// strictIstioSpec decodes an Istio object's spec again with protojson, which rejects unknown
// fields and enum values that Istio's own JSON decoder lets through.
func strictIstioSpec(obj runtime.Object, doc []byte) error {
	var spec proto.Message
	switch o := obj.(type) {
	case *istionetv1alpha3.EnvoyFilter:
		spec = &o.Spec
	case *istionetv1.DestinationRule:
		spec = &o.Spec
	case *istioextv1alpha1.WasmPlugin:
		spec = &o.Spec
	default:
		return nil
	}
	js, err := sigsyaml.YAMLToJSON(doc)
	if err != nil {
		return err
	}
	var top struct {
		Spec json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal(js, &top); err != nil {
		return err
	}
	fresh := spec.ProtoReflect().New().Interface()
	if err := (protojson.UnmarshalOptions{}).Unmarshal(top.Spec, fresh); err != nil {
		return fmt.Errorf("spec: %w", err)
	}
	return nil
}

// loadKubernetesManifest checks every document of a multi-document manifest and returns the
// ext_proc filter the manifest configures.
func loadKubernetesManifest(path string, data []byte) (configFile, error) {
	cf := configFile{path: path}
	objs, err := decodeManifests(data)
	if err != nil {
		return cf, err
	}
	for i, obj := range objs {
		var ep *extprocfilterv3.ExternalProcessor
		switch o := obj.(type) {
		case *istionetv1alpha3.EnvoyFilter:
			ep, err = checkEnvoyFilter(&o.Spec)
		case *egv1a1.EnvoyExtensionPolicy:
			ep, err = extProcFilter(o)
			cf.noMaxMessageTimeout = true
		case *istionetv1.DestinationRule:
			err = checkWardenDestinationRule(o)
		case *istioextv1alpha1.WasmPlugin:
			cf.redactsInProxy = true
		case *egv1a1.SecurityPolicy, *egv1a1.Backend, *gwapiv1.Gateway, *gwapiv1.HTTPRoute:
			// Decoded strictly; nothing of Envoy's to check.
		default:
			err = fmt.Errorf("%T is not checked by this test; add it to loadKubernetesManifest", obj)
		}
		if err != nil {
			return cf, fmt.Errorf("document %d (%T): %w", i, obj, err)
		}
		if ep != nil && cf.extProc == nil {
			cf.extProc = ep
		}
	}
	return cf, nil
}

// --- Istio ---

func checkEnvoyFilter(ef *istioapinet.EnvoyFilter) (*extprocfilterv3.ExternalProcessor, error) {
	var found *extprocfilterv3.ExternalProcessor
	for i, p := range ef.GetConfigPatches() {
		ep, err := checkPatch(p)
		if err != nil {
			return nil, fmt.Errorf("configPatches[%d] (%s): %w", i, p.GetApplyTo(), err)
		}
		if found == nil {
			found = ep
		}
	}
	return found, nil
}

// checkPatch loads the patch value as the proto it patches. A MERGE value is partial by
// design, so it is only decoded (field names, types, "@type" URLs); other values must also
// validate.
func checkPatch(p *istioapinet.EnvoyFilter_EnvoyConfigObjectPatch) (*extprocfilterv3.ExternalProcessor, error) {
	js, err := protojson.Marshal(p.GetPatch().GetValue())
	if err != nil {
		return nil, err
	}
	var m proto.Message
	switch p.GetApplyTo() {
	case istioapinet.EnvoyFilter_HTTP_FILTER:
		m = &hcmv3.HttpFilter{}
	case istioapinet.EnvoyFilter_NETWORK_FILTER:
		m = &listenerv3.Filter{}
	case istioapinet.EnvoyFilter_CLUSTER:
		m = &clusterv3.Cluster{}
	default:
		return nil, fmt.Errorf("applyTo %s is not checked by this test; add its proto", p.GetApplyTo())
	}
	if err := Unmarshal(js, m); err != nil {
		return nil, err
	}
	if p.GetPatch().GetOperation() != istioapinet.EnvoyFilter_Patch_MERGE {
		if err := Validate(m); err != nil {
			return nil, err
		}
	}
	if hf, ok := m.(*hcmv3.HttpFilter); ok {
		return ExtProcFromHTTPFilter(hf)
	}
	return nil, nil
}

// checkWardenDestinationRule checks that the gateway's Envoy opens mutual TLS to warden.
func checkWardenDestinationRule(dr *istionetv1.DestinationRule) error {
	tls := dr.Spec.GetTrafficPolicy().GetTls()
	if tls.GetMode().String() != "MUTUAL" || tls.GetCredentialName() == "" {
		return fmt.Errorf("DestinationRule %s: Envoy must connect to warden with mode MUTUAL and a credentialName (client certificate), got %v %q",
			dr.Name, tls.GetMode(), tls.GetCredentialName())
	}
	if len(tls.GetSubjectAltNames()) == 0 {
		return fmt.Errorf("DestinationRule %s: subjectAltNames must name warden's certificate", dr.Name)
	}
	return nil
}

// --- Envoy Gateway ---

var egBodyModes = map[egv1a1.ExtProcBodyProcessingMode]extprocfilterv3.ProcessingMode_BodySendMode{
	egv1a1.StreamedExtProcBodyProcessingMode:          extprocfilterv3.ProcessingMode_STREAMED,
	egv1a1.BufferedExtProcBodyProcessingMode:          extprocfilterv3.ProcessingMode_BUFFERED,
	egv1a1.BufferedPartialExtBodyHeaderProcessingMode: extprocfilterv3.ProcessingMode_BUFFERED_PARTIAL,
	egv1a1.FullDuplexStreamedExtBodyProcessingMode:    extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED,
}

// extProcFilter builds the ext_proc filter Envoy Gateway generates from the first ExtProc, the
// way its translator maps each field, and validates it.
func extProcFilter(p *egv1a1.EnvoyExtensionPolicy) (*extprocfilterv3.ExternalProcessor, error) {
	if len(p.Spec.ExtProc) == 0 || len(p.Spec.TargetRefs) == 0 {
		return nil, errors.New("spec.extProc and spec.targetRefs must not be empty")
	}
	x := p.Spec.ExtProc[0]
	if len(x.BackendRefs) != 1 || x.BackendRefs[0].Name == "" {
		return nil, errors.New("extProc[0].backendRefs needs exactly one ref with a name")
	}
	if ref := x.BackendRefs[0]; (ref.Kind == nil || *ref.Kind == "Service") && ref.Port == nil {
		return nil, errors.New("extProc[0].backendRefs[0] is a Service and needs a port")
	}
	ep := &extprocfilterv3.ExternalProcessor{
		GrpcService: grpcServiceForCluster(fmt.Sprintf("envoyextensionpolicy/%s/%s/0", p.Namespace, p.Name)),
		ProcessingMode: &extprocfilterv3.ProcessingMode{
			RequestHeaderMode:  extprocfilterv3.ProcessingMode_SKIP,
			ResponseHeaderMode: extprocfilterv3.ProcessingMode_SKIP,
		},
	}
	if x.FailOpen != nil {
		ep.FailureModeAllow = *x.FailOpen
	}
	if x.MessageTimeout != nil {
		d, err := durationOf(string(*x.MessageTimeout))
		if err != nil {
			return nil, fmt.Errorf("messageTimeout: %w", err)
		}
		ep.MessageTimeout = d
	}
	if pm := x.ProcessingMode; pm != nil {
		ep.AllowModeOverride = pm.AllowModeOverride
		var err error
		if pm.Request != nil {
			ep.ProcessingMode.RequestHeaderMode = extprocfilterv3.ProcessingMode_SEND
			ep.RequestAttributes = pm.Request.Attributes
			if ep.ProcessingMode.RequestBodyMode, err = egBodyMode(pm.Request.Body); err != nil {
				return nil, fmt.Errorf("processingMode.request: %w", err)
			}
		}
		if pm.Response != nil {
			ep.ProcessingMode.ResponseHeaderMode = extprocfilterv3.ProcessingMode_SEND
			ep.ResponseAttributes = pm.Response.Attributes
			if ep.ProcessingMode.ResponseBodyMode, err = egBodyMode(pm.Response.Body); err != nil {
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

// durationOf parses a Gateway API duration (e.g. "2s", "1h30m", a subset of Go's syntax).
func durationOf(s string) (*durationpb.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return nil, err
	}
	return durationpb.New(d), nil
}

func grpcServiceForCluster(name string) *corev3.GrpcService {
	return &corev3.GrpcService{TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{
		EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: name},
	}}
}

func egBodyMode(body *egv1a1.ExtProcBodyProcessingMode) (extprocfilterv3.ProcessingMode_BodySendMode, error) {
	if body == nil {
		return extprocfilterv3.ProcessingMode_NONE, nil
	}
	m, ok := egBodyModes[*body]
	if !ok {
		return 0, fmt.Errorf("body %q is not one of Streamed, Buffered, BufferedPartial, FullDuplexStreamed", *body)
	}
	return m, nil
}

func readManifest(t *testing.T, path string) []runtime.Object {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decodeManifests(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return objs
}

func TestEnvoyGatewayJWTIsOptional(t *testing.T) {
	seen := false
	for _, obj := range readManifest(t, "examples/envoy-gateway.yaml") {
		sp, ok := obj.(*egv1a1.SecurityPolicy)
		if !ok {
			continue
		}
		seen = true
		if sp.Spec.JWT == nil || sp.Spec.JWT.Optional == nil || !*sp.Spec.JWT.Optional {
			t.Errorf("SecurityPolicy %s: jwt.optional must be true so that requests without a JWT reach warden", sp.Name)
		}
	}
	if !seen {
		t.Fatal("examples/envoy-gateway.yaml has no SecurityPolicy: agents' JWT claims would never reach warden")
	}
}

// TestEnvoyGatewayReachesWardenWithClientCertificate checks that the EnvoyExtensionPolicy sends
// ext_proc to a Backend that connects with TLS, checks warden's certificate and presents a
// client certificate: warden refuses callers without one.
func TestEnvoyGatewayReachesWardenWithClientCertificate(t *testing.T) {
	objs := readManifest(t, "examples/envoy-gateway.yaml")
	backends := map[string]*egv1a1.Backend{}
	var policy *egv1a1.EnvoyExtensionPolicy
	for _, obj := range objs {
		switch o := obj.(type) {
		case *egv1a1.Backend:
			backends[o.Name] = o
		case *egv1a1.EnvoyExtensionPolicy:
			policy = o
		}
	}
	if policy == nil {
		t.Fatal("no EnvoyExtensionPolicy")
	}
	ref := policy.Spec.ExtProc[0].BackendRefs[0]
	if ref.Kind == nil || *ref.Kind != "Backend" || ref.Group == nil || *ref.Group != egv1a1.GroupName {
		t.Fatalf("extProc backendRef %+v is not an Envoy Gateway Backend", ref)
	}
	b, ok := backends[string(ref.Name)]
	if !ok {
		t.Fatalf("extProc refers to Backend %s, which the file does not define", ref.Name)
	}
	tls := b.Spec.TLS
	switch {
	case tls == nil:
		t.Fatalf("Backend %s has no tls: ext_proc would be plaintext", b.Name)
	case tls.InsecureSkipVerify != nil && *tls.InsecureSkipVerify:
		t.Errorf("Backend %s skips verification of warden's certificate", b.Name)
	case len(tls.CACertificateRefs) == 0:
		t.Errorf("Backend %s does not name the CA of warden's certificate", b.Name)
	case tls.BackendTLSConfig == nil || tls.ClientCertificateRef == nil || tls.ClientCertificateRef.Name == "":
		t.Errorf("Backend %s presents no client certificate: warden would refuse the stream", b.Name)
	case tls.SNI == nil || len(b.Spec.Endpoints) != 1 || b.Spec.Endpoints[0].FQDN == nil ||
		string(*tls.SNI) != b.Spec.Endpoints[0].FQDN.Hostname:
		t.Errorf("Backend %s: sni must be warden's Service name (the DNS name in its certificate)", b.Name)
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
		{"unknown DestinationRule field", "credentialName: warden-client-tls", "credentialNam: warden-client-tls"},
		{"plaintext to warden", "mode: MUTUAL", "mode: DISABLE"},
		{"unknown metadata field", "  name: warden-ext-proc\n", "  name: warden-ext-proc\n  nmespace: x\n"},
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

// TestMeshManifestTyposAreCaught checks that the strict decoding reaches every kind in the
// Envoy Gateway and WasmPlugin examples: a misspelt field anywhere is an error. (An invalid
// value of a Kubernetes CRD enum, such as path type PathPrefx, is not: those are checked by the
// API server's OpenAPI/CEL validation, which decoding into the Go types does not run. Istio's
// enums are, because its specs go through protojson.)
func TestMeshManifestTyposAreCaught(t *testing.T) {
	tests := []struct{ file, old, replacement string }{
		{"examples/envoy-gateway.yaml", "gatewayClassName: eg", "gatewayClass: eg"},
		{"examples/envoy-gateway.yaml", "    backendRefs:\n    - group: gateway.envoyproxy.io\n      kind: Backend\n      name: openai", "    backendRef:\n    - group: gateway.envoyproxy.io\n      kind: Backend\n      name: openai"},
		{"examples/envoy-gateway.yaml", "hostname: api.openai.com\n    backendRefs", "hostnam: api.openai.com\n    backendRefs"},
		{"examples/envoy-gateway.yaml", "wellKnownCACertificates: System", "wellKnownCACertificate: System"},
		{"examples/envoy-gateway.yaml", "clientCertificateRef:", "clientCertRef:"},
		{"examples/envoy-gateway.yaml", "failOpen: false", "failopen: false"},
		{"examples/envoy-gateway.yaml", "optional: true", "optinal: true"},
		{"examples/istio-wasmplugin.yaml", "failStrategy: FAIL_CLOSE", "failStrategy: FAIL_CLOSED"},
		{"examples/istio-wasmplugin.yaml", "imagePullPolicy: IfNotPresent", "pullPolicy: IfNotPresent"},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.replacement, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			broken := mustReplace(t, string(data), tc.old, tc.replacement)
			if _, err := loadKubernetesManifest(tc.file, []byte(broken)); err == nil {
				t.Errorf("replacing %q with %q was not detected", tc.old, tc.replacement)
			}
		})
	}
}
