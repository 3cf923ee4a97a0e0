// Package sqlparse tells warden's policies what a SQL text means: its statements, their kind,
// the tables they name, whether a DELETE/UPDATE is bounded by a real WHERE, and whether running
// it can destroy data, schema or access control.
//
// # Parser
//
// It uses PostgreSQL's own parser (libpg_query through github.com/pganalyze/pg_query_go/v6, cgo),
// so multi-statement strings, dollar quoting, comments and string literals are split and read
// exactly as the server would: `SELECT 'DROP TABLE x'` is a SELECT, `-- DROP TABLE x` is nothing.
// Text that is not valid PostgreSQL (MySQL backticks, Snowflake-only syntax, truncated input)
// yields Result.ParseError and no statements; the policy decides what to do with it (the default
// pack fails closed on endpoints that execute SQL). The first build compiles libpg_query, which
// takes a few minutes; later builds are cached.
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
//
// # Limits
//
// Input longer than MaxInputBytes (1 MiB) or containing NUL is not parsed (ParseError).
// SQL nested in SQL (DO bodies, CTEs, dblink strings) is followed at most maxNesting (4) levels.
// PostgreSQL's parser enforces its own stack-depth limit on deeply nested expressions and reports
// it as a parse error; the tautology evaluator stops at depth 200 and treats deeper predicates as
// real. Analyze never panics and is safe for concurrent use.
package sqlparse
