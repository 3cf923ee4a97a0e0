// Package policy is warden's policy engine: the policy file format (YAML documents of kind Policy
// and PolicyTest), the CEL environment rules are written in (request, response, identity, llm,
// mcp, actions, inspection, creds and functions backed by warden's SQL, shell and Kubernetes parsers), and
// the compiled Set that decides one phase of an exchange.
//
// Expressions are parsed, type-checked and cost-estimated once when a Set is loaded; a
// rule whose worst-case cost exceeds the budget is refused. Decide builds the CEL activation
// once per phase and evaluates every rule of that phase under a runtime cost limit and the
// caller's context. The evaluation order, the conflict rule and the failure behaviour are
// documented in docs/policy.md.
//
// A Store holds the Set in force behind an atomic pointer; a Watcher polls policy files
// and swaps in a new Set only when it compiles, so a broken edit never replaces a working
// policy.
package policy
