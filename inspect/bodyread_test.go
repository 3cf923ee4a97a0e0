package inspect

import (
	"bytes"
	"compress/gzip"
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
