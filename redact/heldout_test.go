package redact_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// heldoutBlock is one line of testdata/heldout/secrets-heldout.jsonl, a corpus
// written by a session that had not read this package (see its README).
type heldoutBlock struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Encoding    string   `json:"encoding"`
	ContentType string   `json:"content_type"`
	Text        string   `json:"text"`
	Secrets     []string `json:"secrets"`
}

func loadHeldout(t *testing.T, path string) []heldoutBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []heldoutBlock
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var b heldoutBlock
		if err := json.Unmarshal(sc.Bytes(), &b); err != nil {
			t.Fatalf("corpus line %d: %v", len(out)+1, err)
		}
		out = append(out, b)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// redactAs redacts a block the way the server does for its content type
// (pipeline.Redactor.Redact): an event stream, an NDJSON body or a JSON array
// (a Gemini stream buffered whole) event by event, so text that continues
// from event to event is one channel; other JSON value by value (falling back
// to text when it does not parse); anything else as text.
func redactAs(t *testing.T, eng *redact.Engine, contentType string, b []byte) []byte {
	t.Helper()
	if k := redact.KindOf(contentType); k == redact.KindSSE || k == redact.KindNDJSON ||
		k == redact.KindJSON && bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("[")) {
		s := eng.NewStream(k, redact.StreamOptions{Options: secretsOnly, MaxEvent: len(b) + 1})
		out, err := s.Write(b)
		if err != nil {
			t.Fatal(err)
		}
		rest, err := s.Close()
		if err != nil {
			t.Fatal(err)
		}
		return append(out, rest...)
	}
	if strings.Contains(contentType, "json") {
		out, _, err := eng.RedactJSON(b, secretsOnly)
		if err == nil {
			return out
		}
		if !errors.Is(err, redact.ErrInvalidJSON) {
			t.Fatal(err)
		}
	}
	out, _ := eng.Redact(b, secretsOnly)
	return out
}

// secretsOnly leaves PII alone: the corpus is about secrets, and its
// look-alikes contain e-mail addresses that the PII classes rightly redact.
var secretsOnly = redact.Options{Disable: redact.PII}

// survivor returns an 8-byte window of secret that is still in out.
func survivor(out []byte, secret string) (string, bool) {
	for i := 0; i+8 <= len(secret); i++ {
		if bytes.Contains(out, []byte(secret[i:i+8])) {
			return secret[i : i+8], true
		}
	}
	return "", false
}

