package sqlparse

import (
	"reflect"
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// differentialCorpus holds statements the fast path must classify exactly as the full parse.
// It mixes statements the fast path accepts, statements it must refuse, and invalid SQL.
var differentialCorpus = []string{
	"UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = 9 AND status = 'paid'",
	"SELECT id, email FROM users WHERE id = 42",
	"SELECT e.id, u.email FROM events e JOIN users u ON u.id = e.user_id WHERE e.kind = 'click' LIMIT 10",
	"INSERT INTO events (id, kind, payload) VALUES (1, 'click', '{\"x\": 1}')",
	"INSERT INTO t VALUES (1, DEFAULT), (2, $1) ON CONFLICT (id) DO NOTHING RETURNING id",
	"INSERT INTO a SELECT * FROM b WHERE 1=1",
	"INSERT INTO t DEFAULT VALUES",
	"DELETE FROM sessions WHERE expires_at < now()",
	"DELETE FROM t WHERE id IN (SELECT id FROM u WHERE u.gone)",
	"DELETE FROM t WHERE id = 1 OR 1=1", "DELETE FROM t WHERE 1=1", "DELETE FROM t WHERE x = x",
	"DELETE FROM t WHERE t.x = x", "DELETE FROM t WHERE a = b", "DELETE FROM t WHERE a IS NOT NULL",
	"DELETE FROM t WHERE 1 IS NOT NULL", "DELETE FROM t WHERE a LIKE '%'", "DELETE FROM t WHERE a LIKE 'x%'",
	"DELETE FROM t WHERE a NOT LIKE '%'", "DELETE FROM t WHERE a IN (1, 2)", "DELETE FROM t WHERE a IN (a, 2)",
	"DELETE FROM t WHERE a NOT IN (a)", "DELETE FROM t WHERE a BETWEEN 1 AND 2", "DELETE FROM t WHERE flag",
	"DELETE FROM t WHERE NOT flag", "DELETE FROM t WHERE EXISTS (SELECT 1)", "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u)",
	"DELETE FROM t WHERE (a = 1 OR b = 2) AND c = 3", "DELETE FROM t WHERE a = 1 OR b = 2",
	"DELETE FROM t WHERE a = 1 OR true", "DELETE FROM t WHERE $1 = $1", "DELETE FROM t WHERE id = $1",
	"DELETE FROM t WHERE a::int = 1", "DELETE FROM t WHERE CAST(a AS int) = 1", "DELETE FROM t WHERE lower(a) = 'x'",
	"DELETE FROM t WHERE a = 1 IS TRUE", "DELETE FROM t", "DELETE FROM t USING u WHERE t.id = u.id",
	"DELETE FROM t WHERE CURRENT OF c", "UPDATE t SET a = 1", "UPDATE t SET a = DEFAULT WHERE id = 2 RETURNING *",
	"UPDATE t AS x SET a = u.a FROM u WHERE x.id = u.id", "UPDATE t SET a = 1 WHERE 1 = 1",
	"UPDATE t SET a = pg_terminate_backend(1) WHERE id = 1", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
	"SELECT \"PG_TERMINATE_BACKEND\"(1)", "SELECT dblink_exec('dbname=x', 'DROP TABLE users')", "SELECT lo_unlink(1)",
	"SELECT 'DROP TABLE x'", "-- DROP TABLE users\nSELECT 1", "SELECT /* DROP DATABASE shop; */ 1",
	"SELECT $$DROP TABLE x$$", "SELECT $a$;DROP TABLE x;$a$", "SELECT E'it\\'s; DROP TABLE x'",
	"SELECT 'a\\'; DROP TABLE x; --'", "SELECT 'a'\n'b'", "SELECT E'a'\n'\\'; DROP TABLE x; --'",
	"SELECT 'a' 'b'", "SELECT 1; DROP DATABASE shop", "SELECT 1;;SELECT 2;", ";", "",
	"WITH x AS (SELECT 1) SELECT * FROM x", "WITH x AS (SELECT * FROM a) SELECT * FROM x JOIN b ON true",
	"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "WITH x AS (SELECT 1) DELETE FROM x WHERE a = 1",
	"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r",
	"SELECT a FROM t WHERE x = 1 UNION SELECT b FROM u WHERE 1 = 1", "SELECT a FROM t WHERE true",
	"SELECT a FROM t WHERE 1 = 1", "SELECT * FROM s.t, c.s.u, \"Quoted\".\"T\"", "SELECT * FROM a.b.c.d",
	"SELECT Name, TYPE, value FROM Users WHERE \"Name\" = 'x'", "SELECT count(*), count(DISTINCT a) FROM t GROUP BY b HAVING count(*) > 1",
	"SELECT a, b AS c, d e FROM t ORDER BY a DESC NULLS LAST, b LIMIT 10 OFFSET 5",
	"SELECT * FROM t LIMIT ALL", "SELECT * FROM (SELECT a FROM t) s WHERE s.a = 1",
	"SELECT * FROM (SELECT a FROM t)", "SELECT * FROM generate_series(1, 10) g",
	"SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END FROM t", "SELECT coalesce(a, 0), nullif(b, 1) FROM t",
	"SELECT now() - interval '1 day'", "SELECT interval '1' day", "SELECT date '2024-01-01', timestamp '2024-01-01'",
	"SELECT 1::numeric(10, 2), 2::double precision, 'x'::varchar(3), 'y'::text[]",
	"SELECT a->>'b', a->'c', a || b FROM t WHERE a @> '{}'", "SELECT -1, +2, - - 3, 1.5e10, .5",
	"SELECT 1a", "SELECT 0x1F", "SELECT 1_000", "SELECT 1..2", "SELECT $1abc", "SELECT a=-1 FROM t",
	"SELECT a=--comment\n1 FROM t", "SELECT a*/*c*/b FROM t", "SELECT `x` FROM t", "SELECT a ! b",
	"SELECT a = b = c FROM t", "SELECT a FROM t WHERE a IS NULL IS NULL", "SELECT a LIKE b LIKE c",
	"SELECT * FROM t WHERE a NOT BETWEEN 1 AND 2", "SELECT * FROM t WHERE a ILIKE 'x' ESCAPE '!'",
	"SELECT * FROM t FOR UPDATE OF t", "SELECT * INTO x FROM t", "TABLE t", "VALUES (1, 2), (3, 4)",
	"SELECT", "SELECT FROM t", "SELECT 1 FROM", "SELECT (1", "SELECT 1)", "SELECT 'unterminated",
	"SELECT \"unterminated", "SELECT /* unterminated", "SELECT $$unterminated", "SELECT U&'\\0041'",
	"SELECT \"\"", "SELECT B'0101', X'1F', N'x'", "SELECT E'\\x41'", "SELECT E'\\u0041'", "SELECT 'caf\xc3\xa9'",
	"SELECT 'bad\xff'", "SELECT \xc3\xa9", "SELECT 1\v", "SELECT \"" + strings.Repeat("x", 64) + "\" FROM t",
	"SELECT " + strings.Repeat("y", 70) + " FROM t", "DROP TABLE users", "drop table if exists public.users cascade",
	"DROP TABLE a, b, a", "DROP TABLE ONLY a", "DROP INDEX i", "DROP TABLE `users`", "TRUNCATE a, public.b RESTART IDENTITY",
	"TRUNCATE TABLE ONLY a", "TRUNCATE a *", "BEGIN", "BEGIN WORK", "BEGIN ISOLATION LEVEL SERIALIZABLE",
	"START TRANSACTION", "COMMIT", "END TRANSACTION", "ROLLBACK", "ABORT", "ROLLBACK TO SAVEPOINT s",
	"ROLLBACK TO s", "SAVEPOINT s", "RELEASE s", "RELEASE SAVEPOINT s", "COMMIT AND CHAIN", "COMMIT PREPARED 'x'",
	"SET statement_timeout = 1000", "SET LOCAL search_path TO public, \"$user\"", "SET x = on", "SET x TO DEFAULT",
	"SET TIME ZONE 'UTC'", "SET SESSION AUTHORIZATION bob", "SET ROLE bob", "SET x = -1", "SHOW search_path",
	"SHOW ALL", "SHOW TIME ZONE", "CREATE TABLE t (id int primary key)", "ALTER TABLE t ADD b int",
	"CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END",
	"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO u VALUES (1); DELETE FROM v)",
	"DO $$ BEGIN DELETE FROM t; END $$", "EXPLAIN ANALYZE DELETE FROM t", "GRANT ALL ON t TO PUBLIC",
	"COPY t TO PROGRAM 'x'", "SELECT 1\x00", "UNDROP TABLE users", "this is not sql", "DELETE FROM",
	"SELECT * FROM t WHERE a = ANY($1)", "SELECT a[1] FROM t", "SELECT (a).b FROM t", "SELECT a COLLATE \"C\" FROM t",
	"SELECT sum(a) FILTER (WHERE b) FROM t", "SELECT row_number() OVER () FROM t", "SELECT f(a := 1)",
	"SELECT * FROM t WHERE NOT (a = 1)", "SELECT * FROM t WHERE a = (SELECT max(b) FROM u)",
	"SELECT * FROM t WHERE a IN (SELECT b FROM u) AND c = 1", "SELECT * FROM t t1 CROSS JOIN u LEFT OUTER JOIN v USING (id)",
	"SELECT * FROM t NATURAL JOIN u", "SELECT * FROM (t JOIN u ON true)", "SELECT * FROM ONLY t", "SELECT * FROM t*",
	"SELECT * FROM t AS x(a, b)", "SELECT current_date, current_timestamp, current_user", "SELECT current_timestamp(3)",
	"SELECT true, false, null", "SELECT x FROM name", "SELECT name FROM t", "SELECT a name FROM t",
	"SELECT nulls FROM t", "SELECT * FROM t ORDER BY a USING <", "SELECT 1 FROM t GROUP BY ROLLUP (a)",
	"SELECT a FROM t WHERE a = 1 UNION SELECT 1 ORDER BY 1 LIMIT 1", "(SELECT 1)", "SELECT 1 ORDER BY 1 UNION SELECT 2",
	"INSERT INTO t (a) SELECT 1 ON CONFLICT DO UPDATE SET a = 1", "INSERT INTO t AS x VALUES (1)",
	"UPDATE t SET (a, b) = (1, 2) WHERE id = 1", "UPDATE ONLY t SET a = 1 WHERE id = 1", "UPDATE t SET a.b = 1 WHERE id = 1",
	"DELETE FROM t WHERE id = 1 RETURNING id, a AS b", "DELETE FROM ONLY t WHERE id = 1",
	"SELECT 1::double precision(3)", "SELECT 1::int(3)", "SELECT 1::float(1, 2)", "SELECT 1::numeric(10, 2, 3)",
	"SELECT 'x'::\"char\"(3)", "SELECT 1::a.b(2)", "SELECT $99999999999", "SELECT $2147483647", "VALUES (1), (1, 2)",
	"SELECT a FROM t WHERE a IN ()", "SELECT count(*, a) FROM t", "SELECT f(DISTINCT) FROM t", "SELECT CASE END",
	"SELECT a FROM t GROUP BY cube(a)", "SELECT a FROM t GROUP BY rollup()", "SELECT nullif(1)", "SELECT coalesce()",
	"SELECT a BETWEEN 1 AND 2 AND c FROM t", "SELECT a BETWEEN 1 < 2 AND 3", "SELECT a LIKE b = c, a = b LIKE c FROM t",
	"SELECT - a IS NULL, -1::int, a->-1, a||-1, a>=-1, a!=-1 FROM t", "SELECT t.1 FROM t", "SELECT de'x', e'x\\n'",
	"SELECT 1 IS NULL = true", "SELECT a IS NOT DISTINCT FROM b", "SELECT a NOTNULL", "SELECT NOT a = b FROM t",
	"DELETE FROM t WHERE a = 1 AND NOT b", "DELETE FROM t WHERE a = b IS NULL", "DELETE FROM t WHERE a IN (1) = true",
	"DELETE FROM t WHERE NOT NOT NOT a = a", "DELETE FROM t WHERE " + strings.Repeat("(", 40) + "a = 1" + strings.Repeat(")", 40),
	"DELETE FROM t WHERE a = 1 AND " + strings.Repeat("NOT ", 250) + "false", "SELECT 1 FROM t WHERE b AND 1::int::int::int = 1",
	"INSERT INTO t WITH x AS (SELECT 1) SELECT * FROM x", "WITH x AS (SELECT 1) VALUES (1)", "SELECT 1 UNION (SELECT 2)",
	"SELECT * FROM t LIMIT 1, 2", "SELECT * FROM t OFFSET 1 ROWS", "SELECT a FROM t WHERE x = 1 LIMIT $1 OFFSET $2",
	"UPDATE t SET a = (SELECT x FROM u) FROM v WHERE t.id = v.id", "SELECT null.x", "SELECT current_date.x",
	"CREATE TABLE IF NOT EXISTS s.t (id bigserial PRIMARY KEY, u bigint NOT NULL REFERENCES s.u (id) ON DELETE CASCADE, " +
		"q integer NOT NULL DEFAULT 1 CHECK (q > 0), c char(3) DEFAULT 'EUR', CONSTRAINT k UNIQUE (q), FOREIGN KEY (u) REFERENCES v)",
	"CREATE TABLE t (a int, b text REFERENCES t)", "CREATE TABLE t ()", "CREATE TABLE t (a int) INHERITS (u)",
	"CREATE TABLE t (LIKE u)", "CREATE TABLE t (a int DEFAULT 1 < 2)", "CREATE TABLE t (a int DEFAULT 'x' IS NULL)",
	"CREATE TABLE t (a int DEFAULT 1 NOT NULL, b timestamp with time zone)", "CREATE TABLE t (a int[])",
	"CREATE TABLE t (a int CONSTRAINT)", "CREATE TABLE t (a int REFERENCES u ON DELETE SET NULL ON UPDATE NO ACTION)",
	"CREATE TABLE t (a int REFERENCES u ON DELETE CASCADE ON DELETE CASCADE)", "CREATE TABLE t (a numeric(10, 2, 1))",
	"CREATE TABLE t (check int)", "CREATE TABLE t (a text, b name, c setof int, d double, e json)",
	"SELECT 1::text, 'x'::name, 1::double, 1::setof, 'x'::json, 1::format", "CREATE TEMP TABLE t (a int)", "CREATE TABLE t AS SELECT 1",
	"CREATE INDEX ON t (a)", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t USING btree (a DESC NULLS LAST, (lower(b)))",
	"CREATE INDEX IF NOT EXISTS ON t (a)", "CREATE INDEX i ON t (a) WHERE a > 1", "CREATE INDEX i ON t (a text_pattern_ops)",
	"CREATE INDEX i ON t ((pg_terminate_backend(a)))", "CREATE INDEX i ON ONLY t (a)",
	"ALTER TABLE t ADD COLUMN IF NOT EXISTS c char(3) NOT NULL DEFAULT 'EUR', ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES u",
	"ALTER TABLE IF EXISTS t ADD PRIMARY KEY (a)", "ALTER TABLE t ADD b int REFERENCES u", "ALTER TABLE t DROP COLUMN b",
	"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", "ALTER TABLE ONLY t ADD b int", "ALTER TABLE t ADD",
	"SELECT a FROM t WHERE a = 1 AND", "SELECT a, FROM t", "SELECT a FROM t,", "SELECT a FROM t JOIN u",
	"SELECT a FROM t t2 t3", "INSERT INTO t VALUES", "INSERT INTO t (a VALUES (1)", "UPDATE t SET",
	"UPDATE t SET a", "DELETE t WHERE a = 1", "SELECT CAST(a AS) FROM t", "SELECT CASE WHEN a THEN b",
	"SELECT 1 UNION", "SELECT 1 UNION ALL ALL SELECT 2", "SELECT DISTINCT ON a FROM t",
	"WITH x AS SELECT 1 SELECT 1", "WITH x (SELECT 1) SELECT 1", "WITH x AS (SELECT 1), SELECT 1",
	"SELECT a FROM t ORDER a", "SELECT a FROM t LIMIT", "SELECT a FROM t GROUP BY",
	"SELECT * FROM t WHERE a IN (1,)", "SELECT * FROM t WHERE a BETWEEN 1", "SELECT * FROM t WHERE a LIKE",
	"SELECT * FROM t WHERE a IS", "SELECT * FROM t WHERE a IS NOT", "SELECT * FROM t WHERE NOT", "SELECT 1 AS",
	"SELECT -", "SELECT a::", "SELECT a::int(", "SELECT f(,)", "SELECT (SELECT 1", "SET x", "SET x =",
	"SET x = 1,", "SHOW", "BEGIN WORK WORK", "DROP TABLE", "DROP TABLE a,", "TRUNCATE", "SAVEPOINT", "RELEASE",
	"ROLLBACK TO", "SELECT 1 FROM t WHERE a = 1 FOR", "SELECT a FROM t WHERE a = 1 AND b = 2 OR c = 3",
	"CREATE TABLE t (a int PRIMARY KEY REFERENCES u, b int UNIQUE NULL)",
	"CREATE TABLE t (a int, PRIMARY KEY (a), UNIQUE (a, b))",
	"CREATE TABLE t (a int CONSTRAINT c NOT NULL CONSTRAINT d CHECK (a > 0))",
	"ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int", "CREATE TABLE t (a int NOT DEFERRABLE)",
	"CREATE TABLE t (a int CHECK (a > 0) NO INHERIT)", "CREATE TABLE t (a int REFERENCES u ON)",
	"CREATE TABLE if (a int)", "CREATE TABLE t (key int)", "CREATE INDEX i ON t (a, b)",
	"CREATE INDEX i ON t ()", "CREATE INDEX ON t",
	"SELECT 1 -- trailing comment", "SELECT 1 /* trailing */", "/* only */", "-- only",
	// literals that are whole list items (the literalItem shortcut) and ones that are not
	"DELETE FROM t WHERE a IN (1, 'x', 2.5)", "DELETE FROM t WHERE (1)", "DELETE FROM t WHERE ('x')",
	"SELECT f(1, 'a''b'), (2), ('c')::text FROM t", "VALUES (1, 'a' || 'b'), ('x' 'y')",
	"INSERT INTO t VALUES (1e5, E'a\\n', $1, -1, 'x' COLLATE \"C\")", "SELECT 1 FROM t WHERE a IN (1,)",
}

// fullAnalyze is the reference: PostgreSQL's parser on the whole text, as before the fast path.
func fullAnalyze(src string) Result { return analyzeFull(src, 0) }

// pgAnalyze is Analyze's PostgreSQL step (fast path, cache and fallback to the full parse),
// without the MySQL and lexical readings that follow a PostgreSQL parse error.
func pgAnalyze(src string) Result {
	if err := checkInput(src); err != "" {
		return Result{ParseError: err}
	}
	return analyzeFast(src, 0)
}

func normalize(r Result) Result {
	for i := range r.Statements {
		if len(r.Statements[i].Tables) == 0 {
			r.Statements[i].Tables = nil
		}
	}
	return r
}

func assertAgrees(t *testing.T, src string) {
	t.Helper()
	want := normalize(fullAnalyze(src))
	for _, cache := range []string{"cold", "warm"} {
		if cache == "cold" {
			resetCache()
		}
		got := normalize(pgAnalyze(src))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Analyze(%q) with %s cache disagrees with the full parse:\n got %+v\nwant %+v", src, cache, got, want)
		}
	}
}

