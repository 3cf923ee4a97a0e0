package gqlparse

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestDestructiveMutations(t *testing.T) {
	tests := []struct {
		name, doc, vars, reason string
	}{
		{"deleteRef", `mutation { deleteRef(input: {refId: "R_1"}) { clientMutationId } }`, "", "deleteRef"},
		{"aliased", `mutation { ok: deleteRepository(input: {repositoryId: "R"}) { clientMutationId } }`, "", "deleteRepository"},
		{"deleteIssue", `mutation D { deleteIssue(input: {issueId: "I"}) { repository { id } } }`, "", "deleteIssue"},
		{"deleteProjectV2", `mutation { deleteProjectV2(input: {projectId: "P"}) { projectV2 { id } } }`, "", "deleteProjectV2"},
		{"delete branch protection", `mutation { deleteBranchProtectionRule(input: {branchProtectionRuleId: "B"}) { clientMutationId } }`, "", "deleteBranchProtectionRule"},
		{"force updateRef", `mutation { updateRef(input: {refId: "R", oid: "abc", force: true}) { ref { name } } }`, "", "force"},
		{"force from variables", `mutation($in: UpdateRefInput!) { updateRef(input: $in) { ref { name } } }`, `{"in": {"refId": "R", "oid": "a", "force": true}}`, "force"},
		{"force variable missing", `mutation($f: Boolean) { updateRef(input: {refId: "R", oid: "a", force: $f}) { ref { name } } }`, "", "force"},
		{"updateRefs delete", `mutation { updateRefs(input: {repositoryId: "R", refUpdates: [{name: "refs/heads/main", afterOid: "0000000000000000000000000000000000000000"}]}) { clientMutationId } }`, "", "updateRefs"},
		{"protection allows force pushes", `mutation { updateBranchProtectionRule(input: {branchProtectionRuleId: "B", allowsForcePushes: true}) { clientMutationId } }`, "", "allowsForcePushes"},
		{"protection allows deletions on create", `mutation { createBranchProtectionRule(input: {repositoryId: "R", pattern: "main", allowsDeletions: true}) { clientMutationId } }`, "", "allowsDeletions"},
		{"via fragment", `mutation { ...F } fragment F on Mutation { deleteRef(input: {refId: "R"}) { clientMutationId } }`, "", "deleteRef"},
		{"via inline fragment", `mutation { ... on Mutation { deleteIssue(input: {issueId: "I"}) { clientMutationId } } }`, "", "deleteIssue"},
		{"second of two mutations", `mutation { addStar(input: {starrableId: "S"}) { clientMutationId } deleteRef(input: {refId: "R"}) { clientMutationId } }`, "", "deleteRef"},
		{"hasura delete", `mutation { delete_users(where: {}) { affected_rows } }`, "", "delete_users"},
		{"second operation of document", `query Q { viewer { login } } mutation M { deleteRef(input: {refId: "R"}) { clientMutationId } }`, "", "deleteRef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var vars map[string]any
			if tt.vars != "" {
				if err := json.Unmarshal([]byte(tt.vars), &vars); err != nil {
					t.Fatal(err)
				}
			}
			r := Analyze(tt.doc, vars)
			if r.ParseError != "" || !r.Destructive {
				t.Fatalf("Analyze = %+v, want destructive", r)
			}
			if !strings.Contains(strings.Join(r.Reasons, ";"), tt.reason) {
				t.Errorf("reasons %q, want one containing %q", r.Reasons, tt.reason)
			}
		})
	}
}

func TestBenignOperations(t *testing.T) {
	for _, doc := range []string{
		`query { repository(owner: "acme", name: "app") { refs(first: 10, refPrefix: "refs/heads/") { nodes { name } } } }`,
		`{ viewer { login } }`,
		`query($n: Int = 5) { viewer { repositories(first: $n) { nodes { deleteBranchOnMerge name } } } }`,
		`mutation { updateRef(input: {refId: "R", oid: "abc"}) { ref { name } } }`,
		`mutation { updateRef(input: {refId: "R", oid: "abc", force: false}) { ref { name } } }`,
		`mutation { updateBranchProtectionRule(input: {branchProtectionRuleId: "B", requiresApprovingReviews: true}) { clientMutationId } }`,
		`mutation { addComment(input: {subjectId: "I", body: "please deleteRef later"}) { clientMutationId } }`,
		`mutation { createIssue(input: {repositoryId: "R", title: "drop table users is slow"}) { issue { id } } }`,
		`subscription { issueDeleted { id } }`,
	} {
		t.Run(doc, func(t *testing.T) {
			r := Analyze(doc, nil)
			if r.ParseError != "" || r.Destructive || len(r.Operations) == 0 {
				t.Errorf("Analyze = %+v, want understood and not destructive", r)
			}
		})
	}
}

func TestFromJSON(t *testing.T) {
	tests := []struct {
		body        string
		ok, destroy bool
		parseErr    bool
	}{
		{`{"query": "mutation($id: ID!) { deleteRef(input: {refId: $id}) { clientMutationId } }", "variables": {"id": "R"}}`, true, true, false},
		{`[{"query": "{ viewer { login } }"}, {"query": "mutation { deleteIssue(input: {issueId: \"I\"}) { clientMutationId } }"}]`, true, true, false},
		{`{"query": "mutation($i: UpdateRefInput!) { updateRef(input: $i) { clientMutationId } }", "variables": "{\"i\": {\"force\": true}}"}`, true, true, false},
		{`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}`, true, false, true},
		{`{"query": "mutation { deleteRef(input: {refId: \"R\"}) { clientMutationId }"}`, true, false, true},
		{`{"query": "SELECT * FROM users"}`, false, false, false},
		{`{"query": "how do I delete a ref"}`, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			var body any
			if err := json.Unmarshal([]byte(tt.body), &body); err != nil {
				t.Fatal(err)
			}
			r, _, ok := FromJSON(body)
			if ok != tt.ok || r.Destructive != tt.destroy || (r.ParseError != "") != tt.parseErr {
				t.Errorf("FromJSON = %+v ok=%v, want ok=%v destructive=%v parse error=%v", r, ok, tt.ok, tt.destroy, tt.parseErr)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	big := "{ " + strings.Repeat("a ", MaxInputBytes/2) + "}"
	if r := Analyze(big, nil); r.ParseError == "" {
		t.Error("oversized document parsed")
	}
	deep := "mutation { ...F0 } "
	for i := 0; i < maxFragmentDep+2; i++ {
		deep += "fragment F" + strconv.Itoa(i) + " on Mutation { ...F" + strconv.Itoa(i+1) + " } "
	}
	deep += "fragment F" + strconv.Itoa(maxFragmentDep+2) + " on Mutation { deleteRef(input: {refId: \"R\"}) { clientMutationId } }"
	if r := Analyze(deep, nil); r.ParseError == "" || r.Destructive {
		t.Errorf("fragments deeper than the limit: %+v, want a parse error", r)
	}
	loop := "mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }"
	if r := Analyze(loop, nil); r.ParseError == "" {
		t.Errorf("fragment cycle: %+v, want a parse error", r)
	}
}
