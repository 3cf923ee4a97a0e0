package refusal

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// req builds a request; headers alternate name, value.
func req(method, authority, path, body string, headers ...string) *exchange.Request {
	r := &exchange.Request{Method: method, Authority: authority, Path: path, Body: []byte(body)}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Headers = append(r.Headers, exchange.Header{Key: headers[i], Value: headers[i+1]})
	}
	return r
}

const sigV4S3 = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc"

func TestDetectChoosesTheShapeTheCallersSDKReads(t *testing.T) {
	tests := []struct {
		name string
		r    *exchange.Request
		want Protocol
	}{
		{"openai chat", req("POST", "api.openai.com", "/v1/chat/completions", `{"model":"m"}`), Generic},
		{"anthropic messages", req("POST", "api.anthropic.com", "/v1/messages", `{"model":"m"}`), Generic},
		{"openrouter under /api/v1 is no Kubernetes", req("POST", "openrouter.ai", "/api/v1/chat/completions", `{}`), Generic},
		{"an app's /api/v1/users is no Kubernetes", req("GET", "app.internal", "/api/v1/users/7", ""), Generic},
		{"kubernetes core path", req("DELETE", "10.0.0.1:6443", "/api/v1/namespaces/prod", ""), Kubernetes},
		{"kubernetes group path", req("DELETE", "k", "/apis/apps/v1/namespaces/a/deployments/web", ""), Kubernetes},
		{"kubernetes behind a rancher prefix", req("GET", "rancher", "/k8s/clusters/c-1/api/v1/namespaces/a/pods", ""), Kubernetes},
		{"client-go user agent on a CRD", req("GET", "k", "/apis/example.com/v1/widgets", "", "user-agent", "agent/v0.0.0 (linux/amd64) kubernetes/$Format"), Kubernetes},
		{"s3 by signature scope", req("DELETE", "127.0.0.1:9000", "/bucket/key", "", "authorization", sigV4S3), AWSS3},
		{"s3 by virtual host", req("GET", "bucket.s3.us-west-2.amazonaws.com", "/key", ""), AWSS3},
		{"s3 presigned", req("GET", "minio:9000", "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261207%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x", ""), AWSS3},
		{"dynamodb target", req("POST", "localhost:8000", "/", `{}`, "x-amz-target", "DynamoDB_20120810.DeleteTable", "content-type", "application/x-amz-json-1.0"), AWSJSON},
		{"sts query form", req("POST", "sts.amazonaws.com", "/", "Action=AssumeRole&Version=2011-06-15", "content-type", "application/x-www-form-urlencoded"), AWSQuery},
		{"ec2 query", req("POST", "ec2.us-east-1.amazonaws.com", "/", "Action=TerminateInstances", "content-type", "application/x-www-form-urlencoded"), AWSEC2},
		{"cloudwatch rpc v2 cbor", req("POST", "127.0.0.1", "/service/GraniteServiceVersion20100801/operation/DeleteAlarms", "\xa0", "smithy-protocol", "rpc-v2-cbor", "content-type", "application/cbor"), AWSCBOR},
		{"lambda rest-json", req("POST", "lambda.us-east-1.amazonaws.com", "/2015-03-31/functions/f/invocations", `{}`), AWSRestJSON},
		{"github models is an LLM API", req("POST", "models.github.ai", "/inference/chat/completions", `{"model":"m"}`), Generic},
		{"github by host", req("DELETE", "api.github.com", "/repos/o/r", ""), GitHubREST},
		{"github enterprise path", req("DELETE", "ghe.corp", "/api/v3/repos/o/r", ""), GitHubREST},
		{"github by api version header", req("DELETE", "127.0.0.1:8080", "/repos/o/r", "", "x-github-api-version", "2022-11-28"), GitHubREST},
		{"github graphql", req("POST", "api.github.com", "/graphql", `{"query":"{viewer{login}}"}`), GitHubGraphQL},
		{"mcp json-rpc body", req("POST", "mcp.internal", "/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`), MCP},
		{"mcp refused before its body", req("POST", "mcp.internal", "/mcp", "", "mcp-protocol-version", "2025-06-18"), MCP},
		{"json-rpc 1.0 is not mcp", req("POST", "rpc", "/", `{"id":1,"method":"x"}`), Generic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(tt.r); got != tt.want {
				t.Errorf("Detect = %s, want %s", got, tt.want)
			}
		})
	}
}

var denied = Refusal{Status: 403, Code: CodeDenied, Rule: "no-drops", Reason: "drops are <never> allowed", RequestID: "req-1"}

func header(r Reply, k string) string {
	return exchange.Headers(r.Headers).Get(k)
}

func TestGenericBodyIsUnchanged(t *testing.T) {
	r := Build(req("POST", "api.openai.com", "/v1/chat/completions", `{}`), Refusal{Status: 403, Code: CodeApprovalRequired, Rule: "r", Reason: "why", RequestID: "q", ApprovalID: "ap-1"})
	want := `{"error":"approval_required","rule":"r","reason":"why","request_id":"q","approval_id":"ap-1"}`
	if r.Status != 403 || string(r.Body) != want || header(r, "content-type") != "application/json" {
		t.Errorf("generic refusal: %d %s %v", r.Status, r.Body, r.Headers)
	}
}

func TestEveryShapeCarriesTheRefusalHeaders(t *testing.T) {
	ap := Refusal{Status: 403, Code: CodeApprovalRequired, Rule: "r", RequestID: "q", ApprovalID: "ap-1"}
	for _, r := range []*exchange.Request{
		req("POST", "api.openai.com", "/v1/chat/completions", `{}`),
		req("DELETE", "k", "/api/v1/namespaces/prod", ""),
		req("DELETE", "h", "/b/k", "", "authorization", sigV4S3),
		req("DELETE", "api.github.com", "/repos/o/r", ""),
		req("POST", "m", "/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/call"}`),
	} {
		out := Build(r, ap)
		if header(out, HeaderCode) != CodeApprovalRequired || header(out, HeaderRule) != "r" ||
			header(out, HeaderApprovalID) != "ap-1" || header(out, HeaderRequestID) != "q" {
			t.Errorf("%s: headers %v", out.Protocol, out.Headers)
		}
	}
}

func TestMessageSaysWhatToDo(t *testing.T) {
	for _, tt := range []struct {
		r    Refusal
		want string
	}{
		{denied, "warden denied this request: drops are <never> allowed [rule no-drops, request id req-1]"},
		{
			Refusal{Code: CodeApprovalRequired, Rule: "r", Reason: "ask", RequestID: "q", ApprovalID: "ap-9"},
			"warden requires a human approval for this request: ask [rule r, approval id ap-9, request id q]; retry the same request once approval ap-9 is granted",
		},
		{Refusal{Code: "audit_unavailable", Reason: "no trail", RequestID: "q"}, "warden refused this request (audit_unavailable): no trail [request id q]"},
	} {
		if got := Message(tt.r); got != tt.want {
			t.Errorf("Message = %q\nwant      %q", got, tt.want)
		}
	}
}

func TestKubernetesStatusForEveryRefusal(t *testing.T) {
	for _, tt := range []struct {
		status int
		reason string
	}{{403, "Forbidden"}, {401, "Unauthorized"}, {413, "RequestEntityTooLarge"}, {503, "ServiceUnavailable"}, {500, "InternalError"}} {
		r := Build(req("DELETE", "k", "/api/v1/namespaces/prod", ""), Refusal{Status: tt.status, Code: "c", Reason: "why", RequestID: "q"})
		var st struct {
			Kind, APIVersion, Status, Message, Reason string
			Code                                      int
		}
		if err := json.Unmarshal(r.Body, &st); err != nil {
			t.Fatal(err)
		}
		if st.Kind != "Status" || st.APIVersion != "v1" || st.Status != "Failure" || st.Code != tt.status || st.Reason != tt.reason || r.Status != tt.status {
			t.Errorf("%d: %+v", tt.status, st)
		}
	}
}

func TestAWSDocumentsAreWellFormedAndEscaped(t *testing.T) {
	s3 := Build(req("DELETE", "h", "/b/k", "", "authorization", sigV4S3), denied)
	var doc struct {
		Code, Message string
		RequestID     string `xml:"RequestId"`
	}
	if err := xml.Unmarshal(s3.Body, &doc); err != nil {
		t.Fatalf("S3 error is not XML: %v\n%s", err, s3.Body)
	}
	if doc.Code != "AccessDenied" || doc.Message != Message(denied) || doc.RequestID != "req-1" || header(s3, "x-amz-request-id") != "req-1" {
		t.Errorf("S3 error %+v headers %v", doc, s3.Headers)
	}
	q := Build(req("POST", "sts.amazonaws.com", "/", "Action=AssumeRole", "content-type", "application/x-www-form-urlencoded"), Refusal{Status: 503, Code: "audit_unavailable", RequestID: "q"})
	if !bytes.Contains(q.Body, []byte("<Type>Receiver</Type><Code>ServiceUnavailable</Code>")) {
		t.Errorf("query error: %s", q.Body)
	}
	j := Build(req("POST", "h", "/", "{}", "x-amz-target", "DynamoDB_20120810.DeleteTable", "content-type", "application/x-amz-json-1.0"), denied)
	if header(j, "content-type") != "application/x-amz-json-1.0" || header(j, "x-amzn-errortype") != "AccessDeniedException" ||
		!bytes.Contains(j.Body, []byte(`"__type":"AccessDeniedException"`)) {
		t.Errorf("JSON error: %s %v", j.Body, j.Headers)
	}
}

func TestCBORErrorForRPCv2Services(t *testing.T) {
	long := strings.Repeat("x", 300)
	out := Build(req("POST", "h", "/service/S/operation/DeleteAlarms", "", "smithy-protocol", "rpc-v2-cbor", "x-amzn-query-mode", "true"),
		Refusal{Status: 403, Code: CodeDenied, Reason: long, RequestID: "q"})
	m, ok := cborMap(out.Body)
	if !ok || m["__type"] != "AccessDeniedException" || m["message"] != Message(Refusal{Code: CodeDenied, Reason: long, RequestID: "q"}) {
		t.Fatalf("CBOR body %x: %v", out.Body, m)
	}
	if header(out, "x-amzn-query-error") != "AccessDenied;Sender" || header(out, "smithy-protocol") != "rpc-v2-cbor" {
		t.Errorf("headers %v", out.Headers)
	}
}

func TestRequestIDThatCannotBeAHeaderStaysInTheBody(t *testing.T) {
	r := denied
	r.RequestID = "id\r\nx-injected: 1"
	out := Build(req("DELETE", "h", "/b/k", "", "authorization", sigV4S3), r)
	if header(out, "x-amz-request-id") != "" || header(out, "x-injected") != "" {
		t.Errorf("a request id with CR LF became a header: %v", out.Headers)
	}
	if !bytes.Contains(out.Body, []byte("<RequestId>id")) {
		t.Errorf("body lost the request id: %s", out.Body)
	}
}

type answer struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  *struct {
		IsError bool `json:"isError"`
		Content []struct{ Type, Text string }
		Meta    map[string]Body `json:"_meta"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    Body   `json:"data"`
	} `json:"error"`
}

func TestMCPAnswersTheRefusedCallOnly(t *testing.T) {
	const accept = "application/json, text/event-stream"
	t.Run("tools/call: a tool result with isError, the id echoed byte for byte", func(t *testing.T) {
		out := Build(req("POST", "m", "/mcp", `{"jsonrpc":"2.0","id":12345678901234567890,"method":"tools/call","params":{"name":"drop"}}`, "accept", accept), denied)
		var a answer
		if err := json.Unmarshal(out.Body, &a); err != nil || out.Status != 200 {
			t.Fatalf("%d %s %v", out.Status, out.Body, err)
		}
		if string(a.ID) != "12345678901234567890" || a.Result == nil || !a.Result.IsError || a.Result.Content[0].Text != Message(denied) ||
			a.Result.Meta[MetaKey].Rule != "no-drops" {
			t.Errorf("answer %s", out.Body)
		}
	})
	t.Run("another method: a JSON-RPC error", func(t *testing.T) {
		ap := Refusal{Status: 403, Code: CodeApprovalRequired, Rule: "r", RequestID: "q", ApprovalID: "ap-1"}
		out := Build(req("POST", "m", "/mcp", `{"jsonrpc":"2.0","id":"a-1","method":"resources/read"}`, "accept", accept), ap)
		var a answer
		if err := json.Unmarshal(out.Body, &a); err != nil || out.Status != 200 {
			t.Fatalf("%d %s %v", out.Status, out.Body, err)
		}
		if string(a.ID) != `"a-1"` || a.Error == nil || a.Error.Code != RPCCodeApprovalRequired || a.Error.Data.ApprovalID != "ap-1" {
			t.Errorf("answer %s", out.Body)
		}
	})
	t.Run("batch: one answer per call, none for notifications", func(t *testing.T) {
		out := Build(req("POST", "m", "/mcp", `[{"jsonrpc":"2.0","method":"notifications/x"},{"jsonrpc":"2.0","id":7,"method":"tools/call"},{"jsonrpc":"2.0","id":8,"method":"ping"}]`), denied)
		var as []answer
		if err := json.Unmarshal(out.Body, &as); err != nil || len(as) != 2 || string(as[0].ID) != "7" || string(as[1].ID) != "8" {
			t.Fatalf("%s %v", out.Body, err)
		}
	})
	t.Run("notification or refused before the body: the HTTP status, id null", func(t *testing.T) {
		for _, r := range []*exchange.Request{
			req("POST", "m", "/mcp", `{"jsonrpc":"2.0","method":"notifications/initialized"}`),
			req("POST", "m", "/mcp", "", "mcp-session-id", "s-1"),
		} {
			out := Build(r, denied)
			var a answer
			if err := json.Unmarshal(out.Body, &a); err != nil || out.Status != 403 || string(a.ID) != "null" || a.Error == nil {
				t.Errorf("%d %s", out.Status, out.Body)
			}
		}
	})
	t.Run("401 stays 401 so the client can authorize", func(t *testing.T) {
		out := Build(req("POST", "m", "/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`), Refusal{Status: 401, Code: "unauthenticated", RequestID: "q"})
		var a answer
		if err := json.Unmarshal(out.Body, &a); err != nil || out.Status != 401 || string(a.ID) != "1" || a.Error.Code != RPCCodeRefused {
			t.Errorf("%d %s", out.Status, out.Body)
		}
	})
	t.Run("a client that reads only event streams gets one", func(t *testing.T) {
		out := Build(req("POST", "m", "/mcp", `{"jsonrpc":"2.0","id":3,"method":"tools/call"}`, "accept", "text/event-stream"), denied)
		body := string(out.Body)
		if header(out, "content-type") != "text/event-stream" || !strings.HasPrefix(body, "event: message\ndata: {") || !strings.HasSuffix(body, "}\n\n") {
			t.Fatalf("%v %q", out.Headers, body)
		}
		var a answer
		if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimPrefix(body, "event: message\ndata: "), "\n\n")), &a); err != nil || string(a.ID) != "3" {
			t.Errorf("event data %q: %v", body, err)
		}
	})
}

