package redact

import "bytes"

// Positional passwords: commands that take a password as a plain argument
// rather than after a flag of their own, so only the command's grammar says
// which word it is:
//
//	htpasswd -b[BcmsDi] [-C cost] file user password   (-n: no file)
//	rabbitmqctl add_user|change_password|authenticate_user user password
//	net user name password [/add]
//	mysqladmin [options] password new-password
//
// Without its batch flag htpasswd prompts, and `net user name *` asks too:
// nothing is read then.

const positionalMaxLine = 512

func positionalRules() []*rule {
	return []*rule{
		custom("cli-positional-password", Secret, positionalMaxLine, matchPositional,
			"htpasswd", "rabbitmqctl", "net user", "mysqladmin"),
	}
}

// shellWord is one argument of a command line.
type shellWord struct{ s, e int }

// shellWords splits b[from:to], one command line, into its arguments up to
// a command separator; a quoted word's span excludes its quotes.
func shellWords(b []byte, from, to int) []shellWord {
	var ws []shellWord
	i := from
	for len(ws) < 32 {
		for i < to && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') {
			i++
		}
		if i >= to || bytes.IndexByte([]byte(";|&<>#"), b[i]) >= 0 {
			return ws
		}
		if q := b[i]; q == '\'' || q == '"' {
			j := i + 1
			for j < to && b[j] != q {
				if b[j] == '\\' && q == '"' {
					j++
				}
				j++
			}
			if j >= to {
				return ws
			}
			ws = append(ws, shellWord{i + 1, j})
			i = j + 1
			continue
		}
		j := i
		for j < to && b[j] > ' ' && bytes.IndexByte([]byte(";|&<>"), b[j]) < 0 {
			j++
		}
		ws = append(ws, shellWord{i, j})
		i = j
	}
	return ws
}

func matchPositional(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && (isWordByte(b[ks-1]) || b[ks-1] == '-' || b[ks-1] == '.') || ke < len(b) && b[ke] != ' ' && b[ke] != '\t' {
		return -1, -1, -1
	}
	if bytes.EqualFold(b[ks:ke], []byte("net user")) && !commandPosition(b, ks) {
		return -1, -1, -1 // "net user" is also prose; the command names are not
	}
	eol := bytes.IndexByte(b[ke:min(len(b), ke+positionalMaxLine)], '\n')
	if eol < 0 {
		if len(b)-ke < positionalMaxLine {
			return -1, -1, ks // the command line is still arriving
		}
		eol = positionalMaxLine
	}
	ws := shellWords(b, ke, ke+eol)
	var pw shellWord
	switch cmd := string(bytes.ToLower(b[ks:ke])); cmd {
	case "htpasswd":
		pw = htpasswdPassword(b, ws)
	case "rabbitmqctl":
		pw = afterSubcommand(b, ws, 2, "add_user", "change_password", "authenticate_user")
	case "mysqladmin":
		pw = afterSubcommand(b, ws, 1, "password")
	case "net user":
		pw = nthPositional(b, ws, 1, '/')
	}
	if pw.e <= pw.s || !positionalPassword(b[pw.s:pw.e]) {
		return -1, -1, -1
	}
	return pw.s, pw.e, -1
}

// htpasswdPassword returns the password argument of an htpasswd command in
// batch mode (-b), the third positional argument, or the second with -n.
func htpasswdPassword(b []byte, ws []shellWord) shellWord {
	batch, noFile := false, false
	var pos []shellWord
	for i := 0; i < len(ws); i++ {
		w := b[ws[i].s:ws[i].e]
		if len(w) > 1 && w[0] == '-' {
			if string(w) == "-C" || string(w) == "-r" {
				i++ // the bcrypt cost or the number of rounds
				continue
			}
			batch = batch || bytes.IndexByte(w, 'b') > 0
			noFile = noFile || bytes.IndexByte(w, 'n') > 0
			continue
		}
		pos = append(pos, ws[i])
	}
	want := 2
	if noFile {
		want = 1
	}
	if !batch || len(pos) <= want {
		return shellWord{}
	}
	return pos[want]
}

// afterSubcommand returns the n-th word after the first subcommand word in
// subs, skipping options.
func afterSubcommand(b []byte, ws []shellWord, n int, subs ...string) shellWord {
	for i, w := range ws {
		for _, sub := range subs {
			if string(b[w.s:w.e]) == sub {
				return nthPositional(b, ws[i+1:], n-1, '-')
			}
		}
	}
	return shellWord{}
}

// nthPositional returns the n-th (from 0) word of ws that does not start
// with the option byte opt.
func nthPositional(b []byte, ws []shellWord, n int, opt byte) shellWord {
	for _, w := range ws {
		if w.e > w.s && b[w.s] == opt {
			continue
		}
		if n == 0 {
			return w
		}
		n--
	}
	return shellWord{}
}

// positionalPassword filters a positional password: not a variable, a
// command substitution, a prompt (`*`) or a placeholder. isPlaceholder also
// rejects a leading '@' (curl's file argument) and a trailing '+' (string
// concatenation in code); neither means anything to these commands.
func positionalPassword(v []byte) bool {
	if len(v) > 1 && v[0] == '@' {
		v = v[1:]
	}
	if len(v) > 1 && v[len(v)-1] == '+' {
		v = v[:len(v)-1]
	}
	return plausibleCLIPassword(v) && !proseWord(v)
}

// proseWord reports a lower-case word: what a sentence about the command
// ("the htpasswd -b option expects file user password") has where the
// password would stand. A password of lower-case letters alone is missed.
func proseWord(v []byte) bool {
	for _, c := range v {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// commandPosition reports whether a command name at i stands where a shell
// reads a command (asked of "net user", two words prose uses too): at the start of a line (after a prompt such as `$ `,
// `# ` or `C:\>`), after `;`, `&&`, `|`, `(` or a backquote, after `sudo`,
// or as the first word of an argv array, so "net user growth exceeded" in
// prose is not a command line. A path before the name (/usr/bin/) is part
// of it.
func commandPosition(b []byte, i int) bool {
	if i > 0 && b[i-1] == '/' {
		k := i // the start of a path before the name: /usr/sbin/htpasswd
		for k > 0 && i-k < 128 && (isWordByte(b[k-1]) || b[k-1] == '/' || b[k-1] == '.' || b[k-1] == '-') {
			k--
		}
		i = k
	}
	if i > 0 && (isWordByte(b[i-1]) || b[i-1] == '-' || b[i-1] == '.') {
		return false
	}
	j := i
	for j > 0 && (b[j-1] == ' ' || b[j-1] == '\t') {
		j--
	}
	if j >= 4 && string(b[j-4:j]) == "sudo" && (j == 4 || !isWordByte(b[j-5])) {
		return true
	}
	if lineStart(b, j) {
		return true // also the start of a JSON string value
	}
	switch b[j-1] {
	case '\n', ';', '&', '|', '(', '`', '"', '\'', '[', '$', '#', '>':
		return true
	}
	return false
}
