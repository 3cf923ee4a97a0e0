package refusal

import (
	"fmt"

	"github.com/warden-gw/warden/exchange"
)

// k8sStatus is metav1.Status as the API server writes it (k8s.io/apimachinery/pkg/apis/meta/v1).
type k8sStatus struct {
	Kind       string     `json:"kind"`
	APIVersion string     `json:"apiVersion"`
	Metadata   struct{}   `json:"metadata"`
	Status     string     `json:"status"`
	Message    string     `json:"message"`
	Reason     string     `json:"reason"`
	Details    k8sDetails `json:"details"`
	Code       int        `json:"code"`
}

// k8sDetails is metav1.StatusDetails. The API server's Forbidden puts the resource (plural) in
// kind, as here.
type k8sDetails struct {
	Name   string     `json:"name,omitempty"`
	Group  string     `json:"group,omitempty"`
	Kind   string     `json:"kind,omitempty"`
	Causes []k8sCause `json:"causes,omitempty"`
}

// k8sCause is metav1.StatusCause; its type travels as "reason".
type k8sCause struct {
	Type    string `json:"reason"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Cause types of warden's facts in a Kubernetes Status; `kubectl -v=8` and any client that reads
// details.causes see them.
const (
	CauseCode       = "WardenCode"
	CauseRule       = "WardenRule"
	CauseApprovalID = "WardenApprovalID"
	CauseRequestID  = "WardenRequestID"
)

// k8sReason is the StatusReason the API server sends with each status.
func k8sReason(status int) string {
	switch status {
	case 400:
		return "BadRequest"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "NotFound"
	case 408, 504:
		return "Timeout"
	case 413:
		return "RequestEntityTooLarge"
	case 415:
		return "UnsupportedMediaType"
	case 429:
		return "TooManyRequests"
	case 503:
		return "ServiceUnavailable"
	default:
		return "InternalError"
	}
}

// kubernetesReply is the API server's Failure Status. client-go returns it as a *StatusError
// whose Error() is the message, so kubectl prints "Error from server (Forbidden): <message>";
// the message therefore says everything, in the API server's own wording
// (`<resource> "<name>" is forbidden: ...`).
func kubernetesReply(req *exchange.Request, r Refusal) Reply {
	k, _ := kubernetesRequest(req)
	msg := Message(r)
	if r.Status == 403 && k.Resource != "" {
		res := k.Resource
		if k.Group != "" {
			res += "." + k.Group
		}
		if k.Name != "" {
			msg = fmt.Sprintf("%s %q is forbidden: %s", res, k.Name, msg)
		} else {
			msg = fmt.Sprintf("%s is forbidden: %s", res, msg)
		}
	}
	st := k8sStatus{
		Kind: "Status", APIVersion: "v1", Status: "Failure", Message: msg,
		Reason: k8sReason(r.Status), Code: r.Status,
		Details: k8sDetails{Name: k.Name, Group: k.Group, Kind: k.Resource},
	}
	causes := []k8sCause{
		{Type: CauseCode, Message: r.Code},
		{Type: CauseRule, Message: r.Rule},
		{Type: CauseApprovalID, Message: r.ApprovalID},
		{Type: CauseRequestID, Message: r.RequestID},
	}
	for _, c := range causes {
		if c.Message != "" {
			st.Details.Causes = append(st.Details.Causes, c)
		}
	}
	return Reply{Status: r.Status, Headers: []exchange.Header{{Key: "content-type", Value: "application/json"}}, Body: mustJSON(st)}
}
