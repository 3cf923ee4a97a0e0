package record

import (
	"time"

	"github.com/warden-gw/warden/exchange"
)

// The OCSF objects of a Record. Fields are declared sorted by JSON name (see Record).

// Metadata is the OCSF metadata object.
type Metadata struct {
	CorrelationUID string   `json:"correlation_uid"`
	LogName        string   `json:"log_name"`
	LoggedTime     int64    `json:"logged_time"`
	Product        Product  `json:"product"`
	Profiles       []string `json:"profiles"`
	UID            string   `json:"uid"`
	Version        string   `json:"version"`
}

// Product names warden in OCSF metadata.
type Product struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

// Actor is the OCSF actor: the human on whose behalf the agent acted, the agent, the session.
type Actor struct {
	AppName string   `json:"app_name,omitempty"`
	AppUID  string   `json:"app_uid,omitempty"`
	Session *Session `json:"session,omitempty"`
	User    *User    `json:"user,omitempty"`
}

// User is the OCSF user object.
type User struct {
	Groups []Group `json:"groups,omitempty"`
	Name   string  `json:"name,omitempty"`
	UID    string  `json:"uid,omitempty"`
}

// Group is the OCSF group object.
type Group struct {
	Name string `json:"name"`
}

// Session is the OCSF session object.
type Session struct {
	Issuer string `json:"issuer,omitempty"`
	UID    string `json:"uid"`
}

// API is the OCSF api object.
type API struct {
	Operation string       `json:"operation"`
	Request   APIRequest   `json:"request"`
	Response  *APIResponse `json:"response,omitempty"`
	Service   *Service     `json:"service,omitempty"`
}

// APIRequest is the OCSF request object.
type APIRequest struct {
	UID string `json:"uid"`
}

