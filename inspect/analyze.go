package inspect

import (
	"strconv"
	"strings"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/k8sapi"
	"github.com/warden-gw/warden/inspect/llmapi"
	"github.com/warden-gw/warden/inspect/mcpapi"
)

// maxEmbedDepth bounds how deep an HTTP request described inside another (a fetch tool's
// arguments, a curl command) is judged as a request of its own.
const maxEmbedDepth = 2

// Analyze inspects a request: URL-level actions (GitHub, AWS, Kubernetes), the LLM request, the
// MCP message, and actions in body fields. It never fails: what it cannot read completely it
// records in Facts.Inspection, which policies read.
func Analyze(req *exchange.Request) *Facts {
	return analyze(req, 0)
}

func analyze(req *exchange.Request, depth int) *Facts {
	f := &Facts{depth: depth}
	c := canonicalize(req)
	path := c.paths[0]
	endpoint := c.host + " " + strings.ToLower(path)
	raw := req.Body
	if enc := req.Headers.Get("content-encoding"); enc != "" && len(raw) > 0 && !req.Decoded {
		raw = f.decodeContentEncoding(raw, enc)
		if raw != nil {
			// Every reader below (the GitHub, AWS and Kubernetes recognisers, GraphQL, a
			// proxied request) reads what the server will read: the decoded body.
			decoded := *req
			decoded.Body = raw
			req = &decoded
		}
	}
	body := f.readBody(raw, req.Headers.Get("content-type"), req.JSON)
	c.bodyMethods(body)

	f.urlActions(req, c)
	urlAction := len(f.Actions) > 0
	f.tunnelledRequest(req, c, raw)

	provider, api, isLLM := llmapi.Detect(path)
	byShape := false
	if !isLLM && body.kind == bodyJSON && !urlAction {
		provider, api, isLLM = llmapi.DetectBody(body.json)
		byShape = isLLM
	}
	if body.kind == bodyJSON {
		f.body, f.bodyJSON = body.json, true
	}
	execEndpoint := isExecContext(endpoint) || isSQLContext(endpoint)
	ct := strings.ToLower(req.Headers.Get("content-type"))
	if execEndpoint && !isLLM && body.kind == bodyOther && len(raw) > 0 && !strings.Contains(ct, "graphql") &&
		!f.Inspection.Truncated && !f.Inspection.Ambiguous {
		// A body of a type no reader here reads (application/octet-stream, text/x-python, ...):
		// the endpoint may run it all the same.
		f.ambiguous("request body to an executing endpoint is of a type warden does not read")
	}
	if execEndpoint && body.binaryParts > 0 {
		f.ambiguous("a multipart part to an executing endpoint is not text")
	}
	f.graphQLActions(req, path, c.rawQuery, ct)
	switch {
	case isLLM:
		f.LLM = llmapi.ParseRequest(provider, api, body.json)
		f.Streamed = f.LLM.Stream || llmapi.StreamPath(path)
		if byShape {
			// Only the shape says LLM: the fields an LLM API does not read are still searched, so
			// that a chat-shaped body cannot carry a command past an executing endpoint.
			f.llmShapedBody(body, endpoint)
		}
	case body.kind == bodyJSON || body.kind == bodyYAML:
		f.jsonBody(body, endpoint)
	case body.kind == bodyForm || body.kind == bodyMultipart:
		x := newExtractor(f, "request.body", "", endpoint, isExecContext(endpoint))
		x.values(body.form)
	case body.kind == bodySQL:
		x := newExtractor(f, "request", "", endpoint, false)
		x.sql("request.body", body.text)
	case body.kind == bodyText && rawSQLText(req, body.text, endpoint):
		f.addRawSQL(req, body.text, endpoint)
	case body.kind == bodyText:
		f.textBody(body.text, endpoint)
	}
	// The query of a URL-level API call holds that API's own parameters (pod exec commands are
	// already an action), so only other URLs are searched for fields.
	if c.rawQuery != "" && !isLLM && !urlAction {
		x := newExtractor(f, "request.query", "", endpoint, isExecContext(endpoint))
		x.values(c.query)
	}
	f.Inspection.Executing = f.Inspection.Executing || execEndpoint || len(f.Actions) > 0 || len(f.mcpCalls()) > 0
	f.sortActions()
	return f
}

