package envoy

import (
	_ "embed"
	"errors"
	"fmt"
	"sync"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// BootstrapYAML is envoy/bootstrap.yaml, the bootstrap docker-compose.yml runs Envoy with.
//
//go:embed bootstrap.yaml
var BootstrapYAML []byte

// ErrNoExtProcFilter means a configuration has no ext_proc filter in any HTTP connection manager.
var ErrNoExtProcFilter = errors.New("no envoy.filters.http.ext_proc filter found")

var (
	extProcTypeURL = typeURL(&extprocfilterv3.ExternalProcessor{})
	hcmTypeURL     = typeURL(&hcmv3.HttpConnectionManager{})
)

func typeURL(m proto.Message) string {
	return "type.googleapis.com/" + string(m.ProtoReflect().Descriptor().FullName())
}

// ExtProcFilter returns the first ext_proc filter (by its typed_config type, whatever its name)
// in the HTTP connection managers of b's static listeners, in listener and filter chain order.
func ExtProcFilter(b *bootstrapv3.Bootstrap) (*extprocfilterv3.ExternalProcessor, error) {
	for _, l := range b.GetStaticResources().GetListeners() {
		chains := l.GetFilterChains()
		if d := l.GetDefaultFilterChain(); d != nil {
			chains = append(chains[:len(chains):len(chains)], d)
		}
		for _, fc := range chains {
			ep, err := extProcInChain(fc)
			if err != nil {
				return nil, fmt.Errorf("listener %q: %w", l.GetName(), err)
			}
			if ep != nil {
				return ep, nil
			}
		}
	}
	return nil, fmt.Errorf("%w in any static listener's http_connection_manager; add one as in envoy/bootstrap.yaml",
		ErrNoExtProcFilter)
}

func extProcInChain(fc *listenerv3.FilterChain) (*extprocfilterv3.ExternalProcessor, error) {
	for _, f := range fc.GetFilters() {
		tc := f.GetTypedConfig()
		if tc.GetTypeUrl() != hcmTypeURL {
			continue
		}
		hcm := &hcmv3.HttpConnectionManager{}
		if err := tc.UnmarshalTo(hcm); err != nil {
			return nil, fmt.Errorf("filter %q: %w", f.GetName(), err)
		}
		for _, hf := range hcm.GetHttpFilters() {
			ep, err := ExtProcFromHTTPFilter(hf)
			if err != nil || ep != nil {
				return ep, err
			}
		}
	}
	return nil, nil
}

// ExtProcFromHTTPFilter returns hf's ext_proc configuration, or nil if hf is another filter.
// It serves configs that carry a bare HTTP filter, such as an Istio EnvoyFilter patch.
func ExtProcFromHTTPFilter(hf *hcmv3.HttpFilter) (*extprocfilterv3.ExternalProcessor, error) {
	tc := hf.GetTypedConfig()
	if tc.GetTypeUrl() != extProcTypeURL {
		return nil, nil
	}
	ep := &extprocfilterv3.ExternalProcessor{}
	if err := anypb.UnmarshalTo(tc, ep, proto.UnmarshalOptions{}); err != nil {
		return nil, fmt.Errorf("http filter %q: %w", hf.GetName(), err)
	}
	return ep, nil
}

var defaultExtProc = sync.OnceValues(func() (*extprocfilterv3.ExternalProcessor, error) {
	b, err := LoadBootstrap(BootstrapYAML)
	if err != nil {
		return nil, err
	}
	return ExtProcFilter(b)
})

// DefaultExtProcFilter returns (a copy of) the ext_proc filter of the embedded bootstrap: the
// processing modes, timeouts and forwarded metadata Envoy runs warden with. The embedded file is
// checked by this package's tests, so a failure to load it is a build defect and panics.
func DefaultExtProcFilter() *extprocfilterv3.ExternalProcessor {
	ep, err := defaultExtProc()
	if err != nil {
		panic(fmt.Sprintf("envoy: embedded bootstrap.yaml is broken: %v", err))
	}
	return proto.Clone(ep).(*extprocfilterv3.ExternalProcessor)
}
