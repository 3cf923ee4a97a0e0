package record

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect"
	"github.com/warden-gw/warden/redact"
)

// inputExchange is an MCP call whose SQL carries a password, inspected as the server does.
func inputExchange() *exchange.Exchange {
	x := sampleExchange(3, "s-in")
	x.Request.Authority = "mcp.internal"
	x.Request.Path = "/mcp"
	x.Request.Body = []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"execute_sql",` +
		`"arguments":{"query":"ALTER USER app WITH PASSWORD 'hunter2-SECRET-VALUE'"}}}`)
	x.Facts = inspect.Analyze(&x.Request)
	return x
}

// TestRecordCarriesDecisionInput: the record says what the policy decided from (the facts,
// versioned, with what is never recorded listed), a secret inside the facts is redacted in the
// record, and redacting the record leaves the live facts (read by the response phase) alone.
func TestRecordCarriesDecisionInput(t *testing.T) {
	x := inputExchange()
	live := x.Facts.(*inspect.Facts).CEL()
	liveText := live["actions"].([]any)[0].(map[string]any)["text"].(string)
	r := BuildRecord(x, StageRequest, Product{Name: "warden"}, time.Now())
	redact.Fields(r, func(s string) string { return strings.ReplaceAll(s, "hunter2-SECRET-VALUE", "[REDACTED]") })

	body, _, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := reflectCanonical(t, r); !bytes.Equal(body, want) {
		t.Fatalf("encoder and canonical form differ:\n%s\n%s", body, want)
	}
	if bytes.Contains(body, []byte("hunter2")) {
		t.Fatalf("the record carries the secret: %s", body)
	}
	var back Record
	if err := json.Unmarshal(body, &back); err != nil {
		t.Fatal(err)
	}
	in := back.Unmapped.Warden.Input
	if in == nil || in.V != InputVersion {
		t.Fatalf("input = %+v, want version %d", in, InputVersion)
	}
	acts, _ := in.Facts["actions"].([]any)
	if len(acts) != 1 || acts[0].(map[string]any)["kind"] != "sql" {
		t.Fatalf("recorded actions = %v, want the one SQL statement", acts)
	}
	if llm, _ := in.Facts["llm"].(map[string]any); llm == nil || llm["prompt"] != nil {
		t.Fatalf("llm facts = %v: want them present, without the prompt", llm)
	}
	if got := live["actions"].([]any)[0].(map[string]any)["text"].(string); got != liveText || !strings.Contains(got, "hunter2") {
		t.Fatalf("redacting the record changed the live facts: %q", got)
	}
}

// TestRecordWithoutFactsHasNoInput: an exchange no policy decided (or not inspected) says
// nothing it could be replayed from.
func TestRecordWithoutFactsHasNoInput(t *testing.T) {
	x := inputExchange()
	x.Decisions = nil
	if r := BuildRecord(x, StageRequest, Product{}, time.Now()); r.Unmapped.Warden.Input != nil {
		t.Fatal("an exchange without a decision has an input")
	}
	x = inputExchange()
	x.Facts = (*inspect.Facts)(nil)
	if r := BuildRecord(x, StageRequest, Product{}, time.Now()); r.Unmapped.Warden.Input != nil {
		t.Fatal("an exchange with nil facts has an input")
	}
}

// TestDecisionInputCutsLongText: a statement longer than the cap is shortened and the input
// says so.
func TestDecisionInputCutsLongText(t *testing.T) {
	x := inputExchange()
	x.Request.Body = []byte(`{"query":"SELECT '` + strings.Repeat("a", maxInputText+10) + `'"}`)
	x.Request.Path = "/sql"
	x.Facts = inspect.Analyze(&x.Request)
	in := inputOf(x)
	if in == nil {
		t.Fatal("no input")
	}
	if !in.TextCut {
		t.Fatalf("text_cut not set for a statement over %d bytes", maxInputText)
	}
}

// TestRecordNamesTheResourcesTouched: OCSF resources[] lists what the actions touched.
func TestRecordNamesTheResourcesTouched(t *testing.T) {
	x := inputExchange()
	x.Request.Body = []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"execute_sql",` +
		`"arguments":{"query":"DELETE FROM billing.invoices WHERE id IN (SELECT id FROM staging.old)"}}}`)
	x.Facts = inspect.Analyze(&x.Request)
	r := BuildRecord(x, StageRequest, Product{}, time.Now())
	got := map[string]bool{}
	for _, res := range r.Resources {
		got[res.Type+":"+res.Name] = true
	}
	if !got["table:billing.invoices"] || !got["table:staging.old"] {
		t.Fatalf("resources = %+v, want both tables", r.Resources)
	}
	body, _, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := reflectCanonical(t, r); !bytes.Equal(body, want) {
		t.Fatalf("encoder and canonical form differ:\n%s\n%s", body, want)
	}

	k := &exchange.Exchange{ID: "k", Request: exchange.Request{Method: "DELETE", Scheme: "https", Authority: "k8s.internal:6443", Path: "/api/v1/namespaces/prod/pods/web-1"}}
	k.Facts = inspect.Analyze(&k.Request)
	k.Decisions = []exchange.Decision{{Action: exchange.Deny, Phase: exchange.PhaseRequest}}
	r = BuildRecord(k, StageRequest, Product{}, time.Now())
	if len(r.Resources) != 1 || r.Resources[0] != (Resource{Type: "kubernetes/pods", Name: "prod/web-1"}) {
		t.Fatalf("resources = %+v, want the pod prod/web-1", r.Resources)
	}
}

