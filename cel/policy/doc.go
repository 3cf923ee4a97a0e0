// Package policy is warden's policy engine: the policy file format (YAML documents of kind Policy
// and PolicyTest), the CEL environment rules are written in (request, response, identity, llm,
// mcp, actions, inspection, creds and functions backed by warden's SQL, shell and Kubernetes parsers), and
// the compiled PolicySet that decides one phase of an exchange.
//
// Expressions are parsed, type-checked and cost-estimated once when a PolicySet is loaded; a
// rule whose worst-case cost exceeds the budget is refused. Decide builds the CEL activation
// once per phase and evaluates every rule of that phase under a runtime cost limit and the
// caller's context. The evaluation order, the conflict rule and the failure behaviour are
// documented in docs/policy.md.
//
// A Store holds the PolicySet in force behind an atomic pointer; a Watcher polls policy files
// and swaps in a new PolicySet only when it compiles, so a broken edit never replaces a working
// policy.
package policy
