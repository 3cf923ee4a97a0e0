package redact

import (
	"bytes"
	"strings"
)

// Context rules: credentials recognised by where they stand rather than by
// their shape - command-line password flags, .netrc entries, name/value pairs
// (Kubernetes env lists) and tokens in URL paths.

func contextRules() []*rule {
	return []*rule{
		custom("telegram-bot-token", Secret, 64, matchTelegram, ":aa"),
		custom("netrc-password", Secret, 300, matchNetrc, "password"),
		custom("cli-password", Secret, 600, matchCLIPassword, cliCommands...),
		custom("name-value-secret", Secret, 400, matchNameValue, "name", "key"),
		tok("discord-webhook-url", `discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/([A-Za-z0-9_-]{60,80})`, "discord.com/api/webhooks/", "discordapp.com/api/webhooks/").grp(1).anyLeft(),
		tok("mattermost-webhook-path", `/hooks/([a-z0-9]{26})`, "/hooks/").grp(1).anyLeft(),
		tok("openstack-fernet-token", `gAAAAAB[A-Za-z0-9_-]{100,400}={0,2}`),
		tok("aws-session-token", `(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9+/]{100,}(?:\\/[A-Za-z0-9+/]+)*={0,2}`, "iqojb3jpz2lux2vj", "fwogzxivyxdze").limit(4096),
		custom("vault-token-legacy", Secret, 32, matchVaultLegacy, vaultLegacyKeywords...).noHoldBack(),
	}
}

// tokenByte reports bytes that continue a token (base64url and '.').
func tokenByte(c byte) bool { return isWordByte(c) || c == '-' || c == '.' }

// matchTelegram finds a bot token `<bot id>:AA<33 chars>` around its ":AA"
// keyword, including in URL paths (`/bot<token>/sendMessage`).
func matchTelegram(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if b[ks+1] != 'A' || b[ks+2] != 'A' {
		return -1, -1, -1
	}
	s := ks
	for s > 0 && ks-s < 16 && isDigit(b[s-1]) {
		s--
	}
	if ks-s < 6 {
		return -1, -1, -1
	}
	if s > 0 && isAlnum(b[s-1]) && (s < 3 || string(b[s-3:s]) != "bot") {
		return -1, -1, -1
	}
	e := ke
	for e < len(b) && e-ke < 40 && (isWordByte(b[e]) || b[e] == '-') {
		e++
	}
	if e == len(b) && e-ke < 40 {
		return -1, -1, s
	}
	if e-ke != 33 {
		return -1, -1, -1
	}
	return s, e, -1
}

// vaultLegacyKeywords are `s.` after each byte that may precede a token: a
// two-byte keyword would make the prefilter stop at every "s." in prose.
var vaultLegacyKeywords = []string{" s.", "\ts.", "\ns.", "\"s.", "'s.", "=s.", ":s.", "`s.", ">s.", "(s."}

// matchVaultLegacy finds a legacy Vault service token `s.` + 24 alphanumerics
// standing alone (not a member access like `s.ReadFileContentsForTest`).
func matchVaultLegacy(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ks++ // the keyword's first byte is the boundary before the token
	e := ke
	for e < len(b) && e-ke <= 24 && isAlnum(b[e]) {
		e++
	}
	if e == len(b) && e-ke <= 24 {
		return -1, -1, ks
	}
	if e-ke != 24 || e < len(b) && (tokenByte(b[e]) || b[e] == '(') {
		return -1, -1, -1
	}
	v := b[ke:e]
	upper, lower, digit := false, false, false
	for _, c := range v {
		upper = upper || isUpper(c)
		lower = lower || c >= 'a' && c <= 'z'
		digit = digit || isDigit(c)
	}
	if !upper || !lower || !digit || hasStopword(v) {
		return -1, -1, -1
	}
	return ks, e, -1
}

// wordValue reads a whitespace-separated value at i, unquoting one level of
// '...' or "..." quotes. It returns the value's span and whether the buffer
// ended inside it.
func wordValue(b []byte, i int) (s, e int, open bool) {
	if i >= len(b) {
		return -1, -1, true
	}
	if q := b[i]; q == '\'' || q == '"' {
		j := i + 1
		for j < len(b) && j-i < 256 && b[j] != q && b[j] != '\n' {
			if b[j] == '\\' && q == '"' {
				j++
			}
			j++
		}
		if j >= len(b) {
			return -1, -1, true
		}
		if b[j] != q {
			return -1, -1, false
		}
		return i + 1, j, false
	}
	j := i
	for j < len(b) && j-i < 256 && b[j] > ' ' && b[j] != ';' && b[j] != '|' && b[j] != '&' && b[j] != ')' {
		j++
	}
	if j == len(b) {
		return -1, -1, true
	}
	return i, j, false
}

