package xds

import (
	"errors"
	"fmt"
	"sync"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"

	"github.com/warden-gw/warden/envoy"
)

// template is what a gateway copies from the embedded envoy/bootstrap.yaml: the HTTP connection
// manager (timeouts, access log, filter order and the ext_proc settings) and the warden cluster
// (HTTP/2, connect timeout).
type template struct {
	hcm    *hcmv3.HttpConnectionManager
	warden *clusterv3.Cluster
}

const wardenClusterName = "warden"

var loadTemplate = sync.OnceValues(func() (*template, error) {
	b, err := envoy.LoadBootstrap(envoy.BootstrapYAML)
	if err != nil {
		return nil, err
	}
	// The first filter of the first listener is its http_connection_manager (checked below).
	t := &template{hcm: &hcmv3.HttpConnectionManager{}}
	ls := b.GetStaticResources().GetListeners()
	if len(ls) == 0 || len(ls[0].GetFilterChains()) == 0 || len(ls[0].GetFilterChains()[0].GetFilters()) == 0 {
		return nil, errors.New("bootstrap has no listener with a filter")
	}
	if err := ls[0].GetFilterChains()[0].GetFilters()[0].GetTypedConfig().UnmarshalTo(t.hcm); err != nil {
		return nil, fmt.Errorf("bootstrap listener %q: http_connection_manager: %w", ls[0].GetName(), err)
	}
	ep, err := envoy.ExtProcFilter(b)
	if err != nil {
		return nil, err
	}
	if ep.GetGrpcService().GetEnvoyGrpc().GetClusterName() != wardenClusterName {
		return nil, fmt.Errorf("bootstrap ext_proc must use cluster %q", wardenClusterName)
	}
	for _, c := range b.GetStaticResources().GetClusters() {
		if c.GetName() == wardenClusterName {
			t.warden = c
		}
	}
	if t.warden == nil {
		return nil, fmt.Errorf("bootstrap has no cluster %q", wardenClusterName)
	}
	return t, nil
})

// bootstrapTemplate returns a deep copy of the template, so a caller may edit it.
func bootstrapTemplate() (*template, error) {
	t, err := loadTemplate()
	if err != nil {
		return nil, fmt.Errorf("embedded envoy/bootstrap.yaml cannot serve as the xDS template: %w", err)
	}
	return &template{
		hcm:    proto.Clone(t.hcm).(*hcmv3.HttpConnectionManager),
		warden: proto.Clone(t.warden).(*clusterv3.Cluster),
	}, nil
}
