// Package sqlparse tells warden's policies what a SQL text means: its statements, their kind,
// the tables they name, whether a DELETE/UPDATE is bounded by a real WHERE, and whether running
// it can destroy data, schema or access control.
//
// # Parser
//
// The reference is PostgreSQL's own parser (libpg_query through github.com/pganalyze/pg_query_go/v6,
// cgo), so multi-statement strings, dollar quoting, comments and string literals are split and read
// exactly as the server would: `SELECT 'DROP TABLE x'` is a SELECT, `-- DROP TABLE x` is nothing.
// Text that is not valid PostgreSQL (MySQL backticks, Snowflake-only syntax, truncated input)
// yields Result.ParseError and no statements; the policy decides what to do with it (the default
// pack fails closed on endpoints that execute SQL). The first build compiles libpg_query, which
// takes a few minutes; later builds are cached.
//
// # Fast path
//
// pg_query's Parse is slow for a policy hook: libpg_query serialises the tree to protobuf in C and
// Go decodes it (~60 µs for one UPDATE, 10–20 ms for a 10 KiB script, most of it protobuf on both
// sides, not parsing). Analyze therefore reads text in three steps (fast.go):
//
//  1. A pure-Go lexer (lex.go) reproduces PostgreSQL's scanner (standard_conforming_strings on):
//     single-quoted and E-prefixed strings with continuations, $tag$ quoting, nested /* */
//     comments, quoted and folded identifiers, scan.l's operator rules. It splits the text at
//     top-level semicolons.
//     Anything whose extent it is unsure of (Unicode escapes, unterminated quotes, numeric junk
//     such as 1a or 0x1F, \v, a semicolon inside parentheses, BEGIN ATOMIC) sends the whole text
//     to PostgreSQL.
//  2. A conservative recursive-descent parser (fastparse.go, fastquery.go, fastexpr.go) reads a
//     subset of the grammar: SELECT/VALUES (joins, sub-queries, WHERE, GROUP BY, ORDER BY,
//     LIMIT, UNION...), INSERT … VALUES/SELECT [ON CONFLICT … DO NOTHING], UPDATE and DELETE,
//     WITH whose CTEs are queries, BEGIN/COMMIT/ROLLBACK/SAVEPOINT, SET, SHOW, DROP TABLE,
//     TRUNCATE, and migration DDL (fastddl.go: CREATE TABLE with column and table constraints,
//     CREATE INDEX, ALTER TABLE … ADD column or constraint). It gives up on a statement
//     ("bails") on anything else and on anything it cannot prove it reads like PostgreSQL:
//     keywords used as names, typed literals other than `name 'x'`, chained comparisons,
//     special call syntax, and every function in the dangerous list or named dblink*. A WHERE
//     of UPDATE/DELETE/SELECT is accepted only when it is provably not a tautology to where.go's
//     evaluator (an AND with a conjunct such as `col = <anything but col>`, `col IS NULL`,
//     `col IN (...)` without col, BETWEEN, a bare
//     column or function call); `WHERE 1=1`, `x = x`, `... OR true`, `EXISTS (SELECT 1)` go to
//     the evaluator. Expressions nest at most maxFastDepth levels, far below the evaluator's 200.
//  3. Statements the fast parser refused are joined into one text and parsed by PostgreSQL in a
//     single call; if that fails or yields a different number of statements, the whole text is
//     parsed by PostgreSQL, so ParseError (message included) is exactly what the full parse says.
//     Their Statements are kept in a bounded LRU (4096 statements up to 4 KiB, 8 MiB) keyed by
//     text, because agents repeat queries; nested SQL (depth > 0) is not cached.
//
// The fast path's promise is "same Result as the full parse, or refuse".
// TestFastPathAgreesWithFullParse and FuzzFastPathAgreesWithFullParse compare Analyze with the
// full analysis (analyzeFull) on the test tables' statements, fixtures and fuzzed text, with a
// cold and a warm cache.
//
// Why this design (measured side by side on the same loaded 2-core machine; wall ns/op from
// go test -bench, instructions from valgrind --tool=callgrind, which the load does not skew):
//
//   - Every pg_query entry point is too slow to be the default. On the 10 KiB mixed body:
//     Parse (protobuf) ~20 ms, Scan ~3.7 ms, Fingerprint ~3.6 ms, ParseToJSON ~1.3 ms before
//     any Go-side JSON walk, SplitWithScanner alone ~0.5 ms; one
//     typical UPDATE: Parse ~60 µs, ParseToJSON ~11 µs. A JSON walk would also mean rewriting
//     classify.go and where.go against untyped maps.
//   - The Go lexer and subset parser (instructions per Analyze, cold cache, against the full
//     analysis): typical UPDATE 10 k vs 517 k (50×); 10 KiB mixed DML 1.56 M vs 68 M (44×);
//     10 KiB migration (CREATE TABLE/INDEX, ALTER … ADD, backfills) 0.94 M vs 40 M (42×); 10 KiB
//     bulk INSERT 0.83 M vs 24 M (28×); 10 KiB ending in DELETE … WHERE 1 = 1, which goes to
//     PostgreSQL, 1.54 M vs 67 M; 10 KiB ending in DROP TABLE 1.54 M vs 68 M. CPU time with
//     GOMAXPROCS=1 on the loaded machine: typical ~6 µs, 10 KiB mixed ~0.3 ms against ~19 ms.
//     Lexing is about half of it (identifiers dominate SQL text).
//   - The cache removes the pg_query call for repeated slow statements; lexing and fast parsing
//     are cheaper than hashing whole bodies, so fast statements are not cached.
//
// # Other dialects
//
// Text PostgreSQL rejects, and text with MySQL executable comments (/*! … */, /*!50000 … */,
// /*M! … */, which PostgreSQL skips and MySQL runs), is read with vitess's MySQL grammar (pure
// Go; partial DDL is refused, panics are recovered). What neither grammar reads goes to the
// lexical classifier (dialect.go): the dialect's quoting and comments (backslash escapes, "…" as
// string or name, `…`, [ … ], triple-quoted strings, $$…$$, #, //, GO batches), statements split at
// top-level semicolons, every verb judged wherever it stands (T-SQL needs no semicolons; BEGIN …
// END blocks), DELETE/UPDATE WHERE found at the statement's level and checked for tautologies,
// EXECUTE IMMEDIATE / sp_executesql literals analysed, variables fail closed. Each Statement gets
// a Class (read, write, ddl, privilege, session, execute, admin); Result.Dialect names the reader.
// AnalyzeDialect reads text in a known dialect (bq, snowsql, sqlcmd, an endpoint's dialect). A
// statement whose first word is unknown, or whose destructive verb lacks SQL's shape ("delete my
// account"), is not understood: ParseError, and the policy fails closed where SQL executes.
//
// # Destructive statements
//
//   - DROP of any object (tables, databases, schemas, roles, tablespaces, DROP OWNED, ...).
//   - TRUNCATE.
//   - DELETE and UPDATE without a real WHERE; MERGE … DELETE/UPDATE whose ON and WHEN conditions
//     are tautologies. A WHERE is real unless it is provably true without looking at data:
//     constants (`true`, `1`, `'t'`), comparisons of constants (`1=1`, `'a'='a'`, `2>1`), an
//     expression compared with itself (`x=x`, `x>=x`), `x LIKE '%'`, `EXISTS (SELECT 1)`, and any
//     AND/OR/NOT combination that is then always true (`id=1 OR 1=1`, `NOT false`,
//     `id IS NOT NULL OR TRUE`). `col IS NOT NULL` alone counts as real.
//   - ALTER TABLE … DROP COLUMN / DROP CONSTRAINT / DETACH PARTITION / DISABLE ROW LEVEL SECURITY.
//   - GRANT ALL, GRANT … TO PUBLIC, REVOKE ALL. Other GRANT/REVOKE and GRANT role are not.
//   - CREATE ROLE / ALTER ROLE giving SUPERUSER, BYPASSRLS, CREATEROLE or REPLICATION; DROP ROLE.
//     Other ALTER ROLE (passwords, connection limits) is not.
//   - COPY … TO PROGRAM / FROM PROGRAM (runs a shell command) and COPY … TO a server file.
//   - Statements that carry destructive SQL: data-modifying CTEs (`WITH d AS (DELETE FROM t
//     RETURNING *) SELECT …`), EXPLAIN ANALYZE (which executes), PREPARE, CREATE TABLE AS,
//     dblink/dblink_exec with constant SQL (non-constant SQL is destructive: opaque),
//     CREATE FUNCTION/PROCEDURE bodies in SQL or PL/pgSQL.
//   - DO blocks are parsed with PostgreSQL's PL/pgSQL parser and every embedded statement and
//     expression is analysed. A DO block is destructive when its body is, when it runs dynamic
//     SQL (EXECUTE, FOR … IN EXECUTE, OPEN … FOR EXECUTE), or when it cannot be analysed (another
//     language, or a body PL/pgSQL rejects): code warden cannot read fails closed.
//   - Calls of pg_terminate_backend, pg_drop_replication_slot, lo_unlink and the adminpack file
//     functions.
//   - CREATE RULE whose actions are destructive (they run later, on every matching statement).
//   - Lexically: DROP, TRUNCATE, unbounded DELETE/UPDATE/MERGE, GRANT/REVOKE ALL, GRANT to PUBLIC,
//     CREATE OR REPLACE TABLE, administrative roles (ACCOUNTADMIN, sysadmin, db_owner),
//     xp_cmdshell, KILL, SHUTDOWN, RESTORE, DETACH, Snowflake REMOVE, PURGE, VACUUM … RETAIN,
//     Iceberg expire_snapshots/remove_orphan_files, INTO OUTFILE, dynamic EXECUTE.
//
// # Limits
//
// Input longer than MaxInputBytes (1 MiB) or containing NUL is not parsed (ParseError).
// SQL nested in SQL (DO bodies, CTEs, dblink strings) is followed at most maxNesting (4) levels.
// PostgreSQL's parser enforces its own stack-depth limit on deeply nested expressions and reports
// it as a parse error; the tautology evaluator stops at depth 200 and treats deeper predicates as
// real. Analyze never panics and is safe for concurrent use.
package sqlparse
