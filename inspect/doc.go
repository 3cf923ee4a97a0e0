// Package inspect turns an HTTP exchange into facts a policy can judge: the LLM request and the
// tool calls its response proposes, the MCP call, and every action warden understands in the
// request and response — SQL, shell, Kubernetes, AWS and GitHub calls — each analysed by a real
// parser (inspect/sqlparse, inspect/shparse, inspect/k8sapi, inspect/cloudapi).
//
// Analyze reads a request once (the body is decoded at most once, into map[string]any), and
// AddResponse / AddToolCalls add what the response proposes. Facts.CEL returns the CEL variables
// "llm", "mcp" and "actions"; Facts.ToolCalls returns the audit view.
//
// # Where actions come from
//
// From the URL (method, host, path, query, and for AWS the body and headers):
//   - GitHub REST calls: host api.github.com or a GitHub Enterprise /api/v3/ path (kind github,
//     source "request.url"). Such paths are never read as Kubernetes paths.
//   - AWS calls: *.amazonaws.com / *.api.aws hosts, or any host when the request carries a SigV4
//     signature, whose scope names the service (kind aws, source "request.url").
//   - Kubernetes REST calls (kind k8s, source "request.url"): /api/... and /apis/... paths, when
//     the resource is a built-in one, the group is a dotted API group, or the host looks like an
//     API server (port 6443, "kube", "k8s" in the name). An application's own /api/v1/users is
//     not mistaken for Kubernetes. Pod exec commands (repeated command= parameters) also become
//     a shell action with source "k8s.exec".
//
// From a JSON body (any depth), form-encoded body, or the URL query string, by field name
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
// LLM request bodies (Chat Completions, Responses, Messages) give llm facts, not actions: their
// message history holds calls that already ran. The calls that matter are those the response
// proposes: AddResponse (buffered JSON or whole SSE) and AddToolCalls (the streamed path, from
// llmapi.Guard) extract actions from each call's arguments with the tool name as context.
// Free-form arguments (custom tools) are read as SQL or shell when the tool name says so.
//
// # Unparsable input
//
// A body that is not JSON or form data gives no body-derived actions and no error. SQL or shell
// that does not parse in a field classified as such is kept as an action with parse_error set
// and destructive=false: the policy decides (the default pack fails closed on it). The one
// exception keeps look-alikes out: a command/cmd string that does not parse as shell outside an
// exec context (for example a chat-ops {"command": "turn on (the) lights"}) is not an action.
//
// Actions are sorted by source so that the CEL input and the audit record are deterministic.
package inspect
