package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/warden-gw/warden/internal/testenv"
)

// tourCommand is one command of the README's tour and the output the README shows under it
// (its "# " lines; "…" stands for anything).
type tourCommand struct {
	line string
	want []string
}

// readmeTour returns the commands of the "A five-minute tour" section, block by block, in order.
func readmeTour(t *testing.T, readme string) []tourCommand {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "## A five-minute tour")
	if start < 0 {
		t.Fatal("README has no \"A five-minute tour\" section")
	}
	text = text[start+1:]
	if end := strings.Index(text, "\n## "); end >= 0 {
		text = text[:end]
	}
	var cmds []tourCommand
	inBlock := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "```sh"):
			inBlock = true
		case strings.HasPrefix(line, "```"):
			inBlock = false
		case !inBlock || line == "":
		case strings.HasPrefix(line, "#"):
			if len(cmds) == 0 {
				t.Fatalf("README tour: output line %q before any command", line)
			}
			c := &cmds[len(cmds)-1]
			c.want = append(c.want, strings.TrimSpace(strings.TrimPrefix(line, "#")))
		default:
			cmds = append(cmds, tourCommand{line: line})
		}
	}
	return cmds
}

// shownOutput matches what a command printed against what the README shows: every shown line,
// in order, matches a printed line ("…" matches anything, spaces at the ends do not count).
func shownOutput(t *testing.T, cmd tourCommand, out string) {
	t.Helper()
	if err := matchShown(cmd, out); err != nil {
		t.Fatal(err)
	}
}

// matchShown is shownOutput's check, as an error.
func matchShown(cmd tourCommand, out string) error {
	printed := strings.Split(out, "\n")
	i := 0
	for _, w := range cmd.want {
		parts := strings.Split(w, "…")
		for k := range parts {
			parts[k] = regexp.QuoteMeta(parts[k])
		}
		re := regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
		for i < len(printed) && !re.MatchString(strings.TrimSpace(printed[i])) {
			i++
		}
		if i == len(printed) {
			return fmt.Errorf("README shows %q under `%s`, but it printed:\n%s", w, cmd.line, out)
		}
		i++
	}
	return nil
}

// freshCopy copies the repository's tracked files (as they are in the working tree) to a new
// folder: what a fresh clone has, without build output, .warden state or untracked files.
func freshCopy(t *testing.T, root string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dst := t.TempDir()
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, f)
		fi, err := os.Lstat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the working tree, or a symlink/submodule
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, b, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// tourShell runs the tour's commands in one folder, carrying exported variables from one
// command to the next as a user's terminal would.
type tourShell struct {
	dir, state string
}