// BenchmarkBuildEncodeWithInput is BenchmarkBuildEncode for an inspected MCP SQL call, with and
// without its decision input: what recording the input costs per record.
func BenchmarkBuildEncodeWithInput(b *testing.B) {
	for _, withFacts := range []bool{false, true} {
		name := "without-input"
		if withFacts {
			name = "with-input"
		}
		b.Run(name, func(b *testing.B) {
			x := inputExchange()
			if !withFacts {
				x.Facts = nil
			}
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				r := BuildRecord(x, StageRequest, Product{Name: "warden"}, now)
				if _, _, err := Encode(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRedactRecordWithInput: the redaction every record goes through (Log.build), with and
// without the decision input's strings.
func BenchmarkRedactRecordWithInput(b *testing.B) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, withFacts := range []bool{false, true} {
		for _, memo := range []bool{false, true} {
			name := "without-input"
			if withFacts {
				name = "with-input"
			}
			if memo {
				name += "/memo"
			}
			b.Run(name, func(b *testing.B) {
				x := inputExchange()
				if !withFacts {
					x.Facts = nil
				}
				now := time.Now()
				b.ReportAllocs()
				for b.Loop() {
					r := BuildRecord(x, StageRequest, Product{Name: "warden"}, now)
					f := eng.Text
					if memo {
						seen := make(map[string]string, 64)
						f = func(s string) string {
							if out, ok := seen[s]; ok {
								return out
							}
							out := eng.Text(s)
							seen[s] = out
							return out
						}
					}
					redact.Fields(r, f)
				}
			})
		}
	}
}

// TestRecordRedactsArgumentsByTheirKey: tool-call arguments in the decision input whose values
// are secrets only by their key (a hex API key, a password without a telltale shape) are redacted
// in the record by the real engine, as they would be in a header line; other arguments stay.
func TestRecordRedactsArgumentsByTheirKey(t *testing.T) {
	const hexKey = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	const password = "Tr0ub4dor&3xyzzyQ"
	eng, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	x := sampleExchange(3, "s-in")
	x.Request.Authority = "mcp.internal"
	x.Request.Path = "/mcp"
	x.Request.Body = []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"call_api",` +
		`"arguments":{"api_key":"` + hexKey + `","password":"` + password + `",` +
		`"headers":{"X-Api-Key":"` + hexKey + `"},"region":"eu-west-1"}}}`)
	x.Facts = inspect.Analyze(&x.Request)
	r := BuildRecord(x, StageRequest, Product{Name: "warden"}, time.Now())
	r.MapStrings(eng.Text)
	body, _, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{hexKey, password} {
		if bytes.Contains(body, []byte(secret)) {
			t.Errorf("the record carries %q: %s", secret, body)
		}
	}
	args := r.Unmapped.Warden.Input.Facts["mcp"].(map[string]any)["arguments"].(map[string]any)
	if args["region"] != "eu-west-1" {
		t.Errorf("arguments = %v: want region kept as it is", args)
	}
	if s, _ := args["api_key"].(string); !strings.Contains(s, "REDACTED") {
		t.Errorf("api_key = %q, want it redacted", s)
	}
}
