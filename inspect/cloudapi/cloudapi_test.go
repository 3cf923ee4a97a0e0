package cloudapi

import (
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

func req(method, authority, path string, body string, headers ...string) *exchange.Request {
	r := &exchange.Request{Method: method, Authority: authority, Path: path, Body: []byte(body)}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Headers = append(r.Headers, exchange.Header{Key: headers[i], Value: headers[i+1]})
	}
	return r
}

const form = "application/x-www-form-urlencoded"

func TestAWS(t *testing.T) {
	tests := []struct {
		name                 string
		r                    *exchange.Request
		service, action, reg string
		category             string
	}{
		{
			"ec2 terminate form", req("POST", "ec2.us-east-1.amazonaws.com", "/", "Action=TerminateInstances&InstanceId.1=i-0abc&Version=2016-11-15", "content-type", form),
			"ec2", "TerminateInstances", "us-east-1", CategoryDestroy,
		},
		{
			"ec2 describe form", req("POST", "ec2.us-east-1.amazonaws.com", "/", "Action=DescribeInstances&Version=2016-11-15", "content-type", form),
			"ec2", "DescribeInstances", "us-east-1", CategoryRead,
		},
		{
			"query string", req("GET", "iam.amazonaws.com", "/?Action=DeleteUser&UserName=bob", ""),
			"iam", "DeleteUser", "", CategoryDestroy,
		},
		{
			"dynamodb target", req("POST", "dynamodb.eu-west-1.amazonaws.com:443", "/", `{"TableName":"orders"}`, "content-type", "application/x-amz-json-1.0", "x-amz-target", "DynamoDB_20120810.DeleteTable"),
			"dynamodb", "DeleteTable", "eu-west-1", CategoryDestroy,
		},
		{
			"kms schedule deletion", req("POST", "kms.us-east-1.amazonaws.com", "/", `{}`, "x-amz-target", "TrentService.ScheduleKeyDeletion"),
			"kms", "ScheduleKeyDeletion", "us-east-1", CategoryDestroy,
		},
		{
			"cloudtrail stop logging", req("POST", "cloudtrail.us-east-1.amazonaws.com", "/", `{}`, "x-amz-target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.StopLogging"),
			"cloudtrail", "StopLogging", "us-east-1", CategoryDestroy,
		},
		{
			"batch delete", req("POST", "dynamodb.us-east-1.amazonaws.com", "/", `{}`, "x-amz-target", "DynamoDB_20120810.BatchDeleteItem"),
			"dynamodb", "BatchDeleteItem", "us-east-1", CategoryDestroy,
		},
		{
			// REST-JSON calls name no action: the path says they write an access policy.
			"lambda add permission is access", req("POST", "lambda.us-east-1.amazonaws.com", "/2015-03-31/functions/billing-export/policy", `{"Action":"lambda:InvokeFunction","Principal":"*","StatementId":"s1"}`),
			"lambda", "", "us-east-1", CategoryAccess,
		},
		{
			"efs put file system policy is access", req("PUT", "elasticfilesystem.eu-west-1.amazonaws.com", "/2015-02-01/file-systems/fs-01/policy", `{}`),
			"elasticfilesystem", "", "eu-west-1", CategoryAccess,
		},
		{
			"lambda get policy is no change", req("GET", "lambda.us-east-1.amazonaws.com", "/2015-03-31/functions/billing-export/policy", ""),
			"lambda", "", "us-east-1", CategoryWrite,
		},
		{
			"a function named policy is invoked, not an access change", req("POST", "lambda.us-east-1.amazonaws.com", "/2015-03-31/functions/policy/invocations", `{}`),
			"lambda", "", "us-east-1", CategoryWrite,
		},
		{
			"put bucket policy is access", req("PUT", "s3.us-west-2.amazonaws.com", "/logs?policy", `{}`),
			"s3", "PutBucketPolicy", "us-west-2", CategoryAccess,
		},
		{
			"s3 delete bucket path style", req("DELETE", "s3.amazonaws.com", "/logs", ""),
			"s3", "DeleteBucket", "", CategoryDestroy,
		},
		{
			"s3 delete object virtual host", req("DELETE", "logs.s3.us-east-1.amazonaws.com", "/2026/01/a.gz", ""),
			"s3", "DeleteObject", "us-east-1", CategoryDestroy,
		},
		{
			"s3 multi delete", req("POST", "logs.s3.amazonaws.com", "/?delete", "<Delete/>"),
			"s3", "DeleteObjects", "", CategoryDestroy,
		},
		{
			"s3 get object", req("GET", "logs.s3.amazonaws.com", "/a/b.txt", ""),
			"s3", "GetObject", "", CategoryRead,
		},
		{
			"s3 list v2", req("GET", "s3.amazonaws.com", "/logs?list-type=2", ""),
			"s3", "ListObjectsV2", "", CategoryRead,
		},
		{
			"sigv4 scope wins (localstack)", req("POST", "localhost:4566", "/", "Action=DeleteQueue&QueueUrl=x", "content-type", form,
				"authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-central-1/sqs/aws4_request, SignedHeaders=host, Signature=abc"),
			"sqs", "DeleteQueue", "eu-central-1", CategoryDestroy,
		},
		{
			"rest delete without action", req("DELETE", "lambda.us-east-1.amazonaws.com", "/2015-03-31/functions/billing", ""),
			"lambda", "", "us-east-1", CategoryDestroy,
		},
		{
			"create instance is write", req("POST", "ec2.us-east-1.amazonaws.com", "/", "Action=RunInstances", "content-type", form),
			"ec2", "RunInstances", "us-east-1", CategoryWrite,
		},
		{
			"disable key", req("POST", "kms.us-east-1.amazonaws.com", "/", "{}", "x-amz-target", "TrentService.DisableKey"),
			"kms", "DisableKey", "us-east-1", CategoryDestroy,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := AWS(tt.r)
			if !ok {
				t.Fatal("not recognised as AWS")
			}
			if c.Service != tt.service || c.Action != tt.action || c.Region != tt.reg || c.Category != tt.category {
				t.Errorf("got %+v, want %s:%s in %q (%s)", c, tt.service, tt.action, tt.reg, tt.category)
			}
			if c.Destructive != (tt.category == CategoryDestroy) || (c.Destructive && c.Reason == "") {
				t.Errorf("destructive=%v reason=%q for category %s", c.Destructive, c.Reason, c.Category)
			}
		})
	}
}

