package policydiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/exchange"
)

// recorded is the part of an audit record (audit.Record) that a replay reads. Input stays raw: it
// is decoded only when the decision is not already known for identical input (see Differ).
type recorded struct {
	ClassUID     int64        `json:"class_uid"`
	Time         int64        `json:"time"`
	Actor        recActor     `json:"actor"`
	HTTPRequest  recRequest   `json:"http_request"`
	HTTPResponse *recResponse `json:"http_response"`
	Metadata     recMetadata  `json:"metadata"`
	Unmapped     recUnmapped  `json:"unmapped"`
}

type recActor struct {
	User *recUser `json:"user"`
}

type recUser struct {
	Groups []recName `json:"groups"`
}

type recName struct {
	Name string `json:"name"`
}

type recRequest struct {
	Method  string      `json:"http_method"`
	Headers []recHeader `json:"http_headers"`
	URL     recURL      `json:"url"`
}

type recHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type recURL struct {
	Hostname    string `json:"hostname"`
	Path        string `json:"path"`
	Port        int64  `json:"port"`
	QueryString string `json:"query_string"`
	Scheme      string `json:"scheme"`
}

type recResponse struct {
	Code        int64  `json:"code"`
	ContentType string `json:"content_type"`
}

type recMetadata struct {
	CorrelationUID string `json:"correlation_uid"`
}

type recUnmapped struct {
	Warden    recWarden     `json:"warden"`
	Integrity *recIntegrity `json:"integrity"`
}

type recWarden struct {
	Stage       audit.Stage     `json:"stage"`
	Agent       string          `json:"agent"`
	OnBehalfOf  string          `json:"on_behalf_of"`
	Subject     string          `json:"subject"`
	Issuer      string          `json:"issuer"`
	AuthMethod  string          `json:"auth_method"`
	Session     string          `json:"session"`
	ErrorCode   string          `json:"error_code"`
	Event       string          `json:"event"`
	Decisions   []recDecision   `json:"decisions"`
	Credentials []recCredential `json:"credentials"`
	Response    *recRespInfo    `json:"response"`
	Input       json.RawMessage `json:"input"`
}

// recDecision is audit.Decision without the shadowed list, which a replay does not read.
type recDecision struct {
	Action        string `json:"action"`
	ApprovalID    string `json:"approval_id"`
	Phase         string `json:"phase"`
	Policy        string `json:"policy"`
	PolicyVersion string `json:"policy_version"`
	Reason        string `json:"reason"`
	Rule          string `json:"rule"`
	Shadow        bool   `json:"shadow"`
}

type recCredential struct {
	Role string `json:"role"`
}

type recRespInfo struct {
	Status   int64 `json:"status"`
	Streamed bool  `json:"streamed"`
}

type recIntegrity struct {
	ChainID string `json:"chain_id"`
	Seq     uint64 `json:"seq"`
}

// parseRecord decodes an entry. ok is false for entries that are not exchange records
// (checkpoints, a bundle's manifest).
func parseRecord(b []byte) (*recorded, bool, error) {
	r := &recorded{}
	if parseRecordFast(b, r) != nil {
		var err error
		if r, err = parseRecordSlow(b); err != nil {
			return nil, false, err
		}
	}
	if r.ClassUID != audit.ClassUID || r.Metadata.CorrelationUID == "" {
		return nil, false, nil
	}
	return r, true, nil
}

// parseRecordSlow is parseRecord with encoding/json: the reference of parseRecordFast.
func parseRecordSlow(b []byte) (*recorded, error) {
	r := &recorded{}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("audit entry is not JSON: %w", err)
	}
	if string(r.Unmapped.Warden.Input) == "null" {
		r.Unmapped.Warden.Input = nil
	}
	return r, nil
}

// isEvent reports a record that is not an HTTP exchange: an event record, or an approval step
// or session end written as an exchange record with its kind as error code (before event
// records existed).
func (r *recorded) isEvent() bool {
	w := &r.Unmapped.Warden
	return w.Event != "" || strings.HasPrefix(w.ErrorCode, "approval.") || w.ErrorCode == "session.ended"
}

