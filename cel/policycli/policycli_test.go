package policycli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const shadowPolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata: {name: trial}
spec:
  rules:
  - name: no-deletes-yet
    when: request.method == "DELETE"
    action: deny
    mode: shadow
    message: deletes will be denied
  - name: no-admin
    when: request.path.startsWith("/admin")
    action: deny
    message: admin is off limits
`

func decodeLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	pol := writeFile(t, dir, "trial.yaml", shadowPolicy)
	in := strings.Join([]string{
		`{"request": {"method": "GET", "url": "https://h.example/admin/x"}}`,
		``,
		`{"request": {"method": "DELETE", "url": "https://h.example/items/1", "headers": {"X-Tag": ["a", "b"]}}}`,
		`{"request": {"method": "GET", "url": "https://h.example/ok"}, "identity": {"subject": "alice"}}`,
		`not json`,
		`{"request": {"method": "GET", "url": "/relative?token=s3cr3t"}}`,
		`{"request": {"method": "GET", "url": "https://h.example/"}, "identity": {"subjet": "typo"}}`,
	}, "\n")
	var out, errOut bytes.Buffer
	err := Check(context.Background(), []string{"--policy", pol}, strings.NewReader(in), &out, &errOut)
	if !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("err = %v, want ErrInvalidInput for the bad lines", err)
	}
	got := decodeLines(t, out.String())
	if len(got) != 6 {
		t.Fatalf("%d output lines for 6 non-blank input lines:\n%s", len(got), out.String())
	}
	for i, m := range got {
		if len(m) != 4 {
			t.Errorf("line %d has keys %v, want exactly action, rule, reason, shadow", i+1, m)
		}
	}
	want := []struct {
		action, rule string
		shadow       bool
	}{
		{"deny", "no-admin", false},
		{"deny", "no-deletes-yet", true},
		{"allow", "", false},
		{"deny", "", false},
		{"deny", "", false},
		{"deny", "", false},
	}
	for i, w := range want {
		if got[i]["action"] != w.action || got[i]["rule"] != w.rule || got[i]["shadow"] != w.shadow {
			t.Errorf("line %d: got %v, want %+v", i+1, got[i], w)
		}
	}
	if r := got[3]["reason"].(string); !strings.HasPrefix(r, "invalid input: ") {
		t.Errorf("malformed line reason %q", r)
	}
	if strings.Contains(out.String()+errOut.String(), "s3cr3t") {
		t.Error("a URL query value was echoed in an error")
	}
	if !strings.Contains(errOut.String(), "line 5:") {
		t.Errorf("stderr does not name the input line: %s", errOut.String())
	}
}

func TestCheckDefaultPackAndFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	in := `{"request": {"method": "POST", "url": "https://runner.internal/v1/exec", "headers": {"content-type": "application/json"}, "body": "{\"command\": \"rm -rf /\"}"}}`
	if err := Check(context.Background(), nil, strings.NewReader(in), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if m := decodeLines(t, out.String())[0]; m["action"] != "deny" || m["rule"] != "destructive-shell" {
		t.Fatalf("got %v", m)
	}
	if err := Check(context.Background(), []string{"--policy", "/nonexistent"}, strings.NewReader(in), &out, &errOut); err == nil {
		t.Fatal("missing policy accepted")
	}
	if err := Check(context.Background(), []string{"extra"}, strings.NewReader(in), &out, &errOut); err == nil {
		t.Fatal("positional argument accepted")
	}
}

func TestPolicyTest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "trial.yaml", shadowPolicy)
	tests := writeFile(t, dir, "trial-tests.yaml", `apiVersion: warden.dev/v1
kind: PolicyTest
metadata: {name: trial-tests}
spec:
  cases:
  - name: admin denied
    input: {request: {method: GET, url: "https://h/admin"}}
    expect: {action: deny, rule: no-admin}
  - name: wrong expectation
    input: {request: {method: GET, url: "https://h/admin"}}
    expect: {action: allow}
  - name: shadow rules do not block
    input: {request: {method: DELETE, url: "https://h/x"}}
    expect: {action: allow}
