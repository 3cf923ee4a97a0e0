package cloudapi

import "testing"

// TestDryRunOnlyWhenUnambiguous: a destroying call is a dry run only when the dry-run
// parameter is where the server reads the call's parameters and every value of it says so.
func TestDryRunOnlyWhenUnambiguous(t *testing.T) {
	const terminate = "Action=TerminateInstances&InstanceId.1=i-0abc&Version=2016-11-15"
	aws := []struct {
		name string
		path string
		body string
		dry  bool
	}{
		{"form DryRun", "/", terminate + "&DryRun=true", true},
		{"query DryRun", "/?" + terminate + "&DryRun=true", "", true},
		{"DryRun in the query, action in the form", "/?DryRun=true", terminate, false},
		{"DryRun true then false", "/", terminate + "&DryRun=true&DryRun=false", false},
		{"DryRun false then true", "/", terminate + "&DryRun=false&DryRun=true", false},
	}
	for _, tc := range aws {
		c, ok := AWS(req("POST", "ec2.us-east-1.amazonaws.com", tc.path, tc.body, "content-type", form))
		if !ok || c.Action != "TerminateInstances" || c.DryRun != tc.dry || c.Destructive == tc.dry {
			t.Errorf("%s: %+v", tc.name, c)
		}
	}
	rest := []struct {
		query map[string][]string
		dry   bool
	}{
		{map[string][]string{"validateOnly": {"true"}}, true},
		{map[string][]string{"validateOnly": {"true", "false"}}, false},
		{map[string][]string{"validateOnly": {"true"}, "dryRun": {"false"}}, false},
		{map[string][]string{"dryRun": {"All"}}, true},
	}
	for _, tc := range rest {
		if got := isDryRun(tc.query); got != tc.dry {
			t.Errorf("isDryRun(%v) = %v, want %v", tc.query, got, tc.dry)
		}
	}
}

// TestShapeBodyDryRunScope: a body's dry-run flag exempts a delete-all only where it is the
// call's option (top level, or an options object), set to true with no dry-run key saying
// otherwise; one deep in the data does not.
func TestShapeBodyDryRunScope(t *testing.T) {
	empty := map[string]any{}
	cases := []struct {
		name string
		body map[string]any
		dry  bool
	}{
		{"top level", map[string]any{"filter": empty, "dryRun": true}, true},
		{"options object", map[string]any{"filter": empty, "options": map[string]any{"dry_run": "true"}}, true},
		{"JSON:API attributes", map[string]any{"filter": empty, "data": map[string]any{"attributes": map[string]any{"plan-only": true}}}, true},
		{"deep in the data", map[string]any{"filter": empty, "notify": map[string]any{"email": map[string]any{"preview": true}}}, false},
		{"contradicted", map[string]any{"filter": empty, "dryRun": true, "dry_run": false}, false},
		{"none", map[string]any{"filter": empty}, false},
	}
	for _, tc := range cases {
		c, ok := Shape("POST", "api.example.com", []string{"v1", "records", "deleteMany"}, nil, tc.body)
		if !ok || c.DryRun != tc.dry || c.Destructive == tc.dry {
			t.Errorf("%s: %+v", tc.name, c)
		}
	}
}
