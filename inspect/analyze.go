package inspect

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/cloudapi"
	"github.com/warden-gw/warden/inspect/k8sapi"
	"github.com/warden-gw/warden/inspect/llmapi"
	"github.com/warden-gw/warden/inspect/mcpapi"
	"github.com/warden-gw/warden/inspect/shparse"
)

// maxFormBody bounds the form-encoded bodies read for fields.
const maxFormBody = 1 << 20

// Analyze inspects a request: URL-level actions (GitHub, AWS, Kubernetes), the LLM request, the
// MCP message, and actions in body fields. It never fails: what it cannot read it leaves out.
func Analyze(req *exchange.Request) *Facts {
	f := &Facts{}
	path, rawQuery, _ := strings.Cut(req.Path, "?")
	host := hostOf(req)
	endpoint := strings.ToLower(host + " " + path)

	f.urlActions(req, path, rawQuery, host)
	urlAction := len(f.Actions) > 0

	provider, api, isLLM := llmapi.Detect(path)
	ct := strings.ToLower(req.Headers.Get("content-type"))
	if len(req.Body) > 0 && looksJSON(ct, req.Body) {
		if v, ok := decodeJSON(req.Body); ok {
			f.body, f.bodyJSON = v, true
		}
	}
	f.graphQLActions(req, path, rawQuery, ct)
	switch {
	case isLLM:
		f.LLM = llmapi.ParseRequest(provider, api, f.body)
		f.Streamed = f.LLM.Stream
	case f.bodyJSON:
		if msgs, err := mcpapi.FromJSON(f.body); err == nil {
			f.MCP = msgs
			for i, m := range msgs {
				if m.Method == mcpapi.MethodToolsCall && m.Arguments != nil {
					prefix := "mcp.arguments"
					if len(msgs) > 1 { // a batch: name the member
						prefix = "mcp[" + strconv.Itoa(i) + "].arguments"
					}
					x := newExtractor(f, prefix, m.Tool, strings.ToLower(m.Tool)+" "+endpoint, true)
					x.walk(m.Arguments, 0)
				}
			}
		} else {
			x := newExtractor(f, "request.body", "", endpoint, isExecContext(endpoint))
			x.walk(f.body, 0)
		}
	case len(req.Body) > 0 && len(req.Body) <= maxFormBody && strings.Contains(ct, "x-www-form-urlencoded"):
		// Pairs that parse are kept even when others do not: servers differ in how strictly they
		// parse, and one bad escape must not hide the rest.
		vals, _ := url.ParseQuery(string(req.Body))
		x := newExtractor(f, "request.body", "", endpoint, isExecContext(endpoint))
		x.values(vals)
	case len(req.Body) > 0 && strings.Contains(ct, "application/sql"):
		x := newExtractor(f, "request", "", endpoint, false)
		x.sql("request.body", string(req.Body))
	case !isLLM && rawSQLBody(req, ct, endpoint):
		f.addRawSQL(req, endpoint)
	}
	// The query of a URL-level API call holds that API's own parameters (pod exec commands are
	// already an action), so only other URLs are searched for fields.
	if rawQuery != "" && !isLLM && !urlAction {
		vals, _ := url.ParseQuery(rawQuery)
		x := newExtractor(f, "request.query", "", endpoint, isExecContext(endpoint))
		x.values(vals)
	}
	f.sortActions()
	return f
}

// AddResponse adds what a buffered response proposes: for an LLM request, the tool calls in its
// JSON or whole SSE body, and the actions in their arguments. A streamed response (nil body)
// adds nothing here; the streaming path calls AddToolCalls with the Guard's calls.
func (f *Facts) AddResponse(resp *exchange.Response) {
	if f.LLM.API == "" || resp == nil || len(resp.Body) == 0 {
		return
	}
	calls, err := llmapi.ParseResponse(f.LLM.API, resp.Body)
	if err != nil {
		f.LLMResponseError = err.Error()
	}
	if ct := resp.Headers.Get("content-type"); strings.Contains(ct, "text/event-stream") {
		f.Streamed = true
	}
	f.addCalls(calls)
}

