package refusal

import (
	"encoding/binary"
	"encoding/xml"
	"math"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// awsProtocol recognises an AWS request by what its SDK sends (a SigV4 or SigV2 signature in
// the Authorization header or a presigned query, X-Amz-Target, an x-amz-json content type,
// x-amz-content-sha256) or by an AWS host, and picks the service's error protocol:
//   - Smithy-Protocol: rpc-v2-cbor: the RPC v2 CBOR protocol (CloudWatch, ...);
//   - X-Amz-Target or an application/x-amz-json content type: the JSON protocol (DynamoDB, KMS,
//     Secrets Manager, ...);
//   - service s3 (credential scope or host): S3's REST-XML <Error>;
//   - service ec2: EC2's query dialect;
//   - a query-protocol request (form body or ?Action=): <ErrorResponse>, as for Route 53 and
//     CloudFront's REST-XML;
//   - anything else signed: REST-JSON (Lambda, API Gateway, Bedrock, ...).
func awsProtocol(req *exchange.Request) (Protocol, bool) {
	auth := req.Headers.Get("authorization")
	_, q := splitPath(path(req))
	ct := strings.ToLower(req.Headers.Get("content-type"))
	h := host(req)
	signal := strings.HasPrefix(auth, "AWS4-") || strings.HasPrefix(auth, "AWS ") ||
		strings.Contains(q, "X-Amz-Credential=") || strings.Contains(q, "AWSAccessKeyId=") ||
		req.Headers.Has("x-amz-target") || strings.HasPrefix(ct, "application/x-amz-json") ||
		req.Headers.Has("x-amz-content-sha256") || req.Headers.Has("smithy-protocol") ||
		strings.HasSuffix(h, ".amazonaws.com") || strings.HasSuffix(h, ".api.aws")
	if !signal {
		return "", false
	}
	svc := awsService(auth, q, h)
	switch {
	case strings.EqualFold(req.Headers.Get("smithy-protocol"), "rpc-v2-cbor"):
		return AWSCBOR, true
	case req.Headers.Has("x-amz-target") || strings.HasPrefix(ct, "application/x-amz-json"):
		return AWSJSON, true
	case svc == "s3" || svc == "s3express" || svc == "s3-object-lambda":
		return AWSS3, true
	case svc == "ec2":
		return AWSEC2, true
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.Contains("&"+q, "&Action="),
		svc == "route53" || svc == "cloudfront":
		return AWSQuery, true
	}
	return AWSRestJSON, true
}

// awsService is the signing name from the SigV4 credential scope
// (Credential=AKID/date/region/service/aws4_request, in the header or a presigned query), or the
// service named by an AWS host (s3.us-east-1.amazonaws.com, bucket.s3.amazonaws.com,
// dynamodb.eu-west-1.amazonaws.com).
func awsService(auth, query, h string) string {
	for _, src := range []struct{ text, key string }{{auth, "Credential="}, {query, "X-Amz-Credential="}} {
		i := strings.Index(src.text, src.key)
		if i < 0 {
			continue
		}
		scope := src.text[i+len(src.key):]
		if j := strings.IndexAny(scope, ", &"); j >= 0 {
			scope = scope[:j]
		}
		scope = strings.ReplaceAll(scope, "%2F", "/")
		scope = strings.ReplaceAll(scope, "%2f", "/")
		if parts := strings.Split(scope, "/"); len(parts) == 5 {
			return strings.ToLower(parts[3])
		}
	}
	if !strings.HasSuffix(h, ".amazonaws.com") && !strings.HasSuffix(h, ".api.aws") {
		return ""
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "s3" || strings.HasPrefix(l, "s3-") {
			return "s3"
		}
	}
	return labels[0]
}

// awsCode is the error code the service family sends with status.
func awsCode(p Protocol, status int) string {
	json := p == AWSJSON || p == AWSRestJSON || p == AWSCBOR
	switch {
	case status == 401 || status == 403:
		switch {
		case json:
			return "AccessDeniedException"
		case p == AWSEC2:
			return "UnauthorizedOperation"
		}
		return "AccessDenied"
	case status == 413:
		if p == AWSS3 {
			return "EntityTooLarge"
		}
		return "RequestEntityTooLarge"
	case status == 429:
		if json {
			return "ThrottlingException"
		}
		return "Throttling"
	case status == 502 || status == 503 || status == 504:
		if json {
			return "ServiceUnavailableException"
		}
		return "ServiceUnavailable"
	case status >= 500:
		if json {
			return "InternalServerError"
		}
		return "InternalError"
	case json:
		return "ValidationException"
	}
	return "InvalidRequest"
}

// s3Error is S3's error document.
type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// queryError is the query protocol's <ErrorResponse> (also Route 53's and CloudFront's).
type queryError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// ec2Error is EC2's <Response><Errors><Error>.
type ec2Error struct {
	XMLName xml.Name `xml:"Response"`
	Errors  []struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Errors>Error"`
	RequestID string `xml:"RequestID"`
}

// awsJSONError is the JSON protocols' body; the SDKs read the code from __type (or the
// X-Amzn-ErrorType header) and the message from message.
type awsJSONError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// awsReply answers in the error document of protocol p. The SDKs return it as an API error
// whose code is the document's code and whose message is Message(r): the aws-sdk-go-v2 error
// string reads "api error AccessDenied: warden denied this request: ... [rule ..., request id
// ...]", and the request id also travels in the header each SDK reads it from.
func awsReply(p Protocol, req *exchange.Request, r Refusal) Reply {
	code, msg := awsCode(p, r.Status), Message(r)
	var h []exchange.Header
	var body []byte
	switch p {
	case AWSS3:
		h = []exchange.Header{{Key: "content-type", Value: "application/xml"}}
		h = withHeader(h, "x-amz-request-id", r.RequestID)
		h = withHeader(h, "x-amz-id-2", "warden")
		body = mustXML(s3Error{Code: code, Message: msg, RequestID: r.RequestID, HostID: "warden"})
	case AWSQuery:
		h = []exchange.Header{{Key: "content-type", Value: "text/xml"}}
		h = withHeader(h, "x-amzn-requestid", r.RequestID)
		e := queryError{RequestID: r.RequestID}
		e.Error.Type, e.Error.Code, e.Error.Message = "Sender", code, msg
		if r.Status >= 500 {
			e.Error.Type = "Receiver"
		}
		body = mustXML(e)
	case AWSEC2:
		h = []exchange.Header{{Key: "content-type", Value: "text/xml;charset=UTF-8"}}
		h = withHeader(h, "x-amzn-requestid", r.RequestID)
		e := ec2Error{RequestID: r.RequestID}
		e.Errors = append(e.Errors, struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		}{code, msg})
		body = mustXML(e)
	case AWSCBOR:
		h = []exchange.Header{{Key: "content-type", Value: "application/cbor"}, {Key: "smithy-protocol", Value: "rpc-v2-cbor"}}
		h = withHeader(h, "x-amzn-requestid", r.RequestID)
		if strings.EqualFold(req.Headers.Get("x-amzn-query-mode"), "true") {
			// A service that moved from the query protocol: its SDK reads the query code here.
			fault := "Sender"
			if r.Status >= 500 {
				fault = "Receiver"
			}
			h = append(h, exchange.Header{Key: "x-amzn-query-error", Value: awsCode(AWSQuery, r.Status) + ";" + fault})
		}
		body = cborError(code, msg)
	default: // AWSJSON, AWSRestJSON
		ct := "application/json"
		if p == AWSJSON {
			ct = "application/x-amz-json-1.1"
			if v := strings.ToLower(req.Headers.Get("content-type")); strings.HasPrefix(v, "application/x-amz-json-1.") && headerSafe(v) {
				ct = v
			}
		}
		h = []exchange.Header{{Key: "content-type", Value: ct}, {Key: "x-amzn-errortype", Value: code}}
		h = withHeader(h, "x-amzn-requestid", r.RequestID)
		body = mustJSON(awsJSONError{Type: code, Message: msg})
	}
	return Reply{Status: r.Status, Headers: h, Body: body}
}

// mustXML marshals an error document built here from strings, which cannot fail; text that is
// not valid XML is replaced by encoding/xml's escaping.
func mustXML(v any) []byte {
	b, err := xml.Marshal(v)
	if err != nil {
		panic("refusal: marshal XML " + err.Error())
	}
	return append([]byte(xml.Header), b...)
}

// cborError is the RPC v2 CBOR error body: a map of two text strings, __type and message.
func cborError(code, msg string) []byte {
	b := []byte{0xa2} // map, 2 pairs
	for _, s := range []string{"__type", code, "message", msg} {
		b = cborText(b, strings.ToValidUTF8(s, "\uFFFD"))
	}
	return b
}

// cborText appends s as a CBOR text string (major type 3) with the shortest length encoding.
func cborText(b []byte, s string) []byte {
	n := uint64(len(s))
	switch {
	case n < 24:
		b = append(b, 0x60|byte(n))
	case n <= math.MaxUint8:
		b = append(b, 0x78, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, 0x79), uint16(n))
	case n <= math.MaxUint32:
		b = binary.BigEndian.AppendUint32(append(b, 0x7a), uint32(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 0x7b), n)
	}
	return append(b, s...)
}