// TestHeldoutCorpus: at least 97% of the secret blocks are fully redacted (no
// 8-byte window of a listed secret survives) and every look-alike block is
// left byte-identical, both through the content-type aware path and through
// the text stream `warden redact` uses.
//
// Six corpora, all written by sessions that had not read this package. The first
// (testdata/heldout) was written before the look-through work and then used to find what to
// fix, so it is no longer held out; it gates at the bar. The second (testdata/fresh)
// was written after that work; it arrived at 0.822 (one look-alike changed) and its misses
// were then fixed by class (keyed values, base64 found by its encoded credential words, hex
// look-through, argv flags, public keys kept), so it is no longer held out either and gates at
// the bar too. Its one remaining miss, b64-k8s-tls-key, is redacted whole; the 8-byte
// windows that survive are base64 of "-----BEGIN " shared with the certificate beside it,
// which must stay. The third (testdata/third) was held out from all that work and measures
// generalisation: 0.833 before it, 0.917 after, two look-alikes changed (secrets-third.md). The
// fourth (testdata/fourth) measured false positives of the keyed-value model: 0.905 of its
// secret blocks, 13 look-alikes changed; the keyed model's false positives were then fixed by
// class (look-alikes changed: third 1, fourth 2). The misses of the third and fourth were fixed by
// class (dotted values that are not code references, labels over values, positional CLI
// passwords, .pgpass, provider formats and UUID tokens by name, shell $'...' quoting, YAML
// continued quotes, quoted-printable bodies, event streams read as the server reads them), so
// neither is held out any more: the third reaches 0.992 by content type and 0.985 as a text
// stream (its SSE block is one channel only to the event-stream reader; its kubeconfig key is
// redacted whole, like fresh's TLS key, and only the certificate's "-----BEGIN " windows remain),
// the fourth 1.000; they gate there. The fifth (testdata/fifth) arrived at 0.793 with three
// look-alikes changed; after fx-recall5's classes (secrets-fifth.md) it reaches 0.983 by content
// type and 0.888 as a text stream (its split-stream blocks are one channel only to the
// event-stream reader), no look-alike changed, and gates at the lower of the two. The sixth
// (testdata/sixth) was held out from all of that: 0.769 / 0.701 and 8 look-alikes changed at the
// start, 0.803 / 0.735 and 5 after; it gates there, far below the bar. The seventh
// (testdata/seventh, written blind with code, tables, transcripts and rarer providers in mind)
// arrived at 0.777 by content type and 0.738 as a text stream, 6 look-alikes changed, measured
// on 53ec85d before any work against it; fixed against by class (fx7) it reaches 0.962 / 0.969.
// The eighth (testdata/eighth, a representative mix of a week's agent traffic, written blind
// while the sixth and seventh were being fixed) is the held-out measure of that work: 0.922 /
// 0.845 with 4 look-alikes changed at 53ec85d, 0.951 / 0.951 with the same 4 after it. Fixed
// against by class (fx8: values a tool marks secret, percent-encoded driver passwords, key-file
// key ids, other auth schemes and macaroons, prefix-free markers, netrc context, public keys kept
// in their public context) it reaches 1.000 / 1.000 with none changed; it is no longer held out.
// The ninth (testdata/ninth: an enterprise's week — Windows/.NET and Azure, JVM, data and ML,
// mobile, ops, some non-English prose) and a second benign corpus (testdata/benign2: a coding
// agent's traffic in codebases and data tools that name secrets without holding one) were
// written blind while fx8, scan3 and sse3 worked: the ninth scored 0.888 / 0.888 (5 / 4
// look-alikes changed) at b7cd93e and 0.897 / 0.897 (5 / 4) after that work; benign2 7 of 222
// blocks changed at b7cd93e, 6 after. Both were then fixed against, so neither is held out any
// more. fx9 fixed the ninth's
// classes of Java keystore flags, Azure account keys, API-key headers, tools' key arguments and
// escaped PagerDuty keys, Apple app-specific passwords, and kept certificate thumbprints, PagerDuty
// incident keys, `#{Var}#` pipeline tokens and Datadog browser client tokens: 0.966 / 0.966 (1 / 1
// look-alike changed, none new). benign2 was fixed
// against by class (fxb2, rules_benign2_keep.go: the next keyword argument after `password,`,
// scheduler run ids, password hashes in their storage formats, settings in a Kubernetes Secret):
// 0 of 222 changed, and gates there.
func TestHeldoutCorpus(t *testing.T) {
	for _, c := range []struct {
		path       string
		min        float64
		lookalikes int // look-alike blocks allowed to change
	}{
		{"testdata/heldout/secrets-heldout.jsonl", 0.97, 0},
		{"testdata/fresh/secrets-fresh.jsonl", 0.97, 0},
		{"testdata/third/secrets-third.jsonl", 0.98, 1},     // see testdata/third/secrets-third.md
		{"testdata/fourth/secrets-fourth.jsonl", 1.00, 2},   // false positives fixed by class: see testdata/fourth/secrets-fourth.md
		{"testdata/fifth/secrets-fifth.jsonl", 0.98, 0},     // 0.983 in both modes since the text path reads event framing: see testdata/fifth/secrets-fifth.md
		{"testdata/sixth/secrets-sixth.jsonl", 0.97, 0},     // after fx6-ctx/-prov/-stream's classes: see testdata/sixth/secrets-sixth.md
		{"testdata/seventh/secrets-seventh.jsonl", 0.96, 0}, // arrived 0.777 / 0.738 (6 look-alikes) at 53ec85d; 0.962 / 0.969 (0) after fx7's classes
		{"testdata/eighth/secrets-eighth.jsonl", 1.00, 0},   // held out: 0.922 / 0.845 at 53ec85d, 0.951 / 0.951 (4 look-alikes) at b7cd93e; 1.000 / 1.000 (0) after fx8's classes
		{"testdata/ninth/secrets-ninth.jsonl", 0.96, 1},     // 0.888 / 0.888 at b7cd93e, 0.897 / 0.897 at f23a8ca, 0.966 / 0.966 after fx9
		{"testdata/benign2/benign2.jsonl", 0, 0},            // benign, held out: 7 of 222 blocks changed at b7cd93e, 6 at f23a8ca, 0 after fxb2's classes (rules_benign2_keep.go)
		{"testdata/benign/benign.jsonl", 0, 0},              // benign traffic only, written blind: 9 of 220 blocks changed at 53ec85d and at a869c5d, 0 after fxb's classes (rules_benign_keep.go)
	} {
		t.Run(c.path, func(t *testing.T) { heldoutCorpus(t, c.path, c.min, c.lookalikes) })
	}
}

func heldoutCorpus(t *testing.T, path string, min float64, lookalikes int) {
	eng := engine(t)
	blocks := loadHeldout(t, path)
	for _, mode := range []string{"by-content-type", "text-stream"} {
		t.Run(mode, func(t *testing.T) {
			secrets, redacted, changed := 0, 0, 0
			for _, b := range blocks {
				in := []byte(b.Text)
				var out []byte
				if mode == "text-stream" {
					out = streamSecrets(t, eng, splitAt(in, len(in)/3, 2*len(in)/3))
				} else {
					out = redactAs(t, eng, b.ContentType, in)
				}
				if b.Kind == "lookalike" {
					if !bytes.Equal(out, in) {
						t.Logf("look-alike %s (%s) changed:\n%s", b.ID, b.Encoding, out)
						changed++
					}
					continue
				}
				secrets++
				leaked := false
				for _, s := range b.Secrets {
					if w, bad := survivor(out, s); bad {
						t.Logf("secret block %s (%s): %q survives:\n%s", b.ID, b.Encoding, w, out)
						leaked = true
						break
					}
				}
				if !leaked {
					redacted++
				}
			}
			if secrets == 0 { // a corpus of look-alikes only
				t.Logf("%s: %d of %d look-alike blocks changed", mode, changed, len(blocks))
			}
			ratio := float64(redacted) / float64(max(secrets, 1))
			if secrets > 0 {
				t.Logf("%s: %d/%d secret blocks fully redacted (%.3f), %d look-alikes changed", mode, redacted, secrets, ratio, changed)
			}
			if secrets > 0 && ratio < min {
				t.Errorf("%s: %.3f of secret blocks fully redacted, want >= %.2f", mode, ratio, min)
			}
			if changed > lookalikes {
				t.Errorf("%s: %d look-alike blocks changed, want at most %d", mode, changed, lookalikes)
			}
		})
	}
}

func streamSecrets(t *testing.T, eng *redact.Engine, chunks [][]byte) []byte {
	t.Helper()
	s := eng.NewStream(redact.KindText, redact.StreamOptions{Options: secretsOnly})
	var out []byte
	for _, c := range chunks {
		o, err := s.Write(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o...)
	}
	o, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	return append(out, o...)
}
