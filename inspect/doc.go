// Package inspect turns an HTTP exchange into facts a policy can judge: the LLM request and the
// tool calls its response proposes, the MCP call, and every action warden understands in the
// request and response — SQL, shell, Kubernetes, AWS and GitHub calls — each analysed by a real
// parser (inspect/sqlparse, inspect/shparse, inspect/k8sapi, inspect/cloudapi).
//
// Analyze reads a request once (the body is decoded at most once, into map[string]any), and
// AddResponse / AddToolCalls add what the response proposes. Facts.CEL returns the CEL variables
// "llm", "mcp" and "actions"; Facts.ToolCalls returns the audit view.
//
// # One canonical request
//
// Before any recogniser runs, the request is canonicalised once (canon.go): the methods in play
// (the request's own and every override: X-HTTP-Method-Override, X-HTTP-Method,
// X-Method-Override, a _method query, form, multipart or JSON field) are all tried and the worst
// reading wins; the path is percent-decoded (and, when that changes it, decoded a second time
// as a second reading), with duplicate slashes, backslashes and dot segments resolved; the host
// is lower-cased without port or trailing dots. Bodies are read once by content type (body.go):
// a UTF-8 BOM is dropped; JSON keeps every value of a repeated key; form-encoded and
// multipart/form-data fields (text parts of uploads too) become values; text/plain and
// script types are read as SQL on a SQL endpoint and as a script on an executing one, and
// elsewhere as any string value is. The Content-Encoding (gzip, deflate, br, zstd) is undone
// first; YAML, XML and newline-delimited JSON bodies are walked as JSON is (docs/inspection.md).
//
// # Where actions come from
//
// From the URL (method, host, path, query, and for AWS the body and headers):
//   - GitHub REST calls (kind github): host api.github.com, a GitHub Enterprise /api/v3/ path
//     under any prefix, a route prefix naming GitHub (/github/repos/...), or GitHub's own headers
//     (X-GitHub-Api-Version, Accept: application/vnd.github+json) when the host says nothing.
//     Routes match case-insensitively; /repositories/{id} is the repository alias. Writes that
//     weaken branch protection or rulesets are destructive (weaken_protection).
//   - AWS calls (kind aws): *.amazonaws.com / *.api.aws hosts, or any host when the request
//     carries a SigV4 signature, whose scope names the service. DryRun=true is not destructive.
//   - Kubernetes REST calls (kind k8s): /api/... and /apis/... at the root or mounted under a
//     prefix (/k8s/, Rancher /k8s/clusters/{id}/, GKE Connect .../gkeMemberships/{m}/, the
//     dashboard's /api/v1/_raw/), when the resource is a built-in one, the group is dotted, the
//     host or prefix names Kubernetes, or the content type is one only Kubernetes clients send.
//     An application's own /api/v1/users is not Kubernetes. ?dryRun=All is not destructive.
//     Pod exec commands also become a shell action with source "k8s.exec".
//   - Control-plane REST calls (kind rest, cloudapi.REST): Google Cloud (*.googleapis.com or a
//     /gcp/ prefix; DELETE and :delete/:destroy/:purge), Azure Resource Manager and data planes,
//     PostgREST (DELETE or PATCH without a row filter), Neon and other platform APIs, Argo CD.
//   - Any other API, judged by the shape of the request (kind rest, provider "api",
//     cloudapi.Shape; docs/inspection.md): a DELETE of an infrastructure or administrative
//     resource, a destroy verb (POST .../delete, _delete_by_query, :purge, an RPC "action"), a
//     bulk delete whose filter is absent, empty or match-all, a body flag asking for
//     destruction ("is-destroy": true). Not for LLM or MCP calls, nor an MCP session's DELETE.
//   - Administrator grants on any API (privilege.go): a binding or role assignment naming
//     cluster-admin, owner, roles/owner, AdministratorAccess, ... sets Action.Escalation.
//
// From a JSON body (any depth, top-level arrays, JSON decoded from inside strings up to 4
// levels), form or multipart body, or the URL query string. Every string value of any key is a
// candidate (candidate.go): read as SQL when it parses and the context is confident (a SQL or
// executing endpoint or tool, a key named for SQL, or a statement keyword in capitals), and as a
// command line when it is destructive and the context executes commands. An object describing
// an HTTP request ({"method": "DELETE", "url": ...}, fetch-style options) is judged as that
// request (JudgeEmbeddedHTTP, AddEmbeddedHTTP), with the same recognisers. A tool named for a
// program (a "kubectl" or "redis_command" tool) has its arguments read as that program's.
// A string that spells out an HTTP message ("DELETE /repos/o/r HTTP/1.1\r\nHost: ...") in a
// tool call or executing context is parsed with net/http and judged the same way (rawhttp.go);
// a data store's own command in any argument (FLUSHALL, db.users.drop()) is judged as the CLI
// that runs it (datastore.go). A body that is JSON encoded as a JSON string is decoded again,
// up to 4 times (then inspection.truncated).
// Beyond that, by field name
// (case-insensitive; sources look like "request.body.params.sql", "request.query.query",
// "mcp.arguments.command", "llm.tool_calls[0].arguments.query"):
//   - SQL: string fields query, sql, sql_query, statement, statements, and querystring (Athena)
//     (and arrays of strings in them). A field is SQL when the context is a SQL context — for request bodies the host and
//     path, for MCP calls the tool name and the endpoint, for LLM tool calls the tool name —
//     naming sql, postgres, mysql, sqlite, snowflake, bigquery, redshift, clickhouse, duckdb,
//     athena, trino, databricks, statement, or the words db/database/warehouse; or when the text
//     is SQL by itself: it starts with a SQL keyword (after blanks, comments and parentheses)
//     and either parses or has SQL structure (DROP TABLE, DELETE FROM, UPDATE ... SET, ...).
//     "query" alone is not a SQL context: {"query":"best pizza"} on a search API and GraphQL
//     {"query":"query { ... }"} are not actions, and neither is "show me the best pizza".
//   - Shell: string fields command, cmd, shell, and script (script only in an exec context or
//     with a #!/bin/sh-style line); arrays of strings in argv, command, cmd (and args in an exec
//     context, or joined to a sibling command/cmd/program string as {"command":"rm",
//     "args":["-rf","/"]}) when the first element looks like a program; arrays in commands (each
//     element a command line, as in OpenAI's shell tool). An exec context is an MCP or LLM tool
//     call, or a host/path naming exec, run, shell, bash, command, terminal, ssh, sandbox, job,
//     task, pod, container, script, ...
//   - Embedded languages: SQL carried by a shell command (psql -c, mysql -e, ...) becomes its own
//     sql action with source "<shell source>.embedded[i]".
//
// LLM request bodies (Chat Completions, Responses, Messages, Bedrock Converse, Gemini; found by
// path, including Bedrock, Vertex and Azure paths, or by body shape on any host) give llm facts,
// not actions: their
// message history holds calls that already ran. The calls that matter are those the response
// proposes: AddResponse (buffered JSON or whole SSE) and AddToolCalls (the streamed path, from
// llmapi.Guard) extract actions from each call's arguments with the tool name as context.
// Free-form arguments (custom tools) are read as SQL or shell when the tool name says so.
//
// # Limits and unparsable input
//
// Every limit sets Facts.Inspection.Truncated with a reason, and input that admits more than
// one reading sets Inspection.Ambiguous (inspection.go); the default pack denies or holds such
// exchanges on executing endpoints. A body that is not JSON or form data otherwise gives no
// body-derived actions and no error. SQL or shell
// that does not parse in a field classified as such is kept as an action with parse_error set
// and destructive=false: the policy decides (the default pack fails closed on it). The one
// exception keeps look-alikes out: a command/cmd string that does not parse as shell outside an
// exec context (for example a chat-ops {"command": "turn on (the) lights"}) is not an action.
//
// Actions are sorted by source so that the CEL input and the audit record are deterministic.
package inspect
