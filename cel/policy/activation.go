package policy

import (
	"encoding/json"
	"mime"
	"net/url"
	"strings"
	"sync"

	"cel.dev/cel-go/interpreter"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect"
)

// needs records which costly parts of the activation some rule reads.
type needs struct {
	json, form bool
}

func needsOf(fields map[string]bool) needs {
	var n needs
	for f := range fields {
		if strings.HasSuffix(f, ".body.json") {
			n.json = true
		}
		if strings.HasSuffix(f, ".body.form") {
			n.form = true
		}
	}
	return n
}

// activation is the set of CEL variables for one phase of one exchange. It implements
// interpreter.Activation without a map lookup per variable. llm, mcp and actions are set up
// front (rule guards read them); request, response, identity and creds are built on
// first use, so that rules that never read them (the default pack's) do not pay for them. An
// activation serves one Decide call, whose rules are evaluated one after the other.
type activation struct {
	x     *exchange.Exchange
	phase exchange.Phase
	needs needs

	request, response, identity, creds map[string]any // nil until first resolved
	llm, mcp, inspection               map[string]any
	actions                            []any
	actionsVal                         any // actions, boxed once: a []any to any conversion allocates
}

var _ interpreter.Activation = (*activation)(nil)

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case varRequest:
		if a.request == nil {
			a.request = requestVar(&a.x.Request, a.needs, a.bodyJSON())
		}
		return a.request, true
	case varResponse:
		if a.response == nil {
			a.response = a.responseVar()
		}
		return a.response, true
	case varIdentity:
		if a.identity == nil {
			a.identity = identityVar(&a.x.Identity)
		}
		return a.identity, true
	case varLLM:
		return a.llm, true
	case varMCP:
		return a.mcp, true
	case varActions:
		return a.actionsVal, true
	case varInspection:
		return a.inspection, true
	case varCreds:
		if a.creds == nil {
			a.creds = map[string]any{"role": a.x.Route.CredentialRole}
		}
		return a.creds, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// responseVar is the response variable. The response is only read in the response phase; in
// the request phase it is empty (status 0).
func (a *activation) responseVar() map[string]any {
	if a.phase == exchange.PhaseResponse {
		return responseVar(&a.x.Response, a.needs)
	}
	return map[string]any{"status": int64(0), "headers": map[string]any{}, "body": map[string]any{"raw": ""}}
}

// activations recycles activations: Decide runs twice per exchange, and an activation is done
// with when Decide returns (CEL evaluates synchronously and keeps nothing of it).
var activations = sync.Pool{New: func() any { return new(activation) }}

// newActivation sets up the variables of one phase; see activation for which are built when.
// Give it back with release.
func newActivation(x *exchange.Exchange, phase exchange.Phase, n needs) *activation {
	a := activations.Get().(*activation)
	*a = activation{x: x, phase: phase, needs: n}
	a.setFacts(x, phase)
	return a
}

// release clears a (it must not keep the exchange's data alive) and recycles it.
func (a *activation) release() {
	*a = activation{}
	activations.Put(a)
}

// setFacts takes llm, mcp and actions from x.Facts. Without facts (a caller that skipped the
// inspection stage) it inspects the exchange itself, so that a missing stage cannot turn the
// payload rules off; the result is not stored in x.
func (a *activation) setFacts(x *exchange.Exchange, phase exchange.Phase) {
	var vars map[string]any
	if x.Facts != nil {
		vars = x.Facts.CEL()
	} else {
		f := inspect.Analyze(&x.Request)
		if phase == exchange.PhaseResponse {
			f.AddResponse(&x.Response)
		}
		vars = f.CEL()
	}
	a.llm = mapOr(vars, varLLM, emptyLLM)
	a.mcp = mapOr(vars, varMCP, emptyMCP)
	a.inspection = mapOr(vars, varInspection, emptyInspection)
	if l, ok := vars[varActions].([]any); ok {
		a.actions, a.actionsVal = l, vars[varActions] // the facts' own boxed slice: no allocation
	} else {
		a.actions = []any{}
		a.actionsVal = a.actions
	}
}