func TestAWSNotRecognised(t *testing.T) {
	for _, r := range []*exchange.Request{
		req("POST", "api.openai.com", "/v1/chat/completions", "{}"),
		req("POST", "example.com", "/?Action=DeleteUser", ""),
		req("GET", "amazonaws.com", "/", ""),
		req("POST", "x", "/", "", "authorization", "AWS4-HMAC-SHA256 Credential=garbage"),
	} {
		if c, ok := AWS(r); ok {
			t.Errorf("%s %s%s recognised as AWS: %+v", r.Method, r.Authority, r.Path, c)
		}
	}
}

func TestClassify(t *testing.T) {
	for action, want := range map[string]string{
		"DeleteDBInstance": CategoryDestroy, "PurgeQueue": CategoryDestroy, "DetachVolume": CategoryDestroy,
		"DeregisterImage": CategoryDestroy, "RemoveRoleFromInstanceProfile": CategoryDestroy,
		"AttachRolePolicy": CategoryAccess, "PutBucketAcl": CategoryAccess, "CreateAccessKey": CategoryAccess,
		"AuthorizeSecurityGroupIngress": CategoryAccess, "ModifySnapshotAttribute": CategoryAccess,
		"GetObject": CategoryRead, "ListBuckets": CategoryRead, "Scan": CategoryRead,
		"PutItem": CategoryWrite, "Deleted": CategoryWrite, "": CategoryWrite, "StopInstances": CategoryWrite,
	} {
		if got := Classify(action); got != want {
			t.Errorf("Classify(%q) = %s, want %s", action, got, want)
		}
	}
}

