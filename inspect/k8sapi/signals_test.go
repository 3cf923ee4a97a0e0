package k8sapi

import "testing"

func TestMountPrefix(t *testing.T) {
	for _, tc := range []struct {
		prefix []string
		want   bool
	}{
		{[]string{"k8s", "clusters", "c-1"}, true},
		{[]string{"v1", "projects", "p", "locations", "global", "gkeMemberships", "m"}, true},
		{[]string{"openshift"}, true},
		{[]string{"Kube-Prod"}, true},
		{[]string{"v2", "service"}, false},
		{nil, false},
	} {
		if got := MountPrefix(tc.prefix); got != tc.want {
			t.Errorf("MountPrefix(%q) = %v, want %v", tc.prefix, got, tc.want)
		}
	}
}

func TestClientMediaType(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   bool
	}{
		{[]string{"application/json", "application/vnd.kubernetes.protobuf"}, true},
		{[]string{"application/apply-patch+yaml", ""}, true},
		{[]string{"Application/Strategic-Merge-Patch+JSON"}, true},
		{[]string{"", "application/json;as=Table;v=v1;g=meta.k8s.io"}, true},
		{[]string{"application/json", "application/json"}, false},
		{nil, false},
	} {
		if got := ClientMediaType(tc.values...); got != tc.want {
			t.Errorf("ClientMediaType(%q) = %v, want %v", tc.values, got, tc.want)
		}
	}
}
