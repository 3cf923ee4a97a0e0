// Package approvalcli is `warden approvals`, `warden approve ID` and `warden deny ID`: a client of
// the approval API on warden's admin listener, for approvers at a terminal.
package approvalcli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/warden-gw/warden/approval"
)

// TokenEnv is the environment variable holding the approver's OIDC token.
const TokenEnv = "WARDEN_APPROVER_TOKEN"

const usage = `usage:
  warden approvals              [--admin URL] [--token-file FILE] [--json]
  warden approve ID [--note N]  [--admin URL] [--token-file FILE]
  warden deny ID    [--note N]  [--admin URL] [--token-file FILE]

--note - reads the note from stdin. The token comes from --token-file or $` + TokenEnv + `.
`

// Run runs one subcommand; args start with the subcommand name (approvals, approve, deny).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no subcommand: use approvals, approve or deny")
	}
	cmd := args[0]
	fs := flag.NewFlagSet("warden "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	admin := fs.String("admin", "http://127.0.0.1:9901", "warden admin listener base URL")
	tokenFile := fs.String("token-file", "", "file holding the approver's OIDC token (default $"+TokenEnv+")")
	note := fs.String("note", "", "note recorded with the decision (- reads stdin)")
	asJSON := fs.Bool("json", false, "print JSON")
	timeout := fs.Duration("timeout", 10*time.Second, "HTTP timeout")
	fs.Usage = func() { fmt.Fprint(stderr, usage) }

	var pos []string
	rest := args[1:]
	for { // allow flags after the ID: approve ID --note x
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	tok, err := token(*tokenFile)
	if err != nil {
		return err
	}
	c := client{base: strings.TrimRight(*admin, "/"), token: tok, http: &http.Client{Timeout: *timeout}}
	switch cmd {
	case "approvals":
		if len(pos) != 0 {
			return fmt.Errorf("warden approvals takes no arguments, got %q", pos)
		}
		return c.list(ctx, stdout, *asJSON)
	case "approve", "deny":
		if len(pos) != 1 {
			fmt.Fprint(stderr, usage)
			return fmt.Errorf("warden %s needs exactly one approval ID", cmd)
		}
		n := *note
		if n == "-" {
			b, err := io.ReadAll(io.LimitReader(stdin, 4096))
			if err != nil {
				return fmt.Errorf("read note from stdin: %w", err)
			}
			n = strings.TrimSpace(string(b))
		}
		return c.decide(ctx, stdout, pos[0], cmd, n)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown subcommand %q: use approvals, approve or deny", cmd)
}

func token(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read token file: %w", err)
		}
		if t := strings.TrimSpace(string(b)); t != "" {
			return t, nil
		}
		return "", fmt.Errorf("token file %s is empty", file)
	}
	if t := strings.TrimSpace(os.Getenv(TokenEnv)); t != "" {
		return t, nil
	}
	return "", fmt.Errorf("no approver token: pass --token-file or set %s to your OIDC token", TokenEnv)
}

type client struct {
	base, token string
	http        *http.Client
}

func (c client) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("bad --admin URL: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("reach warden admin API at %s: %w (check --admin)", c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return answerError(method, path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: unexpected answer: %w", method, path, err)
	}
	return nil
}

func (c client) list(ctx context.Context, out io.Writer, asJSON bool) error {
	var res struct {
		Approvals []approval.Approval `json:"approvals"`
	}
	if err := c.do(ctx, http.MethodGet, "/approvals", nil, &res); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res.Approvals)
	}
	if len(res.Approvals) == 0 {
		fmt.Fprintln(out, "no pending approvals")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEXPIRES\tWHO\tACTION\tRULE")
	for _, a := range res.Approvals {
		who := a.Requester.Agent
		if a.Requester.OnBehalfOf != "" {
			who += " for " + a.Requester.OnBehalfOf
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s%s\t%s\n", a.ID, a.Expires.UTC().Format(time.RFC3339), who,
			a.Action.Method, a.Action.Host, a.Action.Path, a.Action.Rule)
	}
	return tw.Flush()
}

func (c client) decide(ctx context.Context, out io.Writer, id, verb, note string) error {
	var a approval.Approval
	if err := c.do(ctx, http.MethodPost, "/approvals/"+url.PathEscape(id)+"/"+verb, approval.DecisionBody{Note: note}, &a); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s by %s\n", a.ID, a.Status, a.DecidedBy)
	return nil
}

// maxMessage bounds how much of a server's error answer is shown.
const maxMessage = 512

// answerError says what the server answered: the reason of a JSON error, else the text of the
// body (a plain-text 503 saying the approvals API is disabled and why, a 404 from a listener that
// is not warden's admin API), cut to one printable line.
func answerError(method, path string, status int, raw []byte) error {
	var e struct{ Error, Reason string }
	if json.Unmarshal(raw, &e) == nil && e.Reason != "" {
		return fmt.Errorf("%s %s: %d %s: %s", method, path, status, e.Error, printable(e.Reason))
	}
	if msg := printable(string(raw)); msg != "" {
		return fmt.Errorf("%s %s: %d %s: %s", method, path, status, http.StatusText(status), msg)
	}
	return fmt.Errorf("%s %s: %d %s (empty answer)", method, path, status, http.StatusText(status))
}

// printable keeps a server's message on one line without control characters (a terminal
// escape in an answer must not reach the approver's terminal), cut to maxMessage bytes.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxMessage {
		s = strings.ToValidUTF8(s[:maxMessage], "") + "…"
	}
	return s
}
