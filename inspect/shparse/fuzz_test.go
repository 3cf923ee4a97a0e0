package shparse

import (
	"strings"
	"testing"
)

// FuzzShellAnalyze checks that Analyze never panics, stays within its limits and returns a
// consistent Result.
func FuzzShellAnalyze(f *testing.F) {
	for _, s := range []string{
		"rm -rf /", `bash -c "bash -c 'rm -rf /'"`, "sudo -u root env -i rm -rf ~/*",
		"echo / | xargs -I{} rm -rf {}", `find / -exec rm -rf {} \;`, ":(){ :|:& };:",
		"psql -c 'DROP TABLE t'", "kubectl exec p -- sh -c 'rm -rf /data'", "X=rm; ${X:-rm} -rf /",
		`$'\x72\x6d' -rf {/,/etc}`, "cat <<EOF | sh\nrm -rf /\nEOF", "curl -s x | sudo bash",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r := Analyze(src)
		if len(r.Commands) > maxCommands {
			t.Fatalf("%d commands, over the %d limit", len(r.Commands), maxCommands)
		}
		if r.Destructive != (len(r.Reasons) > 0) {
			t.Fatalf("destructive=%v with reasons %q", r.Destructive, r.Reasons)
		}
		for _, c := range r.Commands {
			if len(c.Argv) == 0 {
				t.Fatalf("command without argv: %+v", c)
			}
		}
		_ = r.Map()
		_ = AnalyzeArgv(strings.Fields(src))
	})
}

func BenchmarkAnalyzeTypical(b *testing.B) {
	const src = `cd /srv/app && git pull --ff-only && make build 2>&1 | tee build.log`
	b.ReportAllocs()
	for b.Loop() {
		if r := Analyze(src); r.Destructive {
			b.Fatal("typical command destructive")
		}
	}
}

func BenchmarkAnalyzeWrapped(b *testing.B) {
	const src = `sudo -u root env -i timeout 10 bash -c "psql -c 'DELETE FROM t WHERE id = 1' && rm -rf /tmp/x"`
	b.ReportAllocs()
	for b.Loop() {
		if r := Analyze(src); r.Destructive {
			b.Fatal("wrapped command destructive")
		}
	}
}