`)
	var out, errOut bytes.Buffer
	err := Policy(context.Background(), []string{"test", dir}, nil, &out, &errOut)
	if !errors.Is(err, ErrTestsFailed) {
		t.Fatalf("err = %v, want ErrTestsFailed", err)
	}
	s := out.String()
	for _, want := range []string{
		"PASS " + tests + ":6 trial-tests/admin denied",
		"FAIL " + tests + `:9 trial-tests/wrong expectation: got deny by rule "no-admin" (admin is off limits), want allow`,
		"PASS " + tests + ":12 trial-tests/shadow rules do not block",
		"2 passed, 1 failed",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	t.Run("tests only, against the embedded pack", func(t *testing.T) {
		d2 := t.TempDir()
		writeFile(t, d2, "t.yaml", `apiVersion: warden.dev/v1
kind: PolicyTest
metadata: {name: t}
spec:
  cases:
  - name: drop
    input: {request: {method: POST, url: "https://sql.neon.example/sql", body: '{"query": "DROP TABLE x"}'}}
    expect: {action: deny}
`)
		out.Reset()
		if err := Policy(context.Background(), []string{"test", d2}, nil, &out, &errOut); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	})
}

func TestPolicyLint(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", `apiVersion: warden.dev/v1
kind: Policy
metadata: {name: good}
spec:
  rules:
  - {name: never, when: "false", action: deny}
  - {name: everything, when: "true", action: deny}
  - {name: a, when: 'request.method == "PUT"', action: deny}
  - {name: b, when: 'request.method  ==  "PUT"', action: require_approval}
`)
	var out, errOut bytes.Buffer
	if err := Policy(context.Background(), []string{"lint", good}, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`rule "never": when is always false`, `rule "everything": when is always true`,
		`rule "b": same condition as rule "a"`, "4 rules, 3 warnings",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lint output lacks %q:\n%s", want, out.String())
		}
	}
	bad := writeFile(t, t.TempDir(), "bad.yaml", `apiVersion: warden.dev/v1
kind: Policy
metadata: {name: bad}
spec:
  rules:
  - name: typo
    when: request.pth == "/"
    action: deny
`)
	errOut.Reset()
	err := Policy(context.Background(), []string{"lint", bad}, nil, &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), bad+`:7:18: rule "typo": when: request has no field "pth"`) {
		t.Fatalf("err %v, stderr %s", err, errOut.String())
	}
	if err := Policy(context.Background(), []string{"frobnicate"}, nil, &out, &errOut); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
}

func TestParseInput(t *testing.T) {
	x, err := ParseInput([]byte(`{"id": "x1", "expect": "block", "request": {"method": "post", "url": "https://K8s.example:6443/api/v1/pods?watch=1",
		"headers": {"X-B": ["1", "2"], "Content-Type": "application/json"}, "body": {"a": 1}},
		"response": {"headers": {"content-type": "text/plain"}, "body": "ok"},
		"identity": {"subject": "alice", "groups": ["ops"], "claims": {"tier": "gold"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := x.Request
	if r.Method != "POST" || r.Scheme != "https" || r.Authority != "K8s.example:6443" || r.Path != "/api/v1/pods?watch=1" {
		t.Fatalf("request %+v", r)
	}
	if r.Headers.Get(":path") != r.Path || r.Headers.Get(":authority") != r.Authority || r.Headers.Get(":method") != "POST" {
		t.Fatalf("pseudo-headers %+v", r.Headers)
	}
	if got := r.Headers.Values("x-b"); len(got) != 2 || got[1] != "2" || r.Headers.Get("content-type") != "application/json" {
		t.Fatalf("headers %+v", r.Headers)
	}
	if string(r.Body) != `{"a": 1}` {
		t.Fatalf("a JSON body value is taken as its text, got %q", r.Body)
	}
	if x.Response.Status != 200 || string(x.Response.Body) != "ok" || x.Response.Headers.Get(":status") != "200" {
		t.Fatalf("response %+v", x.Response)
	}
	if x.Identity.Subject != "alice" || x.Identity.Claims["tier"] != "gold" {
		t.Fatalf("identity %+v", x.Identity)
	}
	for _, bad := range []string{
		`{}`, `{"request": {"url": "ftp://h/x"}}`, `{"request": {"url": "https://h/", "headers": {"a": 1}}}`,
		`{"request": {"url": "https://h/"}} {}`, `[1]`,
	} {
		if _, err := ParseInput([]byte(bad)); err == nil {
			t.Errorf("ParseInput(%s) accepted", bad)
		}
	}
}
