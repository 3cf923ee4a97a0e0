package sqlparse

import (
	"strings"
	"sync"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// piece is one statement of a text: its tokens and where it sits in the text.
type piece struct {
	toks       []token
	start, end int
}

// maxPooledTokens keeps huge inputs' token buffers out of the pool.
const maxPooledTokens = 1 << 14

// lexBuffers are the token and statement buffers of one Analyze call, pooled.
type lexBuffers struct {
	toks   []token
	pieces []piece
}

var bufPool = sync.Pool{New: func() any { return &lexBuffers{} }}

// split lexes src and cuts it into statements at top-level semicolons. ok is false when the
// text must go to the full parser whole: the lexer was unsure of a token's extent, a semicolon
// sits inside parentheses (CREATE RULE … DO (a; b)), or BEGIN ATOMIC bodies may hold some.
func split(src string, buf []token, pieces []piece) ([]piece, []token, bool) {
	toks, err := lex(src, buf)
	if err != nil {
		return pieces, buf, false
	}
	depth, from := 0, 0
	for i, t := range toks {
		switch {
		case t.kind == tkPunct && t.text == "(":
			depth++
		case t.kind == tkPunct && t.text == ")":
			depth--
		case t.kind == tkIdent && !t.quoted && t.text == "atomic":
			return pieces, toks, false
		case t.kind == tkPunct && t.text == ";":
			if depth != 0 {
				return pieces, toks, false
			}
			pieces = appendPiece(pieces, src, toks[from:i])
			from = i + 1
		}
	}
	return appendPiece(pieces, src, toks[from:]), toks, true
}

func appendPiece(pieces []piece, src string, toks []token) []piece {
	if len(toks) == 0 {
		return pieces // empty statement: PostgreSQL produces none
	}
	return append(pieces, piece{toks: toks, start: int(toks[0].pos), end: int(toks[len(toks)-1].end)})
}

// analyzeFast classifies the statements the fast parser accepts and sends the others, joined
// into one text, through PostgreSQL's parser in one call. When that parse fails, or its
// statement count does not match the split, the whole text is parsed by PostgreSQL so that
// the Result (ParseError included) is exactly what the full analysis gives.
func analyzeFast(src string, depth int) Result {
	buf := bufPool.Get().(*lexBuffers)
	pieces, toks, ok := split(src, buf.toks[:0], buf.pieces[:0])
	defer func() {
		if cap(toks) <= maxPooledTokens {
			buf.toks, buf.pieces = toks[:0], pieces[:0]
			bufPool.Put(buf)
		}
	}()
	if !ok {
		return analyzeFull(src, depth)
	}
	stmts := make([]Statement, len(pieces))
	var slow []int
	var fp fastParser
	for i, pc := range pieces {
		if st, ok := fp.run(pc.toks); ok {
			stmts[i] = st
			continue
		}
		text := src[pc.start:pc.end]
		if st, ok := cachedStatement(text, depth); ok {
			stmts[i] = st
			continue
		}
		slow = append(slow, i)
	}
	if len(slow) > 0 && !classifySlow(src, pieces, slow, stmts, depth) {
		return analyzeFull(src, depth)
	}
	if len(stmts) == 0 {
		return Result{}
	}
	res := Result{Statements: stmts}
	for i := range stmts {
		if stmts[i].Class == "" {
			stmts[i].Class = classOfKind(stmts[i].Kind)
		}
	}
	for _, st := range stmts {
		if st.Destructive {
			res.Destructive = true
			res.addReason(st.Reason)
		}
	}
	return res
}

// classifySlow parses the statements at slow with PostgreSQL's parser, in one call.
func classifySlow(src string, pieces []piece, slow []int, stmts []Statement, depth int) bool {
	var sb strings.Builder
	for k, i := range slow {
		if k > 0 {
			sb.WriteString(";\n")
		}
		sb.WriteString(src[pieces[i].start:pieces[i].end])
	}
	tree, err := pg.Parse(sb.String())
	if err != nil || len(tree.GetStmts()) != len(slow) {
		return false
	}
	for k, raw := range tree.GetStmts() {
		i := slow[k]
		stmts[i] = classify(raw.GetStmt(), depth)
		storeStatement(src[pieces[i].start:pieces[i].end], depth, stmts[i])
	}
	return true
}
