package record

import (
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/warden-gw/warden/exchange"
)

// Stage says at which point of an exchange a record is written.
type Stage string

// The two stages of an exchange.
const (
	// StageRequest is written once per exchange, before the request may go upstream.
	StageRequest Stage = "request"
	// StageCompletion is written when an exchange that went upstream finished.
	StageCompletion Stage = "completion"
	// StageEvent is a record of something that is not an HTTP exchange (a session that ended,
	// a step of an approval, entries the spool dropped); unmapped.warden.event says what.
	StageEvent Stage = "event"
)

// OCSF constants for API Activity.
const (
	OCSFVersion   = "1.3.0"
	ClassUID      = 6003
	CategoryUID   = 6
	classCaption  = "API Activity"
	categoryLabel = "Application Activity"
)

// Record is one OCSF API Activity (class 6003) event. Field order matters: every struct of a
// record declares its fields sorted by JSON name, so that encoding/json output (without HTML
// escaping) is already the canonical form and the content hash needs no re-encoding; Unmapped
// sorts last and Integrity stays last inside it (see Seal). TestRecordEncodingIsCanonical
// guards this.
type Record struct {
	ActivityID    int           `json:"activity_id"`
	ActivityName  string        `json:"activity_name"`
	Actor         Actor         `json:"actor"`
	API           API           `json:"api"`
	CategoryName  string        `json:"category_name"`
	CategoryUID   int           `json:"category_uid"`
	ClassName     string        `json:"class_name"`
	ClassUID      int           `json:"class_uid"`
	Disposition   string        `json:"disposition"`
	DispositionID int           `json:"disposition_id"`
	DstEndpoint   *Endpoint     `json:"dst_endpoint,omitempty"`
	Duration      int64         `json:"duration,omitempty"`
	EndTime       int64         `json:"end_time,omitempty"`
	HTTPRequest   HTTPRequest   `json:"http_request"`
	HTTPResponse  *HTTPResponse `json:"http_response,omitempty"`
	Message       string        `json:"message,omitempty"`
	Metadata      Metadata      `json:"metadata"`
	Resources     []Resource    `json:"resources,omitempty"` // what the actions touched (OCSF resources[])
	Severity      string        `json:"severity"`
	SeverityID    int           `json:"severity_id"`
	SrcEndpoint   Endpoint      `json:"src_endpoint"`
	StartTime     int64         `json:"start_time,omitempty"`
	Status        string        `json:"status"`
	StatusCode    string        `json:"status_code,omitempty"`
	StatusDetail  string        `json:"status_detail,omitempty"`
	StatusID      int           `json:"status_id"`
	Time          int64         `json:"time"`
	TypeName      string        `json:"type_name"`
	TypeUID       int           `json:"type_uid"`
	Unmapped      Unmapped      `json:"unmapped"`
}

// BuildRecord maps an exchange to an OCSF API Activity record (without integrity fields).
func BuildRecord(x *exchange.Exchange, stage Stage, product Product, now time.Time) *Record {
	return buildRecord(x, stage, product, now, false)
}

// buildRecord is BuildRecord; with liveInput the decision input refers to the live facts (Build).
func buildRecord(x *exchange.Exchange, stage Stage, product Product, now time.Time, liveInput bool) *Record {
	act := activity(x.Request.Method)
	disp := x.Disposition
	if disp == "" {
		disp = exchange.Allowed
	}
	dispID, dispName := disposition(disp)
	sevID, sev := severity(disp)
	var p *recordParts // the record and what it points to, in one allocation
	if liveInput {
		p = partsPool.Get().(*recordParts) // zeroed by Release
	} else {
		p = new(recordParts)
	}
	r := &p.r
	*r = Record{
		ActivityID: act.id, ActivityName: act.name,
		CategoryUID: CategoryUID, CategoryName: categoryLabel,
		ClassUID: ClassUID, ClassName: classCaption,
		TypeUID: ClassUID*100 + act.id, TypeName: act.typeName,
		SeverityID: sevID, Severity: sev,
		DispositionID: dispID, Disposition: dispName,
		Metadata: Metadata{
			Product: product, Version: OCSFVersion,
			UID: x.ID + ":" + string(stage), CorrelationUID: x.ID,
			LogName: "warden.audit", LoggedTime: now.UnixMilli(),
		},
		Actor:       actor(x.Identity, p),
		SrcEndpoint: srcEndpoint(x),
	}
	if liveInput {
		r.Metadata.Profiles = sharedProfiles // a record made by Build is never changed
	} else {
		r.Metadata.Profiles = []string{"security_control"}
	}
	host, port := splitHostPort(x.Request.Authority)
	r.HTTPRequest = httpRequest(x, host, port)
	r.Time = timeMS(x.Start, now)
	if stage == StageCompletion {
		r.Time = timeMS(x.End, now)
		r.StartTime = timeMS(x.Start, now)
		r.EndTime = r.Time
		r.Duration = r.EndTime - r.StartTime
	}
	op := operation(x)
	r.API = API{Operation: op, Request: APIRequest{UID: x.ID}}
	if host != "" {
		p.dst, p.svc = Endpoint{Hostname: host, Port: port}, Service{Name: host}
		r.DstEndpoint, r.API.Service = &p.dst, &p.svc
	}
	code := x.Status
	if stage == StageCompletion && code == 0 {
		code = x.Response.Status
	}
	if code != 0 {
		p.resp = HTTPResponse{Code: code, ContentType: x.Response.Headers.Get("content-type")}
		p.apiResp = APIResponse{Code: code, Error: x.ErrorCode}
		r.HTTPResponse, r.API.Response = &p.resp, &p.apiResp
		r.StatusCode = strconv.Itoa(code)
	}
	r.StatusID, r.Status = status(stage, disp, code)
	r.StatusDetail = x.ErrorCode
	r.Message = message(x, op, stage, disp)
	r.Unmapped.Warden = wardenPart(x, stage, disp, liveInput, p)
	r.Resources = resourcesOf(r.Unmapped.Warden.Input)
	return r
}

