package refusal

import (
	"strconv"

	"github.com/warden-gw/warden/exchange"
)

// githubError is the GitHub REST API's error body. go-github returns it as an *ErrorResponse
// whose Error() is "<METHOD> <url>: <status> <message> []", Octokit as RequestError.message.
type githubError struct {
	Message          string `json:"message"`
	DocumentationURL string `json:"documentation_url"`
	Status           string `json:"status"`
}

// graphQLErrors is GitHub's GraphQL answer to a query it refuses to run for this caller: status
// 200, no data, and errors typed FORBIDDEN, which GraphQL clients raise.
type graphQLErrors struct {
	Data   *struct{}      `json:"data"`
	Errors []graphQLError `json:"errors"`
}

type graphQLError struct {
	Type       string         `json:"type"`
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// githubReply answers as GitHub does: REST with {message, documentation_url} and the status;
// GraphQL with 200 and a FORBIDDEN error for a policy refusal (GitHub answers authorization
// failures inside GraphQL that way), and with the REST body and the status for everything else
// (GitHub's own 401 and 5xx on /graphql are REST-shaped).
func githubReply(p Protocol, r Refusal) Reply {
	msg := Message(r)
	if p == GitHubGraphQL && r.Status == 403 {
		e := graphQLError{Type: "FORBIDDEN", Message: msg, Extensions: map[string]any{"warden": bodyOf(r)}}
		return Reply{
			Status:  200,
			Headers: []exchange.Header{{Key: "content-type", Value: "application/json; charset=utf-8"}},
			Body:    mustJSON(graphQLErrors{Errors: []graphQLError{e}}),
		}
	}
	h := []exchange.Header{{Key: "content-type", Value: "application/json; charset=utf-8"}}
	h = withHeader(h, "x-github-request-id", r.RequestID)
	return Reply{
		Status:  r.Status,
		Headers: h,
		Body:    mustJSON(githubError{Message: msg, DocumentationURL: DocumentationURL, Status: strconv.Itoa(r.Status)}),
	}
}