// dedupKey identifies a record across copies (the Kafka topic may hold one twice).
func (r *recorded) dedupKey() string {
	if in := r.Unmapped.Integrity; in != nil {
		return in.ChainID + ":" + strconv.FormatUint(in.Seq, 10)
	}
	return ""
}

// input is the decoded decision input of a record.
type input struct {
	Facts   map[string]any `json:"facts"`
	TextCut bool           `json:"text_cut"`
	V       int            `json:"v"`
}

// CEL makes input the facts of a replayed exchange (policy.Decide reads them through this
// method, as it reads inspect.Facts).
func (in *input) CEL() map[string]any { return in.Facts }

// ToolCalls completes exchange.Facts: a replayed exchange is decided, never recorded again.
func (in *input) ToolCalls() []exchange.ToolCall { return nil }

// decodeInput decodes a record's whole decision input (see factDecoder.input).
func decodeInput(raw json.RawMessage) (*input, error) {
	return newFactDecoder(nil).input(raw)
}

// input decodes a record's decision input, its facts projected. The input is a span of a record
// the fast reader checked, or encoding/json's copy of one: either way valid JSON.
func (d *factDecoder) input(raw json.RawMessage) (*input, error) {
	if len(raw) > 0 && raw[0] == '{' {
		in := &input{}
		_, err := fieldsAt(raw, 0, unchecked, func(k []byte, i int) (int, bool, error) {
			switch string(k) {
			case "facts":
				if raw[i] == 'n' {
					in.Facts = nil
					return i + 4, true, nil
				}
				if raw[i] != '{' {
					return 0, true, errFallback
				}
				f, end, err := d.value(raw, i, d.proj)
				in.Facts, _ = f.(map[string]any)
				return end, true, err
			case "text_cut":
				end := skipKnown(raw, i)
				return end, true, setBool(&in.TextCut, raw[i:end])
			case "v":
				end := skipKnown(raw, i)
				var n int64
				err := setInt(&n, raw[i:end])
				in.V = int(n)
				return end, true, err
			}
			return 0, false, nil
		})
		if err == nil {
			return in, nil
		}
	}
	return decodeInputSlow(raw)
}

// decodeInputSlow is decodeInput with encoding/json: the reference.
func decodeInputSlow(raw json.RawMessage) (*input, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	in := &input{}
	if err := dec.Decode(in); err != nil {
		return nil, fmt.Errorf("decision input: %w", err)
	}
	for k, v := range in.Facts {
		in.Facts[k] = celValue(v)
	}
	return in, nil
}

// celValue turns decoded JSON numbers into CEL's int (whole numbers) or double, as the live
// facts had them.
func celValue(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case []any:
		for i := range t {
			t[i] = celValue(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = celValue(t[k])
		}
	}
	return v
}

// exchange rebuilds the exchange a policy saw, from what the record carries: method, URL
// (sensitive query values read REDACTED), the allow-listed headers, identity, credential role,
// response status and content type, and facts. Bodies are not recorded and stay empty.
func (r *recorded) exchange(facts *input) *exchange.Exchange {
	x := &exchange.Exchange{}
	r.exchangeInto(x, facts)
	return x
}