func (s tourShell) run(ctx context.Context, line string) (string, error) {
	script := fmt.Sprintf("set -o pipefail\n. %q\n%s\nrc=$?\nexport -p > %q\nexit $rc\n", s.state, line, s.state)
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = s.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// notifyBuffer is a SyncBuffer that signals every write, so a test can wait for output.
type notifyBuffer struct {
	testenv.SyncBuffer
	wrote chan struct{}
}

func (b *notifyBuffer) Write(p []byte) (int, error) {
	n, err := b.SyncBuffer.Write(p)
	select {
	case b.wrote <- struct{}{}:
	default:
	}
	return n, err
}

// bgProcess is a long-running tour command (make dev, make run).
type bgProcess struct {
	line   string
	cmd    *exec.Cmd
	out    *notifyBuffer // stdout and stderr
	exited chan error
}

// background starts line in its own process group, as a terminal does, and returns once ready
// holds for its output.
func (s tourShell) background(t *testing.T, line string, ready func(out string) bool) *bgProcess {
	t.Helper()
	cmd := exec.Command("bash", "-c", fmt.Sprintf(". %q\nexec %s", s.state, line))
	cmd.Dir = s.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &bgProcess{line: line, cmd: cmd, out: &notifyBuffer{wrote: make(chan struct{}, 1)}, exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	deadline := time.After(10 * time.Minute) // make builds warden first on a cold cache
	for !ready(p.out.String()) {
		select {
		case <-p.out.wrote:
		case err := <-p.exited:
			t.Fatalf("`%s` exited before it was ready (%v):\n%s", line, err, p.out.String())
		case <-deadline:
			t.Fatalf("`%s` not ready within 10 minutes:\n%s", line, p.out.String())
		}
	}
	return p
}

// ctrlC interrupts the process group as Ctrl-C in its terminal does and checks that it stops
// cleanly: warden says it stopped and make reports no error.
func (p *bgProcess) ctrlC(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("`%s` after Ctrl-C: %v", p.line, err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("`%s` still running 60s after Ctrl-C:\n%s", p.line, p.out.String())
	}
	out := p.out.String()
	if strings.Contains(out, "make: ***") || !strings.Contains(out, "warden stopped") {
		t.Fatalf("Ctrl-C on `%s` did not end cleanly:\n%s", p.line, out)
	}
}

// portFree fails the test when a port the README names is taken (another warden running).
func portFree(t *testing.T, addr string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the README's tour needs %s, which is in use: %v", addr, err)
	}
	_ = l.Close()
}

// tourChecks are what the tour's commands without shown output must print.
var tourChecks = []struct {
	prefix string
	check  func(out string) error
}{
	{"curl -s localhost:8080/anything", func(out string) error {
		if strings.Contains(out, `"url"`) || strings.Contains(out, "upstream connect error") {
			return nil // httpbin's echo online, Envoy's 503 text offline: both as the README says
		}
		return errors.New("neither httpbin's echo nor the offline 503 the README describes")
	}},
	{"warden approvals", func(out string) error {
		if strings.Contains(out, "k8s-delete") && strings.Contains(out, "DELETE k8s.internal/apis/apps/v1/namespaces/prod/deployments/api") {
			return nil
		}
		return errors.New("the pending approval is not listed")
	}},
	{"warden audit sessions", func(out string) error {
		if strings.Contains(out, "DELETE k8s.internal/apis/apps/v1/namespaces/prod/deployments/api") {
			return nil
		}
		return errors.New("the tour's session is not listed")
	}},
	{"curl -s -X DELETE", func(out string) error {
		if strings.Contains(out, "upstream connect error") {
			return nil // let through: the (absent) upstream was tried
		}
		return errors.New("the approved retry did not go upstream")
	}},
}

// TestREADMETour runs the README's five-minute tour as written, in a fresh copy of the
// repository: make build, make dev in the background, curl through the gateway, warden check
// and redact, a dev-approver approval and the approved retry, audit verify, sessions and replay,
// then Ctrl-C on make dev, and make run with its admin health check and Ctrl-C. It checks what each step prints
// against what the README shows. No network is needed (offline answers are the README's too).
func TestREADMETour(t *testing.T) {
	for _, tool := range []string{"make", "curl", "git", "bash"} {
		testenv.RequireTool(t, tool, "apt-get install -y "+tool)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeTour(t, filepath.Join(root, "README.md"))
	dir := freshCopy(t, root)
	sh := tourShell{dir: dir, state: filepath.Join(t.TempDir(), "env")}
	if err := os.WriteFile(sh.state, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"127.0.0.1:8080", "127.0.0.1:9901", "127.0.0.1:9002"} {
		portFree(t, addr)
	}

	var dev *bgProcess
	checked := map[string]bool{}
	for _, c := range cmds {
		if c.line == "make dev" {
			// Ready once everything the README shows under it has been printed (the lines come
			// in several writes).
			dev = sh.background(t, c.line, func(out string) bool { return matchShown(c, out) == nil })
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		out, err := sh.run(ctx, c.line)
		cancel()
		if err != nil {
			t.Fatalf("`%s` failed: %v\n%s", c.line, err, out)
		}
		shownOutput(t, c, out)
		for _, chk := range tourChecks {
			if strings.HasPrefix(c.line, chk.prefix) {
				checked[chk.prefix] = true
			}
			if strings.HasPrefix(c.line, chk.prefix) && len(c.want) == 0 {
				if err := chk.check(out); err != nil {
					t.Fatalf("`%s`: %v; it printed:\n%s", c.line, err, out)
				}
			}
		}
	}
	if dev == nil {
		t.Fatal("the README's tour never runs make dev")
	}
	for _, chk := range tourChecks {
		if !checked[chk.prefix] {
			t.Errorf("the README's tour has no command starting %q: its check never ran", chk.prefix)
		}
	}
	// The gateway refuses to forward a request to itself (no route, Host names the gateway).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	out, err := sh.run(ctx, "curl -s -m 5 -o /dev/null -w '%{http_code}' 127.0.0.1:8080/")
	cancel()
	if err != nil || (out != "508" && out != "502") {
		t.Fatalf("curl 127.0.0.1:8080/ (the gateway itself): %q %v, want a 508 or 502 at once", out, err)
	}
	dev.ctrlC(t)

	// make run: the ext_proc server alone; its admin listener answers, Ctrl-C ends it cleanly.
	run := sh.background(t, "make run", func(out string) bool { return strings.Contains(out, "warden serving") })
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	out, err = sh.run(ctx, "curl -s -m 5 127.0.0.1:9901/healthz")
	cancel()
	if err != nil || strings.TrimSpace(out) != "ok" {
		t.Fatalf("admin /healthz under make run: %v %q, want ok", err, out)
	}
	run.ctrlC(t)

	// The compose file needs no variable: docker-compose config passes with an empty environment.
	if dc, err := exec.LookPath("docker-compose"); err == nil {
		cmd := exec.Command(dc, "-f", "docker-compose.yml", "config", "-q")
		cmd.Dir, cmd.Env = dir, []string{"PATH=" + os.Getenv("PATH")}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("docker-compose config with an empty environment: %v\n%s", err, out)
		}
	}
}
