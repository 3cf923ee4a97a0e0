package creds

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
)

func mustRoutes(t testing.TB, routes ...Route) *Broker {
	t.Helper()
	rs, err := compileRoutes(routes)
	if err != nil {
		t.Fatal(err)
	}
	return &Broker{routes: Routes{routes: rs}}
}

func TestRoleFor(t *testing.T) {
	h := map[string]string{"authorization": "x"}
	b := mustRoutes(t,
		Route{Host: "api.openai.com", Role: "openai", Headers: h},
		Route{Host: "*.orders.internal", PathPrefix: "/sql", Role: "orders", Headers: h},
		Route{Host: "*.orders.internal", PathPrefix: "/files/", Role: "files", Headers: h},
		Route{Host: "localhost:8443", Role: "local", Headers: h},
	)
	tests := []struct {
		host, path string
		want       string // "" = no route
	}{
		{"api.openai.com", "/v1/chat/completions", "openai"},
		{"API.OpenAI.com", "/", "openai"},
		{"api.openai.com:443", "/", "openai"},
		{"api.openai.com.", "/", "openai"},
		{"evil-api.openai.com", "/", ""},
		{"api.openai.com.evil.net", "/", ""},
		{"db1.orders.internal", "/sql", "orders"},
		{"db1.orders.internal", "/sql/query?x=1", "orders"},
		{"db1.orders.internal", "/sql?x=1", "orders"},
		{"a.b.orders.internal", "/sql", "orders"},
		{"db1.orders.internal", "/sqlx", ""},
		{"db1.orders.internal", "/", ""},
		{"orders.internal", "/sql", ""},
		{"xorders.internal", "/sql", ""},
		{"db1.orders.internal", "/files/a", "files"},
		{"localhost:8443", "/", "local"},
		{"localhost:9000", "/", ""},
		{"localhost", "/", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host+tt.path, func(t *testing.T) {
			got, ok := b.RoleFor(tt.host, tt.path)
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("RoleFor(%q, %q) = %q, %v; want %q", tt.host, tt.path, got, ok, tt.want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	rs, err := compileRoutes([]Route{{
		Host: "h", Role: "r",
		Headers: map[string]string{
			"Authorization": "Basic {{ basicAuth .username .password }}",
			"X-Api-Key":     "{{ .token }}",
		},
		RemoveHeaders: []string{"Cookie", "authorization"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rt := &rs[0]
	t.Run("headers and removals", func(t *testing.T) {
		set, err := rt.render(map[string]any{"username": "u", "password": "p:w", "token": "tok"})
		if err != nil {
			t.Fatal(err)
		}
		want := []HeaderValue{
			{Name: "authorization", Value: "Basic " + base64.StdEncoding.EncodeToString([]byte("u:p:w"))},
			{Name: "x-api-key", Value: "tok"},
		}
		if !slices.Equal(set, want) {
			t.Fatalf("set headers %v differ from the expected ones (values are not printed)", set)
		}
		// Every header set is also removed first, so the agent's copy never survives.
		if !slices.Equal(rt.remove, []string{"authorization", "x-api-key", "cookie"}) {
			t.Fatalf("remove = %v", rt.remove)
		}
	})
	t.Run("missing field names the key, not values", func(t *testing.T) {
		_, err := rt.render(map[string]any{"username": "u", "password": "hunter2-secret"})
		if err == nil || !errors.Is(err, errTemplate) {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(err.Error(), `"token"`) || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("err = %q: want the missing key named and no secret", err)
		}
	})
	t.Run("line breaks are refused", func(t *testing.T) {
		_, err := rt.render(map[string]any{"username": "u", "password": "p", "token": "a\r\nx-evil: 1"})
		if err == nil || strings.Contains(err.Error(), "evil") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("default removals", func(t *testing.T) {
		rs, err := compileRoutes([]Route{{Host: "h", Role: "r", Headers: map[string]string{"x-token": "{{.t}}"}}})
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string{"x-token"}, DefaultRemoveHeaders...)
		if !slices.Equal(rs[0].remove, want) {
			t.Fatalf("remove = %v, want %v", rs[0].remove, want)
		}
	})
	t.Run("bad template is a config error", func(t *testing.T) {
		_, err := compileRoutes([]Route{{Host: "h", Role: "r", Headers: map[string]string{"a": "{{ .x "}}})
		if err == nil || !strings.Contains(err.Error(), `header "a"`) {
			t.Fatalf("err = %v", err)
		}
	})
}

// FuzzRouteMatch feeds agent-controlled host and path values to the matcher:
// it must never panic, and a match must respect the route's host rules.
func FuzzRouteMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"api.openai.com", "/v1"},
		{"a.orders.internal:80", "/sql/x?y"},
		{"[::1]:443", "/"},
		{"", ""},
		{".orders.internal", "/sql"},
		{"x.orders.internal.", "/sql#f"},
	} {
		f.Add(s[0], s[1])
	}
	h := map[string]string{"authorization": "x"}
	b := mustRoutes(f,
		Route{Host: "api.openai.com", Role: "openai", Headers: h},
		Route{Host: "*.orders.internal", PathPrefix: "/sql", Role: "orders", Headers: h},
	)
	f.Fuzz(func(t *testing.T, host, path string) {
		role, ok := b.RoleFor(host, path)
		if !ok {
			return
		}
		h := strings.ToLower(host)
		switch role {
		case "openai":
			if !strings.HasPrefix(h, "api.openai.com") {
				t.Fatalf("%q matched openai", host)
			}
		case "orders":
			if !strings.Contains(h, ".orders.internal") || !strings.HasPrefix(path, "/sql") {
				t.Fatalf("%q %q matched orders", host, path)
			}
		}
	})
}
