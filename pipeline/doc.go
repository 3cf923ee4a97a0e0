// Package pipeline holds warden's stages: the small adapters that fit the domain packages
// (identity/, creds/, inspect/, cel/policy, approval/, redact/, audit/) to the stage interfaces
// extproc declares, and the decisions that belong to no single domain package — which headers
// never go upstream, which credential role a route uses, what a require_approval decision
// becomes (consume → request → hold → wait), how a Vault error is answered, what an audit record
// and an approver may see.
//
// Each stage is its own type; no stage wraps another. Every dependency is a small interface
// declared here, where it is used, so each stage is tested against fakes. cmd/warden/mainlib
// builds the components from configuration and assembles one extproc.Pipeline from them;
// `warden check` runs the same stages through Check.
package pipeline
