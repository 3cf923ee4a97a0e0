package envoy

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// routesOf returns the routes of the first virtual host of every HTTP connection manager in the
// bootstrap at path, in order.
func routesOf(t *testing.T, path string) []*routev3.Route {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadBootstrap(data)
	if err != nil {
		t.Fatal(err)
	}
	var out []*routev3.Route
	for _, l := range b.GetStaticResources().GetListeners() {
		for _, fc := range l.GetFilterChains() {
			for _, f := range fc.GetFilters() {
				if f.GetTypedConfig().GetTypeUrl() != hcmTypeURL {
					continue
				}
				hcm := &hcmv3.HttpConnectionManager{}
				if err := f.GetTypedConfig().UnmarshalTo(hcm); err != nil {
					t.Fatal(err)
				}
				for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
					out = append(out, vh.GetRoutes()...)
				}
			}
		}
	}
	return out
}

// fullMatch is Envoy's safe_regex: RE2 over the whole value.
func fullMatch(t *testing.T, re, s string) bool {
	t.Helper()
	r, err := regexp.Compile(`^(?:` + re + `)$`)
	if err != nil {
		t.Fatal(err)
	}
	return r.MatchString(s)
}

func stringMatches(t *testing.T, m *matcherv3.StringMatcher, v string) bool {
	switch p := m.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Exact:
		return v == p.Exact
	case *matcherv3.StringMatcher_Prefix:
		return strings.HasPrefix(v, p.Prefix)
	case *matcherv3.StringMatcher_SafeRegex:
		return fullMatch(t, p.SafeRegex.GetRegex(), v)
	}
	t.Fatalf("string matcher %v not handled by this test", m)
	return false
}

// pick is Envoy's first-match route selection for what these configs use: prefix, path,
// safe_regex, and query_parameters with a string_match or present_match.
func pick(t *testing.T, routes []*routev3.Route, target string) *routev3.Route {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
next:
	for _, r := range routes {
		m := r.GetMatch()
		switch {
		case m.GetPrefix() != "" && !strings.HasPrefix(u.Path, m.GetPrefix()),
			m.GetPath() != "" && u.Path != m.GetPath(),
			m.GetSafeRegex() != nil && !fullMatch(t, m.GetSafeRegex().GetRegex(), u.Path):
			continue next
		}
		for _, q := range m.GetQueryParameters() {
			vals, ok := u.Query()[q.GetName()]
			switch {
			case !ok:
				continue next
			case q.GetStringMatch() != nil && !stringMatches(t, q.GetStringMatch(), vals[0]):
				continue next
			}
		}
		return r
	}
	t.Fatalf("no route for %s", target)
	return nil
}

// responseBodyMode is the response body mode Envoy uses on route r: its ExtProcPerRoute
// override, else the filter's.
func responseBodyMode(t *testing.T, r *routev3.Route, filter *extprocfilterv3.ExternalProcessor) extprocfilterv3.ProcessingMode_BodySendMode {
	t.Helper()
	if a, ok := r.GetTypedPerFilterConfig()["envoy.filters.http.ext_proc"]; ok {
		pr := &extprocfilterv3.ExtProcPerRoute{}
		if err := a.UnmarshalTo(pr); err != nil {
			t.Fatal(err)
		}
		if pm := pr.GetOverrides().GetProcessingMode(); pm != nil {
			return pm.GetResponseBodyMode()
		}
	}
	return filter.GetProcessingMode().GetResponseBodyMode()
}

// A Kubernetes watch, a followed log and an exec session last for minutes or hours: the shipped
// configs must not cut them with a route timeout (Envoy's default is 15s) nor BUFFER their
// response bodies (nothing reaches the client until the stream ends, then the buffer overflows).
// Ordinary API calls keep a bounded timeout and buffered processing.
func TestLongLivedKubernetesResponsesAreStreamedAndNotCut(t *testing.T) {
	for _, path := range []string{"bootstrap.yaml", "examples/front-proxy.yaml"} {
		t.Run(path, func(t *testing.T) {
			routes := routesOf(t, path)
			data, _ := os.ReadFile(path)
			b, err := LoadBootstrap(data)
			if err != nil {
				t.Fatal(err)
			}
			filter, err := ExtProcFilter(b)
			if err != nil {
				t.Fatal(err)
			}
			long := []string{
				"/k8s/api/v1/namespaces/prod/pods?watch=true",
				"/k8s/apis/apps/v1/deployments?watch=1&resourceVersion=10",
				"/k8s/api/v1/namespaces/prod/pods/web-0/log?follow=true&container=app",
				"/k8s/api/v1/namespaces/prod/pods/web-0/exec?command=ls&stdout=true",
			}
			for _, target := range long {
				r := pick(t, routes, target)
				ra := r.GetRoute()
				if ra.GetTimeout() == nil || ra.GetTimeout().AsDuration() != 0 {
					t.Errorf("%s: route timeout %v, want 0s (disabled)", target, ra.GetTimeout().AsDuration())
				}
				if ra.GetIdleTimeout().AsDuration() < 10*time.Minute {
					t.Errorf("%s: idle_timeout %v, want at least 10m", target, ra.GetIdleTimeout().AsDuration())
				}
				mode := responseBodyMode(t, r, filter)
				if mode == extprocfilterv3.ProcessingMode_BUFFERED || mode == extprocfilterv3.ProcessingMode_BUFFERED_PARTIAL {
					t.Errorf("%s: response body mode %v, want STREAMED or NONE", target, mode)
				}
			}
			for _, target := range []string{"/k8s/api/v1/namespaces/prod/pods", "/k8s/api/v1/namespaces/prod/pods?watch=false", "/k8s/api/v1/namespaces/prod/pods/web-0/log"} {
				r := pick(t, routes, target)
				if d := r.GetRoute().GetTimeout().AsDuration(); d <= 0 || d > 10*time.Minute {
					t.Errorf("%s: route timeout %v, want a bounded one", target, d)
				}
				if m := responseBodyMode(t, r, filter); m != extprocfilterv3.ProcessingMode_BUFFERED {
					t.Errorf("%s: response body mode %v, want BUFFERED (whole-body inspection)", target, m)
				}
			}
		})
	}
}