func emptyLLM() map[string]any {
	return map[string]any{
		"provider": "", "api": "", "model": "", "prompt": "", "tools": []any{},
		"tool_calls": []any{}, "streamed": false,
	}
}

// emptyInspection is the inspection variable of facts that do not report one: nothing is known
// to be cut or unclear.
func emptyInspection() map[string]any {
	return map[string]any{"truncated": false, "ambiguous": false, "executing": false, "reasons": []any{}}
}

func emptyMCP() map[string]any {
	return map[string]any{"method": "", "tool": "", "arguments": map[string]any{}}
}

func mapOr(vars map[string]any, key string, def func() map[string]any) map[string]any {
	if m, ok := vars[key].(map[string]any); ok {
		return m
	}
	return def()
}

func requestVar(r *exchange.Request, n needs, decoded func() (any, bool)) map[string]any {
	path, rawQuery, _ := strings.Cut(r.Path, "?")
	query, _ := url.ParseQuery(rawQuery) // a malformed pair is dropped; the rest is kept
	host, port := hostPort(r.Authority)
	body := bodyVar(r.Body, n, decoded)
	if n.form {
		form := map[string]any{}
		if isForm(r.Headers) {
			if v, err := url.ParseQuery(string(r.Body)); err == nil {
				form = queryValues(v)
			}
		}
		body["form"] = form
	} else {
		body["form"] = map[string]any{}
	}
	return map[string]any{
		"method":  r.Method,
		"scheme":  r.Scheme,
		"host":    host,
		"port":    port,
		"path":    path,
		"query":   queryValues(query),
		"headers": headersVar(r.Headers),
		"body":    body,
	}
}

func responseVar(r *exchange.Response, n needs) map[string]any {
	return map[string]any{
		"status":  int64(r.Status),
		"headers": headersVar(r.Headers),
		"body":    bodyVar(r.Body, n, nil),
	}
}

// bodyVar returns {raw, json?}: json is absent (not null) unless the body is valid JSON, so
// that has(request.body.json) tells a JSON body from any other. decoded, when set, is the body
// inspection already decoded (it is not decoded a second time).
func bodyVar(b []byte, n needs, decoded func() (any, bool)) map[string]any {
	body := map[string]any{"raw": string(b)}
	if !n.json || len(b) == 0 {
		return body
	}
	if decoded != nil {
		if v, ok := decoded(); ok {
			body["json"] = v
			return body
		}
	}
	var v any
	if err := json.Unmarshal(b, &v); err == nil {
		body["json"] = v
	}
	return body
}

// bodyJSONer is the optional capability of facts that kept the request body they decoded from
// JSON (inspect.Facts does), so that request.body.json is not decoded twice.
type bodyJSONer interface {
	BodyJSON() (any, bool)
}

// bodyJSON returns the facts' decoded request body, when the facts have one.
func (a *activation) bodyJSON() func() (any, bool) {
	if f, ok := a.x.Facts.(bodyJSONer); ok {
		return f.BodyJSON
	}
	return nil
}

func isForm(h exchange.Headers) bool {
	mt, _, err := mime.ParseMediaType(h.Get("content-type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// headersVar maps lower-case names to values joined by ", ", without pseudo-headers.
func headersVar(h exchange.Headers) map[string]any {
	out := make(map[string]any, len(h))
	for _, f := range h {
		if strings.HasPrefix(f.Key, ":") {
			continue
		}
		k := strings.ToLower(f.Key)
		if prev, ok := out[k]; ok {
			out[k] = prev.(string) + ", " + f.Value
			continue
		}
		out[k] = f.Value
	}
	return out
}

func identityVar(id *exchange.Identity) map[string]any {
	groups := make([]any, len(id.Groups))
	for i, g := range id.Groups {
		groups[i] = g
	}
	claims := id.Claims
	if claims == nil {
		claims = map[string]any{}
	}
	return map[string]any{
		"subject":      id.Subject,
		"issuer":       id.Issuer,
		"groups":       groups,
		"agent":        id.Agent,
		"on_behalf_of": id.OnBehalfOf,
		"session":      id.Session,
		"method":       id.Method,
		"claims":       claims,
	}
}
