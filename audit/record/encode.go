package record

import (
	"slices"
	"strconv"
)

// The hand-written encoder of a Record. It writes the canonical form directly (see Canonical):
// the bytes encoding/json produces with HTML escaping off, except that invalid UTF-8 is written
// as a raw U+FFFD (what a verifier gets after decoding encoding/json's "\ufffd" and re-encoding).
// It exists because reflection-based encoding was the largest CPU cost of Record.
// TestRecordEncoderMatchesCanonical and FuzzRecordEncoder guard the equivalence.

// write writes r in canonical form, every string through w.redact when it is set (the bytes are
// then those of r after MapStrings(w.redact)), and the parts a memo holds from w.reuse when they
// did not change (memo.go). Members are written in sorted key order, as the struct fields are
// declared.
func (r *Record) write(w *jsonWriter) {
	w.open()
	w.int("activity_id", int64(r.ActivityID))
	w.str("activity_name", r.ActivityName)
	w.key("actor")
	w.part(partActor, func(m *Record) bool { return sameActor(&r.Actor, &m.Actor) }, func() { r.Actor.write(w) })
	w.key("api")
	r.API.write(w)
	w.str("category_name", r.CategoryName)
	w.int("category_uid", int64(r.CategoryUID))
	w.str("class_name", r.ClassName)
	w.int("class_uid", int64(r.ClassUID))
	w.str("disposition", r.Disposition)
	w.int("disposition_id", int64(r.DispositionID))
	if r.DstEndpoint != nil {
		w.key("dst_endpoint")
		r.DstEndpoint.write(w)
	}
	w.intOmit("duration", r.Duration)
	w.intOmit("end_time", r.EndTime)
	w.key("http_request")
	w.part(partHTTPRequest, func(m *Record) bool { return sameHTTPRequest(&r.HTTPRequest, &m.HTTPRequest) }, func() { r.HTTPRequest.write(w) })
	if r.HTTPResponse != nil {
		w.key("http_response")
		w.open()
		w.int("code", int64(r.HTTPResponse.Code))
		w.strOmit("content_type", r.HTTPResponse.ContentType)
		writeHeaders(w, r.HTTPResponse.HTTPHeaders)
		w.close()
	}
	w.strOmit("message", r.Message)
	w.key("metadata")
	r.Metadata.write(w)
	if len(r.Resources) > 0 {
		w.key("resources")
		w.part(partResources, func(m *Record) bool { return slices.Equal(r.Resources, m.Resources) }, func() { writeResources(w, r.Resources) })
	}
	w.str("severity", r.Severity)
	w.int("severity_id", int64(r.SeverityID))
	w.key("src_endpoint")
	w.part(partSrcEndpoint, func(m *Record) bool { return r.SrcEndpoint == m.SrcEndpoint }, func() { r.SrcEndpoint.write(w) })
	w.intOmit("start_time", r.StartTime)
	w.str("status", r.Status)
	w.strOmit("status_code", r.StatusCode)
	w.strOmit("status_detail", r.StatusDetail)
	w.int("status_id", int64(r.StatusID))
	w.int("time", r.Time)
	w.str("type_name", r.TypeName)
	w.int("type_uid", int64(r.TypeUID))
	w.key("unmapped")
	w.open()
	w.key("warden")
	r.Unmapped.Warden.write(w)
	if r.Unmapped.Integrity != nil {
		w.key("integrity")
		w.b = r.Unmapped.Integrity.appendJSON(w.b)
		w.first = false
	}
	w.close()
	w.close()
}

func (a *Actor) write(w *jsonWriter) {
	w.open()
	w.strOmit("app_name", a.AppName)
	w.strOmit("app_uid", a.AppUID)
	if a.Session != nil {
		w.key("session")
		w.open()
		w.strOmit("issuer", a.Session.Issuer)
		w.str("uid", a.Session.UID)
		w.close()
	}
	if u := a.User; u != nil {
		w.key("user")
		w.open()
		if len(u.Groups) > 0 {
			w.key("groups")
			w.b = append(w.b, '[')
			for i, g := range u.Groups {
				if i > 0 {
					w.b = append(w.b, ',')
				}
				w.open()
				w.str("name", g.Name)
				w.close()
			}
			w.b = append(w.b, ']')
		}
		w.strOmit("name", u.Name)
		w.strOmit("uid", u.UID)
		w.close()
	}
	w.close()
}

