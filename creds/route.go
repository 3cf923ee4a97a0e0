package creds

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"text/template"

	"github.com/warden-gw/warden/exchange"
)

// compiledRoute is a Route with its templates parsed and names normalised.
type compiledRoute struct {
	host       string // lower case, without "*."
	wildcard   bool
	hasPort    bool
	pathPrefix string
	role       string
	headers    []headerTemplate // sorted by name for stable output
	remove     []string
}

type headerTemplate struct {
	name string // lower case
	tmpl *template.Template
}

var templateFuncs = template.FuncMap{
	"basicAuth": func(user, pass string) string {
		return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	},
}

func compileRoutes(routes []Route) ([]compiledRoute, error) {
	out := make([]compiledRoute, 0, len(routes))
	for i, rt := range routes {
		host := strings.ToLower(rt.Host)
		cr := compiledRoute{
			host:       strings.TrimPrefix(host, "*."),
			wildcard:   strings.HasPrefix(host, "*."),
			pathPrefix: rt.PathPrefix,
			role:       rt.Role,
		}
		_, _, err := net.SplitHostPort(cr.host)
		cr.hasPort = err == nil
		names := make([]string, 0, len(rt.Headers))
		for name := range rt.Headers {
			names = append(names, name)
		}
		sort.Strings(names)
		removed := map[string]bool{}
		for _, name := range names {
			t, err := template.New(name).Option("missingkey=error").Funcs(templateFuncs).Parse(rt.Headers[name])
			if err != nil {
				return nil, fmt.Errorf("routes[%d] header %q: bad template: %w", i, name, err)
			}
			lower := strings.ToLower(name)
			cr.headers = append(cr.headers, headerTemplate{name: lower, tmpl: t})
			if !removed[lower] {
				removed[lower] = true
				cr.remove = append(cr.remove, lower)
			}
		}
		remove := rt.RemoveHeaders
		if remove == nil {
			remove = DefaultRemoveHeaders
		}
		for _, name := range remove {
			lower := strings.ToLower(name)
			if !removed[lower] {
				removed[lower] = true
				cr.remove = append(cr.remove, lower)
			}
		}
		out = append(out, cr)
	}
	return out, nil
}

// matches reports whether the route applies to host and path. host may carry
// a port; path may carry a query string.
func (cr *compiledRoute) matches(host, path string) bool {
	host = strings.ToLower(host)
	if !cr.hasPort {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
	}
	host = strings.TrimSuffix(host, ".")
	if cr.wildcard {
		if len(host) <= len(cr.host) || !strings.HasSuffix(host, cr.host) || host[len(host)-len(cr.host)-1] != '.' {
			return false
		}
	} else if host != cr.host {
		return false
	}
	return exchange.PathHasPrefix(path, cr.pathPrefix)
}

// errTemplate is returned when a header template cannot be rendered from a
// secret; its message names the header and the problem, never a value.
var errTemplate = errors.New("render credential header")

// render executes the route's templates over data. Errors name the header
// but never include data values.
func (cr *compiledRoute) render(data map[string]any) ([]HeaderValue, error) {
	set := make([]HeaderValue, 0, len(cr.headers))
	var sb strings.Builder
	for _, h := range cr.headers {
		sb.Reset()
		if err := h.tmpl.Execute(&sb, data); err != nil {
			return nil, fmt.Errorf("%w %q: template needs a field the secret does not have (check the role's fields mapping): %s",
				errTemplate, h.name, templateErrorKind(err))
		}
		v := sb.String()
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("%w %q: value contains a line break or NUL", errTemplate, h.name)
		}
		set = append(set, HeaderValue{Name: h.name, Value: v})
	}
	return set, nil
}

// templateErrorKind reduces a template error to text that cannot contain
// secret data: text/template errors quote field names, not values, but keep
// only the part after the last ": " to be safe about future changes.
func templateErrorKind(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if strings.Contains(msg, "map has no entry for key") {
		return msg
	}
	return "template execution failed"
}

// Routes matches requests to the credential role of the first matching route, without Vault:
// `warden check` and the router stage use it to tell a policy the creds.role of a request.
type Routes struct{ routes []compiledRoute }

// NewRoutes compiles the routes of a vault section.
func NewRoutes(routes []Route) (*Routes, error) {
	c, err := compileRoutes(routes)
	if err != nil {
		return nil, err
	}
	return &Routes{routes: c}, nil
}

// RoleFor returns the role of the first route matching host (an authority, possibly with a port)
// and path (its query ignored).
func (r *Routes) RoleFor(host, path string) (role string, ok bool) {
	if rt := r.match(host, path); rt != nil {
		return rt.role, true
	}
	return "", false
}

// match returns the first route matching host and path, or nil: the one place both the router
// stage (creds.role for the policy) and the broker (the credential injected) choose a route.
func (r *Routes) match(host, path string) *compiledRoute {
	for i := range r.routes {
		if r.routes[i].matches(host, path) {
			return &r.routes[i]
		}
	}
	return nil
}