// AddToolCalls adds tool calls assembled from a streamed response (llmapi.Guard.Finish).
func (f *Facts) AddToolCalls(calls []llmapi.ToolCall) {
	f.Streamed = true
	f.addCalls(calls)
}

func (f *Facts) addCalls(calls []llmapi.ToolCall) {
	f.cel = nil
	for _, c := range calls {
		i := len(f.LLMCalls)
		f.LLMCalls = append(f.LLMCalls, c)
		src := llmapi.Source(i)
		name := strings.ToLower(c.Name)
		args := c.Args()
		x := newExtractor(f, src+".arguments", c.Name, name, true)
		if len(args) > 0 || strings.HasPrefix(strings.TrimSpace(c.Arguments), "{") {
			x.walk(args, 0)
			continue
		}
		// Free-form input (custom tools): read it as the tool name says.
		switch text := c.Arguments; {
		case text == "":
		case isSQLContext(name):
			x.sql(src+".input", text)
		case isExecContext(name):
			x.shell(src+".input", text)
		}
	}
	f.sortActions()
}

// urlActions adds the GitHub, AWS and Kubernetes actions a request's URL names.
func (f *Facts) urlActions(req *exchange.Request, path, rawQuery, host string) {
	if gh, ok := cloudapi.GitHub(req); ok {
		f.Actions = append(f.Actions, Action{
			Kind: KindGitHub, Source: "request.url", Text: strings.ToUpper(req.Method) + " " + path,
			Destructive: gh.Destructive, Reasons: nonEmpty(gh.Reason), GitHub: &gh,
		})
		return
	}
	if aws, ok := cloudapi.AWS(req); ok {
		f.Actions = append(f.Actions, Action{
			Kind: KindAWS, Source: "request.url", Text: aws.Service + ":" + aws.Action,
			Destructive: aws.Destructive, Reasons: nonEmpty(aws.Reason), AWS: &aws,
		})
		return
	}
	var query url.Values
	if rawQuery != "" {
		query, _ = url.ParseQuery(rawQuery)
	}
	k, ok := k8sapi.Parse(req.Method, path, query)
	if !ok || k.Resource == "" || !likelyKubernetes(host, k) {
		return
	}
	a := Action{Kind: KindK8s, Source: "request.url", Text: strings.ToUpper(req.Method) + " " + path, K8s: &k}
	if k.Destructive() {
		a.Destructive = true
		a.Reasons = []string{"Kubernetes " + k.Verb + " of " + describeK8s(k)}
	}
	f.Actions = append(f.Actions, a)
	if len(k.ExecCommand) > 0 {
		res := shparse.AnalyzeArgv(k.ExecCommand)
		f.addShell("k8s.exec", "", joinArgv(k.ExecCommand), res)
	}
}

func describeK8s(k k8sapi.Request) string {
	s := k.Resource
	if k.Name != "" {
		s += " \"" + k.Name + "\""
	}
	if k.Namespace != "" && k.Resource != "namespaces" {
		s += " in namespace \"" + k.Namespace + "\""
	}
	if k.ClusterScoped && k.Resource != "namespaces" && k.Namespace == "" {
		s += " (cluster-wide)"
	}
	return s
}

// likelyKubernetes tells an API server from an application that also serves /api/v1/...
func likelyKubernetes(host string, k k8sapi.Request) bool {
	if k8sapi.Known(k.Resource) || strings.Contains(k.Group, ".") {
		return true
	}
	h := strings.ToLower(host)
	return strings.HasSuffix(h, ":6443") || strings.Contains(h, "kube") || strings.Contains(h, "k8s") ||
		strings.Contains(h, ".eks.amazonaws.com") || strings.Contains(h, "azmk8s.io")
}

func hostOf(req *exchange.Request) string {
	if req.Authority != "" {
		return req.Authority
	}
	return req.Headers.Get("host")
}

func looksJSON(ct string, body []byte) bool {
	if strings.Contains(ct, "json") {
		return true
	}
	t := bytes.TrimLeft(body, " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
