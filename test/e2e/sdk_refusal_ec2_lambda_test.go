package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/warden-gw/warden/cel/pack"
)

// defaultPackYAML is the default policy pack's Policy documents as one multi-document YAML file.
func defaultPackYAML(t *testing.T) string {
	t.Helper()
	ents, err := pack.FS.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "tests-") || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		b, err := pack.FS.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	return strings.Join(docs, "\n---\n")
}

// ec2LambdaUpstream answers the allowed calls as EC2 (query protocol, XML) and Lambda
// (REST-JSON) do.
func ec2LambdaUpstream(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") {
		w.Header().Set("content-type", "application/json")
		w.Header().Set("x-amzn-requestid", "upstream-lambda-1")
		name := strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions/")
		_, _ = w.Write([]byte(`{"Configuration":{"FunctionName":"` + name + `","Runtime":"python3.12"}}`))
		return
	}
	w.Header().Set("content-type", "text/xml;charset=UTF-8")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>upstream-ec2-1</requestId>` +
		`<reservationSet><item><reservationId>r-1</reservationId><instancesSet><item><instanceId>i-0abc</instanceId></item></instancesSet></item></reservationSet>` +
		`</DescribeInstancesResponse>`))
}

// TestEC2AndLambdaSDKsReadWardensRefusals drives aws-sdk-go-v2's EC2 client (EC2's query
// dialect: <Response><Errors><Error>) and Lambda client (REST-JSON: X-Amzn-ErrorType and
// {"message"}) through warden on its default pack: a TerminateInstances or DeleteFunction the
// pack denies surfaces as the SDK's API error with the rule, the reason and the request id the
// audit record is found under; a held call names its approval id; a read passes through.
func TestEC2AndLambdaSDKsReadWardensRefusals(t *testing.T) {
	rig := startSDKRig(t, defaultPackYAML(t), http.HandlerFunc(ec2LambdaUpstream))
	cfg := awsConfig(rig)
	ec2c := ec2.NewFromConfig(cfg)
	lc := lambda.NewFromConfig(cfg)
	ctx := context.Background()

	t.Run("ec2 allowed", func(t *testing.T) {
		out, err := ec2c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
		if err != nil {
			t.Fatalf("an allowed DescribeInstances: %v", err)
		}
		if len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 || aws.ToString(out.Reservations[0].Instances[0].InstanceId) != "i-0abc" {
			t.Errorf("the upstream's answer did not come through: %+v", out.Reservations)
		}
	})
	t.Run("ec2 denied", func(t *testing.T) {
		_, err := ec2c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0abc"}})
		wantInError(t, err, "api error UnauthorizedOperation", "warden denied this request",
			"AWS calls that terminate, delete or disable resources are not allowed", "rule aws-destroy")
		ae, rid := awsAPIError(t, err)
		if ae.ErrorCode() != "UnauthorizedOperation" || rid == "" || !strings.Contains(ae.ErrorMessage(), "request id "+rid) {
			t.Errorf("code %q, SDK request id %q, message %q", ae.ErrorCode(), rid, ae.ErrorMessage())
		}
		rig.wantRecorded(t, rid, "aws-destroy")
	})
	t.Run("ec2 approval required", func(t *testing.T) {
		_, err := ec2c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
			GroupId: aws.String("sg-0abc"),
			IpPermissions: []ec2types.IpPermission{{
				IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
			}},
		})
		wantInError(t, err, "api error UnauthorizedOperation", "warden requires a human approval",
			"rule aws-access-change", "retry the same request")
		ae, rid := awsAPIError(t, err)
		id := approvalIDIn(t, ae.ErrorMessage())
		if rid == "" || !strings.Contains(ae.ErrorMessage(), "request id "+rid) || id == "" {
			t.Errorf("SDK request id %q, message %q", rid, ae.ErrorMessage())
		}
		rig.wantRecorded(t, rid, "aws-access-change")
	})

	t.Run("lambda allowed", func(t *testing.T) {
		out, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("billing-export")})
		if err != nil {
			t.Fatalf("an allowed GetFunction: %v", err)
		}
		if out.Configuration == nil || aws.ToString(out.Configuration.FunctionName) != "billing-export" {
			t.Errorf("the upstream's answer did not come through: %+v", out.Configuration)
		}
	})
	t.Run("lambda denied", func(t *testing.T) {
		_, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("billing-export")})
		wantInError(t, err, "api error AccessDeniedException", "warden denied this request",
			"AWS calls that terminate, delete or disable resources are not allowed", "rule aws-destroy")
		ae, rid := awsAPIError(t, err)
		if ae.ErrorCode() != "AccessDeniedException" || rid == "" || !strings.Contains(ae.ErrorMessage(), "request id "+rid) {
			t.Errorf("code %q, SDK request id %q, message %q", ae.ErrorCode(), rid, ae.ErrorMessage())
		}
		rig.wantRecorded(t, rid, "aws-destroy")
	})
	t.Run("lambda approval required", func(t *testing.T) {
		_, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String("billing-export"), StatementId: aws.String("public"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"),
		})
		wantInError(t, err, "api error AccessDeniedException", "warden requires a human approval",
			"rule aws-access-change", "retry the same request")
		ae, rid := awsAPIError(t, err)
		if approvalIDIn(t, ae.ErrorMessage()) == "" || rid == "" || !strings.Contains(ae.ErrorMessage(), "request id "+rid) {
			t.Errorf("SDK request id %q, message %q", rid, ae.ErrorMessage())
		}
		rig.wantRecorded(t, rid, "aws-access-change")
	})

	hits := rig.upstreamHits()
	want := []string{"POST /", "GET /2015-03-31/functions/billing-export"}
	if len(hits) != len(want) || hits[0] != want[0] || hits[1] != want[1] {
		t.Errorf("calls that reached the upstream = %v, want only the 2 allowed ones %v", hits, want)
	}
}
