package redactcli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact/redactcli"
	"github.com/warden-gw/warden/redact/redacttest"
)

func TestRedactConfigFileWithFindings(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	gh := redacttest.GitHubToken(rnd, "ghp_")
	in := "# deploy settings\n" +
		"GITHUB_TOKEN=" + gh + "\n" +
		"DATABASE_URL=postgres://app:Xk2pLm9QwZ@db.internal:5432/orders\n" +
		"OWNER=ops@example.com\n" +
		"RETRIES=3\n"
	dir := t.TempDir()
	fpath := filepath.Join(dir, "findings.jsonl")
	var out, errb bytes.Buffer
	if err := redactcli.Run(context.Background(), []string{"--findings", fpath}, strings.NewReader(in), &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	want := "# deploy settings\n" +
		"GITHUB_TOKEN=[REDACTED:github-pat]\n" +
		"DATABASE_URL=postgres://app:[REDACTED:url-password]@db.internal:5432/orders\n" +
		"OWNER=[REDACTED:email]\n" +
		"RETRIES=3\n"
	if out.String() != want {
		t.Fatalf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	raw, err := os.ReadFile(fpath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(gh)) || bytes.Contains(raw, []byte("Xk2pLm9QwZ")) {
		t.Fatal("findings file contains a secret")
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	var rules []string
	for sc.Scan() {
		var f struct {
			Rule       string
			Start, End int
		}
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		rules = append(rules, f.Rule)
		if f.Rule == "github-pat" && in[f.Start:f.End] != gh {
			t.Fatalf("offsets [%d,%d) do not point at the token in the input", f.Start, f.End)
		}
	}
	if strings.Join(rules, ",") != "github-pat,url-password,email" {
		t.Fatalf("findings rules %v", rules)
	}
}

func TestRedactNoPII(t *testing.T) {
	var out bytes.Buffer
	in := "contact ops@example.com or +1 415 555 0142, password: hunter2!x\n"
	if err := redactcli.Run(context.Background(), []string{"--no-pii"}, strings.NewReader(in), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if out.String() != "contact ops@example.com or +1 415 555 0142, password: [REDACTED:generic-password]\n" {
		t.Fatalf("got %q", out.String())
	}
}

func TestRedactUsageAndBadArgs(t *testing.T) {
	var errb bytes.Buffer
	if err := redactcli.Run(context.Background(), []string{"-h"}, strings.NewReader(""), io.Discard, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "Usage: warden redact") || !strings.Contains(errb.String(), "--findings") {
		t.Fatalf("usage text: %q", errb.String())
	}
	if err := redactcli.Run(context.Background(), []string{"file.txt"}, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Fatal("positional argument accepted")
	}
	if err := redactcli.Run(context.Background(), []string{"--bogus"}, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

// slowReader hands out input in small pieces to exercise chunk boundaries.
type slowReader struct {
	r io.Reader
	n int
}

func (s *slowReader) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

func TestRedactLargeInputKeepsLines(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	var in strings.Builder
	var secrets []string
	for i := 0; i < 20000; i++ {
		if i%1000 == 0 {
			s := redacttest.GitHubToken(rnd, "ghp_")
			secrets = append(secrets, s)
			in.WriteString("token " + s + "\n")
			continue
		}
		in.WriteString("log line number with some ordinary words and values 42\n")
	}
	var out bytes.Buffer
	if err := redactcli.Run(context.Background(), nil, &slowReader{r: strings.NewReader(in.String()), n: 4093}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got, want := bytes.Count(out.Bytes(), []byte("\n")), 20000; got != want {
		t.Fatalf("lines %d want %d", got, want)
	}
	for _, s := range secrets {
		if bytes.Contains(out.Bytes(), []byte(s[4:])) {
			t.Fatal("secret survived")
		}
	}
}

func TestRedactCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := redactcli.Run(ctx, nil, strings.NewReader("x"), io.Discard, io.Discard); err == nil {
		t.Fatal("cancelled context ignored")
	}
}