// plausibleCLIPassword filters a value given to a password flag: not a
// variable, file or prompt reference.
func plausibleCLIPassword(v []byte) bool {
	return len(v) >= 4 && !isPlaceholder(v) && !bytes.HasPrefix(v, []byte("-")) && !bytes.ContainsAny(v, "$`") && hasAlnum(v)
}

// matchNetrc finds `password <value>` in .netrc syntax: whitespace between
// key and value, and a `machine`, `login` or `default` token before it.
func matchNetrc(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ke >= len(b) {
		return -1, -1, ks
	}
	if b[ke] != ' ' && b[ke] != '\t' || ks > 0 && isWordByte(b[ks-1]) && b[ks-1] != '_' && !escapedBreakBefore(b, ks) {
		return -1, -1, -1
	}
	if !netrcEntryBefore(b, ks) { // rules_fx8_netrc.go
		return -1, -1, -1
	}
	i := ke
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	s, e, open := netrcValue(b, i)
	if open {
		return -1, -1, ke
	}
	if s < 0 || !plausibleCLIPassword(b[s:e]) || bytes.HasPrefix(b[s:e], []byte("is")) && e-s == 2 {
		return -1, -1, -1
	}
	return s, e, -1
}

// cliCommands are commands whose password flags take the value in the next
// argument or glued to the flag. Every keyword has three bytes or more: a
// two-byte keyword ("az") would cost the prefilter a lookup at every byte.
var cliCommands = []string{
	"mysql", "mariadb", "mysqldump", "mysqladmin", "sshpass", "redis-cli", "sqlcmd", "bcp", "mongo", "mongosh",
	"mongodump", "mongorestore", "ldapsearch", "ldapmodify", "ldapadd", "ldapdelete", "ldapwhoami",
	"mosquitto_pub", "mosquitto_sub", "keytool", "docker", "podman", "nerdctl", "buildah", "skopeo", "oras", "helm", //nolint:misspell // Eclipse Mosquitto's MQTT clients
	"az login", "zip", "unzip", "7z a", "7z x", "7z e", "7za", "smbclient", "rpcclient", "sqlplus",
	"--password ", "--passwd ", "--pass ",
}

// cliFlag is a flag that carries a password: glued says the value may
// follow the flag without a space (`-pSECRET`, `-p'SECRET'`), spaced that it
// may be the next argument (`-a SECRET`, or `"-a", "SECRET"` in an argv
// array). Flags are case-sensitive (mysql's -P is a port).
type cliFlag struct {
	flag          string
	glued, spaced bool
	split         byte // the password follows this byte in the value (`-U user%password`)
}

// cliFlags maps a command to the flags that carry its password.
var cliFlags = map[string][]cliFlag{
	"mysql":     {{"-p", true, false, 0}, {"--password=", true, false, 0}},
	"mariadb":   {{"-p", true, false, 0}, {"--password=", true, false, 0}},
	"sshpass":   {{"-p", true, true, 0}},
	"redis-cli": {{"-a", false, true, 0}, {"--pass", false, true, 0}},
	"sqlcmd":    {{"-P", true, true, 0}},
	"bcp":       {{"-P", false, true, 0}},
	"mongo":     {{"-p", false, true, 0}, {"--password", false, true, 0}, {"--password=", true, false, 0}},
	"ldap":      {{"-w", false, true, 0}},
	"mosquitto": {{"-P", false, true, 0}}, //nolint:misspell // Eclipse Mosquitto
	"keytool":   {{"-storepass", false, true, 0}, {"-keypass", false, true, 0}, {"-srcstorepass", false, true, 0}, {"-deststorepass", false, true, 0}},
	"registry":  {{"-p", false, true, 0}, {"--password", false, true, 0}, {"--password=", true, false, 0}},
	"az":        {{"-p", false, true, 0}, {"--password", false, true, 0}, {"--password=", true, false, 0}},
	"zip":       {{"-P", false, true, 0}, {"--password", false, true, 0}},
	"7z":        {{"-p", true, false, 0}},
	"smb":       {{"-U", false, true, '%'}, {"--user=", true, false, '%'}},
}

// cliNeeds names the subcommand a family's flags need on the line: `docker
// run -p 8080:80` publishes a port, `docker login -p V` passes a password.
var cliNeeds = map[string]string{"registry": " login "}