// timingsMS is a record's timings_ms: each stage's time in milliseconds, to the microsecond.
func timingsMS(t map[string]time.Duration) map[string]float64 {
	out := make(map[string]float64, len(t))
	for k, v := range t {
		out[k] = float64(v.Microseconds()) / 1000
	}
	return out
}

// recordParts is a record with the objects it points to, allocated together: a record is built
// for every request and every completion.
//
// The record must stay the first field: Release finds the parts from the record's address.
type recordParts struct {
	r         Record
	dst       Endpoint
	svc       Service
	resp      HTTPResponse
	apiResp   APIResponse
	user      User
	session   Session
	final     Decision
	decisions [2]Decision
	info      ResponseInfo
	input     DecisionInput
}

// partsPool holds the records the audit log has finished with (Release): two are built per
// exchange (~1.8 KB each), and each is encoded at once and dropped, or dropped after the next
// record of its exchange has compared itself with it (Memo).
var partsPool = sync.Pool{New: func() any { return new(recordParts) }}

// Release gives a record made by Build back for reuse. The caller must be its only user and must
// not touch it afterwards, nor anything that still refers to it (a Memo that keeps it: use
// Memo.Release). Records made by BuildRecord are not pooled and must not be passed here.
func Release(r *Record) {
	if r == nil {
		return
	}
	p := (*recordParts)(unsafe.Pointer(r)) //nolint:gosec // G103: r is the first field of the recordParts Build made
	*p = recordParts{}                     // keep nothing of the exchange alive
	partsPool.Put(p)
}

// sharedProfiles is metadata.profiles of the records Build makes (never changed).
var sharedProfiles = []string{"security_control"}

func timeMS(t, fallback time.Time) int64 {
	if t.IsZero() {
		return fallback.UnixMilli()
	}
	return t.UnixMilli()
}

// activityKind is an OCSF activity with its class's type name.
type activityKind struct {
	id             int
	name, typeName string
}

var (
	actCreate  = activityKind{1, "Create", classCaption + ": Create"}
	actRead    = activityKind{2, "Read", classCaption + ": Read"}
	actUpdate  = activityKind{3, "Update", classCaption + ": Update"}
	actDelete  = activityKind{4, "Delete", classCaption + ": Delete"}
	actUnknown = activityKind{0, "Unknown", classCaption + ": Unknown"}
	actOther   = activityKind{99, "Other", classCaption + ": Other"}
)

func activity(method string) activityKind {
	switch strings.ToUpper(method) {
	case "POST":
		return actCreate
	case "GET", "HEAD":
		return actRead
	case "PUT", "PATCH":
		return actUpdate
	case "DELETE":
		return actDelete
	case "":
		return actUnknown
	}
	return actOther
}

func disposition(d exchange.Disposition) (int, string) {
	switch d {
	case exchange.Allowed:
		return 1, "Allowed"
	case exchange.Denied:
		return 2, "Blocked"
	case exchange.ApprovalRequired:
		return 14, "Delayed"
	case exchange.Failed:
		return 27, "Error"
	case exchange.Cancelled:
		return 99, "Cancelled"
	}
	return 0, "Unknown"
}