func (a *API) write(w *jsonWriter) {
	w.open()
	w.str("operation", a.Operation)
	w.key("request")
	w.open()
	w.str("uid", a.Request.UID)
	w.close()
	if a.Response != nil {
		w.key("response")
		w.open()
		w.intOmit("code", int64(a.Response.Code))
		w.strOmit("error", a.Response.Error)
		w.strOmit("message", a.Response.Message)
		w.close()
	}
	if a.Service != nil {
		w.key("service")
		w.open()
		w.str("name", a.Service.Name)
		w.close()
	}
	w.close()
}

func (e *Endpoint) write(w *jsonWriter) {
	w.open()
	w.strOmit("hostname", e.Hostname)
	w.strOmit("ip", e.IP)
	w.strOmit("name", e.Name)
	w.intOmit("port", int64(e.Port))
	w.close()
}

func writeHeaders(w *jsonWriter, hs []HTTPHeader) {
	if len(hs) == 0 {
		return
	}
	w.key("http_headers")
	w.b = append(w.b, '[')
	for i, h := range hs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.open()
		w.str("name", h.Name)
		w.str("value", h.Value)
		w.close()
	}
	w.b = append(w.b, ']')
}

func (h *HTTPRequest) write(w *jsonWriter) {
	w.open()
	writeHeaders(w, h.HTTPHeaders)
	w.str("http_method", h.HTTPMethod)
	w.str("uid", h.UID)
	w.key("url")
	w.open()
	u := &h.URL
	w.strOmit("hostname", u.Hostname)
	w.strOmit("path", u.Path)
	w.intOmit("port", int64(u.Port))
	w.strOmit("query_string", u.QueryString)
	w.strOmit("scheme", u.Scheme)
	w.strOmit("url_string", u.URLString)
	w.close()
	w.strOmit("user_agent", h.UserAgent)
	w.close()
}

func (m *Metadata) write(w *jsonWriter) {
	w.open()
	w.str("correlation_uid", m.CorrelationUID)
	w.str("log_name", m.LogName)
	w.int("logged_time", m.LoggedTime)
	w.key("product")
	w.open()
	w.str("name", m.Product.Name)
	w.str("vendor_name", m.Product.VendorName)
	w.str("version", m.Product.Version)
	w.close()
	w.key("profiles")
	w.strings(m.Profiles)
	w.str("uid", m.UID)
	w.str("version", m.Version)
	w.close()
}

