package refusal

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// JSON-RPC error codes of warden's MCP refusals (the JSON-RPC range reserved for servers,
// clear of the codes MCP itself uses).
const (
	RPCCodeDenied           = -32010
	RPCCodeApprovalRequired = -32011
	RPCCodeRefused          = -32000 // any other refusal: unauthenticated, audit unavailable, ...
)

// MetaKey is the _meta key under which a refused tools/call result carries warden's Body.
const MetaKey = "warden.dev/refusal"

// rpcHead is what a refusal needs of one JSON-RPC message.
type rpcHead struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
}

// call reports whether the message is a request that expects an answer: it has a method and an
// id that is a string or a number (JSON-RPC 2.0; null and other values are no id).
func (m rpcHead) call() bool {
	if m.Method == "" || len(m.ID) == 0 {
		return false
	}
	switch c := m.ID[0]; {
	case c == '"', c == '-', c >= '0' && c <= '9':
		return true
	}
	return false
}

// parseRPC reads body as one JSON-RPC 2.0 message or a batch; ok is false for anything else.
func parseRPC(body []byte) (msgs []rpcHead, batch, ok bool) {
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) == 0 {
		return nil, false, false
	}
	if b[0] == '[' {
		if json.Unmarshal(b, &msgs) != nil || len(msgs) == 0 {
			return nil, false, false
		}
		batch = true
	} else {
		var m rpcHead
		if json.Unmarshal(b, &m) != nil {
			return nil, false, false
		}
		msgs = []rpcHead{m}
	}
	for _, m := range msgs {
		if m.JSONRPC != "2.0" {
			return nil, false, false
		}
	}
	return msgs, batch, true
}

// isMCP recognises an MCP request: a POST whose body is JSON-RPC 2.0, or, refused before its
// body arrived, a request carrying the headers MCP clients send after initialization.
func isMCP(req *exchange.Request) bool {
	if len(req.Body) > 0 {
		if method(req) != "POST" {
			return false
		}
		_, _, ok := parseRPC(req.Body)
		return ok
	}
	return req.Headers.Has("mcp-protocol-version") || req.Headers.Has("mcp-session-id")
}

// Remember returns what Build will need of req's body once the body itself is gone (a response-
// phase refusal comes after the request body was dropped): for an MCP request its JSON-RPC
// heads (jsonrpc, id, method), re-encoded; nil for anything else.
func Remember(req *exchange.Request) []byte {
	// It runs for every request that goes upstream: a body that cannot be JSON-RPC costs one
	// byte search, not a JSON decode.
	if method(req) != "POST" || !bytes.Contains(req.Body, []byte(`"jsonrpc"`)) {
		return nil
	}
	if m, ok := leadingHead(req.Body); ok {
		return mustJSON(m)
	}
	msgs, batch, ok := parseRPC(req.Body)
	switch {
	case !ok:
		return nil
	case batch:
		return mustJSON(msgs)
	}
	return mustJSON(msgs[0])
}

// leadingHead reads the head of a single JSON-RPC message whose jsonrpc, id and method members
// come before the rest (as MCP clients write them), and stops there: the params (a tool's
// arguments, possibly megabytes) are not decoded a second time after inspection read them.
// ok is false when the body is a batch, a member other than the three (or one of them twice)
// comes first, or one is missing; Remember then decodes the whole body as before. Unlike that
// decode it does not look past the head, so a body broken after it still gets its id answered.
func leadingHead(body []byte) (rpcHead, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return rpcHead{}, false
	}
	var m rpcHead
	var seen [3]bool
	for n := 0; n < len(seen); n++ {
		if !dec.More() {
			return rpcHead{}, false
		}
		t, err := dec.Token()
		if err != nil {
			return rpcHead{}, false
		}
		var (
			i   int
			dst any
		)
		switch t {
		case "jsonrpc":
			i, dst = 0, &m.JSONRPC
		case "id":
			i, dst = 1, &m.ID
		case "method":
			i, dst = 2, &m.Method
		default:
			return rpcHead{}, false
		}
		if seen[i] || dec.Decode(dst) != nil {
			return rpcHead{}, false
		}
		seen[i] = true
	}
	return m, m.JSONRPC == "2.0" && !mayRepeatHead(body[dec.InputOffset():])
}

