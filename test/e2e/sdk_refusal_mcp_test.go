package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/warden-gw/warden/extproc/refusal"
)

const mcpRefusalPolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata: {name: sdk-refusals-mcp}
spec:
  rules:
  - name: mcp-no-database-drops
    when: mcp.calls.exists(c, c.tool == "drop_database")
    action: deny
    message: databases are never dropped by an agent
  - name: mcp-restarts-need-a-human
    when: mcp.calls.exists(c, c.tool == "restart_service")
    action: require_approval
    message: restarting a service needs an approver
  - name: mcp-no-secret-prompts
    when: mcp.method == "prompts/get"
    action: deny
    message: prompts are not available to agents here
`

type echoArgs struct {
	Text string `json:"text"`
}

// mcpUpstream is a real MCP server (the go-sdk's streamable HTTP handler) with the tools the test
// calls.
func mcpUpstream() *mcp.StreamableHTTPHandler {
	srv := mcp.NewServer(&mcp.Implementation{Name: "ops", Version: "1.0.0"}, nil)
	text := func(s string) *mcp.CallToolResult {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, a echoArgs) (*mcp.CallToolResult, any, error) {
		return text("echo: " + a.Text), nil, nil
	})
	for _, name := range []string{"drop_database", "restart_service"} {
		mcp.AddTool(srv, &mcp.Tool{Name: name}, func(context.Context, *mcp.CallToolRequest, echoArgs) (*mcp.CallToolResult, any, error) {
			return text(name + " ran"), nil, nil
		})
	}
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// toolCalls counts the tools/call requests that reach the MCP server, by tool.
type toolCalls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *toolCalls) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var m struct {
			Method string
			Params struct{ Name string }
		}
		if json.Unmarshal(body, &m) == nil && m.Method == "tools/call" {
			c.mu.Lock()
			c.n[m.Params.Name]++
			c.mu.Unlock()
		}
		if r.Method == http.MethodPost {
			// The go-sdk server insists on both media types; the event-stream variant's client
			// accepts only one (see eventStreamOnly).
			r.Header.Set("Accept", "application/json, text/event-stream")
		}
		next.ServeHTTP(w, r)
	})
}

// eventStreamOnly makes the MCP client's POSTs accept only text/event-stream, so that warden
// must answer a refused call as an event stream (streamable HTTP lets a server answer a POST
// either way; the SDK reads both).
type eventStreamOnly struct{ next http.RoundTripper }

func (e eventStreamOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost {
		r = r.Clone(r.Context())
		r.Header.Set("Accept", "text/event-stream")
	}
	return e.next.RoundTrip(r)
}

// TestMCPSessionSurvivesWardensRefusals drives the MCP Go SDK over streamable HTTP through
// warden. A refused tools/call comes back as a tool result with isError, whose text (what the
// model reads) names the rule and the approval id; a refused prompts/get as a JSON-RPC error.
// Only that call fails: the next call on the same session works (before, the SDK closed the
// whole session on warden's non-JSON-RPC 403). Both answers streamable HTTP allows are tried:
// application/json, and an event stream for a client that accepts only that.
func TestMCPSessionSurvivesWardensRefusals(t *testing.T) {
	t.Run("json", func(t *testing.T) { mcpRefusals(t, http.DefaultTransport, "application/json") })
	t.Run("event stream", func(t *testing.T) {
		mcpRefusals(t, eventStreamOnly{http.DefaultTransport}, "text/event-stream")
	})
}

func mcpRefusals(t *testing.T, transport http.RoundTripper, wantType string) {
	calls := &toolCalls{n: map[string]int{}}
	rig := startSDKRig(t, mcpRefusalPolicy, calls.count(mcpUpstream()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var (
		mu           sync.Mutex
		refusalTypes []string // content types of warden's refusals, as the client received them
	)
	seen := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := transport.RoundTrip(r)
		if err == nil && resp.Header.Get(refusal.HeaderCode) != "" {
			mu.Lock()
			refusalTypes = append(refusalTypes, resp.Header.Get("content-type"))
			mu.Unlock()
		}
		return resp, err
	})
	client := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1.0.0"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint: rig.url + "/mcp", MaxRetries: -1, HTTPClient: &http.Client{Transport: seen},
	}, nil)
	if err != nil {
		t.Fatalf("connect through warden: %v", err)
	}
	defer session.Close()

	echo := func(t *testing.T, text string) {
		t.Helper()
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: echoArgs{Text: text}})
		if err != nil || res.IsError || len(res.Content) != 1 {
			t.Fatalf("echo on the same session after a refusal: %v %+v", err, res)
		}
		if got := res.Content[0].(*mcp.TextContent).Text; got != "echo: "+text {
			t.Fatalf("echo answered %q", got)
		}
	}
	refusedTool := func(t *testing.T, tool string) (string, map[string]any) {
		t.Helper()
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: echoArgs{}})
		if err != nil {
			t.Fatalf("a refused tools/call must be a tool result, not an error that ends the call: %v", err)
		}
		if !res.IsError || len(res.Content) != 1 {
			t.Fatalf("refused %s: %+v, want isError with one text", tool, res)
		}
		tc, ok := res.Content[0].(*mcp.TextContent)
		if !ok {
			t.Fatalf("content %T", res.Content[0])
		}
		meta, _ := res.Meta["warden.dev/refusal"].(map[string]any)
		return tc.Text, meta
	}

	echo(t, "before")
	t.Run("denied tools/call", func(t *testing.T) {
		text, meta := refusedTool(t, "drop_database")
		for _, want := range []string{"warden denied this request", "databases are never dropped", "rule mcp-no-database-drops"} {
			if !strings.Contains(text, want) {
				t.Errorf("the tool result does not say %q: %q", want, text)
			}
		}
		if meta["rule"] != "mcp-no-database-drops" || meta["error"] != "policy_denied" {
			t.Errorf("_meta %v", meta)
		}
		rig.wantRecorded(t, requestIDIn(t, text), "mcp-no-database-drops")
		echo(t, "after a denial")
	})
	t.Run("approval required tools/call", func(t *testing.T) {
		text, meta := refusedTool(t, "restart_service")
		if id := approvalIDIn(t, text); meta["approval_id"] != id {
			t.Errorf("_meta %v, want approval id %s", meta, id)
		}
		echo(t, "after an approval request")
	})
	t.Run("denied prompts/get", func(t *testing.T) {
		_, err := session.GetPrompt(ctx, &mcp.GetPromptParams{Name: "secrets"})
		wantInError(t, err, "warden denied this request", "rule mcp-no-secret-prompts")
		echo(t, "after a refused prompt")
	})
	mu.Lock()
	defer mu.Unlock()
	if len(refusalTypes) != 3 {
		t.Errorf("%d refusals seen, want 3", len(refusalTypes))
	}
	for _, ct := range refusalTypes {
		if ct != wantType {
			t.Errorf("a refusal came as %q, want %q", ct, wantType)
		}
	}
	// The four echo calls reached the MCP server; none of the refused calls did.
	calls.mu.Lock()
	defer calls.mu.Unlock()
	if calls.n["echo"] != 4 || calls.n["drop_database"] != 0 || calls.n["restart_service"] != 0 {
		t.Errorf("tools/call that reached the MCP server: %v, want echo 4 times and nothing else", calls.n)
	}
}
