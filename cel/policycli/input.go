// Package policycli implements the policy commands of the warden binary: `warden check` (decide
// JSON-lines inputs with a policy) and `warden policy test|lint`. Each command is a function of
// (ctx, args, stdin, stdout, stderr) so that tests run it in-process; cmd/warden only wires them.
package policycli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/pipeline"
)

// Input is one `warden check` input line. Other top-level keys (id, expect, ...) are ignored so
// that fixture files can be fed as they are.
type Input struct {
	Request  *InputRequest    `json:"request"`
	Response *InputResponse   `json:"response,omitempty"`
	Identity *json.RawMessage `json:"identity,omitempty"`
}

// InputRequest is the request of an input line.
type InputRequest struct {
	Method  string          `json:"method"`
	URL     string          `json:"url"`
	Headers json.RawMessage `json:"headers,omitempty"`
	Body    json.RawMessage `json:"body,omitempty"`
}

// InputResponse is the optional response of an input line.
type InputResponse struct {
	Status  int             `json:"status"`
	Headers json.RawMessage `json:"headers,omitempty"`
	Body    json.RawMessage `json:"body,omitempty"`
}

// Output is one `warden check` output line: exactly these four keys.
type Output struct {
	Action exchange.Action `json:"action"`
	Rule   string          `json:"rule"`
	Reason string          `json:"reason"`
	Shadow bool            `json:"shadow"`
}

// ParseInput decodes one input line into an exchange.
func ParseInput(line []byte) (*exchange.Exchange, error) {
	var in Input
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on the line")
	}
	return in.Exchange()
}

// Exchange builds the exchange the input describes, with the pseudo-headers Envoy would send.
func (in *Input) Exchange() (*exchange.Exchange, error) {
	if in.Request == nil {
		return nil, errors.New(`"request" is required: {"request": {"method", "url", "headers", "body"}}`)
	}
	r := in.Request
	if r.Method == "" {
		r.Method = "GET"
	}
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		// The URL itself is not echoed: its query may carry a token.
		return nil, errors.New("request.url must be an absolute http:// or https:// URL with a host")
	}
	x := &exchange.Exchange{}
	x.Request.Method = strings.ToUpper(r.Method)
	x.Request.Scheme = u.Scheme
	x.Request.Authority = u.Host
	x.Request.Path = u.EscapedPath()
	if x.Request.Path == "" {
		x.Request.Path = "/"
	}
	if u.RawQuery != "" {
		x.Request.Path += "?" + u.RawQuery
	}
	hdrs, err := parseHeaders(r.Headers, "request.headers")
	if err != nil {
		return nil, err
	}
	x.Request.Headers = append(exchange.Headers{
		{Key: ":method", Value: x.Request.Method},
		{Key: ":scheme", Value: u.Scheme},
		{Key: ":authority", Value: u.Host},
		{Key: ":path", Value: x.Request.Path},
	}, hdrs...)
	if x.Request.Body, err = parseBody(r.Body, "request.body"); err != nil {
		return nil, err
	}
	x.Request.BodySeen = x.Request.Body != nil
	if in.Response != nil {
		if x.Response.Headers, err = parseHeaders(in.Response.Headers, "response.headers"); err != nil {
			return nil, err
		}
		if x.Response.Body, err = parseBody(in.Response.Body, "response.body"); err != nil {
			return nil, err
		}
		x.Response.Status = in.Response.Status
		if x.Response.Status == 0 {
			x.Response.Status = 200
		}
		x.Response.Headers = append(exchange.Headers{{Key: ":status", Value: fmt.Sprint(x.Response.Status)}}, x.Response.Headers...)
	}
	if in.Identity != nil {
		dec := json.NewDecoder(bytes.NewReader(*in.Identity))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&x.Identity); err != nil {
			return nil, fmt.Errorf("identity: %w", err)
		}
	}
	return x, nil
}

// parseHeaders accepts {name: value} or {name: [values]}; names are lower-cased and sorted so
// that the result does not depend on JSON key order.
func parseHeaders(raw json.RawMessage, what string) (exchange.Headers, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s must be an object of strings or lists of strings: %w", what, err)
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var out exchange.Headers
	for _, k := range names {
		var one string
		if err := json.Unmarshal(m[k], &one); err == nil {
			out = append(out, exchange.Header{Key: strings.ToLower(k), Value: one})
			continue
		}
		var many []string
		if err := json.Unmarshal(m[k], &many); err != nil {
			return nil, fmt.Errorf("%s[%q] must be a string or a list of strings", what, k)
		}
		for _, v := range many {
			out = append(out, exchange.Header{Key: strings.ToLower(k), Value: v})
		}
	}
	return out, nil
}

// parseBody accepts a string (the body as is) or, for convenience, any other JSON value (the
// body is then that value's JSON text).
func parseBody(raw json.RawMessage, what string) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return []byte(s), nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return raw, nil
}

// Decide decides one exchange with the policy set as `warden serve` would with this policy and
// no other configuration: the same inspection stage and the same sequence (pipeline.Check).
func Decide(ctx context.Context, ps *policy.Set, x *exchange.Exchange, withResponse bool) exchange.Decision {
	return pipeline.Check(ctx, extproc.Pipeline{Inspect: pipeline.Inspector{}, Policy: ps}, x, withResponse)
}

// outputOf is the line printed for a decision. When the enforced decision allows but a shadow
// rule would have blocked, the shadow decision is shown with shadow=true: the user sees what
// the shadow rule would do, and that it is not enforced.
func outputOf(x *exchange.Exchange, d exchange.Decision) Output {
	if !d.Blocks() {
		for _, dd := range x.Decisions {
			for _, s := range dd.Shadowed {
				if s.Action == exchange.Deny || s.Action == exchange.RequireApproval {
					return Output{Action: s.Action, Rule: s.Rule, Reason: s.Reason, Shadow: true}
				}
			}
		}
	}
	return Output{Action: d.Action, Rule: d.Rule, Reason: d.Reason, Shadow: d.Shadow}
}