func severity(d exchange.Disposition) (int, string) {
	switch d {
	case exchange.Denied:
		return 3, "Medium"
	case exchange.ApprovalRequired, exchange.Failed:
		return 2, "Low"
	}
	return 1, "Informational"
}

func status(stage Stage, d exchange.Disposition, code int) (int, string) {
	switch {
	case d == exchange.Denied || d == exchange.Failed || d == exchange.Cancelled:
		return 2, "Failure"
	case stage == StageRequest:
		return 0, "Unknown" // the outcome is only known at completion
	case code >= 400:
		return 2, "Failure"
	}
	return 1, "Success"
}

func actor(id exchange.Identity, p *recordParts) Actor {
	a := Actor{AppName: id.Agent, AppUID: id.Agent}
	human := id.OnBehalfOf
	if human == "" {
		human = id.Subject
	}
	if human != "" || len(id.Groups) > 0 {
		p.user = User{UID: human, Name: human}
		if len(id.Groups) > 0 {
			p.user.Groups = make([]Group, len(id.Groups))
			for i, g := range id.Groups {
				p.user.Groups[i] = Group{Name: g}
			}
		}
		a.User = &p.user
	}
	if id.Session != "" {
		p.session = Session{UID: id.Session, Issuer: id.Issuer}
		a.Session = &p.session
	}
	if a.User == nil && a.AppName == "" && a.Session == nil {
		p.user = User{Name: "anonymous"}
		a.User = &p.user
	}
	return a
}

// srcEndpoint is the client: the address the identity stage resolved (Envoy's source.address,
// which a client cannot choose), else — an exchange no identity stage saw, such as a `warden
// check` input — the first address header.
func srcEndpoint(x *exchange.Exchange) Endpoint {
	if x.Request.ClientAddress != "" {
		return Endpoint{IP: x.Request.ClientAddress}
	}
	for _, h := range addressHeaders {
		v := x.Request.Headers.Get(h)
		if i := strings.IndexByte(v, ','); i >= 0 {
			v = v[:i]
		}
		if v = strings.TrimSpace(v); v == "" {
			continue // not an address (and net.ParseIP would allocate its error)
		}
		if ip := net.ParseIP(v); ip != nil {
			return Endpoint{IP: ip.String()}
		}
	}
	name := x.Identity.Agent
	if name == "" {
		name = "unknown"
	}
	return Endpoint{Name: name}
}

func operation(x *exchange.Exchange) string {
	p := x.Request.Path
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	op := strings.TrimSpace(strings.ToUpper(x.Request.Method) + " " + p)
	if op == "" {
		return "unknown"
	}
	return op
}

// addressHeaders are the headers srcEndpoint reads the client's address from, in order.
var addressHeaders = []string{"x-envoy-external-address", "x-forwarded-for", "x-real-ip"}

func splitHostPort(authority string) (string, int) {
	if strings.IndexByte(authority, ':') < 0 {
		return authority, 0 // no port (net.SplitHostPort would fail, allocating its error)
	}
	if h, p, err := net.SplitHostPort(authority); err == nil {
		n, _ := strconv.Atoi(p)
		return h, n
	}
	return authority, 0
}

func httpRequest(x *exchange.Exchange, host string, port int) HTTPRequest {
	path, query, _ := strings.Cut(x.Request.Path, "?")
	query = redactQuery(query)
	u := URL{Hostname: host, Port: port, Path: path, Scheme: x.Request.Scheme, QueryString: query}
	if host != "" {
		scheme := x.Request.Scheme
		if scheme == "" {
			scheme = "https"
		}
		u.URLString = scheme + "://" + x.Request.Authority + path
		if query != "" {
			u.URLString += "?" + query
		}
	}
	return HTTPRequest{
		HTTPMethod:  strings.ToUpper(x.Request.Method),
		URL:         u,
		UserAgent:   x.Request.Headers.Get("user-agent"),
		HTTPHeaders: safeHeaders(x.Request.Headers),
		UID:         x.ID,
	}
}

// headerAllow lists the request headers copied into records. It is an allowlist on purpose: a
// denylist would leak the next credential header nobody thought of.
var headerAllow = map[string]bool{
	"content-type": true, "content-length": true, "accept": true, "content-encoding": true,
	"x-request-id": true, "traceparent": true,
	"openai-beta": true, "anthropic-version": true, "anthropic-beta": true,
}

