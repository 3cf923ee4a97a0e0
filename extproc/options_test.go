package extproc

import (
	"testing"
	"time"

	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestOptionsFromFilter(t *testing.T) {
	allowed := &filterv3.ProcessingMode{
		RequestHeaderMode: filterv3.ProcessingMode_SEND, ResponseHeaderMode: filterv3.ProcessingMode_SEND,
		RequestBodyMode: filterv3.ProcessingMode_BUFFERED, ResponseBodyMode: filterv3.ProcessingMode_STREAMED,
		RequestTrailerMode: filterv3.ProcessingMode_SKIP, ResponseTrailerMode: filterv3.ProcessingMode_SKIP,
	}
	buffered := &filterv3.ProcessingMode{RequestBodyMode: filterv3.ProcessingMode_BUFFERED, ResponseBodyMode: filterv3.ProcessingMode_BUFFERED}
	tests := []struct {
		name      string
		filter    *filterv3.ExternalProcessor
		wantAllow bool
		want      *filterv3.ProcessingMode
	}{
		{"override taken from the allow list", &filterv3.ExternalProcessor{
			ProcessingMode: buffered, AllowModeOverride: true,
			AllowedOverrideModes: []*filterv3.ProcessingMode{{ResponseBodyMode: filterv3.ProcessingMode_BUFFERED}, allowed},
		}, true, allowed},
		{"no override when Envoy forbids it", &filterv3.ExternalProcessor{ProcessingMode: buffered}, false, nil},
		{"allow list without a streamed entry", &filterv3.ExternalProcessor{
			ProcessingMode: buffered, AllowModeOverride: true,
			AllowedOverrideModes: []*filterv3.ProcessingMode{{ResponseBodyMode: filterv3.ProcessingMode_NONE}},
		}, false, nil},
		{"no allow list: built from the modes", &filterv3.ExternalProcessor{ProcessingMode: buffered, AllowModeOverride: true}, true, &filterv3.ProcessingMode{
			RequestHeaderMode: filterv3.ProcessingMode_SEND, ResponseHeaderMode: filterv3.ProcessingMode_SEND,
			RequestBodyMode: filterv3.ProcessingMode_BUFFERED, ResponseBodyMode: filterv3.ProcessingMode_STREAMED,
			RequestTrailerMode: filterv3.ProcessingMode_SKIP, ResponseTrailerMode: filterv3.ProcessingMode_SKIP,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := OptionsFromFilter(tt.filter, DefaultOptions())
			if o.AllowModeOverride != tt.wantAllow || !proto.Equal(o.StreamedOverride, tt.want) {
				t.Fatalf("allow=%v override=%v", o.AllowModeOverride, o.StreamedOverride)
			}
			if o.RequestBodyMode != filterv3.ProcessingMode_BUFFERED || o.ResponseBodyMode != filterv3.ProcessingMode_BUFFERED {
				t.Errorf("body modes not taken from the filter")
			}
		})
	}
}

// The stage budget follows the message_timeout Envoy runs with (200ms when the filter sets none),
// leaving a quarter for the audit write and the reply.
func TestStageBudgetFollowsEnvoysMessageTimeout(t *testing.T) {
	for _, tc := range []struct {
		set  *durationpb.Duration
		want time.Duration
	}{
		{nil, 150 * time.Millisecond},
		{durationpb.New(2 * time.Second), 1500 * time.Millisecond},
	} {
		o := OptionsFromFilter(&filterv3.ExternalProcessor{MessageTimeout: tc.set}, DefaultOptions())
		if got := StageBudget(o.MessageTimeout); got != tc.want {
			t.Errorf("message_timeout %v: budget %v, want %v", tc.set.AsDuration(), got, tc.want)
		}
	}
}
