package refusal

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// FuzzBuild feeds untrusted requests (body, path, headers) and reasons to Build: it never panics,
// the reply is always well-formed in the content type it declares (JSON, XML or an event stream
// of JSON), every header can travel in an Envoy header mutation, and an MCP answer carries only
// ids the request sent (or null).
func FuzzBuild(f *testing.F) {
	f.Add("POST", "mcp", "/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/call"}`, "application/json, text/event-stream", "", "", "why", "req-1")
	f.Add("POST", "mcp", "/mcp", `[{"jsonrpc":"2.0","id":"x","method":"a"},{"jsonrpc":"2.0","method":"n"}]`, "text/event-stream", "", "", "r", "q")
	f.Add("DELETE", "h", "/b/k", "", "", "", sigV4S3, "a <b> & c", "id\r\n")
	f.Add("POST", "h", "/", "{}", "", "application/x-amz-json-1.0", "AWS4-HMAC-SHA256 Credential=A/d/r/dynamodb/aws4_request", "\x00\xff", "q")
	f.Add("POST", "sts.amazonaws.com", "/", "Action=X", "", "application/x-www-form-urlencoded", "", "r", "q")
	f.Add("DELETE", "k", "/api/v1/namespaces/prod", "", "", "", "", "r", "q")
	f.Add("POST", "api.github.com", "/graphql", "{}", "", "", "", "r", "q")
	f.Add("POST", "monitoring", "/service/GraniteServiceVersion20100801/operation/DeleteAlarms", "\xa0", "application/cbor", "application/cbor",
		"AWS4-HMAC-SHA256 Credential=A/d/r/monitoring/aws4_request", strings.Repeat("long reason ", 30), "q")
	f.Fuzz(func(t *testing.T, method, authority, path, body, accept, ctype, auth, reason, id string) {
		r := req(method, authority, path, body, "accept", accept, "content-type", ctype, "authorization", auth)
		if ctype == "application/cbor" {
			r.Headers = append(r.Headers, exchange.Header{Key: "smithy-protocol", Value: "rpc-v2-cbor"}, exchange.Header{Key: "x-amzn-query-mode", Value: "true"})
		}
		for _, status := range []int{401, 403, 503} {
			for _, code := range []string{CodeDenied, CodeApprovalRequired, "audit_unavailable"} {
				out := Build(r, Refusal{Status: status, Code: code, Rule: "rule", Reason: reason, RequestID: id, ApprovalID: "ap-1"})
				checkReply(t, r.Body, out)
			}
		}
	})
}

func checkReply(t *testing.T, reqBody []byte, out Reply) {
	t.Helper()
	if out.Status < 100 || out.Status > 599 {
		t.Fatalf("status %d", out.Status)
	}
	for _, h := range out.Headers {
		if !headerSafe(h.Value) {
			t.Fatalf("header %s=%q cannot travel in a header mutation", h.Key, h.Value)
		}
	}
	ct := header(out, "content-type")
	var docs [][]byte
	switch {
	case strings.Contains(ct, "json"):
		docs = [][]byte{out.Body}
	case strings.Contains(ct, "xml"):
		d := xml.NewDecoder(bytes.NewReader(out.Body))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("not XML: %v\n%s", err, out.Body)
			}
		}
		return
	case ct == "application/cbor":
		if m, ok := cborMap(out.Body); !ok || m["__type"] == "" || m["message"] == "" {
			t.Fatalf("not the CBOR error map: %x", out.Body)
		}
		return
	case ct == "text/event-stream":
		for ev := range strings.SplitSeq(strings.TrimSuffix(string(out.Body), "\n\n"), "\n\n") {
			data, ok := strings.CutPrefix(ev, "event: message\ndata: ")
			if !ok || strings.Contains(data, "\n") {
				t.Fatalf("malformed event %q", ev)
			}
			docs = append(docs, []byte(data))
		}
	default:
		t.Fatalf("content-type %q", ct)
	}
	for _, d := range docs {
		if !json.Valid(d) {
			t.Fatalf("not JSON: %s", d)
		}
	}
	if out.Protocol != MCP {
		return
	}
	sent := map[string]bool{"null": true}
	if msgs, _, ok := parseRPC(reqBody); ok {
		for _, m := range msgs {
			if m.call() {
				sent[string(m.ID)] = true
			}
		}
	}
	for _, d := range docs {
		var as []answer
		if d[0] == '[' {
			_ = json.Unmarshal(d, &as)
		} else {
			var a answer
			_ = json.Unmarshal(d, &a)
			as = append(as, a)
		}
		for _, a := range as {
			if a.JSONRPC != "2.0" || !sent[string(a.ID)] {
				t.Fatalf("answer %s: id not sent by the request %s", d, reqBody)
			}
		}
	}
}

// cborMap reads a CBOR map of text strings to text strings (all cborError writes).
func cborMap(b []byte) (map[string]string, bool) {
	if len(b) == 0 || b[0]>>5 != 5 {
		return nil, false
	}
	n, b := int(b[0]&0x1f), b[1:]
	m := map[string]string{}
	var k, v string
	var ok bool
	for range n {
		if k, b, ok = cborString(b); !ok {
			return nil, false
		}
		if v, b, ok = cborString(b); !ok {
			return nil, false
		}
		m[k] = v
	}
	return m, len(b) == 0
}

func cborString(b []byte) (string, []byte, bool) {
	if len(b) == 0 || b[0]>>5 != 3 {
		return "", nil, false
	}
	n, info, b := 0, b[0]&0x1f, b[1:]
	switch {
	case info < 24:
		n = int(info)
	case info == 24 && len(b) >= 1:
		n, b = int(b[0]), b[1:]
	case info == 25 && len(b) >= 2:
		n, b = int(b[0])<<8|int(b[1]), b[2:]
	case info == 26 && len(b) >= 4:
		n, b = int(b[0])<<24|int(b[1])<<16|int(b[2])<<8|int(b[3]), b[4:]
	default:
		return "", nil, false
	}
	if len(b) < n {
		return "", nil, false
	}
	return string(b[:n]), b[n:], true
}

// FuzzRememberHead checks the streaming read of a leading JSON-RPC head against the full decode:
// on every body the full decode reads as one message, the head read either gives up or agrees.
func FuzzRememberHead(f *testing.F) {
	f.Add(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}`)
	f.Add(`{"jsonrpc":"2.0","id":"a\u0041","method":"m","id":2}`)
	f.Add(`{"id":1e400,"jsonrpc":"2.0","method":"m"}`)
	f.Add(`{"jsonrpc":"2.0","id":1,"method":"m","params":{},"jſonrpc":"1.0","METHOD":"x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		m, ok := leadingHead([]byte(body))
		if !ok {
			return
		}
		msgs, batch, full := parseRPC([]byte(body))
		if !full || batch {
			return // broken after the head: the head read answers, the full decode did not
		}
		if got, want := mustJSON(m), mustJSON(msgs[0]); string(got) != string(want) {
			t.Fatalf("head %s, full decode %s", got, want)
		}
	})
}
