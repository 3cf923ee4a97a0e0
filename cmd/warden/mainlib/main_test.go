package mainlib

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestMainDispatch(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{[]string{"version"}, 0, "warden dev", ""},
		{[]string{"help"}, 0, "Commands:", ""},
		{nil, 2, "Commands:", ""},
		{[]string{"frobnicate"}, 2, "", "Commands:"},
		{[]string{"serve", "--nope"}, 2, "", "flag provided but not defined"},
		{[]string{"serve", "extra"}, 2, "", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			err := Main(context.Background(), tt.args, strings.NewReader(""), &out, &errb)
			if got := ExitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d", got, err, tt.code)
			}
			if !strings.Contains(out.String(), tt.inStdout) || !strings.Contains(errb.String(), tt.inStderr) {
				t.Fatalf("stdout %q stderr %q", out.String(), errb.String())
			}
		})
	}
}

func TestServeRefusesABadAddressClearly(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Listen, cfg.Admin = "256.0.0.1:1", "127.0.0.1:0"
	cfg.InsecurePlaintext = true // past the plaintext check, to the bind
	err := Serve(context.Background(), cfg, &bytes.Buffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), "listen for ext_proc on 256.0.0.1:1") {
		t.Fatalf("got %v", err)
	}
	if errors.Is(err, ErrUsage) {
		t.Fatal("a bind failure is not a usage error")
	}
}

// Each flag's help names one default: `dev --help` said "(empty: the configuration's listen,
// default 127.0.0.1:9002) (default "127.0.0.1:0")".
func TestHelpNamesOneDefaultPerFlag(t *testing.T) {
	for _, cmd := range []string{"serve", "dev"} {
		var out, errb bytes.Buffer
		_ = Main(context.Background(), []string{cmd, "--help"}, strings.NewReader(""), &out, &errb)
		help := out.String() + errb.String()
		if !strings.Contains(help, "-listen") {
			t.Fatalf("%s --help printed no flags:\n%s", cmd, help)
		}
		for _, line := range strings.Split(help, "\n") {
			if strings.Count(line, "default") > 1 {
				t.Errorf("%s --help: two defaults on one line: %s", cmd, strings.TrimSpace(line))
			}
		}
	}
}
