package gqlparse

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// mutationRule is one destructive mutation, as data. when lists argument conditions of which one
// must hold ("" = always): "path=value", where path is dotted through the arguments (with the
// conventional input object merged in) and "[]" means any element of a list. A value the request
// does not supply matches (fail closed).
type mutationRule struct {
	name string
	when []string
	why  string
}

var zeroOID = strings.Repeat("0", 40)

// mutationRules are GitHub's destructive mutations that the name alone does not give away, and
// the conditions under which they destroy or weaken protection. Mutations whose name says they
// delete are caught by deletePrefixes.
var mutationRules = []mutationRule{
	{"updateRef", []string{"force=true"}, "updateRef with force rewrites a branch's history"},
	{"updateRefs", []string{"refUpdates.[].force=true", "refUpdates.[].afterOid=" + zeroOID}, "updateRefs force-updates or deletes refs"},
	{"createBranchProtectionRule", []string{"allowsForcePushes=true", "allowsDeletions=true"}, "branch protection that allows force pushes or deletions"},
	{"updateBranchProtectionRule", []string{
		"allowsForcePushes=true", "allowsDeletions=true", "isAdminEnforced=false",
		"requiresApprovingReviews=false", "requiresStatusChecks=false",
	}, "weakens branch protection (force pushes, deletions, admin bypass, reviews or checks)"},
	{"updateRepositoryRuleset", []string{"enforcement=DISABLED", "enforcement=EVALUATE"}, "disables a repository ruleset"},
	{"updateEnterpriseMembersCanDeleteRepositoriesSetting", []string{"settingValue=ENABLED"}, "lets members delete repositories"},
	{"removeOutsideCollaborator", nil, "removes a collaborator's access"},
	{"removeEnterpriseAdmin", nil, "removes an enterprise administrator"},
	{"removeEnterpriseMember", nil, "removes an enterprise member"},
	{"removeEnterpriseOrganization", nil, "removes an organization from the enterprise"},
	{"transferRepository", nil, "transfers a repository away"},
	{"archiveRepository", nil, "archives a repository (read-only for everyone)"},
	{"abortRepositoryMigration", nil, "aborts a repository migration"},
}

// deletePrefixes are the words a mutation name starts with when it destroys something.
var deletePrefixes = []string{"delete", "destroy", "drop", "purge", "truncate", "wipe", "erase", "nuke"}

var rulesByName = func() map[string]mutationRule {
	m := make(map[string]mutationRule, len(mutationRules))
	for _, r := range mutationRules {
		m[r.name] = r
	}
	return m
}()

// judgeMutation judges one top-level mutation field.
func judgeMutation(f *ast.Field, scope *valueScope) (bool, string) {
	if r, ok := rulesByName[f.Name]; ok {
		if len(r.when) == 0 {
			return true, f.Name + ": " + r.why
		}
		args := scope.args(f)
		for _, cond := range r.when {
			path, want, _ := strings.Cut(cond, "=")
			if matches(args, strings.Split(path, "."), want) {
				return true, f.Name + ": " + r.why + " (" + cond + ")"
			}
		}
		return false, ""
	}
	lower := strings.ToLower(f.Name)
	for _, p := range deletePrefixes {
		if rest, ok := strings.CutPrefix(lower, p); ok && (rest == "" || f.Name[len(p)] == '_' ||
			f.Name[len(p)] >= 'A' && f.Name[len(p)] <= 'Z' || rest == "s") {
			return true, f.Name + " deletes data"
		}
	}
	return false, ""
}

// matches reports whether the value at path equals want, or is not known.
func matches(v any, path []string, want string) bool {
	if _, ok := v.(unknown); ok {
		return true
	}
	if len(path) == 0 {
		switch x := v.(type) {
		case bool:
			return want == "true" && x || want == "false" && !x
		case string:
			return strings.EqualFold(x, want)
		case nil:
			return false
		}
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if path[0] == "[]" {
			return false
		}
		child, ok := x[path[0]]
		if !ok {
			return false
		}
		return matches(child, path[1:], want)
	case []any:
		if path[0] != "[]" {
			return false
		}
		for _, el := range x {
			if matches(el, path[1:], want) {
				return true
			}
		}
	}
	return false
}