// exchangeInto is exchange into x, reusing x's slices.
func (r *recorded) exchangeInto(x *exchange.Exchange, facts *input) {
	u := r.HTTPRequest.URL
	authority := u.Hostname
	if u.Port != 0 {
		authority += ":" + strconv.FormatInt(u.Port, 10)
	}
	path := u.Path
	if u.QueryString != "" {
		path += "?" + u.QueryString
	}
	w := &r.Unmapped.Warden
	headers, groups, creds := x.Request.Headers[:0], x.Identity.Groups[:0], x.Credentials[:0]
	*x = exchange.Exchange{
		ID: r.Metadata.CorrelationUID,
		Request: exchange.Request{
			Method: r.HTTPRequest.Method, Scheme: u.Scheme, Authority: authority, Path: path,
		},
		Identity: exchange.Identity{
			Subject: w.Subject, Issuer: w.Issuer, Agent: w.Agent, OnBehalfOf: w.OnBehalfOf,
			Session: w.Session, Method: w.AuthMethod,
		},
		Facts: facts,
	}
	x.Request.Headers, x.Identity.Groups, x.Credentials = headers, groups, creds
	for _, h := range r.HTTPRequest.Headers {
		x.Request.Headers = append(x.Request.Headers, exchange.Header{Key: h.Name, Value: h.Value})
	}
	if u := r.Actor.User; u != nil {
		for _, g := range u.Groups {
			x.Identity.Groups = append(x.Identity.Groups, g.Name)
		}
	}
	for _, c := range w.Credentials {
		x.Credentials = append(x.Credentials, exchange.Credential{Role: c.Role})
	}
	if len(w.Credentials) > 0 {
		// The record lists the route's role first (pipeline.View): what the policy saw as creds.role.
		x.Route.CredentialRole = w.Credentials[0].Role
	}
	if w.Response != nil {
		x.Response.Status = int(w.Response.Status)
		x.Response.Streamed = w.Response.Streamed
	}
	if hr := r.HTTPResponse; hr != nil && hr.ContentType != "" {
		x.Response.Headers = exchange.Headers{{Key: "content-type", Value: hr.ContentType}}
	}
}

// recordedDecisions returns the record's decisions of one phase as exchange decisions. A
// decision that carries an approval id was a require_approval of the policy, whatever the
// approver made of it: the policy's own action is what a candidate is compared with.
func (r *recorded) recordedDecisions(phase exchange.Phase) []exchange.Decision {
	return r.appendDecisions(nil, phase)
}

// appendDecisions is recordedDecisions appended to out.
func (r *recorded) appendDecisions(out []exchange.Decision, phase exchange.Phase) []exchange.Decision {
	for _, d := range r.Unmapped.Warden.Decisions {
		if d.Phase != string(phase) {
			continue
		}
		act := exchange.Action(d.Action)
		if d.ApprovalID != "" {
			act = exchange.RequireApproval
		}
		out = append(out, exchange.Decision{
			Action: act, Phase: phase, Policy: d.Policy, Rule: d.Rule,
			PolicyVersion: d.PolicyVersion, Reason: d.Reason, Shadow: d.Shadow,
		})
	}
	return out
}

// key writes everything a decision of phase depends on into h (see Differ's cache).
func (r *recorded) key(h *keyHash, phase exchange.Phase) {
	u := r.HTTPRequest.URL
	w := &r.Unmapped.Warden
	h.str(string(phase))
	h.str(r.HTTPRequest.Method)
	h.str(u.Scheme)
	h.str(u.Hostname)
	h.str(strconv.FormatInt(u.Port, 10))
	h.str(u.Path)
	h.str(u.QueryString)
	for _, hd := range r.HTTPRequest.Headers {
		h.str(hd.Name)
		h.str(hd.Value)
	}
	h.str("|id")
	for _, s := range []string{w.Subject, w.Issuer, w.Agent, w.OnBehalfOf, w.Session, w.AuthMethod} {
		h.str(s)
	}
	if u := r.Actor.User; u != nil {
		for _, g := range u.Groups {
			h.str(g.Name)
		}
	}
	h.str("|cr")
	if len(w.Credentials) > 0 {
		h.str(w.Credentials[0].Role)
	}
	if phase == exchange.PhaseResponse {
		if w.Response != nil {
			h.str(strconv.FormatInt(w.Response.Status, 10))
			h.str(strconv.FormatBool(w.Response.Streamed))
		}
		if hr := r.HTTPResponse; hr != nil {
			h.str(hr.ContentType)
		}
	}
	h.str("|in")
	h.bytes(w.Input)
}

// describe returns method, host and path for the report.
func (r *recorded) describe() (method, host, path string) {
	u := r.HTTPRequest.URL
	return r.HTTPRequest.Method, u.Hostname, strings.TrimSpace(u.Path)
}
