package extproctest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mutationrulesv3 "github.com/envoyproxy/go-control-plane/envoy/config/common/mutation_rules/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// Configs Envoy would refuse are refused with a message saying why.
func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name    string
		f       *extprocfilterv3.ExternalProcessor
		errPart string
	}{
		{"nil config", nil, "nil"},
		{"full duplex without trailers", filterCfg(modes(modeDuplex, modeNone)), "trailer mode"},
		{"grpc body mode", filterCfg(modes(extprocfilterv3.ProcessingMode_GRPC, modeNone)), "GRPC"},
		{"bad regex", filterCfg(nil, func(f *extprocfilterv3.ExternalProcessor) {
			f.MutationRules = &mutationrulesv3.HeaderMutationRules{AllowExpression: &matcherv3.RegexMatcher{Regex: "("}}
		}), "does not compile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(deadClient(t), tc.f)
			if err == nil || !strings.Contains(err.Error(), tc.errPart) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.errPart)
			}
		})
	}
}

// Mirrors mutation_rules.cc isAllowed: disallow_expression beats
// allow_expression, which beats disallow_all and the routing rules; both
// must match the whole name.
func TestMutationRuleExpressions(t *testing.T) {
	rules := &mutationrulesv3.HeaderMutationRules{
		AllowExpression:    &matcherv3.RegexMatcher{Regex: "x-warden-.*|:authority"},
		DisallowExpression: &matcherv3.RegexMatcher{Regex: "x-warden-secret"},
		DisallowAll:        wrapTrue(),
	}
	c, err := newChecker(rules)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want checkResult
	}{
		{"x-warden-rule", checkOK},
		{"x-warden-secret", checkIgnore},
		{":authority", checkOK},
		{"x-other", checkIgnore},
		{"prefix-x-warden-a", checkIgnore}, // whole-name match only
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.check(opSet, tc.name, "v"); got != tc.want {
				t.Errorf("check(%s) = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

// The gateway picks the route from the original path, unless the ext_proc
// server cleared the route cache along with its header mutation.
func TestGatewayRouteCache(t *testing.T) {
	tests := []struct {
		name  string
		clear bool
		want  string
	}{
		{"route kept", false, "A:/b/x"},
		{"route recomputed", true, "B:/b/x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := func(name string) *httptest.Server {
				return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprintf(w, "%s:%s", name, r.URL.Path)
				}))
			}
			a, b := up("A"), up("B")
			defer a.Close()
			defer b.Close()
			srv := replyHeaders(&extprocv3.CommonResponse{HeaderMutation: setHeader(":path", "/b/x"), ClearRouteCache: tc.clear})
			e := newEnvoy(t, srv, filterCfg(nil))
			gw, err := NewGateway(GatewayConfig{Logger: quiet, Envoy: e, Routes: []Route{{Prefix: "/a/", Upstream: a.URL}, {Prefix: "/b/", Upstream: b.URL}}})
			if err != nil {
				t.Fatal(err)
			}
			front := httptest.NewServer(gw)
			defer front.Close()
			req, _ := http.NewRequestWithContext(context.Background(), "GET", front.URL+"/a/x", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(got) != tc.want {
				t.Errorf("reached %q, want %q", got, tc.want)
			}
		})
	}
}
