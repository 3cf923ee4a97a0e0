package redact

import (
	"bytes"
	"regexp"
)

// Commands whose output is a secret: the tool marks its value secret by the
// command that printed it. A coding agent's tool result often holds the
// command line and its output: `terraform output -raw db_password`,
// `vault kv get -field=password …`, `aws secretsmanager get-secret-value …
// --output text`, `gcloud secrets versions access …`, `op read op://…`,
// `kubectl get secret … | base64 -d`, `az keyvault secret show … --query
// value -o tsv`, `doppler secrets get … --plain`, `pulumi stack output …
// --show-secrets`, `pulumi config get`, `heroku config:get`, `security
// find-generic-password -w`, `pass show`, `gh auth token`, `gcloud auth
// print-access-token`, `aws ecr get-login-password`, `kubectl create token`,
// `cat /run/secrets/…`. The line after such a command line is the secret when
// it is one token (a listing, a table, `name = <sensitive>` or an error
// message has blanks and stays).

// secretCommand is a keyword the prefilter stops at and the command line it
// must stand in.
type secretCommand struct {
	kw   string // lower case; its first three bytes are rare in source or already a keyword's
	line *regexp.Regexp
}

var secretCommands = []secretCommand{
	{"aform output", regexp.MustCompile(`\bterraform output\s+(?:-raw\s+|-no-color\s+)*[A-Za-z0-9_]+\s*$`)},
	{"-field=", regexp.MustCompile(`\bvault\s+(?:kv\s+get|read|token\s+create|write)\b.*\s-field[= ]`)},
	{"secret-value", regexp.MustCompile(`\bsecretsmanager\s+get-secret-value\b.*--output\s+text`)},
	{"secrets versions access", regexp.MustCompile(`\bgcloud\s+secrets\s+versions\s+access\b`)},
	{"op read", regexp.MustCompile(`\bop\s+read\s+["']?op://`)}, // "://" would anchor at every URL
	{"| base64 -d", regexp.MustCompile(`\bkubectl\s+get\s+secrets?\b.*jsonpath.*\|\s*base64\s+-d`)},
	{"| base64 --d", regexp.MustCompile(`\bkubectl\s+get\s+secrets?\b.*jsonpath.*\|\s*base64\s+--decode`)},
	{"create token", regexp.MustCompile(`\bkubectl\s+(?:-n\s+\S+\s+)?create\s+token\b`)},
	{"--query value", regexp.MustCompile(`\baz\s+keyvault\s+secret\s+show\b.*-o\s+tsv`)},
	{"--query accesstoken", regexp.MustCompile(`\baz\s+account\s+get-access-token\b.*-o\s+tsv`)},
	{"--plain", regexp.MustCompile(`\b(?:doppler|infisical)\s+secrets\s+get\b.*--plain`)},
	{"--show-secrets", regexp.MustCompile(`\bpulumi\s+stack\s+output\s+[A-Za-z0-9_]+.*--show-secrets`)},
	{"ulumi config get", regexp.MustCompile(`\bpulumi\s+config\s+get\s+\S+\s*$`)},
	{"config:get", regexp.MustCompile(`\bheroku\s+config:get\s+\S+`)},
	{"-generic-password", regexp.MustCompile(`\bsecurity\s+find-generic-password\b.*\s-w\b`)},
	{"internet-password", regexp.MustCompile(`\bsecurity\s+find-internet-password\b.*\s-w\b`)},
	{"pass show", regexp.MustCompile(`^\W*(?:go)?pass\s+show\s+\S+\s*$`)},
	{"auth token", regexp.MustCompile(`\b(?:gh|glab)\s+auth\s+token\b`)},
	{"access-token", regexp.MustCompile(`\bgcloud\s+auth\s+(?:application-default\s+)?print-access-token\b`)},
	{"t-identity-token", regexp.MustCompile(`\bgcloud\s+auth\s+print-identity-token\b`)},
	{"login-password", regexp.MustCompile(`\baws\s+ecr(?:-public)?\s+get-login-password\b`)},
	{"/run/secrets/", regexp.MustCompile(`\bcat\s+\S*/run/secrets/\S+\s*$`)},
	{"vault-token", regexp.MustCompile(`\bcat\s+\S*\.vault-token\s*$`)},
}

const cmdOutMax = 4096

func commandOutputRules() []*rule {
	kws := make([]string, len(secretCommands))
	for i, c := range secretCommands {
		kws[i] = c.kw
	}
	return []*rule{custom("command-output-secret", Secret, cmdOutMax, matchCommandOutput, kws...).noHoldBack()}
}

func matchCommandOutput(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ls := prevBreak(b, ks)
	le, n := nextBreak(b, ke, false)
	if le < 0 {
		return -1, -1, pendIfNear(b, ks, cmdOutMax)
	}
	line := bytes.TrimRight(b[ls:le], " \r")
	if len(line) > 512 || !secretCommandLine(b[ks:ke], line) {
		return -1, -1, -1
	}
	// The output: the next line, one token.
	s := le + n
	e, _ := nextBreak(b[:min(len(b), s+cmdOutMax)], s, true)
	if e < 0 {
		return -1, -1, pendIfNear(b, ks, cmdOutMax)
	}
	v := bytes.TrimRight(b[s:e], " \r")
	if !commandSecretValue(v) {
		return -1, -1, -1
	}
	return s, s + len(v), -1
}

// prevBreak returns where the line holding b[i] starts: after a newline or
// its JSON escape `\n` (a transcript inside a JSON string).
func prevBreak(b []byte, i int) int {
	for j := i - 1; j >= 0 && i-j <= 512; j-- {
		if b[j] == '\n' || b[j] == 'n' && j > 0 && b[j-1] == '\\' {
			return j + 1
		}
	}
	return max(0, i-512)
}

// nextBreak returns where the line holding b[i] ends and the length of the
// break: a newline, its escape `\n`, or, when quote, the quote closing a JSON
// string (length 0); -1 when b ends first.
func nextBreak(b []byte, i int, quote bool) (int, int) {
	for j := i; j < len(b); j++ {
		switch {
		case b[j] == '\n':
			return j, 1
		case b[j] == '\\' && j+1 < len(b) && b[j+1] == 'n':
			return j, 2
		case quote && b[j] == '"' && (j == 0 || b[j-1] != '\\'):
			return j, 0
		}
	}
	return -1, 0
}

// secretCommandLine reports that line is the command the keyword kw belongs to.
func secretCommandLine(kw, line []byte) bool {
	for _, c := range secretCommands {
		if bytes.EqualFold(kw, []byte(c.kw)) && c.line.Match(line) {
			return true
		}
	}
	return false
}

// commandSecretValue accepts one token a secret command printed: no blanks,
// not a prompt, an error, a word or a value the tool hid.
func commandSecretValue(v []byte) bool {
	if len(v) < 8 || bytes.ContainsAny(v, " \t") || isPlaceholder(v) || maskRun(v) || v[0] == '$' || v[0] == '#' || v[0] == '>' {
		return false
	}
	for _, c := range v {
		if !isLetter(c) || c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false // a lower-case word ("null", "undefined") is no secret
}
