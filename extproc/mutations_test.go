package extproc

import (
	"slices"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/proto"
)

func TestImmediateReplyStatus(t *testing.T) {
	tests := []struct {
		name   string
		status int
		want   typev3.StatusCode
	}{
		{"forbidden", 403, typev3.StatusCode_Forbidden},
		{"bad gateway", 502, typev3.StatusCode_BadGateway},
		{"zero becomes 500", 0, typev3.StatusCode_InternalServerError},
		{"negative becomes 500", -1, typev3.StatusCode_InternalServerError},
		{"beyond int32 becomes 500", 1 << 40, typev3.StatusCode_InternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := immediateReply(tt.status, "text/plain", []byte("no"), "warden_test")
			if got := r.GetImmediateResponse().GetStatus().GetCode(); got != tt.want {
				t.Errorf("status %d answered with %v, want %v", tt.status, got, tt.want)
			}
		})
	}
}

// TestHeaderMutationCarriesEverySet: each header set reaches Envoy in order, as raw_value, with
// OVERWRITE_IF_EXISTS_OR_ADD (an injected credential replaces the agent's), beside the removals;
// an edit with nothing in it sends no mutation.
func TestHeaderMutationCarriesEverySet(t *testing.T) {
	if (&headerEdit{}).proto() != nil || (*headerEdit)(nil).proto() != nil {
		t.Fatal("an empty edit must send no header mutation")
	}
	h := &headerEdit{}
	h.Set("accept-encoding", "identity")
	h.Set("authorization", "Bearer lease-1")
	h.Set("content-length", "12")
	h.Remove("x-agent-token")
	m := h.proto()
	var got []string
	for _, o := range m.GetSetHeaders() {
		if o.GetAppendAction() != corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD || o.GetHeader().GetValue() != "" {
			t.Fatalf("header %q: action %v, value %q (want overwrite, raw_value only)", o.GetHeader().GetKey(), o.GetAppendAction(), o.GetHeader().GetValue())
		}
		got = append(got, o.GetHeader().GetKey()+"="+string(o.GetHeader().GetRawValue()))
	}
	want := []string{"accept-encoding=identity", "authorization=Bearer lease-1", "content-length=12"}
	if !slices.Equal(got, want) || !slices.Equal(m.GetRemoveHeaders(), []string{"x-agent-token"}) {
		t.Fatalf("set %q remove %q, want %q and [x-agent-token]", got, m.GetRemoveHeaders(), want)
	}
	if _, err := proto.Marshal(m); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkHeaderMutation builds the request body reply's header mutation of BenchmarkDataPlane's
// exchange (accept-encoding and content-length set, the agent's token removed).
func BenchmarkHeaderMutation(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		h := &headerEdit{}
		h.Set("accept-encoding", "identity")
		h.Set("content-length", "4096")
		h.Remove("authorization")
		if h.proto() == nil {
			b.Fatal("no mutation")
		}
	}
}