func TestGitHub(t *testing.T) {
	tests := []struct {
		name        string
		r           *exchange.Request
		op, owner   string
		repo, ref   string
		destructive bool
	}{
		{"delete repo", req("DELETE", "api.github.com", "/repos/acme/payments", ""), "delete_repo", "acme", "payments", "", true},
		{"list pulls", req("GET", "api.github.com", "/repos/acme/payments/pulls?state=open", ""), "read", "acme", "payments", "", false},
		{"force update ref", req("PATCH", "api.github.com", "/repos/acme/payments/git/refs/heads/main", `{"sha":"abc","force":true}`), "force_update_ref", "acme", "payments", "heads/main", true},
		{"fast-forward ref", req("PATCH", "api.github.com", "/repos/acme/payments/git/refs/heads/main", `{"sha":"abc"}`), "update_ref", "acme", "payments", "heads/main", false},
		{"force false", req("PATCH", "api.github.com", "/repos/acme/payments/git/refs/heads/main", `{"sha":"abc","force":false}`), "update_ref", "acme", "payments", "heads/main", false},
		{"delete branch ref", req("DELETE", "api.github.com", "/repos/acme/payments/git/refs/heads/release/1.0", ""), "delete_ref", "acme", "payments", "heads/release/1.0", true},
		{"remove protection", req("DELETE", "api.github.com", "/repos/acme/payments/branches/main/protection", ""), "delete_branch_protection", "acme", "payments", "heads/main", true},
		{"remove required reviews", req("DELETE", "api.github.com", "/repos/acme/payments/branches/main/protection/required_pull_request_reviews", ""), "delete_branch_protection", "acme", "payments", "heads/main", true},
		{"update protection", req("PUT", "api.github.com", "/repos/acme/payments/branches/main/protection", `{}`), "update_branch_protection", "acme", "payments", "heads/main", false},
		{"delete release", req("DELETE", "api.github.com", "/repos/acme/payments/releases/42", ""), "delete_release", "acme", "payments", "", true},
		{"delete environment", req("DELETE", "api.github.com", "/repos/acme/payments/environments/production", ""), "delete_environment", "acme", "payments", "", true},
		{"make public", req("PATCH", "api.github.com", "/repos/acme/payments", `{"private":false}`), "make_repo_public", "acme", "payments", "", true},
		{"visibility public", req("PATCH", "api.github.com", "/repos/acme/payments", `{"visibility":"public"}`), "make_repo_public", "acme", "payments", "", true},
		{"rename repo", req("PATCH", "api.github.com", "/repos/acme/payments", `{"name":"pay"}`), "update_repo", "acme", "payments", "", false},
		{"transfer", req("POST", "api.github.com", "/repos/acme/payments/transfer", `{"new_owner":"evil"}`), "transfer_repo", "acme", "payments", "", true},
		{"ghes prefix", req("DELETE", "github.acme.internal", "/api/v3/repos/acme/payments", ""), "delete_repo", "acme", "payments", "", true},
		{"delete org", req("DELETE", "api.github.com", "/orgs/acme", ""), "delete_org", "acme", "", "", true},
		{"remove label is not destructive", req("DELETE", "api.github.com", "/repos/acme/payments/issues/1/labels/bug", ""), "delete", "acme", "payments", "", false},
		{"create issue", req("POST", "api.github.com", "/repos/acme/payments/issues", `{"title":"x"}`), "create", "acme", "payments", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := GitHub(tt.r)
			if !ok {
				t.Fatal("not recognised as GitHub")
			}
			if c.Operation != tt.op || c.Owner != tt.owner || c.Repo != tt.repo || c.Ref != tt.ref || c.Destructive != tt.destructive {
				t.Errorf("got %+v, want op=%s %s/%s ref=%q destructive=%v", c, tt.op, tt.owner, tt.repo, tt.ref, tt.destructive)
			}
			if c.Destructive && c.Reason == "" {
				t.Error("destructive call without a reason")
			}
		})
	}
	if _, ok := GitHub(req("DELETE", "gitlab.com", "/api/v4/projects/1", "")); ok {
		t.Error("gitlab recognised as GitHub")
	}
}

func TestMaps(t *testing.T) {
	a, _ := AWS(req("POST", "ec2.us-east-1.amazonaws.com", "/", "Action=TerminateInstances", "content-type", form))
	m := a.Map()
	if m["service"] != "ec2" || m["action"] != "TerminateInstances" || m["region"] != "us-east-1" || m["destructive"] != true {
		t.Errorf("AWS Map() = %v", m)
	}
	g, _ := GitHub(req("DELETE", "api.github.com", "/repos/acme/payments", ""))
	gm := g.Map()
	if gm["owner"] != "acme" || gm["repo"] != "payments" || gm["operation"] != "delete_repo" || gm["destructive"] != true {
		t.Errorf("GitHub Map() = %v", gm)
	}
}

func FuzzAWS(f *testing.F) {
	f.Add("POST", "ec2.us-east-1.amazonaws.com", "/", "Action=TerminateInstances&InstanceId.1=i-0abc", "")
	f.Add("PUT", "b.s3.amazonaws.com", "/k?acl", "", "")
	f.Add("POST", "x", "/", "{}", "AWS4-HMAC-SHA256 Credential=A/2026/us-east-1/sqs/aws4_request, Signature=x")
	f.Fuzz(func(t *testing.T, method, host, path, body, authz string) {
		r := req(method, host, path, body, "authorization", authz, "content-type", form)
		c, ok := AWS(r)
		if ok && c.Destructive != (c.Category == CategoryDestroy) {
			t.Fatalf("inconsistent classification %+v", c)
		}
	})
}

