package inspect

import (
	"sort"
	"strconv"
	"strings"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/cloudapi"
	"github.com/warden-gw/warden/inspect/gqlparse"
	"github.com/warden-gw/warden/inspect/k8sapi"
	"github.com/warden-gw/warden/inspect/llmapi"
	"github.com/warden-gw/warden/inspect/mcpapi"
	"github.com/warden-gw/warden/inspect/shparse"
	"github.com/warden-gw/warden/inspect/sqlparse"
)

// Action kinds.
const (
	KindSQL    = "sql"
	KindShell  = "shell"
	KindK8s    = "k8s"
	KindAWS    = "aws"
	KindGitHub = "github"
	KindREST   = "rest" // Google Cloud, Azure, PostgREST and other control-plane REST calls
	// KindGraphQL is a GraphQL request (gqlparse).
	KindGraphQL = "graphql"
)

// Action is one thing warden understood a request or response to do. Exactly one of the
// kind-specific results is set, matching Kind.
type Action struct {
	Kind        string // sql, shell, k8s, aws, github, rest
	Source      string // where it was found: "request.body.query", "mcp.arguments.command", ...
	Name        string // the MCP or LLM tool that carries it, if any
	Text        string // the statement, command line, or "METHOD path" / "service:Action"
	Destructive bool
	Reasons     []string
	// DryRun is true when the API that receives the action only validates it (a BigQuery query
	// with "dryRun": true): nothing it describes is executed.
	DryRun bool
	// Escalation is true when the action grants administrator rights (a binding to
	// cluster-admin, an Owner role assignment, AdministratorAccess): the default pack holds it.
	Escalation bool

	SQL    *sqlparse.Result
	Shell  *shparse.Result
	K8s    *k8sapi.Request
	AWS    *cloudapi.AWSCall
	GitHub *cloudapi.GitHubCall
	REST   *cloudapi.RESTCall
	// GraphQL is set for KindGraphQL.
	GraphQL *gqlparse.Result
}

// Map returns the action as a CEL value: {"kind","source","text","destructive","reasons"} and
// the kind's own map under its kind name.
func (a Action) Map() map[string]any {
	m := map[string]any{
		"kind": a.Kind, "source": a.Source, "text": a.Text, "tool": a.Name,
		"destructive": a.Destructive, "reasons": stringsAny(a.Reasons), "dry_run": a.DryRun,
		"escalation": a.Escalation,
	}
	switch {
	case a.SQL != nil:
		m[KindSQL] = a.SQL.Map()
	case a.Shell != nil:
		m[KindShell] = a.Shell.Map()
	case a.K8s != nil:
		m[KindK8s] = a.K8s.Map()
	case a.AWS != nil:
		m[KindAWS] = a.AWS.Map()
	case a.GitHub != nil:
		m[KindGitHub] = a.GitHub.Map()
	case a.REST != nil:
		m[KindREST] = a.REST.Map()
	case a.GraphQL != nil:
		m[KindGraphQL] = a.GraphQL.Map()
	}
	return m
}

// Facts is what inspection understood of one exchange. It belongs to the exchange's stream and
// is not safe for concurrent use.
type Facts struct {
	// LLM is set when the request went to an LLM API (LLM.API != "").
	LLM llmapi.Request
	// LLMCalls are the tool calls the response proposed.
	LLMCalls []llmapi.ToolCall
	// LLMResponseError is set when a response body could not be read completely; policies
	// should fail closed on it.
	LLMResponseError string
	// Streamed is true when the LLM request asked for, or the response came as, a stream.
	Streamed bool
	// MCP holds the JSON-RPC messages of an MCP request.
	MCP []mcpapi.Message
	// Actions are sorted by Source.
	Actions []Action
	// Inspection says how completely the exchange was understood (CEL variable "inspection").
	Inspection Inspection

	depth    int  // 0 for a real request; n for a request described inside another (embed.go)
	body     any  // the decoded JSON body
	bodyJSON bool // body holds a decoded JSON value
	cel      map[string]any
}