// mayRepeatHead reports whether the rest of a body could name a head member again, which a full
// decode would take instead (the last duplicate wins, and encoding/json matches member names
// case-insensitively, with ſ folding to s): a \u escape anywhere, or a string ending in "id",
// "onrpc" or "method" in any case. It errs towards yes; yes means the full decode.
func mayRepeatHead(rest []byte) bool {
	if bytes.Contains(rest, []byte(`\u`)) {
		return true
	}
	for i := bytes.IndexByte(rest, '"'); i >= 0; {
		for _, name := range []string{"id", "onrpc", "method"} {
			if i >= len(name) && bytes.EqualFold(rest[i-len(name):i], []byte(name)) {
				return true
			}
		}
		j := bytes.IndexByte(rest[i+1:], '"')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    Body   `json:"data"`
}

type toolResult struct {
	Content []toolText     `json:"content"`
	IsError bool           `json:"isError"`
	Meta    map[string]any `json:"_meta"`
}

type toolText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type rpcAnswer struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  *toolResult     `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// mcpReply answers the refused MCP request in JSON-RPC, with HTTP 200, so that only the refused
// call fails and the session goes on (an MCP client treats a non-JSON-RPC HTTP error as the end
// of the session). A refused tools/call gets a tool result with isError true, which MCP means
// for errors the model should see and act on; any other method gets a JSON-RPC error. Both carry
// Message(r), and warden's Body (in _meta or error data).
//
// A request without an id to answer (a notification, or refused before its body arrived) keeps
// the refusal's HTTP status with a JSON-RPC error whose id is null; so does a 401, which MCP
// clients need to see to start their authorization flow.
func mcpReply(req *exchange.Request, r Refusal) Reply {
	msgs, batch, _ := parseRPC(req.Body)
	var answers []rpcAnswer
	for _, m := range msgs {
		if m.call() {
			answers = append(answers, mcpAnswer(m, r))
		}
	}
	status := 200
	if len(answers) == 0 {
		status = r.Status
		answers = []rpcAnswer{mcpAnswer(rpcHead{}, r)}
		batch = false
	}
	if r.Status == 401 {
		status = 401
	}
	if !acceptsJSON(req.Headers.Get("accept")) && strings.Contains(req.Headers.Get("accept"), "text/event-stream") {
		// The client reads only an event stream: one message event per answer.
		var b bytes.Buffer
		for _, a := range answers {
			b.WriteString("event: message\ndata: ")
			b.Write(mustJSON(a))
			b.WriteString("\n\n")
		}
		return Reply{Status: status, Headers: []exchange.Header{{Key: "content-type", Value: "text/event-stream"}, {Key: "cache-control", Value: "no-cache"}}, Body: b.Bytes()}
	}
	body := mustJSON(answers[0])
	if batch {
		body = mustJSON(answers)
	}
	return Reply{Status: status, Headers: []exchange.Header{{Key: "content-type", Value: "application/json"}}, Body: body}
}

func mcpAnswer(m rpcHead, r Refusal) rpcAnswer {
	id := json.RawMessage("null")
	if m.call() {
		id = m.ID
	}
	a := rpcAnswer{JSONRPC: "2.0", ID: id}
	msg := Message(r)
	policy := r.Code == CodeDenied || r.Code == CodeApprovalRequired
	if m.Method == "tools/call" && policy && m.call() {
		a.Result = &toolResult{
			Content: []toolText{{Type: "text", Text: msg}},
			IsError: true,
			Meta:    map[string]any{MetaKey: bodyOf(r)},
		}
		return a
	}
	code := RPCCodeRefused
	switch r.Code {
	case CodeDenied:
		code = RPCCodeDenied
	case CodeApprovalRequired:
		code = RPCCodeApprovalRequired
	}
	a.Error = &rpcError{Code: code, Message: msg, Data: bodyOf(r)}
	return a
}

// acceptsJSON reports whether an Accept header admits application/json (an absent header
// admits anything).
func acceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for part := range strings.SplitSeq(strings.ToLower(accept), ",") {
		mt := strings.TrimSpace(part)
		if i := strings.IndexByte(mt, ';'); i >= 0 {
			mt = strings.TrimSpace(mt[:i])
		}
		if mt == "application/json" || mt == "application/*" || mt == "*/*" {
			return true
		}
	}
	return false
}