func TestGitHubGraphQLRefusesLikeGitHub(t *testing.T) {
	out := Build(req("POST", "api.github.com", "/graphql", `{"query":"mutation{deleteRef}"}`), denied)
	var g struct {
		Data   *struct{}
		Errors []struct{ Type, Message string }
	}
	if err := json.Unmarshal(out.Body, &g); err != nil || out.Status != 200 || g.Data != nil || len(g.Errors) != 1 || g.Errors[0].Type != "FORBIDDEN" {
		t.Errorf("%d %s", out.Status, out.Body)
	}
	out = Build(req("POST", "api.github.com", "/graphql", `{}`), Refusal{Status: 401, Code: "unauthenticated", RequestID: "q"})
	var e struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	if err := json.Unmarshal(out.Body, &e); err != nil || out.Status != 401 || e.DocumentationURL != DocumentationURL || !strings.Contains(e.Message, "unauthenticated") {
		t.Errorf("%d %s", out.Status, out.Body)
	}
}

func TestRememberKeepsOnlyWhatAnMCPAnswerNeeds(t *testing.T) {
	if got := Remember(req("POST", "api.openai.com", "/v1/chat/completions", `{"model":"m","messages":[]}`)); got != nil {
		t.Errorf("an LLM request is remembered: %s", got)
	}
	got := Remember(req("POST", "m", "/mcp", `{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x","arguments":{"big":"`+strings.Repeat("y", 4096)+`"}}}`))
	if string(got) != `{"jsonrpc":"2.0","id":"a","method":"tools/call"}` {
		t.Errorf("remembered %s", got)
	}
}

