package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v84/github"
)

const githubRefusalPolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata: {name: sdk-refusals-github}
spec:
  rules:
  - name: github-keep-prod-repo
    when: request.method == "DELETE" && request.path == "/repos/acme/prod"
    action: deny
    message: the prod repository is never deleted by an agent
  - name: github-repo-delete-needs-a-human
    when: request.method == "DELETE" && request.path.startsWith("/repos/acme/")
    action: require_approval
    message: deleting a repository needs an approver
  - name: github-graphql-no-ref-deletes
    when: request.path == "/graphql" && request.body.raw.contains("deleteRef")
    action: deny
    message: refs are never deleted by an agent
`

// TestGoGitHubReadsWardensRefusals drives go-github through warden: a refusal is the
// *ErrorResponse GitHub's own 403 makes, its Message naming the rule, the request id and the
// approval id (before, go-github printed "403  []"). A GraphQL mutation is refused the way
// GitHub refuses one: 200 with a FORBIDDEN error.
func TestGoGitHubReadsWardensRefusals(t *testing.T) {
	rig := startSDKRig(t, githubRefusalPolicy, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("content-type", "application/json")
		switch {
		case r.URL.Path == "/graphql":
			_, _ = w.Write([]byte(`{"data":{"viewer":{"login":"octocat"}}}`))
		case r.Method == http.MethodGet:
			_, _ = w.Write([]byte(`{"id":1,"name":"docs","full_name":"acme/docs"}`))
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	gh := github.NewClient(nil)
	base, err := url.Parse(rig.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	gh.BaseURL = base
	ctx := context.Background()

	errorResponse := func(t *testing.T, err error) *github.ErrorResponse {
		t.Helper()
		var er *github.ErrorResponse
		if !errors.As(err, &er) {
			t.Fatalf("go-github returned %T (%v), want *github.ErrorResponse", err, err)
		}
		if er.Response.StatusCode != 403 || er.DocumentationURL == "" {
			t.Errorf("status %d documentation_url %q", er.Response.StatusCode, er.DocumentationURL)
		}
		return er
	}

	t.Run("allowed", func(t *testing.T) {
		repo, _, err := gh.Repositories.Get(ctx, "acme", "docs")
		if err != nil || repo.GetFullName() != "acme/docs" {
			t.Fatalf("an allowed get: %v %+v", err, repo)
		}
	})
	t.Run("denied", func(t *testing.T) {
		_, err := gh.Repositories.Delete(ctx, "acme", "prod")
		wantInError(t, err, "403 warden denied this request", "the prod repository is never deleted", "rule github-keep-prod-repo")
		er := errorResponse(t, err)
		rig.wantRecorded(t, requestIDIn(t, er.Message), "github-keep-prod-repo")
		if rig.reached("DELETE /repos/acme/prod") {
			t.Error("the denied delete reached GitHub")
		}
	})
	t.Run("approval required", func(t *testing.T) {
		_, err := gh.Repositories.Delete(ctx, "acme", "staging")
		wantInError(t, err, "warden requires a human approval", "rule github-repo-delete-needs-a-human", "retry the same request")
		approvalIDIn(t, errorResponse(t, err).Message)
	})

	t.Run("graphql", func(t *testing.T) {
		post := func(query string) (int, []byte) {
			body, _ := json.Marshal(map[string]string{"query": query})
			req, err := http.NewRequest(http.MethodPost, rig.url+"/graphql", strings.NewReader(string(body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "api.github.com"
			req.Header.Set("content-type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b
		}
		if code, b := post(`{ viewer { login } }`); code != 200 || !strings.Contains(string(b), "octocat") {
			t.Fatalf("an allowed query: %d %s", code, b)
		}
		code, b := post(`mutation { deleteRef(input: {refId: "r1"}) { clientMutationId } }`)
		var out struct {
			Data   any
			Errors []struct{ Type, Message string }
		}
		if err := json.Unmarshal(b, &out); err != nil || code != 200 || out.Data != nil || len(out.Errors) != 1 {
			t.Fatalf("refused mutation: %d %s (%v)", code, b, err)
		}
		if e := out.Errors[0]; e.Type != "FORBIDDEN" || !strings.Contains(e.Message, "rule github-graphql-no-ref-deletes") {
			t.Errorf("GraphQL error %+v", e)
		}
	})
}
