package cloudapi

import (
	"net/url"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// destroyPrefixes start the names of actions that delete, terminate or switch off resources.
// Disable* is included on purpose: DisableKey makes data unreadable, DisableLogging and
// StopLogging blind the audit trail, and agents rarely have a legitimate need for either.
var destroyPrefixes = []string{
	"Delete", "Terminate", "Purge", "Remove", "Detach", "Deregister", "Disable", "Drop", "Destroy",
}

// destroyActions are destructive actions whose names do not start with a destroy prefix.
var destroyActions = map[string]bool{
	"ScheduleKeyDeletion": true, "StopLogging": true, "DisassociateKmsKey": true,
}

var readPrefixes = []string{
	"Describe", "Get", "List", "Head", "Lookup", "Search", "Scan", "Query", "Select", "Check",
	"Validate", "Estimate", "Simulate", "Test", "Verify", "View",
}

// Classify returns the category of an AWS action name (see the Category constants).
// PutBucketPolicy, PutBucketAcl and their kin are "access", not "destroy": they are reversible
// but can expose data, so a policy should hold them for approval rather than treat them as
// deletions. An empty action is "write".
func Classify(action string) string {
	a := strings.TrimPrefix(action, "Batch")
	if destroyActions[action] {
		return CategoryDestroy
	}
	for _, p := range destroyPrefixes {
		if hasWordPrefix(a, p) {
			return CategoryDestroy
		}
	}
	for _, p := range readPrefixes {
		if hasWordPrefix(a, p) {
			return CategoryRead
		}
	}
	if isAccessAction(a) {
		return CategoryAccess
	}
	return CategoryWrite
}

func isAccessAction(a string) bool {
	for _, p := range []string{"Put", "Attach", "Update", "Add", "Set", "Create", "Modify", "Replace"} {
		if hasWordPrefix(a, p) {
			rest := a[len(p):]
			for _, w := range []string{"Policy", "Acl", "Permission", "AccessKey", "LoginProfile", "Attribute", "PublicAccessBlock"} {
				if strings.Contains(rest, w) {
					return true
				}
			}
		}
	}
	return hasWordPrefix(a, "AuthorizeSecurityGroup") || hasWordPrefix(a, "Grant")
}

// hasWordPrefix reports whether a starts with the CamelCase word p ("DeleteTable" has "Delete",
// "Deleted" would not be matched as a separate word but no AWS action is named like that).
func hasWordPrefix(a, p string) bool {
	if !strings.HasPrefix(a, p) {
		return false
	}
	return len(a) == len(p) || a[len(p)] >= 'A' && a[len(p)] <= 'Z'
}

// s3Subresources maps S3 sub-resource query keys to the noun in their action names.
var s3Subresources = []struct{ key, bucket, object string }{
	{"policy", "BucketPolicy", ""},
	{"acl", "BucketAcl", "ObjectAcl"},
	{"publicAccessBlock", "PublicAccessBlock", ""},
	{"lifecycle", "BucketLifecycleConfiguration", ""},
	{"versioning", "BucketVersioning", ""},
	{"encryption", "BucketEncryption", ""},
	{"replication", "BucketReplication", ""},
	{"website", "BucketWebsite", ""},
	{"cors", "BucketCors", ""},
	{"tagging", "BucketTagging", "ObjectTagging"},
	{"logging", "BucketLogging", ""},
	{"object-lock", "ObjectLockConfiguration", ""},
	{"retention", "", "ObjectRetention"},
	{"legal-hold", "", "ObjectLegalHold"},
}

// s3Action names an S3 REST call from method, bucket, key and sub-resource.
func s3Action(method, path string, q url.Values, hostLabels []string, h exchange.Headers) string {
	bucket, key := "", ""
	for i, l := range hostLabels {
		if (l == "s3" || strings.HasPrefix(l, "s3-")) && i > 0 {
			bucket = strings.Join(hostLabels[:i], ".")
		}
	}
	p := strings.TrimPrefix(path, "/")
	if bucket == "" {
		bucket, key, _ = strings.Cut(p, "/")
	} else {
		key = p
	}
	m := strings.ToUpper(method)
	if m == "POST" && q.Has("delete") {
		return "DeleteObjects"
	}
	for _, s := range s3Subresources {
		if !q.Has(s.key) {
			continue
		}
		noun := s.bucket
		if key != "" && s.object != "" {
			noun = s.object
		}
		if noun == "" {
			break
		}
		switch m {
		case "GET", "HEAD":
			return "Get" + noun
		case "PUT":
			return "Put" + noun
		case "DELETE":
			return "Delete" + noun
		}
	}
	switch {
	case bucket == "" && (m == "GET" || m == "HEAD"):
		return "ListBuckets"
	case key == "":
		switch m {
		case "GET":
			if q.Get("list-type") == "2" {
				return "ListObjectsV2"
			}
			return "ListObjects"
		case "HEAD":
			return "HeadBucket"
		case "PUT":
			return "CreateBucket"
		case "DELETE":
			return "DeleteBucket"
		}
	default:
		switch m {
		case "GET":
			return "GetObject"
		case "HEAD":
			return "HeadObject"
		case "PUT":
			if h.Get("x-amz-copy-source") != "" {
				return "CopyObject"
			}
			return "PutObject"
		case "DELETE":
			return "DeleteObject"
		case "POST":
			return "PostObject"
		}
	}
	return ""
}

// accessSubresources are the last path segments under which AWS's REST-JSON services keep a
// resource's access policy or grants: Lambda AddPermission (POST .../functions/F/policy) and
// AddLayerVersionPermission, EFS PutFileSystemPolicy (PUT .../file-systems/ID/policy), Glacier
// SetVaultAccessPolicy (PUT .../vaults/V/access-policy), and their kin.
var accessSubresources = map[string]bool{
	"policy": true, "policies": true, "resource-policy": true, "access-policy": true,
	"permissions": true, "acl": true, "grants": true,
}

// restAccessChange reports whether a REST call that names no action writes a resource's access
// policy or grants: a POST, PUT or PATCH whose last path segment is one of accessSubresources
// (a function or vault merely named "policy" is an earlier segment, and stays a write).
func restAccessChange(method, path string) bool {
	switch strings.ToUpper(method) {
	case "POST", "PUT", "PATCH":
	default:
		return false
	}
	p := strings.TrimRight(path, "/")
	return accessSubresources[strings.ToLower(p[strings.LastIndexByte(p, '/')+1:])]
}
