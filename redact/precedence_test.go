package redact_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// TestPrecedenceIsDeterministic: when two rules match the same bytes, the
// rule that names the finding (marker and per-rule count) does not depend on
// how many unrelated findings share the body.
func TestPrecedenceIsDeterministic(t *testing.T) {
	eng := engine(t)
	// hashicorp-tf-api-token and terraform-cloud-token describe the same format;
	// github-pat (checksum) and generic-password overlap on the value.
	tf := "Ab3dEf5hIj7kLm.atlasv1." + strings.Repeat("Zq9Xw2Vb", 8)
	gh := samples(t)[0]
	for _, s := range samples(t) {
		if s.Rule == "github-pat" {
			gh = s
		}
	}
	cases := []struct {
		line, want string
	}{
		{"TF_TOKEN=" + tf, "hashicorp-tf-api-token"},
		{`password = "` + gh.Secret + `"`, "github-pat"},
	}
	for _, c := range cases {
		for n := 0; n <= 64; n++ {
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "mail user%d@example.org or card 4111 1111 1111 1111\n", i)
			}
			b.WriteString(c.line + "\n")
			fs := eng.Scan([]byte(b.String()), redact.Options{})
			last := fs[len(fs)-1]
			if last.Rule != c.want {
				t.Fatalf("with %d unrelated findings, %q is named %q, want %q", 2*n, c.line, last.Rule, c.want)
			}
		}
	}
}