func TestFastPathAgreesWithFullParse(t *testing.T) {
	corpus := append([]string{body10K(), migrationBody(), bulkInsertBody(), destructiveTailBody()}, differentialCorpus...)
	corpus = append(corpus, strings.Join(differentialCorpus[:40], ";\n"))
	for _, src := range corpus {
		name := src
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) { assertAgrees(t, src) })
	}
}

// TestFastPathCoverage pins which statements the fast path reads itself: if it silently
// refused everything the agreement test above would still pass, and warden would be slow.
func TestFastPathCoverage(t *testing.T) {
	tests := []struct {
		sql  string
		fast bool
	}{
		{"UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = 9 AND status = 'paid'", true},
		{"SELECT e.id, u.email FROM events e JOIN users u ON u.id = e.user_id WHERE e.kind = 'click' LIMIT 10", true},
		{"INSERT INTO events (id, kind) VALUES (1, 'click'), (2, 'view')", true},
		{"DELETE FROM t", true},
		{"DROP TABLE a, b", true},
		{"BEGIN", true},
		{"SET statement_timeout = 1000", true},
		{"DELETE FROM t WHERE 1 = 1", false},            // tautology: the evaluator decides
		{"SELECT pg_terminate_backend(1)", false},       // dangerous function
		{"WITH d AS (DELETE FROM t) SELECT 1", false},   // data-modifying CTE
		{"SELECT a FROM t WHERE a = a", false},          // x = x
		{"SELECT * FROM t WHERE a = 1 OR 1 = 1", false}, // OR with a tautology
		{"CREATE TABLE t (id int REFERENCES u)", true},
		{"CREATE TABLE t (id int) INHERITS (u)", false},
		{"SELECT 1a", false}, // PostgreSQL rejects it
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			toks, err := lex(tt.sql, nil)
			fast := false
			if err == nil {
				_, fast = fastStatement(toks)
			}
			if fast != tt.fast {
				t.Errorf("fast path accepted=%v, want %v", fast, tt.fast)
			}
		})
	}
}

