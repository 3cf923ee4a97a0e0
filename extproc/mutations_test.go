package extproc

import (
	"testing"

	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
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
