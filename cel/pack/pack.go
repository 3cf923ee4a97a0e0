// Package pack embeds warden's default policy pack: the Policy documents that deny or hold
// destructive SQL, shell, Kubernetes, AWS and GitHub actions, and the PolicyTest documents that
// pin their behaviour. docs/policy.md describes every rule.
package pack

import "embed"

// FS holds the pack's *.yaml files at its root.
//
//go:embed *.yaml
var FS embed.FS
