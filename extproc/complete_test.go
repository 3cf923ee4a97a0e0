package extproc

import (
	"context"
	"errors"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// TestLastReplyDoesNotWaitForTheCompletionRecord (#13 item 3): the reply that ends the exchange
// is handed back before the completion record is written; the record follows once it is sent.
func TestLastReplyDoesNotWaitForTheCompletionRecord(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	replies, err := h.st.handle(context.Background(), respHeaders(true, "content-type", "application/json"))
	if err != nil || len(replies) != 1 {
		t.Fatalf("last reply: %v, %v", replies, err)
	}
	if _, comp := h.audit.counts(); comp != 0 {
		t.Fatalf("the completion record was written before the last reply was sent")
	}
	h.st.afterReplies(context.Background())
	h.st.finish(context.Background(), nil)
	req, comp := h.audit.counts()
	if req != 1 || comp != 1 || h.audit.completions[0].Disposition != exchange.Allowed || h.audit.completions[0].Status != 200 {
		t.Fatalf("records %d/%d, completion %+v", req, comp, h.audit.completions)
	}
}

// TestCompletionRecordWhenTheLastReplyIsNotSent: when the last reply cannot be sent, the
// exchange still leaves one completion record, which says the stream failed instead of that the
// answer went out.
func TestCompletionRecordWhenTheLastReplyIsNotSent(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	if _, err := h.st.handle(context.Background(), respHeaders(true, "content-type", "application/json")); err != nil {
		t.Fatal(err)
	}
	h.st.finish(context.Background(), errors.New("transport is closing")) // Send failed: serve returns its error
	h.st.afterReplies(context.Background())
	req, comp := h.audit.counts()
	if req != 1 || comp != 1 {
		t.Fatalf("records: %d request, %d completion; want 1 and 1", req, comp)
	}
	if c := h.audit.completions[0]; c.Disposition != exchange.Failed || c.ErrorCode != "stream_error" {
		t.Fatalf("completion record after a failed send: disposition %q, error_code %q", c.Disposition, c.ErrorCode)
	}
}
