package envoy

import (
	"os"
	"strings"
	"testing"

	jwtauthnv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
)

var bootstraps = []string{"bootstrap.yaml", "examples/front-proxy.yaml"}

func httpFilters(t *testing.T, path string) []*hcmv3.HttpFilter {
	t.Helper()
	return connectionManager(t, path).GetHttpFilters()
}

// connectionManager is the first http_connection_manager of the bootstrap at path.
func connectionManager(t *testing.T, path string) *hcmv3.HttpConnectionManager {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadBootstrap(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range b.GetStaticResources().GetListeners() {
		for _, fc := range l.GetFilterChains() {
			for _, f := range fc.GetFilters() {
				hcm := &hcmv3.HttpConnectionManager{}
				if f.GetTypedConfig().GetTypeUrl() == hcmTypeURL {
					if err := f.GetTypedConfig().UnmarshalTo(hcm); err != nil {
						t.Fatal(err)
					}
					return hcm
				}
			}
		}
	}
	t.Fatalf("%s: no http_connection_manager", path)
	return nil
}

// The client address warden keys an anonymous session on — and so the approvals that session
// may use — is Envoy's source.address. Without use_remote_address Envoy takes it from the last
// x-forwarded-for entry, which the client writes itself.
func TestClientAddressIsThePeer(t *testing.T) {
	for _, path := range bootstraps {
		if !connectionManager(t, path).GetUseRemoteAddress().GetValue() {
			t.Errorf("%s: use_remote_address is not set: a client could choose its source.address with x-forwarded-for", path)
		}
	}
}

// TestFilterOrder checks that jwt_authn runs before ext_proc (so the claims exist when warden
// is asked), that it lets requests without a JWT through, and that the router comes last.
func TestFilterOrder(t *testing.T) {
	for _, path := range bootstraps {
		t.Run(path, func(t *testing.T) {
			filters := httpFilters(t, path)
			jwtAt, extProcAt := -1, -1
			var jwt *jwtauthnv3.JwtAuthentication
			for i, f := range filters {
				switch f.GetTypedConfig().GetTypeUrl() {
				case extProcTypeURL:
					extProcAt = i
				case typeURL(&jwtauthnv3.JwtAuthentication{}):
					jwtAt = i
					jwt = &jwtauthnv3.JwtAuthentication{}
					if err := f.GetTypedConfig().UnmarshalTo(jwt); err != nil {
						t.Fatal(err)
					}
				}
			}
			if jwtAt < 0 || extProcAt < 0 || jwtAt > extProcAt {
				t.Fatalf("jwt_authn at %d, ext_proc at %d: want jwt_authn before ext_proc", jwtAt, extProcAt)
			}
			if last := filters[len(filters)-1]; last.GetName() != "envoy.filters.http.router" {
				t.Errorf("last filter is %q, want the router", last.GetName())
			}
			for name, p := range jwt.GetProviders() {
				if p.GetPayloadInMetadata() == "" {
					t.Errorf("provider %s: payload_in_metadata is empty, warden would never see the claims", name)
				}
				// With no from_headers Envoy reads Authorization, where LLM SDKs put API keys:
				// every such request would fail as a malformed JWT.
				if len(p.GetFromHeaders()) == 0 {
					t.Errorf("provider %s reads the JWT from Authorization; set from_headers", name)
				}
				for _, h := range p.GetFromHeaders() {
					if strings.EqualFold(h.GetName(), "authorization") {
						t.Errorf("provider %s reads the JWT from Authorization, where SDKs put API keys", name)
					}
				}
			}
			allowsMissing := false
			for _, r := range jwt.GetRules() {
				for _, req := range r.GetRequires().GetRequiresAny().GetRequirements() {
					allowsMissing = allowsMissing || req.GetAllowMissing() != nil
				}
			}
			if !allowsMissing {
				t.Error("no jwt_authn rule has allow_missing: requests without a JWT would be rejected before warden sees them")
			}
		})
	}
}