// BenchmarkRememberLLMRequest is what every allowed request pays for refusal.Remember: a 4 KiB
// chat request (not JSON-RPC).
func BenchmarkRememberLLMRequest(b *testing.B) {
	r := req("POST", "api.openai.com", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"`+strings.Repeat("hello ", 680)+`"}]}`)
	b.SetBytes(int64(len(r.Body)))
	for b.Loop() {
		if Remember(r) != nil {
			b.Fatal("remembered")
		}
	}
}

// Remember reads the head of a message the way a full decode does, whatever the members' order
// or spelling: the streaming read of a leading head and the full decode agree.
func TestRememberAgreesWithTheFullDecode(t *testing.T) {
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x"}}`,
		`{"params":{"name":"x"},"method":"tools/call","id":"a","jsonrpc":"2.0"}`,
		`{"jsonrpc":"2.0","method":"tools/call","params":{},"id":-1.5e3}`,
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{}}`,
		`{"jsonrpc":"2.0","id":null,"method":"x"}`,
		`{"JSONRPC":"2.0","Id":3,"Method":"x"}`,
		`{"jsonrpc":"2.0","id":1,"id":2,"method":"x"}`,
		`{"jsonrpc":"1.0","id":1,"method":"x"}`,
		`{"jsonrpc":2,"id":1,"method":"x"}`,
		`[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method":"n"}]`,
		` {"jsonrpc" : "2.0", "id" : "b" , "method":"m"}`,
	} {
		var want []byte // what Remember returned when it always decoded the whole body
		if !strings.Contains(body, `"jsonrpc"`) {
			want = nil
		} else if msgs, batch, ok := parseRPC([]byte(body)); ok && batch {
			want = mustJSON(msgs)
		} else if ok {
			want = mustJSON(msgs[0])
		}
		if got := Remember(req("POST", "m", "/mcp", body)); string(got) != string(want) {
			t.Errorf("Remember(%s) = %s, want %s", body, got, want)
		}
	}
}

// BenchmarkRememberMCPCall is what an allowed MCP call with large arguments pays for
// refusal.Remember (its JSON-RPC head is kept for a response-phase refusal).
func BenchmarkRememberMCPCall(b *testing.B) {
	r := req("POST", "m", "/mcp", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"q","arguments":{"text":"`+strings.Repeat("hello world ", 20000)+`"}}}`)
	b.SetBytes(int64(len(r.Body)))
	b.ReportAllocs()
	for b.Loop() {
		if Remember(r) == nil {
			b.Fatal("not remembered")
		}
	}
}
