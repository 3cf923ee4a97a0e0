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

// record is the part of an audit record (audit.Record) that a replay reads. Input stays raw: it
// is decoded only when the decision is not already known for identical input (see Differ).
type record struct {
	ClassUID int   `json:"class_uid"`
	Time     int64 `json:"time"`
	Actor    struct {
		User *struct {
			Groups []struct {
				Name string `json:"name"`
			} `json:"groups"`
		} `json:"user"`
	} `json:"actor"`
	HTTPRequest struct {
		Method  string             `json:"http_method"`
		Headers []audit.HTTPHeader `json:"http_headers"`
		URL     audit.URL          `json:"url"`
	} `json:"http_request"`
	HTTPResponse *struct {
		Code        int    `json:"code"`
		ContentType string `json:"content_type"`
	} `json:"http_response"`
	Metadata struct {
		CorrelationUID string `json:"correlation_uid"`
	} `json:"metadata"`
	Unmapped struct {
		Warden struct {
			Stage       audit.Stage         `json:"stage"`
			Agent       string              `json:"agent"`
			OnBehalfOf  string              `json:"on_behalf_of"`
			Subject     string              `json:"subject"`
			Issuer      string              `json:"issuer"`
			AuthMethod  string              `json:"auth_method"`
			Session     string              `json:"session"`
			Decisions   []audit.Decision    `json:"decisions"`
			Credentials []audit.Credential  `json:"credentials"`
			Response    *audit.ResponseInfo `json:"response"`
			Input       json.RawMessage     `json:"input"`
		} `json:"warden"`
		Integrity *struct {
			ChainID string `json:"chain_id"`
			Seq     uint64 `json:"seq"`
		} `json:"integrity"`
	} `json:"unmapped"`
}

// parseRecord decodes an entry. ok is false for entries that are not exchange records
// (checkpoints, a bundle's manifest).
func parseRecord(b []byte) (*record, bool, error) {
	r := &record{}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, false, fmt.Errorf("audit entry is not JSON: %w", err)
	}
	if r.ClassUID != audit.ClassUID || r.Metadata.CorrelationUID == "" {
		return nil, false, nil
	}
	return r, true, nil
}

// dedupKey identifies a record across copies (the Kafka topic may hold one twice).
func (r *record) dedupKey() string {
	if in := r.Unmapped.Integrity; in != nil {
		return in.ChainID + ":" + strconv.FormatUint(in.Seq, 10)
	}
	return ""
}

// input is the decoded decision input of a record.
type input struct {
	Facts   map[string]any `json:"facts"`
	Omitted []string       `json:"omitted"`
	V       int            `json:"v"`
}

// CEL makes input the facts of a replayed exchange (policy.Decide reads them through this
// method, as it reads inspect.Facts).
func (in *input) CEL() map[string]any { return in.Facts }

func decodeInput(raw json.RawMessage) (*input, error) {
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
func (r *record) exchange(facts *input) *exchange.Exchange {
	u := r.HTTPRequest.URL
	authority := u.Hostname
	if u.Port != 0 {
		authority += ":" + strconv.Itoa(u.Port)
	}
	path := u.Path
	if u.QueryString != "" {
		path += "?" + u.QueryString
	}
	w := &r.Unmapped.Warden
	x := &exchange.Exchange{
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
	if w.Response != nil {
		x.Response.Status = w.Response.Status
		x.Response.Streamed = w.Response.Streamed
	}
	if hr := r.HTTPResponse; hr != nil && hr.ContentType != "" {
		x.Response.Headers = exchange.Headers{{Key: "content-type", Value: hr.ContentType}}
	}
	return x
}

// recordedDecisions returns the record's decisions of one phase as exchange decisions. A
// decision that carries an approval id was a require_approval of the policy, whatever the
// approver made of it: the policy's own action is what a candidate is compared with.
func (r *record) recordedDecisions(phase exchange.Phase) []exchange.Decision {
	var out []exchange.Decision
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
func (r *record) key(h *keyHash, phase exchange.Phase) {
	u := r.HTTPRequest.URL
	w := &r.Unmapped.Warden
	h.str(string(phase))
	h.str(r.HTTPRequest.Method)
	h.str(u.Scheme)
	h.str(u.Hostname)
	h.str(strconv.Itoa(u.Port))
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
			h.str(strconv.Itoa(w.Response.Status))
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
func (r *record) describe() (method, host, path string) {
	u := r.HTTPRequest.URL
	return r.HTTPRequest.Method, u.Hostname, strings.TrimSpace(u.Path)
}