// cliFamily maps a command to its entry in cliFlags.
func cliFamily(cmd string) string {
	switch {
	case cmd == "mysqldump" || cmd == "mysqladmin":
		return "mysql"
	case len(cmd) > 5 && cmd[:5] == "mongo":
		return "mongo"
	case len(cmd) > 4 && cmd[:4] == "ldap":
		return "ldap"
	case len(cmd) > 9 && cmd[:9] == "mosquitto": //nolint:misspell // Eclipse Mosquitto
		return "mosquitto" //nolint:misspell // Eclipse Mosquitto
	case cmd == "docker" || cmd == "podman" || cmd == "nerdctl" || cmd == "buildah" || cmd == "skopeo" || cmd == "oras" || cmd == "helm":
		return "registry"
	case cmd == "unzip":
		return "zip"
	case strings.HasPrefix(cmd, "7z"):
		return "7z"
	case cmd == "az login":
		return "az"
	case cmd == "smbclient" || cmd == "rpcclient":
		return "smb"
	}
	return cmd
}

// matchCLIPassword finds a password passed on a command line: `--password
// VALUE` anywhere, or a command's own flag (`mysql -p'VALUE'`, `sshpass -p
// VALUE`, `redis-cli -a VALUE`, `sqlcmd -P VALUE`) later on the same line,
// also when the command line is an argv array (`["redis-cli", "-a", "VALUE"]`).
func matchCLIPassword(_ *rule, b []byte, ks, ke int) (int, int, int) {
	kw := string(bytes.ToLower(b[ks:ke]))
	if kw[0] == '-' {
		if ks > 0 && b[ks-1] != ' ' && b[ks-1] != '\t' {
			return -1, -1, -1
		}
		return cliValue(b, ke)
	}
	if ks > 0 && (isWordByte(b[ks-1]) || b[ks-1] == '-') || ke < len(b) && b[ke] != ' ' && b[ke] != '\t' && b[ke] != '"' && b[ke] != '\'' {
		return -1, -1, -1
	}
	eol := bytes.IndexByte(b[ke:min(len(b), ke+512)], '\n')
	open := eol < 0 && len(b)-ke < 512
	if eol < 0 {
		eol = min(len(b), ke+512) - ke
	}
	line := b[ke : ke+eol]
	fam := cliFamily(kw)
	if fam == "sqlplus" {
		return sqlplusPassword(b, ke, line, open, ks)
	}
	if need := cliNeeds[fam]; need != "" && !bytes.Contains(line, []byte(need)) {
		if open {
			return -1, -1, ks
		}
		return -1, -1, -1
	}
	for _, f := range cliFlags[fam] {
		s, e, more := cliFlagValue(b, ke, line, f)
		if more {
			return -1, -1, ks
		}
		if s >= 0 {
			return s, e, -1
		}
	}
	if open {
		return -1, -1, ks
	}
	return -1, -1, -1
}

// cliFlagValue finds flag f in line (which starts at b[base]) standing as an
// argument of its own, and the password it carries. more says the input
// ended before the value did.
func cliFlagValue(b []byte, base int, line []byte, f cliFlag) (s, e int, more bool) {
	for off := 0; ; {
		j := bytes.Index(line[off:], []byte(f.flag))
		if j < 0 {
			return -1, -1, false
		}
		at := off + j
		off = at + 1
		if at == 0 || !bytes.ContainsRune([]byte(" \t\"'"), rune(line[at-1])) {
			continue
		}
		vs := base + at + len(f.flag)
		if vs >= len(b) {
			return -1, -1, true
		}
		i := vs
		if q := line[at-1]; (q == '"' || q == '\'') && b[i] == q {
			i++ // the flag's own closing quote in an argv array
			for k := 0; i < len(b) && k < 4 && (b[i] == ',' || b[i] == ' ' || b[i] == '\t'); k++ {
				i++
			}
		} else if b[i] == ' ' || b[i] == '\t' || b[i] == '\n' {
			if !f.spaced || b[i] == '\n' {
				continue // `mysql -p` prompts
			}
			i = skipSpaces(b, i, 8)
		} else if !f.glued {
			continue // a longer flag (`-assume`)
		}
		if i >= len(b) {
			return -1, -1, true
		}
		s, e, open := wordValue(b, i)
		if open {
			return -1, -1, true
		}
		if s >= 0 && f.split != 0 {
			k := bytes.IndexByte(b[s:e], f.split)
			if k < 0 {
				continue
			}
			s += k + 1
		}
		if s >= 0 && plausibleCLIPassword(b[s:e]) {
			return s, e, false
		}
	}
}

