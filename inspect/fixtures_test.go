package inspect

import (
	"bufio"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// fixture is one line of testdata/*.jsonl, in the `warden check` input shape plus id/expect.
type fixture struct {
	ID      string `json:"id"`
	Expect  string `json:"expect"`
	Request struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    *string           `json:"body"`
	} `json:"request"`
	Response *struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	} `json:"response"`
}

func loadFixtures(tb testing.TB, name string) []fixture {
	tb.Helper()
	fh, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	var out []fixture
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var f fixture
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		out = append(out, f)
	}
	return out
}

func headers(m map[string]string) exchange.Headers {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var h exchange.Headers
	for _, k := range keys {
		h = append(h, exchange.Header{Key: strings.ToLower(k), Value: m[k]})
	}
	return h
}

func (f fixture) exchange(tb testing.TB) (*exchange.Request, *exchange.Response) {
	tb.Helper()
	u, err := url.Parse(f.Request.URL)
	if err != nil {
		tb.Fatal(err)
	}
	req := &exchange.Request{
		Method: f.Request.Method, Scheme: u.Scheme, Authority: u.Host, Path: u.RequestURI(),
		Headers: headers(f.Request.Headers),
	}
	if f.Request.Body != nil {
		req.Body, req.BodySeen = []byte(*f.Request.Body), true
	}
	if f.Response == nil {
		return req, nil
	}
	return req, &exchange.Response{Status: f.Response.Status, Headers: headers(f.Response.Headers), Body: []byte(f.Response.Body)}
}

func analyzeFixture(tb testing.TB, f fixture) *Facts {
	tb.Helper()
	req, resp := f.exchange(tb)
	facts := Analyze(req)
	if resp != nil {
		facts.AddResponse(resp)
	}
	return facts
}

// blocking reports the actions a fail-closed policy must stop: destructive, or unparsable.
func blocking(f *Facts) []Action {
	var out []Action
	for _, a := range f.Actions {
		perr := a.SQL != nil && a.SQL.ParseError != "" || a.Shell != nil && a.Shell.ParseError != ""
		if a.Destructive || perr {
			out = append(out, a)
		}
	}
	return out
}

// wantKind names the action kind each fixture family must produce.
func wantKind(id string) string {
	for prefix, kind := range map[string]string{
		"sql-": KindSQL, "h-sql-": KindSQL, "shell-": KindShell, "h-sh-": KindShell,
		"k8s-": KindK8s, "h-k8s-": KindK8s, "h-aws-": KindAWS, "h-gh-": KindGitHub,
	} {
		if strings.HasPrefix(id, prefix) {
			return kind
		}
	}
	return ""
}

func TestFixtures(t *testing.T) {
	for _, file := range []string{"actions.jsonl", "heldout.jsonl"} {
		for _, f := range loadFixtures(t, file) {
			t.Run(f.ID, func(t *testing.T) {
				facts := analyzeFixture(t, f)
				b := blocking(facts)
				switch f.Expect {
				case "block":
					if len(b) == 0 {
						t.Fatalf("no destructive or unparsable action; actions: %s", describe(facts))
					}
				case "allow":
					if len(b) > 0 {
						t.Fatalf("blocking actions in an allowed case: %s", describe(facts))
					}
				}
				kind := wantKind(f.ID)
				if kind == "" || (f.Expect == "allow" && strings.Contains(f.ID, "h-")) {
					return
				}
				found := false
				for _, a := range facts.Actions {
					found = found || a.Kind == kind
				}
				if !found {
					t.Errorf("no %s action; actions: %s", kind, describe(facts))
				}
			})
		}
	}
}

func describe(f *Facts) string {
	var b strings.Builder
	for _, a := range f.Actions {
		b.WriteString("\n  " + a.Kind + " " + a.Source + " " + a.Text)
		if a.Destructive {
			b.WriteString(" [destructive " + strings.Join(a.Reasons, "; ") + "]")
		}
		if a.SQL != nil && a.SQL.ParseError != "" {
			b.WriteString(" [sql parse error: " + a.SQL.ParseError + "]")
		}
		if a.Shell != nil && a.Shell.ParseError != "" {
			b.WriteString(" [shell parse error: " + a.Shell.ParseError + "]")
		}
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}
