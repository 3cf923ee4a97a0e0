package record

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// reflectCanonical is the reference the hand-written encoder must match: encoding/json without
// HTML escaping, then Canonical (which also turns escaped invalid UTF-8 into raw U+FFFD).
func reflectCanonical(t testing.TB, r *Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	c, err := Canonical(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRecordEncoderMatchesCanonical: the hand-written encoder writes exactly the bytes a
// verifier recomputes, for records that use every field and every escape.
func TestRecordEncoderMatchesCanonical(t *testing.T) {
	tricky := sampleExchange(9, "s<&>\u2028\u2029é")
	tricky.Request.Path = "/a?b=<script>&c=\xff\xfe"
	tricky.ToolCalls[0].Text = "echo \"<&>\" \\ \t\n\r\b\f\x00\x1f\x7f\u00e9\U0001F600 \xff\xe2\x82"
	tricky.Redactions["z.last"], tricky.Redactions["A.first"], tricky.Redactions["k\"\xff"] = 1, 2, 3
	tricky.Timings["tiny"] = 3 * time.Nanosecond
	tricky.Timings["huge"] = 90 * time.Hour
	tricky.Timings["neg"] = -5 * time.Microsecond
	tricky.Timings["zero"] = 0
	tricky.Decisions[0].Shadowed = []exchange.Decision{{
		Action: exchange.Deny, Rule: "shadow-rule", Shadow: true,
		Shadowed: []exchange.Decision{{Action: exchange.Allow, Reason: "nested"}},
	}}
	tricky.Decisions = append(tricky.Decisions, exchange.Decision{
		Action: exchange.Deny, ApprovalID: "ap-1", Reason: "r",
		Code: exchange.CodeApprovalDenied, ApprovedBy: "carol<\u2028",
	})
	tricky.Identity.Groups = []string{"a", "b\u2028"}
	tricky.Credentials = append(tricky.Credentials, exchange.Credential{Role: "r2"})
	tricky.ErrorCode, tricky.Error = "upstream_error", strings.Repeat("x", 5000)
	tricky.Disposition = exchange.Failed
	anon := &exchange.Exchange{ID: "a"}
	anon.Request.Headers = exchange.Headers{{Key: "X-Real-IP", Value: "::1"}}
	for name, x := range map[string]*exchange.Exchange{
		"sample": sampleExchange(1, "s"), "tricky": tricky, "empty": {ID: "m"}, "anonymous": anon,
	} {
		for _, stage := range []Stage{StageRequest, StageCompletion, StageEvent} {
			t.Run(name+"/"+string(stage), func(t *testing.T) {
				r := BuildRecord(x, stage, Product{Name: "warden", VendorName: "v<>", Version: "1"}, time.Now())
				if name == "empty" {
					r.Unmapped.Warden.Marker = &Marker{Kind: "spool_dropped", Count: 3, FirstIndex: 7, Bytes: 9}
					r.Unmapped.Warden.Event = "audit.spool_dropped"
					r.Unmapped.Warden.Truncated = &Truncation{OriginalBytes: 1, Removed: []string{"x"}}
					r.Metadata.Profiles = nil
					r.HTTPResponse = &HTTPResponse{Code: 500, HTTPHeaders: []HTTPHeader{{Name: "a", Value: "b"}}}
					r.API.Response = &APIResponse{Message: "m"}
				}
				if name == "anonymous" {
					r.Unmapped.Warden.Truncated = &Truncation{}
				}
				body, content, err := Encode(r)
				if err != nil {
					t.Fatal(err)
				}
				if want := reflectCanonical(t, r); !bytes.Equal(body, want) {
					t.Fatalf("hand-written encoding differs from the canonical form:\n got %s\nwant %s", body, want)
				}
				if want, _ := ContentHash(body); want != content {
					t.Fatal("content hash differs from the verifier's")
				}
			})
		}
	}
}

// TestSealRecordRoundTrips: the integrity object written by hand decodes to what was sealed.
func TestSealRecordRoundTrips(t *testing.T) {
	body, _, err := Encode(BuildRecord(sampleExchange(1, "s"), StageRequest, Product{}, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	in := Integrity{ChainID: "host-<\"x\">", Seq: 42, PrevHash: ZeroHash, ContentHash: "c", Hash: "h"}
	sealed, err := Seal(body, in)
	if err != nil {
		t.Fatal(err)
	}
	var r Record
	if err := json.Unmarshal(sealed, &r); err != nil {
		t.Fatalf("sealed record is not JSON: %v\n%s", err, sealed)
	}
	if r.Unmapped.Integrity == nil || *r.Unmapped.Integrity != in {
		t.Fatalf("integrity = %+v, want %+v", r.Unmapped.Integrity, in)
	}
	if c, _ := Canonical(sealed); !bytes.Equal(c, body) {
		t.Fatal("sealing changed the canonical content")
	}
}

// FuzzRecordEncoder: for any strings in an exchange, the hand-written encoder writes exactly the
// canonical form.
func FuzzRecordEncoder(f *testing.F) {
	f.Add("POST", "/p?token=x&a=<b>", "tool \"text\"\n\xff", "agent\u2028", "k", 1.5)
	f.Add("", "", "", "", "", 0.0)
	f.Fuzz(func(t *testing.T, method, path, text, agent, key string, ms float64) {
		x := sampleExchange(1, agent)
		x.Request.Method, x.Request.Path, x.Identity.Agent = method, path, agent
		x.ToolCalls[0].Text, x.ToolCalls[0].Name = text, key
		x.Redactions[key] = 4
		x.Error = text
		x.Request.Headers = append(x.Request.Headers, exchange.Header{Key: "Accept", Value: text})
		r := BuildRecord(x, StageCompletion, Product{Name: agent}, time.Now())
		if ms == ms && ms < 1e300 && ms > -1e300 { // finite: timings are durations
			r.Unmapped.Warden.TimingsMS[key] = ms
		}
		body, _, err := Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		if want := reflectCanonical(t, r); !bytes.Equal(body, want) {
			t.Fatalf("hand-written encoding differs from the canonical form:\n got %q\nwant %q", body, want)
		}
	})
}