// sqlplusPassword finds the password of an Oracle logon `user/password@db`,
// sqlplus's first argument after its options.
func sqlplusPassword(b []byte, base int, line []byte, open bool, ks int) (int, int, int) {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '-' || isLetter(line[i]) && i > 0 && line[i-1] == '-') {
		i++ // options such as -s, -L
	}
	s, e, more := wordValue(b, base+i)
	if more {
		if open {
			return -1, -1, ks
		}
		return -1, -1, -1
	}
	if s < 0 {
		return -1, -1, -1
	}
	v := b[s:e]
	sl := bytes.IndexByte(v, '/')
	at := bytes.LastIndexByte(v, '@')
	if sl <= 0 || at >= 0 && at < sl {
		return -1, -1, -1
	}
	pe := len(v)
	if at > sl {
		pe = at
	}
	if !plausibleCLIPassword(v[sl+1 : pe]) {
		return -1, -1, -1
	}
	return s + sl + 1, s + pe, -1
}

func cliValue(b []byte, i int) (int, int, int) {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	s, e, open := wordValue(b, i)
	if open {
		return -1, -1, i
	}
	if s < 0 || !plausibleCLIPassword(b[s:e]) {
		return -1, -1, -1
	}
	return s, e, -1
}

// secretName reports whether a name/value pair's name is a credential's
// (see secretKeyName: PGPASSWORD, RABBITMQ_DEFAULT_PASS, X_API_KEY, not
// DB_PASSWORD_FILE).
func secretName(name []byte) bool {
	s, _ := secretKeyName(name)
	return s
}

// matchNameValue finds the value of a name/value pair whose name is a
// credential's, as in Kubernetes env lists: `{"name": "PGPASSWORD", "value":
// "..."}` or `- name: PGPASSWORD` / `  value: ...` on the next line, and .NET
// and NuGet settings `<add key="ApiKey" value="..."/>`.
func matchNameValue(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isWordByte(b[ks-1]) {
		return -1, -1, -1
	}
	if ke-ks == 3 { // "key": only the XML attribute form key="..."
		if len(b)-ke < 2 {
			return -1, -1, pendIfNear(b, ks, 400)
		}
		if b[ke] != '=' || b[ke+1] != '"' && b[ke+1] != '\'' {
			return -1, -1, -1
		}
	}
	i := ke
	if i < len(b) && b[i] == '"' {
		i++
	}
	i = skipSpaces(b, i, 4)
	if i >= len(b) || b[i] != ':' && b[i] != '=' {
		return -1, -1, pendIfNear(b, ks, 400)
	}
	i = skipSpaces(b, i+1, 4)
	if i < len(b) && b[i] == '"' {
		i++
	}
	ns := i
	for i < len(b) && i-ns < 80 && (isWordByte(b[i]) || b[i] == '-' || b[i] == '.') {
		i++
	}
	if i == len(b) {
		return -1, -1, pendIfNear(b, ks, 400)
	}
	if i == ns || !secretName(b[ns:i]) {
		return -1, -1, -1
	}
	// Separator up to the value key: quotes, comma, newline and indentation, a YAML '-'.
	j := i
	for j < len(b) && j-i < 80 && (b[j] == '"' || b[j] == ',' || b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
		j++
	}
	if len(b)-j < 6 {
		return -1, -1, pendIfNear(b, ks, 400)
	}
	if !bytes.HasPrefix(b[j:], []byte("value")) {
		return -1, -1, -1
	}
	j += 5
	if j < len(b) && b[j] == '"' {
		j++
	}
	j = skipSpaces(b, j, 4)
	if j >= len(b) || b[j] != ':' && b[j] != '=' {
		return -1, -1, pendIfNear(b, ks, 400)
	}
	j = skipSpaces(b, j+1, 8)
	s, e, open := wordValue(b, j)
	if open {
		return -1, -1, pendIfNear(b, ks, 400)
	}
	if s < 0 {
		return -1, -1, -1
	}
	v := b[s:e]
	if e > s && b[e-1] == ',' || e > s && b[e-1] == '}' {
		e--
		v = b[s:e]
	}
	if len(v) < 6 || isPlaceholder(v) || !genericPassword(v) && !genericValue(v) {
		return -1, -1, -1
	}
	return s, e, -1
}

func skipSpaces(b []byte, i, n int) int {
	for k := 0; i < len(b) && k < n && (b[i] == ' ' || b[i] == '\t'); k++ {
		i++
	}
	return i
}

// pendIfNear holds from ks while a match starting there could still be
// completed by more input.
func pendIfNear(b []byte, ks, maxLen int) int {
	if len(b)-ks < maxLen {
		return ks
	}
	return -1
}
