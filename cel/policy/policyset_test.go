package policy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// fakeFacts stands in for inspect.Facts: CEL() of exactly the contract's shape.
type fakeFacts map[string]any

func (f fakeFacts) CEL() map[string]any { return f }

func (fakeFacts) ToolCalls() []exchange.ToolCall { return nil }

func (cancelling) ToolCalls() []exchange.ToolCall { return nil }

// cancelling cancels its context when Decide reads the facts, i.e. after Decide's own check
// of ctx and before any rule runs.
type cancelling struct {
	cancel  context.CancelFunc
	actions []any
}

func (c cancelling) CEL() map[string]any {
	c.cancel()
	return map[string]any{"actions": c.actions}
}

func writePolicy(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustCompile(t *testing.T, files ...string) *Set {
	t.Helper()
	var srcs []Source
	for i := 0; i+1 < len(files); i += 2 {
		srcs = append(srcs, Source{Name: files[i], Data: []byte(files[i+1])})
	}
	ps, err := Compile(Limits{}, srcs...)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return ps
}

func policy(name, extra string, rules ...string) string {
	return "apiVersion: warden.dev/v1\nkind: Policy\nmetadata:\n  name: " + name + "\nspec:\n" + extra +
		"  rules:\n" + strings.Join(rules, "")
}

func rule(name, when, action string, more ...string) string {
	s := "  - name: " + name + "\n    when: '" + when + "'\n    action: " + action + "\n"
	for _, m := range more {
		s += "    " + m + "\n"
	}
	return s
}

func req(method, url, body string, headers ...string) *exchange.Exchange {
	x := &exchange.Exchange{}
	scheme, rest, _ := strings.Cut(url, "://")
	host, path, _ := strings.Cut(rest, "/")
	x.Request = exchange.Request{Method: method, Scheme: scheme, Authority: host, Path: "/" + path, Body: []byte(body)}
	for i := 0; i+1 < len(headers); i += 2 {
		x.Request.Headers = append(x.Request.Headers, exchange.Header{Key: headers[i], Value: headers[i+1]})
	}
	return x
}

func TestDecideConflictRule(t *testing.T) {
	a := policy("a", "",
		rule("allow-get", `request.method == "GET"`, "allow", "message: reads are fine"),
		rule("hold-post", `request.method == "POST"`, "require_approval", "message: held"),
		rule("deny-admin", `request.path.startsWith("/admin")`, "deny", "message: no admin"),
		rule("deny-admin-again", `request.path.startsWith("/admin")`, "deny", "message: second"),
	)
	b := policy("b", "", rule("deny-post-admin", `request.method == "POST" && request.path == "/admin/x"`, "deny", "message: from b"))
	// b.yaml is given first but a.yaml sorts first: ties go to a.
	ps := mustCompile(t, "b.yaml", b, "a.yaml", a)
	tests := []struct {
		name, method, url  string
		action             exchange.Action
		policy, rule, want string
	}{
		{"allow rule", "GET", "https://h/x", exchange.Allow, "a", "allow-get", "reads are fine"},
		{"approval beats allow", "POST", "https://h/x", exchange.RequireApproval, "a", "hold-post", "held"},
		{"deny beats approval", "POST", "https://h/admin/y", exchange.Deny, "a", "deny-admin", "no admin"},
		{"tie goes to first file, first rule", "POST", "https://h/admin/x", exchange.Deny, "a", "deny-admin", "no admin"},
		{"no match is the default allow", "PUT", "https://h/x", exchange.Allow, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := ps.Decide(context.Background(), req(tc.method, tc.url, ""), exchange.PhaseRequest)
			if d.Action != tc.action || d.Policy != tc.policy || d.Rule != tc.rule || d.Reason != tc.want {
				t.Fatalf("got %+v, want %s by %s/%s (%q)", d, tc.action, tc.policy, tc.rule, tc.want)
			}
			if tc.policy != "" && d.PolicyVersion != ps.Versions()[tc.policy] {
				t.Fatalf("version %q, want %q", d.PolicyVersion, ps.Versions()[tc.policy])
			}
		})
	}
}