// APIResponse is the OCSF response object.
type APIResponse struct {
	Code    int    `json:"code,omitempty"`
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// Service is the OCSF service object.
type Service struct {
	Name string `json:"name"`
}

// Endpoint is the OCSF network endpoint object.
type Endpoint struct {
	Hostname string `json:"hostname,omitempty"`
	IP       string `json:"ip,omitempty"`
	Name     string `json:"name,omitempty"`
	Port     int    `json:"port,omitempty"`
}

// HTTPRequest is the OCSF http_request object.
type HTTPRequest struct {
	HTTPHeaders []HTTPHeader `json:"http_headers,omitempty"`
	HTTPMethod  string       `json:"http_method"`
	UID         string       `json:"uid"`
	URL         URL          `json:"url"`
	UserAgent   string       `json:"user_agent,omitempty"`
}

// URL is the OCSF url object.
type URL struct {
	Hostname    string `json:"hostname,omitempty"`
	Path        string `json:"path,omitempty"`
	Port        int    `json:"port,omitempty"`
	QueryString string `json:"query_string,omitempty"`
	Scheme      string `json:"scheme,omitempty"`
	URLString   string `json:"url_string,omitempty"`
}

// HTTPHeader is the OCSF http_header object.
type HTTPHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HTTPResponse is the OCSF http_response object.
type HTTPResponse struct {
	Code        int          `json:"code"`
	ContentType string       `json:"content_type,omitempty"`
	HTTPHeaders []HTTPHeader `json:"http_headers,omitempty"`
}

// Unmapped carries what OCSF has no attribute for. Integrity must stay the last field.
type Unmapped struct {
	Warden    Warden     `json:"warden"`
	Integrity *Integrity `json:"integrity,omitempty"`
}

// Warden is warden's own part of a record.
type Warden struct {
	Agent       string             `json:"agent,omitempty"`
	ApprovalID  string             `json:"approval_id,omitempty"`
	AuthMethod  string             `json:"auth_method,omitempty"`
	Credentials []Credential       `json:"credentials,omitempty"`
	Decision    *Decision          `json:"decision,omitempty"`
	Decisions   []Decision         `json:"decisions,omitempty"`
	Disposition string             `json:"disposition"`
	Error       string             `json:"error,omitempty"`
	ErrorCode   string             `json:"error_code,omitempty"`
	Event       string             `json:"event,omitempty"` // the kind of a non-HTTP event (stage "event")
	Input       *DecisionInput     `json:"input,omitempty"` // what the policy decided from (policy diff)
	Issuer      string             `json:"issuer,omitempty"`
	Marker      *Marker            `json:"marker,omitempty"`
	OnBehalfOf  string             `json:"on_behalf_of,omitempty"`
	Redactions  map[string]int     `json:"redactions,omitempty"`
	Response    *ResponseInfo      `json:"response,omitempty"`
	Session     string             `json:"session,omitempty"`
	Stage       Stage              `json:"stage"`
	Subject     string             `json:"subject,omitempty"`
	TimingsMS   map[string]float64 `json:"timings_ms,omitempty"`
	ToolCalls   []ToolCall         `json:"tool_calls,omitempty"`
	Truncated   *Truncation        `json:"truncated,omitempty"`

	// liveTimings, when set instead of TimingsMS, are the exchange's timings themselves (Build):
	// the encoder writes them as TimingsMS would be written.
	liveTimings map[string]time.Duration
}

// Decision is a policy decision as recorded (exchange.Decision with sorted fields).
type Decision struct {
	Action     string `json:"action"`
	ApprovalID string `json:"approval_id,omitempty"`
	// ApprovedBy names the approver who approved (or denied) the action.
	ApprovedBy string `json:"approved_by,omitempty"`
	// Code is the typed decision code (exchange.DecisionCode): what metrics and SIEM rules key on.
	Code          string     `json:"code,omitempty"`
	Phase         string     `json:"phase"`
	Policy        string     `json:"policy,omitempty"`
	PolicyVersion string     `json:"policy_version,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	Rule          string     `json:"rule,omitempty"`
	Shadow        bool       `json:"shadow,omitempty"`
	Shadowed      []Decision `json:"shadowed,omitempty"`
}

func decisionOf(d exchange.Decision) Decision {
	out := Decision{
		Action: string(d.Action), ApprovedBy: d.ApprovedBy, ApprovalID: d.ApprovalID, Code: string(d.Code),
		Phase: string(d.Phase), Policy: d.Policy,
		PolicyVersion: d.PolicyVersion, Reason: d.Reason, Rule: d.Rule, Shadow: d.Shadow,
	}
	for _, sd := range d.Shadowed {
		out.Shadowed = append(out.Shadowed, decisionOf(sd))
	}
	return out
}

// ToolCall is a tool call, command or query seen in a payload (already redacted text).
type ToolCall struct {
	Kind   string `json:"kind"`
	Name   string `json:"name,omitempty"`
	Source string `json:"source"`
	Text   string `json:"text,omitempty"`
}

// Credential is an injected credential without its value.
type Credential struct {
	LeaseID string `json:"lease_id,omitempty"`
	Role    string `json:"role"`
	TTLSec  int64  `json:"ttl_s,omitempty"`
}

// ResponseInfo summarises the upstream response.
type ResponseInfo struct {
	Status   int  `json:"status"`
	Streamed bool `json:"streamed,omitempty"`
}

// Marker is set on records warden writes about the audit trail itself (not an exchange).
type Marker struct {
	Bytes      int64  `json:"bytes,omitempty"`
	Count      uint64 `json:"count,omitempty"`
	FirstIndex uint64 `json:"first_index,omitempty"`
	Kind       string `json:"kind"` // spool_dropped
}

// Truncation marks a record shortened to fit a Kafka message (see ShrinkForKafka).
type Truncation struct {
	OriginalBytes int      `json:"original_bytes"`
	Removed       []string `json:"removed"`
}

// Integrity links a record into its chain.
type Integrity struct {
	ChainID     string `json:"chain_id"`
	Seq         uint64 `json:"seq"`
	PrevHash    string `json:"prev_hash"`
	ContentHash string `json:"content_hash"`
	Hash        string `json:"hash"`
}