// BodyJSON returns the request body decoded from JSON (as encoding/json decodes into any), so
// that later stages need not decode it again; ok is false when the body is not JSON.
func (f *Facts) BodyJSON() (v any, ok bool) { return f.body, f.bodyJSON }

// CEL returns the CEL variables "llm", "mcp", "actions" and "inspection". The map is built once and cached
// until AddResponse or AddToolCalls adds to the facts; callers must not modify it.
func (f *Facts) CEL() map[string]any {
	if f.cel != nil {
		return f.cel
	}
	llm := f.LLM.Map()
	delete(llm, "stream")
	calls := make([]any, len(f.LLMCalls))
	for i, c := range f.LLMCalls {
		calls[i] = c.Map()
	}
	llm["tool_calls"] = calls
	llm["streamed"] = f.Streamed
	llm["response_error"] = f.LLMResponseError

	mcpCalls := make([]any, 0, len(f.MCP))
	for _, m := range f.MCP {
		if m.Method == mcpapi.MethodToolsCall {
			mcpCalls = append(mcpCalls, m.Map())
		}
	}
	var mcp map[string]any
	switch {
	case len(mcpCalls) > 0:
		mcp = mcpCalls[0].(map[string]any)
	case len(f.MCP) > 0:
		mcp = f.MCP[0].Map()
	}
	if mcp != nil {
		mcp = copyMap(mcp)
		mcp["calls"] = mcpCalls
	} else {
		mcp = noMCP // most exchanges: shared, as the inspection variable's common cases are
	}

	actions := make([]any, len(f.Actions))
	for i, a := range f.Actions {
		actions[i] = a.Map()
	}
	f.cel = map[string]any{"llm": llm, "mcp": mcp, "actions": actions, "inspection": f.Inspection.Map()}
	return f.cel
}

// ToolCalls returns the audit view of the exchange: every action, every LLM or MCP tool call,
// and, when inspection was truncated or ambiguous, an entry of kind "inspection" with the
// reasons.
// Text is raw: the audit stage redacts it before writing.
func (f *Facts) ToolCalls() []exchange.ToolCall {
	out := make([]exchange.ToolCall, 0, len(f.Actions)+len(f.LLMCalls)+len(f.MCP))
	for i, c := range f.LLMCalls {
		out = append(out, exchange.ToolCall{Kind: "tool", Source: llmapi.Source(i), Name: c.Name, Text: c.Arguments})
	}
	for i, m := range f.MCP {
		if m.Method == mcpapi.MethodToolsCall {
			out = append(out, exchange.ToolCall{Kind: "tool", Source: "mcp[" + strconv.Itoa(i) + "]", Name: m.Tool})
		}
	}
	for _, a := range f.Actions {
		out = append(out, exchange.ToolCall{Kind: a.Kind, Source: a.Source, Name: a.Name, Text: a.Text})
	}
	if in := f.Inspection; in.Truncated || in.Ambiguous {
		// The record says why inspection was incomplete (the reasons name limits, never values).
		out = append(out, exchange.ToolCall{Kind: "inspection", Source: "inspection", Text: strings.Join(in.Reasons, "; ")})
	}
	return out
}

func (f *Facts) sortActions() {
	sort.SliceStable(f.Actions, func(i, j int) bool { return f.Actions[i].Source < f.Actions[j].Source })
}

func stringsAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// noMCP is the mcp variable of an exchange without an MCP message: the same for every one, so
// built once. Like cleanInspection, it is read-only.
var noMCP = func() map[string]any {
	m := copyMap(mcpapi.Message{}.Map())
	m["calls"] = []any{}
	return m
}()

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Release drops the decoded request body (BodyJSON returns nothing afterwards). What inspection
// understood of it (LLM, MCP, actions) stays. The server calls it once the request is analysed,
// so that a stream waiting for its response does not hold a second copy of a large body.
func (f *Facts) Release() { f.body, f.bodyJSON = nil, false }
