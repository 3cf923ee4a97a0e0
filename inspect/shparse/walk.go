package shparse

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// cmdCtx is what a command inherits from where it appears.
type cmdCtx struct {
	via   []string
	stdin *stdinInfo
	// xargs is set when the command's trailing arguments come from xargs (unknown paths).
	xargs bool
}

// stdinInfo describes what is piped or redirected into a command.
type stdinInfo struct {
	text   string // static text (heredoc, here-string, echo ... |), if known
	known  bool
	hidden string // "remote code" / "decoded code": the producer downloads or decodes
	roots  []arg  // paths the producer lists (find ROOT, echo PATH), for xargs consumers
}

func (c *cmdCtx) with(via string) *cmdCtx {
	v := make([]string, len(c.via), len(c.via)+1)
	copy(v, c.via)
	return &cmdCtx{via: append(v, via), stdin: c.stdin, xargs: c.xargs}
}

// file analyses every command in a parsed script, including those nested in pipelines, lists,
// subshells, command and process substitutions, functions and compound commands.
func (a *analyzer) file(f *syntax.File, via []string, depth int) {
	pipes := map[*syntax.Stmt]*stdinInfo{}
	hidden := map[*syntax.Stmt]string{} // memo for pipeHidden: keeps long pipelines linear
	syntax.Walk(f, func(n syntax.Node) bool {
		if a.full || !a.step() {
			return false
		}
		switch n := n.(type) {
		case *syntax.BinaryCmd:
			if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
				pipes[firstStmt(n.Y)] = a.producer(n.X, a.pipeHidden(n.X, hidden))
			}
		case *syntax.FuncDecl:
			a.funcDecl(n)
		case *syntax.DeclClause:
			for _, as := range n.Args {
				a.assign(as)
			}
		case *syntax.Stmt:
			a.redirects(n.Redirs)
			call, ok := n.Cmd.(*syntax.CallExpr)
			if !ok {
				return true
			}
			ctx := &cmdCtx{via: via, stdin: pipes[n]}
			if in := a.redirStdin(n.Redirs); in != nil {
				ctx.stdin = in
			}
			a.call(call, ctx, depth)
		}
		return true
	})
}

// firstStmt returns the left-most statement of a pipeline.
func firstStmt(s *syntax.Stmt) *syntax.Stmt {
	for {
		b, ok := s.Cmd.(*syntax.BinaryCmd)
		if !ok || (b.Op != syntax.Pipe && b.Op != syntax.PipeAll) {
			return s
		}
		s = b.X
	}
}

// lastStmt returns the right-most statement of a pipeline.
func lastStmt(s *syntax.Stmt) *syntax.Stmt {
	for {
		b, ok := s.Cmd.(*syntax.BinaryCmd)
		if !ok || (b.Op != syntax.Pipe && b.Op != syntax.PipeAll) {
			return s
		}
		s = b.Y
	}
}

func (a *analyzer) call(call *syntax.CallExpr, ctx *cmdCtx, depth int) {
	if len(call.Args) == 0 {
		for _, as := range call.Assigns {
			a.assign(as)
		}
		return
	}
	a.command(a.words(call.Args), ctx, depth)
}

// assign records X=value when value is static, and forgets X otherwise.
func (a *analyzer) assign(as *syntax.Assign) {
	if as.Name == nil {
		return
	}
	name := as.Name.Value
	if as.Value == nil || as.Array != nil || as.Index != nil || as.Append {
		delete(a.vars, name)
		return
	}
	ws := a.fields(as.Value)
	if len(ws) == 1 && !ws[0].dyn {
		a.vars[name] = ws[0].val
		return
	}
	if len(ws) == 0 {
		a.vars[name] = ""
		return
	}
	delete(a.vars, name)
}

// pipeHidden is hiddenCode of a pipeline's left side, memoised per statement so that a pipeline
// of n commands costs O(n), not O(n²).
func (a *analyzer) pipeHidden(s *syntax.Stmt, memo map[*syntax.Stmt]string) string {
	if h, ok := memo[s]; ok {
		return h
	}
	var h string
	if b, ok := s.Cmd.(*syntax.BinaryCmd); ok && (b.Op == syntax.Pipe || b.Op == syntax.PipeAll) {
		h = firstOf(a.pipeHidden(b.X, memo), a.pipeHidden(b.Y, memo))
	} else {
		h = a.hiddenCode([]*syntax.Stmt{s})
	}
	memo[s] = h
	return h
}

