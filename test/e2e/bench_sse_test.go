package e2e

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/extproc/extproctest"
)

// sseEvents returns n OpenAI chat.completion.chunk events, the last one "data: [DONE]".
func sseEvents(n int) []string {
	words := strings.Fields(prose)
	ev := make([]string, 0, n)
	for i := range n - 2 {
		ev = append(ev, fmt.Sprintf(`data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1733580000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"%s "},"finish_reason":null}]}`+"\n\n", words[i%len(words)]))
	}
	ev = append(ev, `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1733580000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n",
		"data: [DONE]\n\n")
	return ev
}

// eventClock is a Downstream that notes when the client has each whole event: event i is there
// once the bytes received reach its end, however the processor re-chunked the stream. It closes
// arrived[i] then, which lets the upstream send the next event.
type eventClock struct {
	ends    []int // cumulative end offset of each event
	got     int
	at      []time.Time
	arrived []chan struct{}
	body    strings.Builder
}

func newEventClock(ends []int) *eventClock {
	c := &eventClock{ends: ends, arrived: make([]chan struct{}, len(ends))}
	for i := range c.arrived {
		c.arrived[i] = make(chan struct{})
	}
	return c
}

func (c *eventClock) WriteHeaders(int, extproctest.Headers) error { return nil }

func (c *eventClock) WriteChunk(b []byte) error {
	c.body.Write(b)
	c.got += len(b)
	now := time.Now()
	for len(c.at) < len(c.ends) && c.got >= c.ends[len(c.at)] {
		close(c.arrived[len(c.at)])
		c.at = append(c.at, now)
	}
	return nil
}

func (c *eventClock) Finish(extproctest.Headers) error { return nil }

// lockstepBody is the upstream's SSE body: it sends event i once the client has event i-1, as an
// LLM that produces tokens slower than they travel does, so that each event's latency through the
// processor is measured on its own. A processor that holds an event back until more bytes come
// would stall this forever, so the wait is capped at heldBack and the cap shows in the figures.
type lockstepBody struct {
	events []string
	clock  *eventClock
	sent   []time.Time
}

const heldBack = 100 * time.Millisecond

func (l *lockstepBody) Next(ctx context.Context) ([]byte, error) {
	i := len(l.sent)
	if i == len(l.events) {
		return nil, io.EOF
	}
	if i > 0 {
		t := time.NewTimer(heldBack)
		select {
		case <-l.clock.arrived[i-1]:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
	l.sent = append(l.sent, time.Now())
	return []byte(l.events[i]), nil
}

func (l *lockstepBody) Trailers() extproctest.Headers { return nil }

// benchSSE alternates null and warden exchange by exchange; each answers the streamed chat request
// with n SSE events, each sent once the client has the one before. It reports, per event, the time
// from the upstream sending it to the client having it (p50 and p99 over all events, and the worst
// ratio of p50s over the event indexes), and the time from the stream's opening to the last event.
func benchSSE(b *testing.B, p benchPair, n int) {
	events := sseEvents(n)
	want := strings.Join(events, "")
	ends := make([]int, n)
	for i, off := 0, 0; i < n; i++ {
		off += len(events[i])
		ends[i] = off
	}
	req := chatRequest(true)
	type timing struct {
		perEvent []time.Duration
		last     time.Duration
	}
	run := func(e *extproctest.Envoy) timing {
		c := newEventClock(ends)
		body := &lockstepBody{events: events, clock: c}
		up := extproctest.UpstreamFunc(func(ctx context.Context, r *extproctest.UpstreamRequest) (*extproctest.Response, error) {
			if _, err := extproctest.ReadAll(ctx, r.Body); err != nil {
				return nil, err
			}
			return &extproctest.Response{Status: 200, Headers: extproctest.Headers{{Key: "content-type", Value: "text/event-stream"}}, Body: body}, nil
		})
		start := time.Now()
		out, err := e.Do(context.Background(), req(), up, c)
		if err != nil || out.LocalReply || c.body.String() != want || len(c.at) != n {
			b.Fatalf("sse exchange: err %v, outcome %+v, %d of %d events, body %.200q", err, out, len(c.at), n, c.body.String())
		}
		t := timing{last: c.at[n-1].Sub(start)}
		for i := range n {
			t.perEvent = append(t.perEvent, c.at[i].Sub(body.sent[i]))
		}
		return t
	}
	for range 20 {
		run(p.null[0])
		run(p.warden[0])
	}
	nullEv, wardenEv := make([][]time.Duration, n), make([][]time.Duration, n)
	var nullAll, wardenAll, nullLast, wardenLast []time.Duration
	b.ResetTimer()
	for range b.N {
		nt, wt := run(p.null[0]), run(p.warden[0])
		for i := range n {
			nullEv[i], wardenEv[i] = append(nullEv[i], nt.perEvent[i]), append(wardenEv[i], wt.perEvent[i])
		}
		nullAll, wardenAll = append(nullAll, nt.perEvent...), append(wardenAll, wt.perEvent...)
		nullLast, wardenLast = append(nullLast, nt.last), append(wardenLast, wt.last)
	}
	b.StopTimer()
	worst, worstAt := 0.0, 0
	for i := range n {
		if r := float64(percentileOf(wardenEv[i], 50)) / float64(percentileOf(nullEv[i], 50)); r > worst {
			worst, worstAt = r, i
		}
	}
	ratio := func(w, n []time.Duration, q int) float64 {
		return float64(percentileOf(w, q)) / float64(percentileOf(n, q))
	}
	reportMicros(b, "null-event-p50", percentileOf(nullAll, 50))
	reportMicros(b, "warden-event-p50", percentileOf(wardenAll, 50))
	reportMicros(b, "null-event-p99", percentileOf(nullAll, 99))
	reportMicros(b, "warden-event-p99", percentileOf(wardenAll, 99))
	reportMicros(b, "null-last-p50", percentileOf(nullLast, 50))
	reportMicros(b, "warden-last-p50", percentileOf(wardenLast, 50))
	b.ReportMetric(ratio(wardenAll, nullAll, 50), "event-p50-ratio")
	b.ReportMetric(ratio(wardenAll, nullAll, 99), "event-p99-ratio")
	b.ReportMetric(worst, "worst-event-p50-ratio")
	b.ReportMetric(float64(worstAt+1), "worst-event")
	b.ReportMetric(ratio(wardenLast, nullLast, 50), "last-p50-ratio")
	b.ReportMetric(ratio(wardenLast, nullLast, 99), "last-p99-ratio")
}
