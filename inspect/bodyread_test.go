package inspect

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestEncodedBodyReachesRecognisers: the URL-level recognisers and GraphQL read the body the
// server reads (Content-Encoding undone), not the compressed bytes: a gzip-encoded forced ref
// update is a force push, a gzip-encoded GraphQL mutation is judged as that mutation.
func TestEncodedBodyReachesRecognisers(t *testing.T) {
	f := Analyze(req("PATCH", "api.github.com", "/repos/o/r/git/refs/heads/main", gzipped(t, `{"sha": "abc", "force": true}`),
		"content-type: application/json", "content-encoding: gzip"))
	if len(f.Actions) != 1 || f.Actions[0].GitHub == nil || f.Actions[0].GitHub.Operation != "force_update_ref" || !f.Actions[0].Destructive {
		t.Fatalf("gzip-encoded forced ref update not read as one:%s", describe(f))
	}
	f = Analyze(req("POST", "api.example.com", "/graphql",
		gzipped(t, `mutation { deleteRepository(input: {repositoryId: "x"}) { clientMutationId } }`),
		"content-type: application/graphql", "content-encoding: gzip"))
	if len(f.Actions) != 1 || f.Actions[0].GraphQL == nil || f.Actions[0].GraphQL.ParseError != "" || !f.Actions[0].Destructive {
		t.Fatalf("gzip-encoded GraphQL mutation not read as one:%s", describe(f))
	}
}

// TestTextBodyReadOrReported: a plain-text body to a command endpoint is read as the script it
// is even when it begins like JSON ("{ ...; }" is a brace group, "[ ... ]" a test), and one too
// large or not UTF-8 is reported (truncated, ambiguous) instead of passing unread.
func TestTextBodyReadOrReported(t *testing.T) {
	for _, ct := range []string{"text/plain", ""} {
		for _, body := range []string{"{ rm -rf /srv; }", "[ -d /srv ] && rm -rf /srv"} {
			var h []string
			if ct != "" {
				h = []string{"content-type: " + ct}
			}
			f := Analyze(req("POST", "runner.corp", "/v1/exec", body, h...))
			if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindShell {
				t.Errorf("%q as %q: destructive %v%s", body, ct, kinds, describe(f))
			}
		}
	}
	big := strings.Repeat("echo ok\n", maxFormBody/8) + "rm -rf /srv\n"
	f := Analyze(req("POST", "runner.corp", "/v1/exec", big, "content-type: text/plain"))
	if !f.Inspection.Truncated || !f.Inspection.Executing {
		t.Errorf("text body over the limit: %+v", f.Inspection)
	}
	f = Analyze(req("POST", "runner.corp", "/v1/exec", "rm -rf /srv # \xff", "content-type: text/plain"))
	if !f.Inspection.Ambiguous || !f.Inspection.Executing {
		t.Errorf("text body that is not UTF-8: %+v", f.Inspection)
	}
	f = Analyze(req("POST", "runner.corp", "/v1/exec", `{"command": "rm -rf /srv"`, "content-type: application/json"))
	if !f.Inspection.Ambiguous {
		t.Errorf("declared JSON that does not parse: %+v", f.Inspection)
	}
}

// TestYAMLKeysThatAreNotStrings: a YAML mapping whose keys are not all strings is still walked,
// every value judged (a key yaml.v3 cannot hold in a Go map, such as a sequence, makes the body
// ambiguous).
func TestYAMLKeysThatAreNotStrings(t *testing.T) {
	for _, body := range []string{"1: rm -rf /srv\n", "command: ls\ntrue: rm -rf /srv\n", "~: rm -rf /srv\n"} {
		f := Analyze(req("POST", "runner.corp", "/v1/exec", body, "content-type: application/yaml"))
		if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindShell {
			t.Errorf("%q: destructive %v%s", body, kinds, describe(f))
		}
	}
	f := Analyze(req("POST", "runner.corp", "/v1/exec", "? [a, b]\n: rm -rf /srv\n", "content-type: application/yaml"))
	if !f.Inspection.Ambiguous {
		t.Errorf("sequence key: %+v", f.Inspection)
	}
}

