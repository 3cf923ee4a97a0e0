// Package cloudapi understands calls to cloud and SaaS control planes that agents drive over
// HTTP: AWS query, JSON and S3 REST APIs, and the GitHub REST API. It names the operation a
// request performs and classifies the ones that destroy resources, so policies can be written
// against "ec2:TerminateInstances" or "delete_repo" instead of raw URLs.
package cloudapi

import (
	"net/url"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// The categories an AWS action falls into.
const (
	CategoryDestroy = "destroy" // deletes, terminates, purges, detaches or disables resources
	CategoryAccess  = "access"  // changes who may access something (policies, ACLs, keys)
	CategoryRead    = "read"    // Describe, Get, List, ...
	CategoryWrite   = "write"   // anything else that changes state
)

// AWSCall is one AWS API call.
type AWSCall struct {
	Service string // signing name: ec2, s3, dynamodb, iam, ...
	Action  string // API action: TerminateInstances, DeleteTable, DeleteObject, ...
	Region  string // "" for global endpoints
	// Source says where Action came from: "form", "query", "target" (X-Amz-Target) or "rest"
	// (derived from method and path, as for S3), or "" when no action was found.
	Source string
	// Category is destroy, access, read or write (see the Category constants).
	Category    string
	Destructive bool   // Category == destroy, and not a dry run
	Reason      string // why the call is destructive; "" otherwise
	// DryRun is true when the call only checks permissions (EC2 DryRun=true): AWS answers
	// DryRunOperation and changes nothing.
	DryRun bool
}

// Map returns the call as CEL-friendly values with snake_case keys.
func (c AWSCall) Map() map[string]any {
	return map[string]any{
		"service": c.Service, "action": c.Action, "region": c.Region, "source": c.Source,
		"category": c.Category, "destructive": c.Destructive, "reason": c.Reason, "dry_run": c.DryRun,
	}
}

// maxFormBody bounds the body AWS parses for an Action parameter; query-protocol requests are
// small, and Action is conventionally the first field.
const maxFormBody = 1 << 20

// AWS recognises r as an AWS API call, from the endpoint host (*.amazonaws.com, *.api.aws), a
// SigV4 credential scope (Authorization header or X-Amz-Credential query parameter), which also
// covers VPC endpoints and local emulators, or an X-Amz-Target header (the JSON protocol).
func AWS(r *exchange.Request) (AWSCall, bool) {
	path, rawQuery, _ := strings.Cut(r.Path, "?")
	query, _ := url.ParseQuery(rawQuery)
	var c AWSCall
	hostLabels, isAWSHost := awsHost(hostOnly(r.Authority))
	if isAWSHost {
		c.Service, c.Region = serviceFromHost(hostLabels)
	}
	scopeService, scopeRegion, signed := sigV4Scope(r.Headers.Get("authorization"), query.Get("X-Amz-Credential"))
	// X-Amz-Target ("DynamoDB_20120810.DeleteTable") is AWS's JSON protocol whatever the host:
	// a gateway or emulator in front of AWS keeps it.
	if !isAWSHost && !signed && !strings.Contains(r.Headers.Get("x-amz-target"), ".") {
		return AWSCall{}, false
	}
	if signed { // the signing scope is authoritative: it is what AWS verifies
		c.Service, c.Region = scopeService, scopeRegion
	}
	switch target := r.Headers.Get("x-amz-target"); {
	case target != "":
		prefix, action := splitTarget(target)
		c.Action, c.Source = action, "target"
		if c.Service == "" {
			c.Service = prefix
		}
	case query.Get("Action") != "":
		c.Action, c.Source = query.Get("Action"), "query"
	default:
		if a := formAction(r); a != "" {
			c.Action, c.Source = a, "form"
		} else if c.Service == "s3" {
			c.Action, c.Source = s3Action(r.Method, path, query, hostLabels, r.Headers), "rest"
		}
	}
	deletes := false
	if c.Action == "" && c.Service != "s3" {
		if a, del, ok := xmlRequest(r.Body); ok {
			c.Action, c.Source, deletes = a, "rest", del
		}
	}
	c.Category = Classify(c.Action)
	if deletes {
		c.Category = CategoryDestroy // a change batch that deletes records (Route 53 DELETE)
	}
	if c.Action == "" && strings.EqualFold(r.Method, "DELETE") {
		c.Category = CategoryDestroy // a REST DELETE we cannot name still deletes something
	}
	if c.Action == "" && c.Category != CategoryDestroy && restAccessChange(r.Method, path) {
		c.Category = CategoryAccess // Lambda AddPermission, EFS PutFileSystemPolicy, ...
	}
	c.DryRun = dryRun(c.Source, query, r)
	if c.Category == CategoryDestroy && !c.DryRun {
		c.Destructive = true
		c.Reason = "AWS " + c.Service + ":" + orMethod(c.Action, r.Method) + " deletes, terminates or disables resources"
	}
	return c, true
}

func orMethod(action, method string) string {
	if action != "" {
		return action
	}
	return strings.ToUpper(method)
}

func formAction(r *exchange.Request) string { return formField(r, "Action") }

// formField reads one field of a query-protocol (form-encoded) body.
func formField(r *exchange.Request, name string) string { return formValues(r).Get(name) }

// formValues reads the fields of a query-protocol (form-encoded) body (nil when it has none).
func formValues(r *exchange.Request) url.Values {
	ct := r.Headers.Get("content-type")
	if len(r.Body) == 0 || len(r.Body) > maxFormBody {
		return nil
	}
	if !strings.Contains(strings.ToLower(ct), "x-www-form-urlencoded") && ct != "" {
		return nil
	}
	v, _ := url.ParseQuery(string(r.Body))
	return v
}

// dryRun reports whether a query-protocol call only checks permissions (EC2 DryRun=true):
// DryRun is read where the action was read (the query string or the form body) and every value
// of it must be true. A DryRun beside the parameters AWS reads, or one of several values that
// is not true, does not make the call harmless: AWS may read the other.
func dryRun(source string, query url.Values, r *exchange.Request) bool {
	var vs []string
	switch source {
	case "query":
		vs = query["DryRun"]
	case "form":
		vs = formValues(r)["DryRun"]
	}
	for _, v := range vs {
		if !strings.EqualFold(v, "true") {
			return false
		}
	}
	return len(vs) > 0
}

// splitTarget splits "DynamoDB_20120810.DeleteTable" into a lower-case service guess
// ("dynamodb") and the action.
func splitTarget(t string) (service, action string) {
	i := strings.LastIndexByte(t, '.')
	if i < 0 {
		return "", t
	}
	prefix := t[:i]
	if j := strings.IndexByte(prefix, '_'); j > 0 {
		prefix = prefix[:j]
	}
	return strings.ToLower(prefix), t[i+1:]
}

func hostOnly(authority string) string {
	h := strings.ToLower(authority)
	if strings.HasPrefix(h, "[") {
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// awsHost returns the labels before the AWS domain.
func awsHost(host string) ([]string, bool) {
	for _, suffix := range []string{".amazonaws.com", ".amazonaws.com.cn", ".api.aws"} {
		if rest, ok := strings.CutSuffix(host, suffix); ok && rest != "" {
			return strings.Split(rest, "."), true
		}
	}
	return nil, false
}

func serviceFromHost(labels []string) (service, region string) {
	for _, l := range labels {
		if isRegion(l) {
			region = l
		}
	}
	for _, l := range labels {
		if l == "s3" || strings.HasPrefix(l, "s3-") {
			if region == "" {
				region = strings.TrimPrefix(strings.TrimPrefix(l, "s3-website-"), "s3-")
				if !isRegion(region) {
					region = ""
				}
			}
			return "s3", region
		}
	}
	return labels[0], region
}

// isRegion matches us-east-1, us-gov-west-1, ap-southeast-2, cn-north-1 ...
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts[0]) != 2 {
		return false
	}
	last := parts[len(parts)-1]
	if last == "" {
		return false
	}
	for _, c := range []byte(last) {
		if c < '0' || c > '9' {
			return false
		}
	}
	for _, p := range parts[:len(parts)-1] {
		if p == "" {
			return false
		}
		for _, c := range []byte(p) {
			if c < 'a' || c > 'z' {
				return false
			}
		}
	}
	return true
}

// sigV4Scope reads "Credential=AKID/20260101/us-east-1/ec2/aws4_request" from an Authorization
// header, or the same scope from a presigned URL's X-Amz-Credential.
func sigV4Scope(authz, presigned string) (service, region string, ok bool) {
	cred := presigned
	if strings.HasPrefix(authz, "AWS4-HMAC-SHA256") || strings.HasPrefix(authz, "AWS4-ECDSA-P256-SHA256") {
		_, after, found := strings.Cut(authz, "Credential=")
		if found {
			cred, _, _ = strings.Cut(after, ",")
		}
	}
	if cred == "" {
		return "", "", false
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return "", "", false
	}
	return parts[3], parts[2], true
}
