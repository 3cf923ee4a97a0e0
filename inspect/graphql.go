package inspect

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/gqlparse"
	"github.com/warden-gw/warden/inspect/shparse"
)

// graphQLActions adds the GraphQL request an exchange carries: a JSON body {"query", ...} (or a
// batch) whose query is a GraphQL document, an application/graphql body, or a GET whose query
// parameter holds the document. A document that does not parse counts only on a path that names
// GraphQL (elsewhere a "query" string is something else).
func (f *Facts) graphQLActions(req *exchange.Request, path, rawQuery, ct string) {
	var res gqlparse.Result
	var text string
	ok := false
	gqlPath := strings.Contains(strings.ToLower(path), "graphql")
	switch {
	case f.bodyJSON:
		res, text, ok = gqlparse.FromJSON(f.body)
	case len(req.Body) > 0 && strings.Contains(ct, "application/graphql"):
		text = string(req.Body)
		res, ok = gqlparse.Analyze(text, nil), true
	case rawQuery != "" && gqlPath:
		vals, _ := url.ParseQuery(rawQuery)
		if q := vals.Get("query"); q != "" {
			text = q
			body := map[string]any{"query": q, "variables": vals.Get("variables")}
			res, _, ok = gqlparse.FromJSON(body)
		}
	}
	if !ok || res.ParseError != "" && !gqlPath {
		return
	}
	if len(f.Actions) >= maxActions {
		f.truncate("more than " + itoa(maxActions) + " actions in one exchange")
		return
	}
	f.Actions = append(f.Actions, Action{
		Kind: KindGraphQL, Source: "request.graphql", Text: text,
		Destructive: res.Destructive, Reasons: res.Reasons, GraphQL: &res,
	})
}

// addCommandRequests judges the HTTP requests a shell command sends (curl, wget, httpie, gh api)
// as the same requests through the gateway would be judged (AddEmbeddedHTTP: same
// canonicalisation and recognisers, nesting bounded), their actions added under the command's
// source.
func (f *Facts) addCommandRequests(src, tool string, reqs []shparse.HTTPRequest) {
	for i, h := range reqs {
		r := EmbeddedRequest{Method: h.Method, URL: h.URL, Body: []byte(h.Body)}
		for _, line := range h.Headers {
			if k, v, ok := strings.Cut(line, ":"); ok {
				r.Headers = append(r.Headers, exchange.Header{Key: strings.ToLower(strings.TrimSpace(k)), Value: strings.TrimSpace(v)})
			}
		}
		f.AddEmbeddedHTTP(src+".http["+strconv.Itoa(i)+"]", tool, r)
	}
}