func FuzzGitHub(f *testing.F) {
	f.Add("PATCH", "/repos/a/b/git/refs/heads/main", `{"force":true}`)
	f.Add("DELETE", "/api/v3/repos/a/b", "")
	f.Add("PATCH", "/repos/a/b", `{"private":false}`)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		c, ok := GitHub(req(method, "api.github.com", path, body))
		if ok && c.Operation == "" {
			t.Fatalf("recognised %s %s without an operation", method, path)
		}
	})
}

func TestAWSTargetAloneBehindAGateway(t *testing.T) {
	r := &exchange.Request{
		Method: "POST", Authority: "aws-gw.internal", Path: "/dynamodb/",
		Headers: exchange.Headers{{Key: "x-amz-target", Value: "DynamoDB_20120810.DeleteTable"}},
	}
	c, ok := AWS(r)
	if !ok || c.Service != "dynamodb" || c.Action != "DeleteTable" || !c.Destructive {
		t.Errorf("AWS = %+v, %v", c, ok)
	}
}

func TestRESTDestructive(t *testing.T) {
	for _, tc := range []struct {
		method, host, path string
		query              map[string][]string
		want               bool
	}{
		{"DELETE", "storage.googleapis.com", "storage/v1/b/backups", nil, true},
		{"GET", "storage.googleapis.com", "storage/v1/b/backups", nil, false},
		{"POST", "cloudkms.googleapis.com", "v1/projects/p/cryptoKeyVersions/1:destroy", nil, true},
		{"POST", "compute.googleapis.com", "compute/v1/projects/p/zones/z/instances/i:start", nil, false},
		{"DELETE", "sqladmin.googleapis.com", "v1/projects/p/instances/i", map[string][]string{"validateOnly": {"true"}}, false},
		{"POST", "management.azure.com", "subscriptions/s/providers/Microsoft.KeyVault/locations/w/deletedVaults/kv/purge", nil, true},
		{"DELETE", "acct.blob.core.windows.net", "backups", map[string][]string{"restype": {"container"}}, true},
		{"PATCH", "db.example", "rest/v1/accounts", nil, true},
		{"PATCH", "db.example", "rest/v1/accounts", map[string][]string{"id": {"eq.7"}}, false},
		{"DELETE", "argocd.internal", "api/v1/applications/pay", map[string][]string{"cascade": {"false"}}, false},
		{"DELETE", "argocd.internal", "api/v1/applications/pay", nil, true},
		{"DELETE", "app.internal", "v1/items/5", nil, false},
	} {
		c, ok := REST(tc.method, tc.host, strings.Split(tc.path, "/"), tc.query)
		if c.Destructive != tc.want || (tc.want && !ok) {
			t.Errorf("%s %s/%s: %+v ok=%v, want destructive=%v", tc.method, tc.host, tc.path, c, ok, tc.want)
		}
	}
}

func TestGitHubWeakensProtection(t *testing.T) {
	for _, tc := range []struct {
		method, path, body string
		op                 string
	}{
		{"PUT", "/repos/a/b/branches/main/protection", `{"allow_deletions": {"enabled": true}}`, "weaken_protection"},
		{"PATCH", "/repos/a/b/branches/main/protection/required_pull_request_reviews", `{"required_approving_review_count": 0}`, "weaken_protection"},
		{"PUT", "/orgs/a/rulesets/3", `{"enforcement": "evaluate"}`, "weaken_protection"},
		{"PATCH", "/repos/a/b", `{"security_and_analysis": {"secret_scanning": {"status": "disabled"}}}`, "weaken_protection"},
		{"PUT", "/repos/a/b/branches/main/protection", `{"allow_force_pushes": false, "enforce_admins": true}`, "update_branch_protection"},
		{"DELETE", "/Repos/a/b/Branches/main/Protection", ``, "delete_branch_protection"},
	} {
		c, ok := GitHub(&exchange.Request{Method: tc.method, Authority: "api.github.com", Path: tc.path, Body: []byte(tc.body)})
		if !ok || c.Operation != tc.op || c.Destructive != (tc.op != "update_branch_protection") {
			t.Errorf("%s %s: %+v", tc.method, tc.path, c)
		}
	}
}