// producer describes what the left side of a pipe writes.
func (a *analyzer) producer(s *syntax.Stmt, hidden string) *stdinInfo {
	info := &stdinInfo{hidden: hidden}
	last := lastStmt(s)
	for i := 0; i < maxDepth; i++ { // ( a; echo X ) | cmd: the last command writes last
		var inner []*syntax.Stmt
		switch x := last.Cmd.(type) {
		case *syntax.Subshell:
			inner = x.Stmts
		case *syntax.Block:
			inner = x.Stmts
		}
		if len(inner) == 0 {
			break
		}
		last = lastStmt(inner[len(inner)-1])
	}
	call, ok := last.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) == 0 {
		return info
	}
	args := a.words(call.Args)
	switch baseName(args[0].val) {
	case "echo", "printf":
		if out, ok := a.substOutput([]*syntax.Stmt{last}); ok {
			info.text, info.known = out+"\n", true
		}
		for _, x := range args[1:] {
			if !strings.HasPrefix(x.val, "-") {
				info.roots = append(info.roots, x)
			}
		}
	case "cat":
		if in := a.redirStdin(last.Redirs); in != nil && len(args) == 1 {
			info.text, info.known = in.text, in.known
		}
	case "find":
		info.roots = findRoots(args[1:])
	case "ls":
		for _, x := range args[1:] {
			if !strings.HasPrefix(x.val, "-") {
				info.roots = append(info.roots, x)
			}
		}
	}
	return info
}

// redirStdin returns the text of a here-document or here-string, if any.
func (a *analyzer) redirStdin(rs []*syntax.Redirect) *stdinInfo {
	for _, r := range rs {
		switch r.Op {
		case syntax.Hdoc, syntax.DashHdoc:
			if r.Hdoc == nil {
				return &stdinInfo{known: true}
			}
			ws := a.fields(r.Hdoc)
			if len(ws) == 1 {
				return &stdinInfo{text: ws[0].val, known: !ws[0].dyn}
			}
		case syntax.WordHdoc:
			ws := a.fields(r.Word)
			if len(ws) == 1 {
				return &stdinInfo{text: ws[0].val + "\n", known: !ws[0].dyn}
			}
		case syntax.RdrIn:
			return &stdinInfo{}
		}
	}
	return nil
}

// redirects flags output redirections to block devices and truncation of system files.
func (a *analyzer) redirects(rs []*syntax.Redirect) {
	for _, r := range rs {
		truncate := false
		switch r.Op {
		case syntax.RdrOut, syntax.RdrClob, syntax.RdrAll, syntax.RdrInOut:
			truncate = true
		case syntax.AppOut, syntax.AppAll:
		case syntax.DplOut:
			if r.Word == nil || isDigits(r.Word.Lit()) || r.Word.Lit() == "-" {
				continue
			}
			truncate = true
		default:
			continue
		}
		if r.Word == nil {
			continue
		}
		for _, t := range a.fields(r.Word) {
			if reason := writeTargetRisk(t.val, truncate); reason != "" {
				a.flag(reason)
			}
		}
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// funcDecl flags fork bombs: a function that runs itself in a pipe or in the background.
func (a *analyzer) funcDecl(f *syntax.FuncDecl) {
	if f.Name == nil || f.Body == nil {
		return
	}
	name := f.Name.Value
	self := func(s *syntax.Stmt) bool {
		found := false
		syntax.Walk(s, func(n syntax.Node) bool {
			if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 0 && c.Args[0].Lit() == name {
				found = true
			}
			return !found
		})
		return found
	}
	bomb := false
	syntax.Walk(f.Body, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.BinaryCmd:
			if (n.Op == syntax.Pipe || n.Op == syntax.PipeAll) && self(n.X) && self(n.Y) {
				bomb = true
			}
		case *syntax.Stmt:
			if n.Background && self(n) {
				bomb = true
			}
		}
		return !bomb
	})
	if bomb {
		a.flag("fork bomb: function " + name + " spawns itself")
	}
}
