package shparse

import "strings"

// A small lexer for the one-liners agents pass to interpreters (python -c, perl -e, node -e,
// ruby -e, php -r, lua -e, awk programs). It does not parse the languages; it finds identifiers,
// string literals (with interpolation marked) and punctuation well enough to see calls such as
// os.system("…"), shutil.rmtree(p) or execSync(`…`) and the literal text of their arguments.

type codeTokKind uint8

const (
	tokIdent codeTokKind = iota
	tokStr
	tokPunct
	tokShell // a literal that is itself shell text: `…` in perl/ruby/php, qx{…}, %x(…)
)

type codeTok struct {
	kind codeTokKind
	val  string
}

// dynMarker stands for a part of a string computed at run time; as shell text it is an unknown
// variable, so path rules treat it as unresolved.
const dynMarker = "$WARDEN_RUNTIME_VALUE"

// maxCodeTokens bounds the lexer's output on hostile input.
const maxCodeTokens = 20000

// lexCode splits code into tokens. lang is "python", "perl", "ruby", "node", "php", "lua" or "awk".
func lexCode(lang, code string) []codeTok {
	var toks []codeTok
	i := 0
	for i < len(code) && len(toks) < maxCodeTokens {
		ch := code[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ';':
			i++
		case ch == '#' && (lang == "python" || lang == "ruby" || lang == "perl" || lang == "awk"):
			if lang == "ruby" && i+1 < len(code) && code[i+1] == '{' {
				toks = append(toks, codeTok{tokPunct, "#"})
				i++
				continue
			}
			i = skipLine(code, i)
		case ch == '/' && i+1 < len(code) && code[i+1] == '/' && (lang == "node" || lang == "php"):
			i = skipLine(code, i)
		case ch == '/' && i+1 < len(code) && code[i+1] == '*' && (lang == "node" || lang == "php"):
			end := strings.Index(code[i+2:], "*/")
			if end < 0 {
				return toks
			}
			i += end + 4
		case ch == '\'' || ch == '"' || ch == '`':
			tok, n := lexString(lang, code[i:], "")
			toks = append(toks, tok)
			i += n
		case isIdentStart(ch):
			j := i
			for j < len(code) && isIdentByte(code[j]) {
				j++
			}
			word := code[i:j]
			if tok, n, ok := lexPrefixed(lang, word, code[j:]); ok {
				toks = append(toks, tok)
				i = j + n
				continue
			}
			toks = append(toks, codeTok{tokIdent, word})
			i = j
		case ch == '%' && lang == "ruby" && i+2 < len(code) && code[i+1] == 'x':
			body, n := delimited(code[i+2:])
			toks = append(toks, codeTok{tokShell, interpolate(lang, body)})
			i += 2 + n
		default:
			toks = append(toks, codeTok{tokPunct, string(ch)})
			i++
		}
	}
	return toks
}

func skipLine(code string, i int) int {
	if j := strings.IndexByte(code[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(code)
}

func isIdentStart(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_' || c == '$' || c == '@'
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}

// lexPrefixed reads literals introduced by a word: python's r"…", f"…", b"…"; perl's qx{…},
// q{…}, qq{…}. n is how many bytes after the word were consumed.
func lexPrefixed(lang, word, rest string) (codeTok, int, bool) {
	if rest == "" {
		return codeTok{}, 0, false
	}
	switch {
	case lang == "python" && (rest[0] == '\'' || rest[0] == '"'):
		switch strings.ToLower(word) {
		case "r", "b", "f", "rb", "br", "fr", "rf", "u":
			tok, n := lexString(lang, rest, strings.ToLower(word))
			return tok, n, true
		}
	case lang == "perl" && (word == "qx" || word == "q" || word == "qq") && strings.IndexByte("{([</|!'\"", rest[0]) >= 0:
		body, n := delimited(rest)
		if word == "qx" {
			return codeTok{tokShell, interpolate(lang, body)}, n, true
		}
		return codeTok{tokStr, interpolate(lang, body)}, n, true
	}
	return codeTok{}, 0, false
}

// delimited reads a bracketed or quoted body starting at s[0] (its opening delimiter).
func delimited(s string) (string, int) {
	open := s[0]
	closeBy := map[byte]byte{'{': '}', '(': ')', '[': ']', '<': '>'}
	cl, nests := closeBy[open]
	if !nests {
		cl = open
	}
	depth := 1
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case nests && s[i] == open:
			depth++
		case s[i] == cl:
			depth--
			if depth == 0 {
				return s[1:i], i + 1
			}
		}
	}
	return s[1:], len(s)
}

// lexString reads a quoted literal at s[0]; prefix is python's string prefix.
func lexString(lang, s, prefix string) (codeTok, int) {
	q := s[0]
	raw := strings.Contains(prefix, "r")
	quote := string(q)
	if lang == "python" && strings.HasPrefix(s, strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	var b strings.Builder
	i := len(quote)
	for i < len(s) {
		if strings.HasPrefix(s[i:], quote) {
			i += len(quote)
			break
		}
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			singleLit := q == '\'' && (lang == "perl" || lang == "ruby" || lang == "php")
			switch {
			case raw:
				b.WriteString(s[i : i+2])
			case !singleLit || s[i+1] == '\\' || s[i+1] == q:
				b.WriteByte(unescapeCode(s[i+1]))
			default:
				b.WriteString(s[i : i+2])
			}
			i += 2
			continue
		}
		b.WriteByte(c)
		i++
	}
	body := b.String()
	kind := tokStr
	if q == '`' && lang != "node" {
		kind = tokShell // perl, ruby, php: backticks run a shell
	}
	switch {
	case lang == "python" && strings.Contains(prefix, "f"),
		lang == "node" && q == '`',
		(lang == "ruby" || lang == "perl" || lang == "php") && q != '\'':
		body = interpolate(lang, body)
	}
	return codeTok{kind, body}, i
}

func unescapeCode(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	}
	return c
}

// interpolate replaces the run-time parts of an interpolating string (python {x}, JS ${x},
// ruby #{x}, perl/php $x) with dynMarker.
func interpolate(lang, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case lang == "python" && s[i] == '{' && !strings.HasPrefix(s[i:], "{{"):
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				j = len(s) - i - 1
			}
			b.WriteString(dynMarker)
			i += j
		case (lang == "node" && s[i] == '$' || lang == "ruby" && s[i] == '#' || lang == "perl" && s[i] == '$' ||
			lang == "php" && s[i] == '$') && i+1 < len(s) && s[i+1] == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				j = len(s) - i - 1
			}
			b.WriteString(dynMarker)
			i += j
		case (lang == "perl" || lang == "php") && s[i] == '$' && i+1 < len(s) && isIdentStart(s[i+1]):
			j := i + 1
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			b.WriteString(dynMarker)
			i = j - 1
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