func (wd *Warden) write(w *jsonWriter) {
	w.open()
	w.strOmit("agent", wd.Agent)
	w.strOmit("approval_id", wd.ApprovalID)
	w.strOmit("auth_method", wd.AuthMethod)
	if len(wd.Credentials) > 0 {
		w.key("credentials")
		w.b = append(w.b, '[')
		for i, c := range wd.Credentials {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.open()
			w.strOmit("lease_id", c.LeaseID)
			w.str("role", c.Role)
			w.intOmit("ttl_s", c.TTLSec)
			w.close()
		}
		w.b = append(w.b, ']')
	}
	if wd.Decision != nil {
		w.key("decision")
		wd.Decision.write(w)
	}
	if len(wd.Decisions) > 0 {
		w.key("decisions")
		writeDecisions(w, wd.Decisions)
	}
	w.str("disposition", wd.Disposition)
	w.strOmit("error", wd.Error)
	w.strOmit("error_code", wd.ErrorCode)
	w.strOmit("event", wd.Event)
	if in := wd.Input; in != nil {
		w.key("input")
		w.part(partInput, func(m *Record) bool { return sameInput(in, m.Unmapped.Warden.Input) }, func() { in.write(w) })
	}
	w.strOmit("issuer", wd.Issuer)
	if m := wd.Marker; m != nil {
		w.key("marker")
		w.open()
		w.intOmit("bytes", m.Bytes)
		w.uintOmit("count", m.Count)
		w.uintOmit("first_index", m.FirstIndex)
		w.str("kind", m.Kind)
		w.close()
	}
	w.strOmit("on_behalf_of", wd.OnBehalfOf)
	if len(wd.Redactions) > 0 {
		w.key("redactions")
		w.open()
		m := redactKeys(w, wd.Redactions)
		for _, k := range sortedKeys(m) {
			w.sep()
			w.b = appendJSONString(w.b, k)
			w.b = append(w.b, ':')
			w.b = strconv.AppendInt(w.b, int64(m[k]), 10)
		}
		w.close()
	}
	if rs := wd.Response; rs != nil {
		w.key("response")
		w.open()
		w.int("status", int64(rs.Status))
		if rs.Streamed {
			w.key("streamed")
			w.b = append(w.b, "true"...)
		}
		w.close()
	}
	w.strOmit("session", wd.Session)
	w.str("stage", string(wd.Stage))
	w.strOmit("subject", wd.Subject)
	if len(wd.TimingsMS) > 0 {
		w.key("timings_ms")
		w.open()
		m := redactKeys(w, wd.TimingsMS)
		for _, k := range sortedKeys(m) {
			w.sep()
			w.b = appendJSONString(w.b, k)
			w.b = append(w.b, ':')
			w.b = appendJSONFloat(w.b, m[k])
		}
		w.close()
	}
	wd.writeToolCalls(w)
	if t := wd.Truncated; t != nil {
		w.key("truncated")
		w.open()
		w.int("original_bytes", int64(t.OriginalBytes))
		w.key("removed")
		w.strings(t.Removed)
		w.close()
	}
	w.close()
}

func (wd *Warden) writeToolCalls(w *jsonWriter) {
	if len(wd.ToolCalls) == 0 {
		return
	}
	w.key("tool_calls")
	w.b = append(w.b, '[')
	for i, t := range wd.ToolCalls {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.open()
		w.str("kind", t.Kind)
		w.strOmit("name", t.Name)
		w.str("source", t.Source)
		w.strOmit("text", t.Text)
		w.close()
	}
	w.b = append(w.b, ']')
}

func writeDecisions(w *jsonWriter, ds []Decision) {
	w.b = append(w.b, '[')
	for i := range ds {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		ds[i].write(w)
	}
	w.b = append(w.b, ']')
}

func (d *Decision) write(w *jsonWriter) {
	w.open()
	w.str("action", d.Action)
	w.strOmit("approval_id", d.ApprovalID)
	w.strOmit("approved_by", d.ApprovedBy)
	w.strOmit("code", d.Code)
	w.str("phase", d.Phase)
	w.strOmit("policy", d.Policy)
	w.strOmit("policy_version", d.PolicyVersion)
	w.strOmit("reason", d.Reason)
	w.strOmit("rule", d.Rule)
	if d.Shadow {
		w.key("shadow")
		w.b = append(w.b, "true"...)
	}
	if len(d.Shadowed) > 0 {
		w.key("shadowed")
		writeDecisions(w, d.Shadowed)
	}
	w.close()
}

// appendJSON writes the integrity object with the field order of the struct (it is not part of
// the canonical form, so its order only has to match encoding/json's).
func (in *Integrity) appendJSON(b []byte) []byte {
	w := jsonWriter{b: b}
	w.open()
	w.str("chain_id", in.ChainID)
	w.key("seq")
	w.b = strconv.AppendUint(w.b, in.Seq, 10)
	w.str("prev_hash", in.PrevHash)
	w.str("content_hash", in.ContentHash)
	w.str("hash", in.Hash)
	w.close()
	return w.b
}