// jsonBody reads a JSON request body: an MCP message (its tools/call arguments) or any other
// JSON, every value of repeated keys included.
func (f *Facts) jsonBody(body requestBody, endpoint string) {
	msgs, err := mcpapi.FromJSON(body.json)
	if err != nil {
		// Not valid JSON-RPC, but a server may still run what looks like a tool call (a batch
		// with one bad member, a message without "jsonrpc"): read it as executing, and say so.
		toolCall := looksToolCall(body.json)
		if toolCall {
			f.ambiguous("a tools/call that is not valid JSON-RPC: " + err.Error())
			f.Inspection.Executing = true
		}
		x := newExtractor(f, "request.body", "", endpoint, toolCall || isExecContext(endpoint))
		x.walk(body.json, 0) // a body that is one JSON string is a candidate like any value
		for _, d := range body.dups {
			x.walk(d, 1)
		}
		return
	}
	f.MCP = msgs
	tool := ""
	for i, m := range msgs {
		if m.Method != mcpapi.MethodToolsCall || m.Arguments == nil {
			continue
		}
		prefix := "mcp.arguments"
		if len(msgs) > 1 { // a batch: name the member
			prefix = "mcp[" + strconv.Itoa(i) + "].arguments"
		}
		x := newExtractor(f, prefix, m.Tool, strings.ToLower(m.Tool)+" "+endpoint, true)
		x.walk(m.Arguments, 0)
		if tool == "" {
			tool = m.Tool
		}
	}
	if len(body.dups) > 0 {
		// A repeated key anywhere in the message: judge the shadowed values as arguments.
		x := newExtractor(f, "mcp.shadowed", tool, strings.ToLower(tool)+" "+endpoint, true)
		for _, d := range body.dups {
			x.walk(d, 1)
		}
	}
}

// looksToolCall reports whether a JSON body, or a member of a JSON array body, has
// "method": "tools/call".
func looksToolCall(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return t["method"] == mcpapi.MethodToolsCall
	case []any:
		for i, el := range t {
			if i >= maxNodes {
				return true // too many members to check: assume the worst
			}
			if m, ok := el.(map[string]any); ok && m["method"] == mcpapi.MethodToolsCall {
				return true
			}
		}
	}
	return false
}

// llmFields are the request fields of the LLM APIs that hold conversation history and
// declarations, not actions.
var llmFields = map[string]bool{
	"model": true, "messages": true, "input": true, "instructions": true, "system": true, "tools": true,
	"tool_choice": true, "contents": true, "systemInstruction": true, "toolConfig": true,
	"inferenceConfig": true, "anthropic_version": true, "max_tokens": true, "stream": true,
}

// llmShapedBody walks the fields of an LLM-shaped body that no LLM API reads.
func (f *Facts) llmShapedBody(body requestBody, endpoint string) {
	m, _ := body.json.(map[string]any)
	rest := make(map[string]any, len(m))
	for k, v := range m {
		if !llmFields[k] {
			rest[k] = v
		}
	}
	x := newExtractor(f, "request.body", "", endpoint, isExecContext(endpoint))
	x.walk(rest, 0)
	for _, d := range body.dups {
		x.walk(d, 1)
	}
}

