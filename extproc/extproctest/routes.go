package extproctest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Route sends requests whose path starts with Prefix to Upstream.
type Route struct {
	Prefix string `yaml:"prefix"`
	// Upstream is a base URL such as http://127.0.0.1:8080.
	Upstream string `yaml:"upstream"`
	// HostRewrite, when set, replaces the Host header sent upstream.
	HostRewrite string `yaml:"host_rewrite,omitempty"`

	base *url.URL
}

type routesFile struct {
	Routes []Route `yaml:"routes"`
}

// LoadRoutes reads a routes file:
//
//	routes:
//	  - prefix: /v1/
//	    upstream: https://api.openai.com
//	    host_rewrite: api.openai.com
//
// The first matching prefix wins; a request that matches none goes to the
// host named by its Host header.
func LoadRoutes(path string) ([]Route, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read routes file: %w", err)
	}
	routes, err := ParseRoutes(data)
	if err != nil {
		return nil, fmt.Errorf("routes file %s: %w", path, err)
	}
	return routes, nil
}

// ParseRoutes parses the YAML of a routes file.
func ParseRoutes(data []byte) ([]Route, error) {
	var f routesFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // empty file: no routes
		return nil, fmt.Errorf("parse YAML (want `routes: [{prefix, upstream, host_rewrite}]`): %w", err)
	}
	for i := range f.Routes {
		if err := f.Routes[i].compile(); err != nil {
			return nil, fmt.Errorf("route %d: %w", i+1, err)
		}
	}
	return f.Routes, nil
}

func (r *Route) compile() error {
	if !strings.HasPrefix(r.Prefix, "/") {
		return fmt.Errorf("prefix %q must start with /", r.Prefix)
	}
	u, err := url.Parse(r.Upstream)
	if err != nil {
		return fmt.Errorf("upstream %q is not a URL: %w", r.Upstream, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("upstream %q must be an absolute http:// or https:// URL", r.Upstream)
	}
	r.base = u
	return nil
}

// match returns the first route whose prefix starts path.
func match(routes []Route, path string) *Route {
	for i := range routes {
		if strings.HasPrefix(path, routes[i].Prefix) {
			return &routes[i]
		}
	}
	return nil
}