func safeHeaders(h exchange.Headers) []HTTPHeader {
	var arr [8]HTTPHeader
	out := arr[:0]
	for _, f := range h {
		if headerAllow[strings.ToLower(f.Key)] {
			out = append(out, HTTPHeader{Name: strings.ToLower(f.Key), Value: f.Value})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return slices.Clip(slices.Clone(out))
}

// sensitiveParam reports query parameter names whose values are replaced in records.
func sensitiveParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"key", "token", "secret", "password", "passwd", "pwd", "auth", "sig", "credential", "session", "code", "jwt", "bearer"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func redactQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		dec, err := url.QueryUnescape(name)
		if err != nil {
			dec = name
		}
		if hasValue && sensitiveParam(dec) {
			parts[i] = name + "=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}

// message is the record's one-line summary; op is operation(x).
func message(x *exchange.Exchange, op string, stage Stage, d exchange.Disposition) string {
	rule := x.Final().Rule
	var m strings.Builder
	m.Grow(len(op) + len(x.Request.Authority) + len(d) + len(rule) + 32)
	m.WriteString(op)
	m.WriteByte(' ')
	m.WriteString(x.Request.Authority)
	m.WriteString(": ")
	m.WriteString(string(d))
	if rule != "" {
		m.WriteString(" by rule ")
		m.WriteString(rule)
	}
	if stage == StageCompletion && x.Response.Status != 0 {
		m.WriteString(", upstream ")
		m.WriteString(strconv.Itoa(x.Response.Status))
	}
	return m.String()
}

// Caps that keep one record far below the spool's 16 MiB entry limit whatever the payload was.
const (
	maxToolText  = 64 << 10
	maxErrorText = 4 << 10
)

// capText shortens s to at most n bytes (on a UTF-8 boundary) and says how much was cut.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// The redactor sees only what is kept: a key that the cut splits would leave its beginning
	// in the record, no longer recognisable. Cut before the token the cut falls in instead.
	if tokenByte(s[cut]) {
		for back := 0; cut > 0 && tokenByte(s[cut-1]) && back < maxTokenBackoff; back++ {
			cut--
		}
	}
	return s[:cut] + "…[" + strconv.Itoa(len(s)-cut) + " bytes cut]"
}

// maxTokenBackoff bounds how far capText moves its cut back to the start of a token.
const maxTokenBackoff = 1024

// tokenByte reports bytes that keys and tokens are written with (base64, base64url, hex, JWT,
// URL-encoded): a cut between two of them may split one.
func tokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_+/=.%~", c) >= 0
}

func wardenPart(x *exchange.Exchange, stage Stage, d exchange.Disposition, liveInput bool, p *recordParts) Warden {
	w := Warden{
		Stage: stage, Disposition: string(d),
		Agent: x.Identity.Agent, OnBehalfOf: x.Identity.OnBehalfOf, Subject: x.Identity.Subject,
		Issuer: x.Identity.Issuer, AuthMethod: x.Identity.Method, Session: x.Identity.Session,
		Redactions: x.Redactions, ErrorCode: x.ErrorCode, Error: x.Error,
	}
	if !liveInput {
		w.Input = inputOf(x)
	} else if vars := celVars(x); vars != nil {
		p.input = DecisionInput{V: InputVersion, live: vars}
		w.Input = &p.input
	}
	if n := len(x.Decisions); n > 0 {
		if n <= len(p.decisions) {
			w.Decisions = p.decisions[:n:n] // an exchange's usual two: inside the record's parts
		} else {
			w.Decisions = make([]Decision, n)
		}
		for i, d := range x.Decisions {
			w.Decisions[i] = decisionOf(d)
		}
	}
	for _, t := range x.ToolCalls {
		w.ToolCalls = append(w.ToolCalls, ToolCall{Kind: t.Kind, Name: t.Name, Source: t.Source, Text: capText(t.Text, maxToolText)})
	}
	w.Error = capText(w.Error, maxErrorText)
	if len(x.Decisions) > 0 {
		fd := x.Final()
		fd.Shadowed = nil
		p.final = decisionOf(fd)
		w.Decision = &p.final
		for _, dd := range x.Decisions {
			if dd.ApprovalID != "" {
				w.ApprovalID = dd.ApprovalID
			}
		}
	}
	for _, c := range x.Credentials {
		w.Credentials = append(w.Credentials, Credential{Role: c.Role, LeaseID: c.LeaseID, TTLSec: int64(c.TTL / time.Second)})
	}
	if len(x.Timings) > 0 && liveInput {
		w.liveTimings = x.Timings
	} else if len(x.Timings) > 0 {
		w.TimingsMS = timingsMS(x.Timings)
	}
	if stage == StageCompletion && x.Response.Status != 0 {
		p.info = ResponseInfo{Status: x.Response.Status, Streamed: x.Response.Streamed}
		w.Response = &p.info
	}
	return w
}