func TestAnalyzeResultIsNotSharedWithCache(t *testing.T) {
	resetCache()
	const q = "CREATE TABLE t (id int REFERENCES u)"
	first := Analyze(q)
	first.Statements[0].Tables[0] = "changed"
	if again := Analyze(q); again.Statements[0].Tables[0] != "t" {
		t.Fatalf("a caller's change leaked into the cache: %v", again.Statements[0].Tables)
	}
}

func TestKeywordsMatchPostgres(t *testing.T) {
	want := map[pg.KeywordKind]kwCat{
		pg.KeywordKind_UNRESERVED_KEYWORD: kwUnreserved, pg.KeywordKind_COL_NAME_KEYWORD: kwColName,
		pg.KeywordKind_TYPE_FUNC_NAME_KEYWORD: kwTypeFunc, pg.KeywordKind_RESERVED_KEYWORD: kwReserved,
	}
	words := make([]string, 0, len(keywords))
	for w := range keywords {
		words = append(words, w)
	}
	words = append(words, "users", "status", "id")
	for _, w := range words {
		res, err := pg.Scan(w)
		if err != nil || len(res.GetTokens()) != 1 {
			t.Fatalf("scan %q: %v %v", w, err, res)
		}
		if got := want[res.GetTokens()[0].GetKeywordKind()]; got != keywords[w] {
			t.Errorf("keyword %q: table says %d, PostgreSQL says %d", w, keywords[w], got)
		}
	}
}

// FuzzFastPathAgreesWithFullParse checks that the fast path (with the statement cache) gives
// exactly the Result of PostgreSQL's full parse, parse errors included.
func FuzzFastPathAgreesWithFullParse(f *testing.F) {
	for _, s := range differentialCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		want := normalize(fullAnalyze(src))
		got := normalize(pgAnalyze(src))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Analyze(%q) disagrees with the full parse:\n got %+v\nwant %+v", src, got, want)
		}
	})
}

func TestTablesOfOneStatementDoNotAliasAnother(t *testing.T) {
	r := Analyze("SELECT * FROM a; SELECT * FROM b")
	if len(r.Statements) != 2 {
		t.Fatalf("got %+v", r)
	}
	r.Statements[0].Tables = append(r.Statements[0].Tables, "x")
	if got := r.Statements[1].Tables; len(got) != 1 || got[0] != "b" {
		t.Fatalf("appending to statement 0's tables changed statement 1's: %q", got)
	}
}
