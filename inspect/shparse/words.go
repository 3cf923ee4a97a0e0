package shparse

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// arg is one resolved word.
type arg struct {
	val  string // the word with quotes and escapes resolved; dynamic parts kept as written ($X)
	dyn  bool   // some part could not be resolved statically
	glob bool   // an unquoted glob character (* ? [) is present
	// hidden names code the word carries that warden cannot read: "remote code" when a command
	// or process substitution downloads (curl, wget), "decoded code" when it decodes (base64 -d).
	hidden string
}

// words resolves the words of a command: quotes, escapes, ANSI-C strings, known variables, simple
// command substitutions ($(which rm)) and brace expansion.
func (a *analyzer) words(ws []*syntax.Word) []arg {
	out := make([]arg, 0, len(ws))
	for _, w := range ws {
		out = append(out, a.word(w)...)
	}
	return out
}

func (a *analyzer) word(orig *syntax.Word) []arg {
	// SplitBraces rewrites the word's parts; work on a copy so the tree stays walkable.
	w := &syntax.Word{Parts: orig.Parts}
	if syntax.SplitBraces(w) && braceCount(w) <= maxBraceExps {
		var out []arg
		for ew, err := range expand.BracesSeq(nil, w) {
			if err != nil || len(out) >= maxBraceWords {
				break
			}
			out = append(out, a.fields(ew)...)
		}
		return out
	}
	return a.fields(orig)
}

// maxBraceExps bounds the brace expressions expanded in one word; a word with more stays as
// written (expanding {a,b}{a,b}... costs quadratic time even when the output is capped).
const maxBraceExps = 4

func braceCount(w *syntax.Word) int {
	n := 0
	for _, p := range w.Parts {
		if _, ok := p.(*syntax.BraceExp); ok {
			n++
		}
	}
	return n
}

// splitInto appends an unquoted expansion's value to cur, splitting it into fields at blanks as
// the shell does; completed fields go to out.
func splitInto(out []arg, cur arg, s string) ([]arg, arg) {
	if !strings.ContainsAny(s, " \t\n") {
		cur.val += s
		return out, cur
	}
	parts := strings.Fields(s)
	for i, f := range parts {
		cur.val += f
		if i < len(parts)-1 {
			out = append(out, cur)
			cur = arg{}
		}
	}
	return out, cur
}

// fields resolves one (brace-free) word; an unquoted known variable holding spaces splits.
func (a *analyzer) fields(w *syntax.Word) []arg {
	if !a.step() {
		return []arg{{val: "$(…)", dyn: true}}
	}
	var out []arg
	cur := arg{}
	started := false
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			s := unescape(p.Value)
			cur.val += s
			if strings.ContainsAny(stripEscaped(p.Value), "*?[") {
				cur.glob = true
			}
		case *syntax.SglQuoted:
			if p.Dollar {
				cur.val += ansiC(p.Value)
			} else {
				cur.val += p.Value
			}
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				if cs, ok := q.(*syntax.CmdSubst); ok {
					cur.hidden = firstOf(cur.hidden, a.hiddenCode(cs.Stmts))
				}
				s, dyn := a.dqPart(q)
				cur.val += s
				cur.dyn = cur.dyn || dyn
			}
		case *syntax.ParamExp:
			s, dyn, known := a.param(p)
			if known && !dyn {
				out, cur = splitInto(out, cur, s)
			} else {
				cur.val += s
				cur.dyn = cur.dyn || dyn
			}
		case *syntax.CmdSubst:
			cur.hidden = firstOf(cur.hidden, a.hiddenCode(p.Stmts))
			if s, ok := a.substOutput(p.Stmts); ok {
				out, cur = splitInto(out, cur, s)
			} else {
				cur.val += "$(…)"
				cur.dyn = true
			}
		case *syntax.ProcSubst:
			cur.hidden = firstOf(cur.hidden, a.hiddenCode(p.Stmts))
			cur.val += "/dev/fd/$(…)"
			cur.dyn = true
		default: // ArithmExp, ExtGlob, ...
			cur.val += "$(…)"
			cur.dyn = true
		}
		started = true
	}
	if started || len(w.Parts) == 0 {
		out = append(out, cur)
	}
	return out
}

func (a *analyzer) dqPart(p syntax.WordPart) (string, bool) {
	switch p := p.(type) {
	case *syntax.Lit:
		return unescapeDQ(p.Value), false
	case *syntax.ParamExp:
		s, dyn, _ := a.param(p)
		return s, dyn
	case *syntax.CmdSubst:
		if s, ok := a.substOutput(p.Stmts); ok {
			return s, false
		}
	}
	return "$(…)", true
}

// hiddenCode reports whether statements produce code warden cannot read: "remote code" when they
// run a downloader (curl, wget, ...), "decoded code" when they run a decoder (base64 -d, xxd -r,
// openssl enc -d, gunzip ...), else "".
func (a *analyzer) hiddenCode(stmts []*syntax.Stmt) string {
	kind := ""
	for _, s := range stmts {
		syntax.Walk(s, func(n syntax.Node) bool {
			if !a.step() {
				return false
			}
			c, ok := n.(*syntax.CallExpr)
			if !ok || len(c.Args) == 0 {
				return true
			}
			name := baseName(c.Args[0].Lit())
			switch {
			case isDownloader(name):
				kind = "remote code"
			case isDecoder(name, c.Args[1:]) && kind == "":
				kind = "decoded code"
			}
			return kind != "remote code"
		})
	}
	return kind
}

