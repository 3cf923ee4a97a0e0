package e2e

import (
	"context"
	"errors"
	"net/http"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const k8sRefusalPolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata: {name: sdk-refusals-k8s}
spec:
  rules:
  - name: k8s-keep-prod
    when: request.method == "DELETE" && request.path == "/api/v1/namespaces/prod"
    action: deny
    message: the prod namespace is never deleted by an agent
  - name: k8s-namespace-delete-needs-a-human
    when: request.method == "DELETE" && request.path == "/api/v1/namespaces/staging"
    action: require_approval
    message: deleting a namespace needs an approver
`

// TestClientGoReadsWardensRefusals drives client-go through warden: a denied and an
// approval-required delete come back as the *StatusError client-go returns for the API
// server's own Forbidden, whose message (what kubectl prints after "Error from server
// (Forbidden):") names the rule, the request id and the approval id; the causes carry them too.
func TestClientGoReadsWardensRefusals(t *testing.T) {
	rig := startSDKRig(t, k8sRefusalPolicy, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("content-type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"default"}}`))
	}))
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: rig.url})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("allowed", func(t *testing.T) {
		ns, err := cs.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{})
		if err != nil || ns.Name != "default" {
			t.Fatalf("an allowed get: %v %+v", err, ns)
		}
	})

	causes := func(t *testing.T, err error) map[string]string {
		t.Helper()
		var se *apierrors.StatusError
		if !errors.As(err, &se) {
			t.Fatalf("client-go returned %T (%v), want the *StatusError of an API server Status", err, err)
		}
		st := se.Status()
		if st.Reason != metav1.StatusReasonForbidden || st.Code != 403 || st.Details == nil || st.Details.Kind != "namespaces" {
			t.Errorf("status: reason %q code %d details %+v", st.Reason, st.Code, st.Details)
		}
		out := map[string]string{}
		if st.Details != nil {
			for _, c := range st.Details.Causes {
				out[string(c.Type)] = c.Message
			}
		}
		return out
	}

	t.Run("denied", func(t *testing.T) {
		err := cs.CoreV1().Namespaces().Delete(ctx, "prod", metav1.DeleteOptions{})
		if !apierrors.IsForbidden(err) {
			t.Fatalf("client-go: %v (IsForbidden false)", err)
		}
		wantInError(t, err, `namespaces "prod" is forbidden`, "warden denied this request",
			"the prod namespace is never deleted by an agent", "rule k8s-keep-prod")
		c := causes(t, err)
		id := requestIDIn(t, err.Error())
		if c["WardenRule"] != "k8s-keep-prod" || c["WardenRequestID"] != id || c["WardenCode"] != "policy_denied" {
			t.Errorf("causes %v", c)
		}
		if rig.reached("DELETE /api/v1/namespaces/prod") {
			t.Error("the denied delete reached the API server")
		}
		rig.wantRecorded(t, id, "k8s-keep-prod")
	})

	t.Run("approval required", func(t *testing.T) {
		err := cs.CoreV1().Namespaces().Delete(ctx, "staging", metav1.DeleteOptions{})
		if !apierrors.IsForbidden(err) {
			t.Fatalf("client-go: %v (IsForbidden false)", err)
		}
		wantInError(t, err, "warden requires a human approval", "rule k8s-namespace-delete-needs-a-human", "retry the same request")
		aid := approvalIDIn(t, err.Error())
		if c := causes(t, err); c["WardenApprovalID"] != aid || c["WardenCode"] != "approval_required" {
			t.Errorf("causes %v, want approval id %s", c, aid)
		}
		if rig.reached("DELETE /api/v1/namespaces/staging") {
			t.Error("the held delete reached the API server")
		}
	})
}
