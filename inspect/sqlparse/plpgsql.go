package sqlparse

import (
	"encoding/json"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// judgeDo analyses the body of a DO block. A DO block runs at once, so it is destructive when its
// body contains destructive SQL, runs dynamic SQL (EXECUTE), or cannot be analysed (another
// language, or a body PL/pgSQL rejects): opaque code fails closed.
func judgeDo(d *pg.DoStmt, depth int) (bool, string) {
	lang, body := "plpgsql", ""
	for _, a := range d.GetArgs() {
		de := a.GetDefElem()
		switch de.GetDefname() {
		case "language":
			lang = strings.ToLower(de.GetArg().GetString_().GetSval())
		case "as":
			body = de.GetArg().GetString_().GetSval()
		}
	}
	if lang != "plpgsql" {
		return true, "DO block in language " + lang + " cannot be analysed"
	}
	v := plpgsqlVerdict(body, depth)
	switch {
	case v.err != nil:
		return true, "DO block cannot be analysed"
	case v.destructive:
		return true, "DO block: " + v.reason
	case v.dynamic:
		return true, "DO block runs dynamic SQL (EXECUTE)"
	}
	return false, ""
}

// judgeFunction flags CREATE FUNCTION/PROCEDURE whose body contains destructive SQL (a later
// call would run it). Dynamic SQL in a function body is common and is not flagged by itself.
func judgeFunction(f *pg.CreateFunctionStmt, depth int) (bool, string) {
	verb := "CREATE FUNCTION"
	if f.GetIsProcedure() {
		verb = "CREATE PROCEDURE"
	}
	if b := f.GetSqlBody(); b != nil && depth < maxNesting { // BEGIN ATOMIC … END
		for _, it := range b.GetList().GetItems() {
			for _, s := range it.GetList().GetItems() {
				if in := classify(s, depth+1); in.Destructive {
					return true, verb + " body: " + in.Reason
				}
			}
		}
	}
	lang, body := "", ""
	for _, o := range f.GetOptions() {
		de := o.GetDefElem()
		switch de.GetDefname() {
		case "language":
			lang = strings.ToLower(de.GetArg().GetString_().GetSval())
		case "as":
			if items := de.GetArg().GetList().GetItems(); len(items) == 1 {
				body = items[0].GetString_().GetSval()
			}
		}
	}
	if untrustedLanguage(lang) {
		return true, verb + " in untrusted language " + lang + " (runs operating-system code)"
	}
	if body == "" || depth >= maxNesting {
		return false, ""
	}
	switch lang {
	case "sql":
		if in := analyze(body, depth+1); in.Destructive {
			return true, verb + " body: " + in.Reasons[0]
		}
	case "plpgsql":
		if v := plpgsqlVerdict(body, depth); v.destructive {
			return true, verb + " body: " + v.reason
		}
	}
	return false, ""
}

type plVerdict struct {
	destructive bool
	reason      string
	dynamic     bool
	err         error
}

// plpgsqlVerdict parses a PL/pgSQL body with PostgreSQL's PL/pgSQL parser and analyses every SQL
// statement and expression in it.
func plpgsqlVerdict(body string, depth int) plVerdict {
	if depth >= maxNesting {
		return plVerdict{err: fmt.Errorf("PL/pgSQL nested more than %d levels", maxNesting)}
	}
	tag := "$warden$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$warden%d$", i)
	}
	js, err := pg.ParsePlPgSqlToJSON("CREATE FUNCTION warden_do() RETURNS void LANGUAGE plpgsql AS " +
		tag + body + tag)
	if err != nil {
		return plVerdict{err: err}
	}
	var tree any
	if err := json.Unmarshal([]byte(js), &tree); err != nil {
		return plVerdict{err: err}
	}
	var v plVerdict
	visitPL(tree, depth, &v, 0)
	return v
}

func visitPL(x any, depth int, v *plVerdict, level int) {
	if v.destructive || level > 10000 {
		return
	}
	switch t := x.(type) {
	case []any:
		for _, e := range t {
			visitPL(e, depth, v, level+1)
		}
	case map[string]any:
		for k, e := range t {
			switch k {
			case "PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_dynfors", "dynquery":
				v.dynamic = true
			case "PLpgSQL_expr":
				plExpr(e, depth, v)
			}
			visitPL(e, depth, v, level+1)
		}
	}
}

func plExpr(e any, depth int, v *plVerdict) {
	m, _ := e.(map[string]any)
	q, _ := m["query"].(string)
	if q == "" {
		return
	}
	in := analyze(q, depth+1)
	if in.ParseError != "" {
		// Expressions (IF x > 1, assignments) are not whole statements; wrap them as a SELECT.
		in = analyze("SELECT "+q, depth+1)
	}
	if in.Destructive {
		v.destructive, v.reason = true, in.Reasons[0]
	}
}

// untrustedLanguage reports whether functions in lang can run operating-system code: C and the
// untrusted procedural languages (plpython3u, plperlu, pltclu, plsh, ...).
func untrustedLanguage(lang string) bool {
	switch lang {
	case "c", "plsh", "plr":
		return true
	}
	return strings.HasPrefix(lang, "pl") && strings.HasSuffix(lang, "u")
}
