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
		`python3 -c "import shutil; shutil.rmtree('/')"`, `node -e 'require("fs").rmSync("/", {recursive: true})'`,
		`perl -e 'system("rm -rf /")'`, `awk 'BEGIN{system("rm -rf /")}'`, "git -c alias.x='!rm -rf /' x",
		"gh api -X DELETE repos/o/r -F force=true", "curl -X DELETE https://api.github.com/repos/o/r -d '{}'",
		"(crontab -l; echo '* * * * * rm -rf /') | crontab -", "parallel 'rm -rf {}' ::: / /home",
		`powershell -Command "Remove-Item -Recurse C:\"`, "docker compose -f x.yml down -v",
		`mongosh --eval 'db.dropDatabase()'`, "tmux send-keys 'rm -rf /' Enter",
		`python3 -c "requests.request(m, 'https://x/y'); httpx.delete(base + p)"`,
		`node -e "fetch('https://x/y', {method: 'DELETE'}); axios.put('https://x/z')"`,
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
		if len(r.HTTP) > maxHTTPRequests {
			t.Fatalf("%d HTTP requests, over the %d limit", len(r.HTTP), maxHTTPRequests)
		}
		_ = r.Map()
		_ = AnalyzeArgv(strings.Fields(src))
	})
}

// FuzzInterpreterCode feeds untrusted one-liners to the interpreter lexer and call judge of every
// language: no panic, bounded tokens, and the Result stays consistent.
func FuzzInterpreterCode(f *testing.F) {
	for _, s := range []string{
		`import shutil; shutil.rmtree("/")`, `os.system(f"rm -rf {p}")`, `require('child_process').execSync(` + "`rm -rf ${h}`" + `)`,
		`system "rm -rf /"; qx{ls}`, `FileUtils.rm_rf(["/a", "/b"])`, `%x(rm -rf /)`, `"""unterminated`, `exec(exec(exec("x")))`,
	} {
		f.Add(s, uint8(0))
	}
	langs := []string{"python", "perl", "ruby", "node", "php", "lua", "awk"}
	progs := []string{"python3", "perl", "ruby", "node", "php", "lua", "awk"}
	f.Fuzz(func(t *testing.T, code string, which uint8) {
		i := int(which) % len(langs)
		if toks := lexCode(langs[i], code); len(toks) > maxCodeTokens {
			t.Fatalf("%d tokens, over the %d limit", len(toks), maxCodeTokens)
		}
		argv := []string{progs[i], "-e", code}
		switch langs[i] {
		case "python":
			argv[1] = "-c"
		case "php":
			argv[1] = "-r"
		case "awk":
			argv = []string{"awk", code}
		}
		r := AnalyzeArgv(argv)
		if r.Destructive != (len(r.Reasons) > 0) {
			t.Fatalf("destructive=%v with reasons %q", r.Destructive, r.Reasons)
		}
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