// textBody reads a plain-text body by what the endpoint does: SQL sent to a SQL endpoint (a
// /query route of a database gateway), a script sent to an endpoint that executes commands.
// Elsewhere plain text is judged as any string value is (candidate).
func (f *Facts) textBody(text, endpoint string) {
	switch {
	case isSQLContext(endpoint) && leadingSQLKeyword(text) != "":
		x := newExtractor(f, "request", "", endpoint, false)
		x.sql("request.body", text)
	case isExecContext(endpoint) && strings.TrimSpace(text) != "":
		x := newExtractor(f, "request", "", endpoint, true)
		x.shell("request.body", text)
	default:
		// Elsewhere the text is a candidate like any string value: SQL that is SQL by itself
		// (a statement keyword in capitals that parses: ALTER TABLE t DELETE WHERE 1 sent to a
		// database's HTTP port), an HTTP message, JSON; prose is not an action.
		x := newExtractor(f, "request.body", "", endpoint, false)
		x.candidate("", text, 0)
	}
}

func (f *Facts) mcpCalls() []mcpapi.Message {
	var out []mcpapi.Message
	for _, m := range f.MCP {
		if m.Method == mcpapi.MethodToolsCall {
			out = append(out, m)
		}
	}
	return out
}

// AddResponse adds what a buffered response proposes: for an LLM request, the tool calls in its
// JSON or whole SSE body, and the actions in their arguments. A streamed response (nil body)
// adds nothing here; the streaming path calls AddToolCalls with the Guard's calls.
func (f *Facts) AddResponse(resp *exchange.Response) {
	if f.LLM.API == "" || resp == nil || len(resp.Body) == 0 {
		return
	}
	calls, read := []llmapi.ToolCall(nil), false
	if resp.JSON.Of(resp.Body) {
		calls, read = llmapi.ParseParsedResponse(f.LLM.API, resp.JSON)
	}
	if !read {
		var err error
		if calls, err = llmapi.ParseResponse(f.LLM.API, resp.Body); err != nil {
			f.LLMResponseError = err.Error()
			f.cel = nil
		}
	}
	if ct := resp.Headers.Get("content-type"); strings.Contains(ct, "text/event-stream") {
		f.setStreamed()
	}
	f.addCalls(calls)
}

// AddToolCalls adds tool calls assembled from a streamed response (llmapi.Guard.Finish).
func (f *Facts) AddToolCalls(calls []llmapi.ToolCall) {
	f.setStreamed()
	f.addCalls(calls)
}

func (f *Facts) setStreamed() {
	if !f.Streamed {
		f.Streamed, f.cel = true, nil
	}
}

// maxToolCalls bounds the tool calls of one response that are judged; past it the facts say
// the response was truncated.
const maxToolCalls = 256

// addCalls adds a response's tool calls. A response without any (most of them) leaves the CEL
// variables as they were, so the response phase's policy and record reuse the request phase's
// instead of building them again.
func (f *Facts) addCalls(calls []llmapi.ToolCall) {
	if len(calls) == 0 {
		return
	}
	f.cel = nil
	f.Inspection.Executing = true
	if len(f.LLMCalls)+len(calls) > maxToolCalls {
		f.truncate("more than " + itoa(maxToolCalls) + " tool calls in one response")
		calls = calls[:max(0, maxToolCalls-len(f.LLMCalls))]
	}
	for _, c := range calls {
		i := len(f.LLMCalls)
		f.LLMCalls = append(f.LLMCalls, c)
		src := llmapi.Source(i)
		name := strings.ToLower(c.Name)
		x := newExtractor(f, src+".arguments", c.Name, name, true)
		if args, dups, ok := decodeJSONAll([]byte(c.Arguments)); ok {
			// Any JSON: an object of arguments, or a top-level array or string.
			x.walk(args, 0)
			for _, d := range dups {
				x.walk(d, 1)
			}
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(c.Arguments), "{") {
			f.ambiguous("tool call " + strconv.Itoa(i) + " arguments are not valid JSON")
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
	if k.NamespaceUnknown {
		s += " in a namespace the request does not name"
	}
	return s
}

// k8sReason is the reason of a destructive Kubernetes request.
func k8sReason(k k8sapi.Request) string {
	return "Kubernetes " + k.Verb + " of " + describeK8s(k)
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

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