func TestDecideDefaultActionAndShadow(t *testing.T) {
	p := policy("strict", "  defaultAction: deny\n",
		rule("allow-reads", `request.method == "GET"`, "allow"),
		rule("would-deny-x", `request.path == "/x"`, "deny", "mode: shadow", "message: shadow says no"),
		rule("resp-5xx", `response.status >= 500`, "deny", "phase: response"),
	)
	ps := mustCompile(t, "strict.yaml", p)
	t.Run("default deny names the policy", func(t *testing.T) {
		d := ps.Decide(context.Background(), req("POST", "https://h/y", ""), exchange.PhaseRequest)
		if d.Action != exchange.Deny || d.Policy != "strict" || d.Rule != "" || !d.Blocks() {
			t.Fatalf("got %+v", d)
		}
	})
	t.Run("shadow rule is reported, not enforced", func(t *testing.T) {
		d := ps.Decide(context.Background(), req("GET", "https://h/x", ""), exchange.PhaseRequest)
		if d.Action != exchange.Allow || d.Rule != "allow-reads" {
			t.Fatalf("enforced decision %+v, want allow-reads", d)
		}
		if len(d.Shadowed) != 1 || d.Shadowed[0].Rule != "would-deny-x" || !d.Shadowed[0].Shadow || d.Shadowed[0].Blocks() {
			t.Fatalf("shadowed %+v", d.Shadowed)
		}
	})
	t.Run("response phase defaults to allow, response rules apply", func(t *testing.T) {
		x := req("GET", "https://h/y", "")
		x.Response.Status = 200
		if d := ps.Decide(context.Background(), x, exchange.PhaseResponse); d.Action != exchange.Allow {
			t.Fatalf("got %+v", d)
		}
		x.Response.Status = 503
		if d := ps.Decide(context.Background(), x, exchange.PhaseResponse); d.Rule != "resp-5xx" {
			t.Fatalf("got %+v", d)
		}
	})
	if !ps.HasPhase(exchange.PhaseResponse) || !ps.HasPhase(exchange.PhaseRequest) {
		t.Fatal("HasPhase false for a phase with rules")
	}
	only := mustCompile(t, "r.yaml", policy("r", "", rule("r", "true", "deny")))
	if only.HasPhase(exchange.PhaseResponse) {
		t.Fatal("HasPhase(response) true without response rules")
	}
}

func TestDecideFailsClosed(t *testing.T) {
	p := policy("p", "",
		rule("reads-missing-key", `request.headers["x-team"] == "a"`, "allow"),
	)
	ps := mustCompile(t, "p.yaml", p)
	d := ps.Decide(context.Background(), req("GET", "https://h/", ""), exchange.PhaseRequest)
	if d.Action != exchange.Deny || d.Rule != "reads-missing-key" || d.Code != exchange.CodePolicyError {
		t.Fatalf("runtime error: got %+v, want deny with policy_error", d)
	}

	// A failing rule's error text can quote request data (here the regular expression built from
	// a header): the reason goes to the client and the audit record, so it must not carry it.
	leaky := mustCompile(t, "l.yaml", policy("l", "",
		rule("header-regex", `request.body.raw.matches(request.headers["authorization"])`, "deny")))
	d = leaky.Decide(context.Background(), req("POST", "https://h/", "x", "authorization", "Bearer sk-SECRET123("), exchange.PhaseRequest)
	if d.Code != exchange.CodePolicyError || strings.Contains(d.Reason, "SECRET") {
		t.Fatalf("failing rule: got %+v; want a policy_error whose reason does not quote the request", d)
	}

	many := make([]any, 5000)
	for i := range many {
		many[i] = map[string]any{"kind": "sql", "text": "x"}
	}
	loop := policy("loop", "", rule("scan", `actions.exists(a, a.text == "shell")`, "deny"))
	t.Run("cancelled context", func(t *testing.T) {
		ps, err := Compile(Limits{InterruptEvery: 1}, Source{"loop.yaml", []byte(loop)})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		x := req("GET", "https://h/", "")
		x.Facts = fakeFacts{"actions": many}
		d := ps.Decide(ctx, x, exchange.PhaseRequest)
		if d.Action != exchange.Deny || d.Code != exchange.CodePolicyError {
			t.Fatalf("got %+v", d)
		}
		// Cancelled while a rule runs: the interrupt check inside the comprehension stops it.
		ctx, cancel = context.WithCancel(context.Background())
		x.Facts = cancelling{cancel: cancel, actions: many}
		d = ps.Decide(ctx, x, exchange.PhaseRequest)
		if d.Action != exchange.Deny || d.Rule != "scan" || !strings.Contains(d.Reason, "cancel") {
			t.Fatalf("cancelled during evaluation: got %+v", d)
		}
	})
	t.Run("cost limit", func(t *testing.T) {
		ps, err := Compile(Limits{CostLimit: 100}, Source{"loop.yaml", []byte(loop)})
		if err != nil {
			t.Fatal(err)
		}
		x := req("GET", "https://h/", "")
		x.Facts = fakeFacts{"actions": many}
		d := ps.Decide(context.Background(), x, exchange.PhaseRequest)
		if d.Action != exchange.Deny || d.Code != exchange.CodePolicyError || !strings.Contains(d.Reason, "cost") {
			t.Fatalf("got %+v", d)
		}
		x.Facts = fakeFacts{"actions": many[:3]}
		if d := ps.Decide(context.Background(), x, exchange.PhaseRequest); d.Action != exchange.Allow {
			t.Fatalf("small input under the limit: got %+v", d)
		}
	})
}

