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
		f.Truncated = true
		return
	}
	f.Actions = append(f.Actions, Action{
		Kind: KindGraphQL, Source: "request.graphql", Text: text,
		Destructive: res.Destructive, Reasons: res.Reasons, GraphQL: &res,
	})
}

// maxCommandRequestNesting bounds requests found in commands found in requests ... (curl whose
// body holds a command that runs curl).
const maxCommandRequestNesting = 3

// addCommandRequests judges the HTTP requests a shell command sends (curl, wget, httpie, gh api)
// as the same requests through the gateway would be judged: the synthetic request goes through
// Analyze and its actions are added under the command's source.
func (f *Facts) addCommandRequests(src, tool string, reqs []shparse.HTTPRequest) {
	if strings.Count(src, ".http[") >= maxCommandRequestNesting {
		if len(reqs) > 0 {
			f.Truncated = true
		}
		return
	}
	for i, h := range reqs {
		r, ok := syntheticRequest(h)
		if !ok {
			continue
		}
		sub := Analyze(r)
		prefix := src + ".http[" + strconv.Itoa(i) + "]"
		for _, a := range sub.Actions {
			if len(f.Actions) >= maxActions {
				f.Truncated = true
				return
			}
			a.Source = prefix + "." + a.Source
			if a.Name == "" {
				a.Name = tool
			}
			f.Actions = append(f.Actions, a)
		}
		f.Truncated = f.Truncated || sub.Truncated
	}
}

// syntheticRequest builds the request a command line would send.
func syntheticRequest(h shparse.HTTPRequest) (*exchange.Request, bool) {
	u, err := url.Parse(h.URL)
	if err != nil || u.Host == "" {
		return nil, false
	}
	r := &exchange.Request{
		Method: h.Method, Scheme: u.Scheme, Authority: u.Host, Path: u.RequestURI(),
		Body: []byte(h.Body), BodySeen: h.Body != "",
	}
	for _, line := range h.Headers {
		k, v, ok := strings.Cut(line, ":")
		if ok {
			r.Headers = append(r.Headers, exchange.Header{Key: strings.ToLower(strings.TrimSpace(k)), Value: strings.TrimSpace(v)})
		}
	}
	return r, true
}
