package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

const awsRefusalPolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata: {name: sdk-refusals-aws}
spec:
  rules:
  - name: s3-keep-prod-bucket
    when: request.method == "DELETE" && request.path.startsWith("/prod-bucket/")
    action: deny
    message: objects in prod-bucket are never deleted by an agent
  - name: s3-review-bucket-writes-need-a-human
    when: request.method == "PUT" && request.path.startsWith("/review-bucket/")
    action: require_approval
    message: writes to review-bucket need an approver
  - name: sts-no-role-assumption
    when: request.method == "POST" && request.body.raw.contains("Action=AssumeRole")
    action: deny
    message: agents do not assume other roles
  - name: cloudwatch-keep-alarms
    when: request.path.endsWith("/operation/DeleteAlarms")
    action: deny
    message: alarms are never deleted by an agent
  - name: dynamodb-no-table-drops
    when: '"x-amz-target" in request.headers && request.headers["x-amz-target"] == "DynamoDB_20120810.DeleteTable"'
    action: deny
    message: tables are never dropped by an agent
  - name: dynamodb-item-deletes-need-a-human
    when: '"x-amz-target" in request.headers && request.headers["x-amz-target"] == "DynamoDB_20120810.DeleteItem"'
    action: require_approval
    message: deleting items needs an approver
`

// awsUpstream answers the allowed calls as S3 (path-style) and DynamoDB (JSON 1.0) do.
func awsUpstream(w http.ResponseWriter, r *http.Request) {
	if t := r.Header.Get("x-amz-target"); t != "" {
		w.Header().Set("content-type", "application/x-amz-json-1.0")
		switch t {
		case "DynamoDB_20120810.ListTables":
			_, _ = w.Write([]byte(`{"TableNames":["orders"]}`))
		default:
			_, _ = w.Write([]byte(`{}`))
		}
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func awsConfig(rig *sdkRig) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDWARDENTEST", "not-a-real-secret", ""),
		BaseEndpoint: aws.String(rig.url),
	}
}

// awsAPIError returns the API error the AWS SDK made of warden's answer, with the request id
// the SDK read from the response headers.
func awsAPIError(t *testing.T, err error) (smithy.APIError, string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("the AWS SDK returned %T (%v), want an API error", err, err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("no HTTP response error in %v", err)
	}
	return ae, re.ServiceRequestID()
}

// TestAWSSDKReadsWardensRefusals drives aws-sdk-go-v2 (S3, REST-XML; DynamoDB, JSON 1.0; STS,
// query; CloudWatch, RPC v2 CBOR)
// through warden: each refusal is the API error the service itself would send (AccessDenied,
// AccessDeniedException), its message names the rule and the approval id, and the SDK's
// RequestID is warden's request id, under which the audit record is found.
func TestAWSSDKReadsWardensRefusals(t *testing.T) {
	rig := startSDKRig(t, awsRefusalPolicy, http.HandlerFunc(awsUpstream))
	cfg := awsConfig(rig)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ddb := dynamodb.NewFromConfig(cfg)
	ctx := context.Background()

	t.Run("s3 allowed", func(t *testing.T) {
		if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("scratch"), Key: aws.String("k")}); err != nil {
			t.Fatalf("an allowed delete: %v", err)
		}
	})
	t.Run("s3 denied", func(t *testing.T) {
		_, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("prod-bucket"), Key: aws.String("report.csv")})
		wantInError(t, err, "api error AccessDenied", "warden denied this request", "objects in prod-bucket are never deleted", "rule s3-keep-prod-bucket")
		ae, rid := awsAPIError(t, err)
		if ae.ErrorCode() != "AccessDenied" || rid == "" || !strings.Contains(ae.ErrorMessage(), "request id "+rid) {
			t.Errorf("code %q, SDK request id %q, message %q", ae.ErrorCode(), rid, ae.ErrorMessage())
		}
		if rig.reached("DELETE /prod-bucket/report.csv") {
			t.Error("the denied delete reached S3")
		}
		rig.wantRecorded(t, rid, "s3-keep-prod-bucket")
	})
	t.Run("s3 approval required", func(t *testing.T) {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("review-bucket"), Key: aws.String("draft.txt"), Body: strings.NewReader("draft")})
		wantInError(t, err, "api error AccessDenied", "rule s3-review-bucket-writes-need-a-human", "retry the same request")
		approvalIDIn(t, err.Error())
		if rig.reached("PUT /review-bucket/draft.txt") {
			t.Error("the held write reached S3")
		}
	})

	t.Run("dynamodb allowed", func(t *testing.T) {
		out, err := ddb.ListTables(ctx, &dynamodb.ListTablesInput{})
		if err != nil || len(out.TableNames) != 1 {
			t.Fatalf("an allowed call: %v %+v", err, out)
		}
	})
	t.Run("dynamodb denied", func(t *testing.T) {
		_, err := ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("orders")})
		wantInError(t, err, "api error AccessDeniedException", "tables are never dropped", "rule dynamodb-no-table-drops")
		ae, rid := awsAPIError(t, err)
		if ae.ErrorCode() != "AccessDeniedException" || rid == "" || !strings.Contains(ae.ErrorMessage(), "request id "+rid) {
			t.Errorf("code %q, SDK request id %q, message %q", ae.ErrorCode(), rid, ae.ErrorMessage())
		}
		rig.wantRecorded(t, rid, "dynamodb-no-table-drops")
	})
	t.Run("dynamodb approval required", func(t *testing.T) {
		_, err := ddb.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String("orders"),
			Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "o-1"}},
		})
		wantInError(t, err, "api error AccessDeniedException", "rule dynamodb-item-deletes-need-a-human")
		approvalIDIn(t, err.Error())
	})
	t.Run("sts denied (query protocol)", func(t *testing.T) {
		_, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::123456789012:role/admin"), RoleSessionName: aws.String("agent"),
		})
		wantInError(t, err, "api error AccessDenied", "agents do not assume other roles", "rule sts-no-role-assumption")
		ae, rid := awsAPIError(t, err)
		if ae.ErrorCode() != "AccessDenied" || rid == "" || !strings.Contains(ae.ErrorMessage(), "request id "+rid) {
			t.Errorf("code %q, SDK request id %q, message %q", ae.ErrorCode(), rid, ae.ErrorMessage())
		}
		rig.wantRecorded(t, rid, "sts-no-role-assumption")
	})
	t.Run("cloudwatch denied (rpc v2 cbor)", func(t *testing.T) {
		_, err := cloudwatch.NewFromConfig(cfg).DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"api-5xx"}})
		wantInError(t, err, "api error AccessDenied", "alarms are never deleted", "rule cloudwatch-keep-alarms")
		ae, rid := awsAPIError(t, err)
		if rid == "" || !strings.Contains(ae.ErrorMessage(), "request id "+rid) {
			t.Errorf("code %q, SDK request id %q, message %q", ae.ErrorCode(), rid, ae.ErrorMessage())
		}
		rig.wantRecorded(t, rid, "cloudwatch-keep-alarms")
	})
	if hits := rig.upstreamHits(); len(hits) != 2 {
		t.Errorf("%d calls reached the upstream, want the 2 allowed ones: %v", len(hits), hits)
	}
}