func TestActivationShape(t *testing.T) {
	tests := []struct {
		name, when string
		x          func() *exchange.Exchange
		want       bool
	}{
		{
			"json body present", `has(request.body.json) && request.body.json.query == "SELECT 1"`,
			func() *exchange.Exchange { return req("POST", "https://h/sql", `{"query":"SELECT 1"}`) }, true,
		},
		{
			"non-JSON body has no json", `!has(request.body.json) && request.body.raw == "not json {"`,
			func() *exchange.Exchange { return req("POST", "https://h/sql", `not json {`) }, true,
		},
		{
			"headers joined and lower-case", `request.headers["x-a"] == "1, 2" && !("x-b" in request.headers)`,
			func() *exchange.Exchange { return req("GET", "https://h/", "", "X-A", "1", "x-a", "2") }, true,
		},
		{
			"pseudo headers hidden", `!(":path" in request.headers)`,
			func() *exchange.Exchange { return req("GET", "https://h/", "", ":path", "/") }, true,
		},
		{
			"host, port, path, query", `request.host == "k8s.local" && request.port == "6443" && request.path == "/api" && request.query["c"] == ["a", "b"]`,
			func() *exchange.Exchange { return req("GET", "https://K8s.local:6443/api?c=a&c=b", "") }, true,
		},
		{
			"form body", `request.body.form["Action"] == ["TerminateInstances"]`,
			func() *exchange.Exchange {
				return req("POST", "https://ec2/", "Action=TerminateInstances", "content-type", "application/x-www-form-urlencoded")
			}, true,
		},
		{
			"identity", `identity.subject == "alice" && "ops" in identity.groups && identity.claims.tier == "gold" && creds.role == "db-ro"`,
			func() *exchange.Exchange {
				x := req("GET", "https://h/", "")
				x.Identity = exchange.Identity{Subject: "alice", Groups: []string{"ops"}, Claims: map[string]any{"tier": "gold"}}
				x.Route.CredentialRole = "db-ro"
				return x
			}, true,
		},
		{
			"no facts: empty llm, mcp, actions", `llm.provider == "" && mcp.tool == "" && size(actions) == 0 && size(llm.tool_calls) == 0`,
			func() *exchange.Exchange { return req("GET", "https://h/", "") }, true,
		},
		{
			"facts from inspection", `actions.exists(a, a.kind == "sql" && a.sql.destructive) && mcp.tool == "execute_sql"`,
			func() *exchange.Exchange {
				x := req("POST", "https://h/mcp", "")
				x.Facts = fakeFacts{
					"mcp":     map[string]any{"method": "tools/call", "tool": "execute_sql", "arguments": map[string]any{}},
					"actions": []any{map[string]any{"kind": "sql", "sql": map[string]any{"destructive": true}}},
				}
				return x
			}, true,
		},
		{
			"sql function", `sql("DELETE FROM t").destructive && !sql("SELECT 1").destructive && sql("SELEC oops").parse_error != ""`,
			func() *exchange.Exchange { return req("GET", "https://h/", "") }, true,
		},
		{
			"k8s function", `k8s("DELETE", "/api/v1/namespaces/prod").resource == "namespaces" && size(k8s("GET", "/healthz")) == 0`,
			func() *exchange.Exchange { return req("GET", "https://h/", "") }, true,
		},
		{
			"glob function", `glob(request.path, "/v1/*/exec") && !glob(request.path, "/v2/*")`,
			func() *exchange.Exchange { return req("POST", "https://h/v1/pods/a/exec", "") }, true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := mustCompile(t, "t.yaml", policy("t", "", rule("r", tc.when, "deny")))
			d := ps.Decide(context.Background(), tc.x(), exchange.PhaseRequest)
			if d.Code == exchange.CodePolicyError {
				t.Fatalf("evaluation failed: %s", d.Reason)
			}
			if got := d.Action == exchange.Deny; got != tc.want {
				t.Fatalf("when %q = %v, want %v", tc.when, got, tc.want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		s, p string
		want bool
	}{
		{"/a/b/c", "/a/*", true},
		{"/a/b/c", "/a/?/c", true},
		{"/a/bb/c", "/a/?/c", false},
		{"abc", "abc", true},
		{"abc", "ab", false},
		{"", "*", true},
		{"x", "", false},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*c", false},
	}
	for _, tc := range tests {
		if got := Glob(tc.s, tc.p); got != tc.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tc.s, tc.p, got, tc.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	good := rule("r", "true", "deny")
	tests := []struct {
		name, body string
		limits     Limits
		want       string
	}{
		{
			"unknown rule field", policy("p", "", "  - name: r\n    when: 'true'\n    action: deny\n    actoin: deny\n"),
			Limits{},
			`p.yaml:10:5: unknown field "actoin"`,
		},
		{
			"unknown top field", "apiVersion: warden.dev/v1\nkind: Policy\nmetadata: {name: p}\nspecs: {}\n",
			Limits{},
			`p.yaml:4:1: unknown field "specs"`,
		},
		{
			"CEL syntax error", policy("p", "", rule("r", "request.method ==", "deny")),
			Limits{},
			`p.yaml:8:29: rule "r": when: Syntax error`,
		},
		{
			"undeclared variable", policy("p", "", rule("r", `reqest.method == "GET"`, "deny")),
			Limits{},
			`p.yaml:8:12: rule "r": when: undeclared reference to 'reqest'`,
		},
		{
			"misspelt field", policy("p", "", rule("r", `request.methd == "GET"`, "deny")),
			Limits{},
			`p.yaml:8:19: rule "r": when: request has no field "methd"`,
		},
		{
			"not a bool", policy("p", "", rule("r", `request.path`, "deny")),
			Limits{},
			"", // dyn: allowed at load time, fails closed at run time
		},
		{
			"string result", policy("p", "", rule("r", `"x"`, "deny")),
			Limits{},
			`rule "r": when must be a bool expression, it is string`,
		},
		{
			"bad action", policy("p", "", rule("r", "true", "block")),
			Limits{},
			`action "block" must be allow, deny or require_approval`,
		},
		{
			"bad phase", policy("p", "", rule("r", "true", "deny", "phase: later")),
			Limits{},
			`phase "later" must be request or response`,
		},
		{"duplicate rule", policy("p", "", good, good), Limits{}, `rule "r" is defined twice`},
		{
			"over the cost budget", policy("p", "", rule("r", `actions.exists(a, actions.exists(b, a.text == b.text))`, "deny")),
			Limits{CostBudget: 1000},
			`exceeds the budget 1000`,
		},
		{"YAML syntax", "apiVersion: warden.dev/v1\nkind: Policy\nmetadata: {name: p\n", Limits{}, `: did not find expected ',' or '}'`},
		{"wrong YAML type", policy("p", "", "  - name: r\n    when: 'true'\n    action: [deny]\n"), Limits{}, `p.yaml:9: cannot unmarshal !!seq`},
		{"no rules", "apiVersion: warden.dev/v1\nkind: Policy\nmetadata: {name: p}\nspec: {rules: []}\n", Limits{}, `p.yaml:4:7: policy "p" has no rules`},
		{"empty file", "", Limits{}, `p.yaml: no YAML document`},
		{"wrong apiVersion", strings.Replace(policy("p", "", good), "warden.dev/v1", "v2", 1), Limits{}, `apiVersion is "v2"`},
		{
			"block scalar position", "apiVersion: warden.dev/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  rules:\n  - name: r\n    action: deny\n    when: |\n      request.method == \"GET\" &&\n        request.nope\n",
			Limits{},
			`p.yaml:10:16: rule "r": when: request has no field "nope"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.limits, Source{Name: "p.yaml", Data: []byte(tc.body)})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("error %v does not wrap ErrInvalidPolicy", err)
			}
		})
	}
}

func TestLoadComposition(t *testing.T) {
	dir := t.TempDir()
	writePolicy(t, dir, "10-a.yaml", policy("a", "  defaultAction: deny\n", rule("r", "false", "deny")))
	writePolicy(t, dir, "20-b.yml", policy("b", "", rule("r", `request.method == "GET"`, "allow")))
	writePolicy(t, dir, "notes.txt", "not a policy")
	ps, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if v := ps.Versions(); len(v) != 2 || len(v["a"]) != 12 || v["a"] == v["b"] {
		t.Fatalf("versions %v", v)
	}
	if d := ps.Decide(context.Background(), req("GET", "https://h/", ""), exchange.PhaseRequest); d.Rule != "r" || d.Policy != "b" {
		t.Fatalf("got %+v", d)
	}
	t.Run("conflicting defaults", func(t *testing.T) {
		p := writePolicy(t, dir, "30-c.yaml", policy("c", "  defaultAction: allow\n", rule("r", "false", "deny")))
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), "conflicts with defaultAction deny") {
			t.Fatalf("got %v", err)
		}
		os.Remove(p)
	})
	t.Run("duplicate policy names", func(t *testing.T) {
		p := writePolicy(t, dir, "40-a.yaml", policy("a", "", rule("r", "false", "deny")))
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), "policy names must be unique") {
			t.Fatalf("got %v", err)
		}
		os.Remove(p)
	})
	t.Run("missing path", func(t *testing.T) {
		if _, err := Load(filepath.Join(dir, "nope.yaml")); err == nil {
			t.Fatal("no error for a missing file")
		}
	})
}
