package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// Envoy 1.37+ closes the ext_proc stream as soon as the reply it just handled is the last one it
// needs (Filter::closeGrpcStreamIfLastRespReceived): for a response without a body that is the
// response-headers reply, and for a streamed (SSE) response the reply to the chunk carrying
// end_stream. Without graceful close that is a reset, arriving while warden may still be writing
// its completion record. The record must still say what the agent got — allowed, with the
// upstream's status — not "cancelled".
func TestStreamClosedAfterTheLastReplyKeepsTheCompletionRecord(t *testing.T) {
	w := startWarden(t, nil)
	noBody := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		return &extproctest.Response{Status: 204, Headers: extproctest.Headers{{Key: "x-upstream", Value: "1"}}}, nil
	})
	sse := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		return &extproctest.Response{
			Status:  200,
			Headers: extproctest.Headers{{Key: "content-type", Value: "text/event-stream"}},
			Body:    extproctest.Chunks(nil, "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n", "data: [DONE]\n\n"),
		}, nil
	})
	cases := []struct {
		id     string
		req    *extproctest.Request
		up     extproctest.Upstream
		status int
	}{
		{"close-after-headers", request("DELETE", "https://api.example/v1/files/f-1", map[string]string{"x-request-id": "close-after-headers"}), noBody, 204},
		{"close-after-last-chunk", request("POST", "https://api.openai.com/v1/chat/completions",
			map[string]string{"x-request-id": "close-after-last-chunk", "content-type": "application/json"},
			`{"model":"gpt-4o","stream":true,"messages":[]}`), sse, 200},
	}
	for _, c := range cases {
		res, err := w.envoy.Run(context.Background(), c.req, c.up)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != c.status {
			t.Fatalf("%s: status %d (%s), want %d", c.id, res.Status, res.Details, c.status)
		}
	}
	var got map[string]map[audit.Stage]audit.Record
	waitUntil(t, 10*time.Second, func() bool {
		got = byRequest(w.records(t))
		for _, c := range cases {
			if _, ok := got[c.id][audit.StageCompletion]; !ok {
				return false
			}
		}
		return true
	})
	for _, c := range cases {
		rec := got[c.id][audit.StageCompletion]
		if d := rec.Unmapped.Warden.Disposition; d != "allowed" {
			t.Errorf("%s: completion disposition %q, want allowed", c.id, d)
		}
		if rec.HTTPResponse == nil || rec.HTTPResponse.Code != c.status {
			t.Errorf("%s: completion record response %+v, want status %d", c.id, rec.HTTPResponse, c.status)
		}
	}
}