// TestEmbeddedSQLPastActionLimit: SQL a command carries that no longer fits under the action
// limit is reported (truncated), not dropped.
func TestEmbeddedSQLPastActionLimit(t *testing.T) {
	var parts []string
	for range maxActions - 1 {
		parts = append(parts, `{"command": "ls /tmp"}`)
	}
	parts = append(parts, `{"command": "psql -c 'DROP TABLE users'"}`)
	f := Analyze(req("POST", "runner.corp", "/v1/exec", "["+strings.Join(parts, ",")+"]", "content-type: application/json"))
	if len(f.Actions) != maxActions || !f.Inspection.Truncated {
		t.Fatalf("%d actions, %+v", len(f.Actions), f.Inspection)
	}
}

// TestUnreadBodyTypeOnExecutingEndpoint: a body of a type no reader reads is reported on an
// endpoint that executes what it is sent (it may run it regardless of the type), and is not
// reported elsewhere.
func TestUnreadBodyTypeOnExecutingEndpoint(t *testing.T) {
	for _, ct := range []string{"application/octet-stream", "text/x-python", "application/x-tar"} {
		f := Analyze(req("POST", "runner.corp", "/v1/exec", "rm -rf /srv", "content-type: "+ct))
		if !f.Inspection.Ambiguous || !f.Inspection.Executing {
			t.Errorf("%s to a command endpoint: %+v", ct, f.Inspection)
		}
		f = Analyze(req("POST", "files.corp", "/v1/upload", "rm -rf /srv", "content-type: "+ct))
		if f.Inspection.Ambiguous || f.Inspection.Truncated {
			t.Errorf("%s to an upload endpoint: %+v", ct, f.Inspection)
		}
	}
}

// TestBinaryMultipartPartOnExecutingEndpoint: a multipart part that is not UTF-8 text is not
// read; on an executing endpoint that is reported, elsewhere (an upload) it is not.
func TestBinaryMultipartPartOnExecutingEndpoint(t *testing.T) {
	const ct = "content-type: multipart/form-data; boundary=x"
	body := "--x\r\nContent-Disposition: form-data; name=\"script\"; filename=\"run.sh\"\r\n\r\nrm -rf /srv # \xff\r\n--x--\r\n"
	f := Analyze(req("POST", "runner.corp", "/v1/exec", body, ct))
	if !f.Inspection.Ambiguous || !f.Inspection.Executing {
		t.Errorf("binary part to a command endpoint: %+v", f.Inspection)
	}
	f = Analyze(req("POST", "files.corp", "/v1/upload", body, ct))
	if f.Inspection.Ambiguous || f.Inspection.Truncated {
		t.Errorf("binary part to an upload endpoint: %+v", f.Inspection)
	}
}

// TestDecodedBodyIsNotDecodedAgain: the data plane removes the content-encoding before
// inspection and says so (Request.Decoded) while the header still names it; inspection reads
// those bytes as they are. Decoding them again failed, and a gzip-sent force push or chat
// request was inspected as an undecodable body (ambiguous, no action, no model).
func TestDecodedBodyIsNotDecodedAgain(t *testing.T) {
	r := req("PATCH", "api.github.com", "/repos/o/r/git/refs/heads/main", `{"sha": "abc", "force": true}`,
		"content-type: application/json", "content-encoding: gzip")
	r.Decoded = true
	f := Analyze(r)
	if f.Inspection.Ambiguous || len(f.Actions) != 1 || f.Actions[0].GitHub == nil || f.Actions[0].GitHub.Operation != "force_update_ref" {
		t.Fatalf("an already decoded body was not read as the force push it is:%s", describe(f))
	}
}
