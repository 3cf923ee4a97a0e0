// Package refusal shapes the answer warden gives when it refuses a request, so that the caller's
// own SDK reads it: a Kubernetes metav1.Status for client-go and kubectl, an AWS error document
// (S3 and query-protocol XML, JSON-protocol `__type`) for the AWS SDKs, GitHub's
// {message, documentation_url} for REST clients and GraphQL errors for GraphQL clients, and a
// JSON-RPC answer carrying the request's id for MCP, so that only that call fails and the MCP
// session survives. Every other request (LLM APIs among them) gets warden's own JSON body
// {error, rule, reason, request_id, approval_id}, which the LLM SDKs already show.
//
// Whatever the shape, the rule, the reason, the request id and the approval id travel in the
// fields the SDK puts in the error it returns (the message, mostly), so that the agent and its
// model learn why and what to do.
//
// The shape is chosen only from the request (Detect); the package has no I/O and is pure so that
// extproc can call it from the one place that builds replies.
package refusal

import (
	"encoding/json"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// Codes of the refusals that a policy decided; every other code is a stage's (unauthenticated,
// body_too_large, audit_unavailable, ...).
const (
	CodeDenied           = "policy_denied"
	CodeApprovalRequired = "approval_required"
)

// DocumentationURL is where a refused caller reads what warden's refusals mean. It is the
// documentation_url of GitHub-shaped refusals.
const DocumentationURL = "https://github.com/warden-gw/warden/blob/main/docs/refusals.md"

// Refusal is what warden tells the caller about a refused request.
type Refusal struct {
	Status     int    // the HTTP status warden means (403 for policy refusals)
	Code       string // stable code: CodeDenied, CodeApprovalRequired, or a stage's code
	Rule       string // the policy rule that decided, if any
	Reason     string // why, for the caller; never a secret
	RequestID  string
	ApprovalID string // set when an approver can release the request
}

// Reply is the local reply Envoy sends the client.
type Reply struct {
	// Status is the HTTP status of the reply. It differs from Refusal.Status where the API
	// answers refusals with another one (MCP and GitHub GraphQL answer 200).
	Status  int
	Headers []exchange.Header // content-type first
	Body    []byte
	// Protocol is the shape chosen.
	Protocol Protocol
}

// Protocol names the error shape of an API.
type Protocol string

// The shapes warden answers in.
const (
	Generic       Protocol = "generic"        // warden's JSON body (LLM APIs and anything else)
	Kubernetes    Protocol = "kubernetes"     // metav1.Status
	AWSS3         Protocol = "aws-s3"         // S3 REST-XML <Error>
	AWSQuery      Protocol = "aws-query"      // query protocol (STS, IAM, SNS, ...) and REST-XML <ErrorResponse>
	AWSEC2        Protocol = "aws-ec2"        // EC2's query dialect <Response><Errors>
	AWSJSON       Protocol = "aws-json"       // JSON 1.0/1.1 protocol (X-Amz-Target): __type + message
	AWSRestJSON   Protocol = "aws-rest-json"  // REST-JSON: X-Amzn-ErrorType header + message
	AWSCBOR       Protocol = "aws-rpcv2-cbor" // Smithy RPC v2 CBOR: a CBOR map {__type, message}
	GitHubREST    Protocol = "github-rest"    // {message, documentation_url}
	GitHubGraphQL Protocol = "github-graphql" // {errors:[{type, message}]}
	MCP           Protocol = "mcp"            // JSON-RPC 2.0 answer with the request's id
)

// Build returns the reply for refusal r of request req, in the error shape of req's API.
func Build(req *exchange.Request, r Refusal) Reply {
	p := Detect(req)
	var out Reply
	switch p {
	case Kubernetes:
		out = kubernetesReply(req, r)
	case AWSS3, AWSQuery, AWSEC2, AWSJSON, AWSRestJSON, AWSCBOR:
		out = awsReply(p, req, r)
	case GitHubREST, GitHubGraphQL:
		out = githubReply(p, r)
	case MCP:
		out = mcpReply(req, r)
	default:
		out = genericReply(r)
	}
	out.Protocol = p
	out.Headers = withHeader(out.Headers, HeaderCode, r.Code)
	out.Headers = withHeader(out.Headers, HeaderRule, r.Rule)
	out.Headers = withHeader(out.Headers, HeaderApprovalID, r.ApprovalID)
	out.Headers = withHeader(out.Headers, HeaderRequestID, r.RequestID)
	return out
}

// Headers every refusal carries beside its body, whatever the shape: they let a proxy's access
// log, curl -i or a test tell a warden refusal from the upstream's own answer (an MCP refusal is
// an HTTP 200) without reading the API's body. A value that cannot travel in a header is left
// out (it is still in the body).
const (
	HeaderCode       = "x-warden-refusal" // the refusal's code: policy_denied, approval_required, ...
	HeaderRule       = "x-warden-rule"
	HeaderApprovalID = "x-warden-approval-id"
	HeaderRequestID  = "x-warden-request-id"
)

// Message is the one-line account of r that every shape carries where its SDK shows it: what
// warden did, why, the rule, the approval id and what to do with it, and the request id an
// operator finds the audit record by.
func Message(r Refusal) string {
	var b strings.Builder
	switch r.Code {
	case CodeDenied:
		b.WriteString("warden denied this request")
	case CodeApprovalRequired:
		b.WriteString("warden requires a human approval for this request")
	default:
		b.WriteString("warden refused this request (" + r.Code + ")")
	}
	if r.Reason != "" {
		b.WriteString(": " + r.Reason)
	}
	var facts []string
	if r.Rule != "" {
		facts = append(facts, "rule "+r.Rule)
	}
	if r.ApprovalID != "" {
		facts = append(facts, "approval id "+r.ApprovalID)
	}
	if r.RequestID != "" {
		facts = append(facts, "request id "+r.RequestID)
	}
	if len(facts) > 0 {
		b.WriteString(" [" + strings.Join(facts, ", ") + "]")
	}
	if r.Code == CodeApprovalRequired {
		if r.ApprovalID != "" {
			b.WriteString("; retry the same request once approval " + r.ApprovalID + " is granted")
		} else {
			b.WriteString("; no approval could be requested, ask an operator")
		}
	}
	return b.String()
}

// Body is warden's own JSON body, also carried inside the shapes that have room for structured
// data (MCP error data, Kubernetes causes mirror it).
type Body struct {
	Error      string `json:"error"`
	Rule       string `json:"rule,omitempty"`
	Reason     string `json:"reason"`
	RequestID  string `json:"request_id"`
	ApprovalID string `json:"approval_id,omitempty"`
}

func bodyOf(r Refusal) Body {
	return Body{Error: r.Code, Rule: r.Rule, Reason: r.Reason, RequestID: r.RequestID, ApprovalID: r.ApprovalID}
}

// genericReply is warden's own body, unchanged for every API without a shape of its own.
func genericReply(r Refusal) Reply {
	return Reply{Status: r.Status, Headers: []exchange.Header{{Key: "content-type", Value: "application/json"}}, Body: mustJSON(bodyOf(r))}
}

// mustJSON marshals values built here from strings and numbers only, which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("refusal: marshal " + err.Error())
	}
	return b
}

// headerSafe reports whether v can travel in a header value (Envoy refuses the whole reply
// otherwise): no control character but tab, no DEL.
func headerSafe(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < 0x20 && b != '\t') || b == 0x7f {
			return false
		}
	}
	return v != ""
}

// withHeader appends k: v when v can travel in a header.
func withHeader(h []exchange.Header, k, v string) []exchange.Header {
	if headerSafe(v) && len(v) <= 256 {
		h = append(h, exchange.Header{Key: k, Value: v})
	}
	return h
}