func isDecoder(name string, args []*syntax.Word) bool {
	switch name {
	case "base64", "base32", "basenc", "xxd", "openssl", "uudecode":
		for _, w := range args {
			switch w.Lit() {
			case "-d", "--decode", "-D", "-r", "-ps", "enc", "base64":
				return true
			}
		}
	case "gunzip", "zcat", "bzcat", "xzcat", "rev", "uncompress":
		return true
	}
	return false
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func isDownloader(name string) bool {
	switch name {
	case "curl", "wget", "fetch", "aria2c", "http", "https", "xh", "lwp-request":
		return true
	}
	return false
}

// param resolves $X / ${X} / ${X:-default}. HOME, TMPDIR and friends stay symbolic ("$HOME") and
// dynamic so that path rules can recognise them.
func (a *analyzer) param(p *syntax.ParamExp) (val string, dyn, known bool) {
	if p.Param == nil {
		return "$…", true, false
	}
	name := p.Param.Value
	if _, splitChanged := a.vars["IFS"]; splitChanged && name != "IFS" {
		// With IFS assigned, an expansion splits into words warden does not model
		// (IFS=,; c=rm,-rf,/; $c runs rm -rf /): its value is not known.
		return "$" + name, true, false
	}
	v, ok := a.vars[name]
	plain := p.Index == nil && p.Slice == nil && p.Repl == nil && !p.Excl && !p.Length && p.Names == 0
	if ok && plain && p.Exp == nil {
		return v, false, true
	}
	if !ok && plain && p.Exp != nil && p.Exp.Word != nil &&
		(p.Exp.Op == syntax.DefaultUnset || p.Exp.Op == syntax.DefaultUnsetOrNull) {
		ws := a.fields(p.Exp.Word)
		if len(ws) == 1 {
			return ws[0].val, ws[0].dyn, !ws[0].dyn
		}
	}
	return "$" + name, true, false
}

// substOutput evaluates the output of a command substitution when it is static: which/command
// -v/type -P/-p name (the name itself), echo and printf of static words.
func (a *analyzer) substOutput(stmts []*syntax.Stmt) (string, bool) {
	if len(stmts) != 1 || a.substDepth >= maxSubstDepth {
		return "", false
	}
	a.substDepth++
	defer func() { a.substDepth-- }()
	call, ok := stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) < 2 {
		return "", false
	}
	args := a.words(call.Args)
	for _, x := range args {
		if x.dyn {
			return "", false
		}
	}
	name := baseName(args[0].val)
	rest := make([]string, 0, len(args)-1)
	for _, x := range args[1:] {
		rest = append(rest, x.val)
	}
	switch name {
	case "which", "command", "type", "whereis", "realpath", "readlink":
		for _, x := range rest {
			if !strings.HasPrefix(x, "-") {
				return x, true
			}
		}
	case "echo":
		for len(rest) > 0 && (rest[0] == "-n" || rest[0] == "-e" || rest[0] == "-E") {
			rest = rest[1:]
		}
		return strings.Join(rest, " "), true
	case "printf":
		if len(rest) == 1 && !strings.Contains(rest[0], "%") {
			return rest[0], true
		}
		if len(rest) >= 2 && rest[0] == "%s" {
			return strings.Join(rest[1:], ""), true
		}
	}
	return "", false
}

// unescape removes unquoted backslash escapes: \r\m → rm, backslash-newline → nothing.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// stripEscaped drops escaped characters, so that \* is not taken for a glob.
func stripEscaped(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unescapeDQ applies double-quote escapes: only \$ \` \" \\ and backslash-newline.
func unescapeDQ(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '$', '`', '"', '\\':
				i++
			case '\n':
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ansiC decodes bash $'...' escapes: \n \t \xHH \NNN \uHHHH \UHHHHHHHH \cX ...
func ansiC(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'e', 'E':
			b.WriteByte(27)
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'c':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i] & 0x1f)
			}
		case 'x', 'u', 'U':
			maxLen := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			j := i + 1
			for j < len(s) && j-i-1 < maxLen && isHex(s[j]) {
				j++
			}
			if j == i+1 {
				b.WriteByte('\\')
				b.WriteByte(e)
				continue
			}
			n, _ := strconv.ParseUint(s[i+1:j], 16, 32)
			switch {
			case e == 'x' && n <= math.MaxUint8: // always: at most two hex digits
				b.WriteByte(byte(n))
			case e != 'x' && n <= utf8.MaxRune && utf8.ValidRune(rune(n)):
				b.WriteRune(rune(n))
			}
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			// Like bash, \NNN keeps the low 8 bits (\777 is 0xff): byte arithmetic wraps.
			var n byte
			j := i
			for j < len(s) && j-i < 3 && s[j] >= '0' && s[j] <= '7' {
				n = n<<3 | (s[j] - '0')
				j++
			}
			b.WriteByte(n)
			i = j - 1
		default:
			b.WriteByte(e)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// baseName returns the last path element of a command name: /bin/rm → rm.
func baseName(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 && i < len(s)-1 {
		return s[i+1:]
	}
	return s
}
