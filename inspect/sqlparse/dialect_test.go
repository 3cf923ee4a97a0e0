package sqlparse

import (
	"strings"
	"testing"
)

// TestDialectDestructive: destructive SQL of every dialect blocks, whatever grammar reads it.
func TestDialectDestructive(t *testing.T) {
	tests := []struct {
		d      Dialect
		sql    string
		reason string
	}{
		// MySQL through vitess, including executable comments PostgreSQL would skip.
		{DialectMySQL, "DROP TABLE `users`", "DROP TABLE"},
		{DialectMySQL, "/*!50000 DROP TABLE users */", "DROP TABLE"},
		{DialectMySQL, "SELECT 1; /*! DELETE FROM orders */", "DELETE without a real WHERE"},
		{DialectMySQL, "DELETE FROM `orders` WHERE 1", "DELETE without a real WHERE"},
		{DialectMySQL, "UPDATE users SET role = 'admin' WHERE 'a' = 'a'", "UPDATE without a real WHERE"},
		{DialectMySQL, "ALTER TABLE t DROP COLUMN email", "DROP COLUMN"},
		{DialectMySQL, "ALTER TABLE t DROP PARTITION p2019", "DROP PARTITION"},
		{DialectMySQL, "SELECT * FROM users INTO OUTFILE '/tmp/u.csv'", "OUTFILE"},
		{DialectMySQL, "PREPARE s FROM 'DROP TABLE x'", "PREPARE: DROP TABLE"},
		{DialectMySQL, "TRUNCATE TABLE `audit`", "TRUNCATE"},
		{DialectMySQL, "GRANT ALL PRIVILEGES ON *.* TO 'x'@'%'", "GRANT ALL"},
		// BigQuery.
		{DialectBigQuery, "DELETE FROM `proj.ds.events` WHERE true", "DELETE without a real WHERE"},
		{DialectBigQuery, "DROP SCHEMA `proj.analytics` CASCADE", "DROP SCHEMA"},
		{DialectBigQuery, "CREATE OR REPLACE TABLE ds.users AS SELECT 1 AS id", "CREATE OR REPLACE TABLE"},
		{DialectBigQuery, "EXECUTE IMMEDIATE 'DROP TABLE ds.t'", "DROP TABLE"},
		{DialectBigQuery, "BEGIN\n  DELETE FROM ds.t WHERE 1=1;\nEND;", "DELETE without a real WHERE"},
		// Snowflake.
		{DialectSnowflake, "TRUNCATE TABLE IF EXISTS raw.events", "TRUNCATE"},
		{DialectSnowflake, "REMOVE @my_stage/path/", "REMOVE deletes staged files"},
		{DialectSnowflake, "GRANT ROLE ACCOUNTADMIN TO USER bot", "ACCOUNTADMIN"},
		{DialectSnowflake, "EXECUTE IMMEDIATE $$ DROP DATABASE prod $$", "DROP DATABASE"},
		{DialectSnowflake, "MERGE INTO t USING s ON 1 = 1 WHEN MATCHED THEN DELETE", "MERGE"},
		{DialectSnowflake, "CREATE OR REPLACE PROCEDURE wipe() RETURNS STRING LANGUAGE SQL AS $$ TRUNCATE TABLE raw.events $$", "body"},
		{DialectSnowflake, "CREATE TASK t WAREHOUSE = wh SCHEDULE = '5 MINUTE' AS 'DELETE FROM raw.events'", "DELETE without a real WHERE"},
		// T-SQL: no semicolons, GO batches, brackets.
		{DialectTSQL, "SELECT 1\nDROP TABLE [dbo].[Users]", "DROP TABLE"},
		{DialectTSQL, "DELETE FROM [dbo].[Orders]\nGO\nSELECT 1", "DELETE without a real WHERE"},
		{DialectTSQL, "IF EXISTS (SELECT 1 FROM sys.tables) DROP TABLE t", "DROP TABLE"},
		{DialectTSQL, "EXEC xp_cmdshell 'format c:'", "xp_cmdshell"},
		{DialectTSQL, "EXEC sp_executesql N'TRUNCATE TABLE dbo.t'", "TRUNCATE"},
		{DialectTSQL, "EXEC (@sql)", "dynamic SQL"},
		{DialectTSQL, "EXEC sp_MSforeachtable 'DELETE FROM ?'", "sp_msforeachtable: DELETE without a real WHERE"},
		{DialectTSQL, "UPDATE u SET active = 0 FROM dbo.Users u", "UPDATE without a real WHERE"},
		// ClickHouse.
		{DialectClickHouse, "ALTER TABLE events DELETE WHERE 1", "DELETE without a real WHERE"},
		{DialectClickHouse, "ALTER TABLE events ON CLUSTER c DROP PARTITION '2024-01'", "DROP PARTITION"},
		{DialectClickHouse, "TRUNCATE TABLE IF EXISTS db.events", "TRUNCATE"},
		{DialectClickHouse, "DETACH TABLE db.events", "DETACH"},
		// Trino.
		{DialectTrino, "DROP TABLE hive.web.page_views", "DROP TABLE"},
		{DialectTrino, "ALTER TABLE iceberg.s.t EXECUTE expire_snapshots(retention_threshold => '0s')", "expire_snapshots"},
		{DialectTrino, "DELETE FROM hive.web.logs", "DELETE without a real WHERE"},
	}
	for _, tt := range tests {
		t.Run(string(tt.d)+" "+tt.sql, func(t *testing.T) {
			for _, r := range []Result{AnalyzeDialect(tt.sql, tt.d), Analyze(tt.sql)} {
				if !r.Destructive {
					t.Fatalf("not destructive: %+v", r)
				}
				if !strings.Contains(strings.Join(r.Reasons, "; "), tt.reason) {
					t.Errorf("reasons %q, want one containing %q", r.Reasons, tt.reason)
				}
			}
		})
	}
}

// TestDialectReadOnlyPasses: read-only and bounded dialect SQL is understood and not destructive.
func TestDialectReadOnlyPasses(t *testing.T) {
	tests := []struct {
		d   Dialect
		sql string
	}{
		{DialectMySQL, "SELECT `id`, `name` FROM `users` WHERE `id` = 1 LIMIT 10"},
		{DialectMySQL, "/*!40101 SET NAMES utf8mb4 */; SELECT 1"},
		{DialectMySQL, "DELETE FROM sessions WHERE expires_at < NOW() LIMIT 1000"},
		{DialectMySQL, "SHOW TABLES; DESCRIBE users"},
		{DialectMySQL, "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 2"},
		{DialectBigQuery, "SELECT * FROM `proj.ds.events` WHERE event_date = '2024-01-01' -- note: drop later"},
		{DialectBigQuery, "SELECT r'DROP TABLE x' AS s, '''multi\nline''' AS m"},
		{DialectBigQuery, "DECLARE x INT64 DEFAULT 1; SELECT x"},
		{DialectBigQuery, "SELECT * FROM ds.t # DELETE FROM ds.t\n"},
		{DialectSnowflake, "SELECT $1, metadata$filename FROM @stage/file.csv"},
		{DialectSnowflake, "SHOW WAREHOUSES LIKE 'dev%'"},
		{DialectSnowflake, "SELECT * FROM t // DROP TABLE t\n"},
		{DialectSnowflake, "UPDATE t SET a = 1 WHERE id = 7"},
		{DialectTSQL, "SELECT TOP 10 [Name] FROM [dbo].[Users] WITH (NOLOCK) WHERE [Id] > 5"},
		{DialectTSQL, "DELETE TOP (100) FROM dbo.Logs WHERE Created < '2020-01-01'"},
		{DialectTSQL, "SELECT 1\nGO\nSELECT 2"},
		{DialectTSQL, "EXEC sp_MSforeachtable 'UPDATE STATISTICS ? WITH FULLSCAN'"},
		{DialectTSQL, "EXEC dbo.RefreshReport @Name = 'daily'"},
		{DialectClickHouse, "SELECT count() FROM events FINAL SETTINGS max_threads = 4"},
		{DialectClickHouse, "ALTER TABLE events DELETE WHERE user_id = 42"},
		{DialectClickHouse, "SYSTEM DROP DNS CACHE"},
		{DialectTrino, "SELECT * FROM hive.web.page_views WHERE ds = DATE '2024-01-01'"},
		{DialectTrino, "EXPLAIN SELECT 1"},
	}
	for _, tt := range tests {
		t.Run(string(tt.d)+" "+tt.sql, func(t *testing.T) {
			r := AnalyzeDialect(tt.sql, tt.d)
			if r.ParseError != "" || r.Destructive || len(r.Statements) == 0 {
				t.Errorf("AnalyzeDialect = %+v, want understood and not destructive", r)
			}
		})
	}
}

// TestLexicalRefusesProse: text that starts like a destructive statement but is not SQL is not
// understood (ParseError), so field extraction does not take prose for SQL and an endpoint that
// executes SQL fails closed on it.
func TestLexicalRefusesProse(t *testing.T) {
	for _, s := range []string{
		"delete my account please", "drop me a line tomorrow", "truncate the text to 100 chars",
		"kill the process", "update the docs", "restore my files", "grant me access",
		"DROP TABLE 'unterminated", "SELECT /* never closed",
		"DELETE FROM [users] WHERE id IN (SELECT id FROM [users]", "UPDATE [t] SET a = 1 WHERE b = 2)",
	} {
		t.Run(s, func(t *testing.T) {
			r := Analyze(s)
			if r.ParseError == "" || r.Destructive {
				t.Errorf("Analyze(%q) = %+v, want not understood", s, r)
			}
		})
	}
}

// TestStatementClasses: every statement says what it does.
func TestStatementClasses(t *testing.T) {
	r := AnalyzeDialect("SELECT 1; INSERT INTO t VALUES (1); CREATE TABLE u (a INT64); GRANT SELECT ON t TO r; SET x = 1; CALL p()", DialectBigQuery)
	want := []Class{ClassRead, ClassWrite, ClassDDL, ClassPrivilege, ClassSession, ClassExecute}
	if len(r.Statements) != len(want) {
		t.Fatalf("statements = %+v", r.Statements)
	}
	for i, c := range want {
		if r.Statements[i].Class != c {
			t.Errorf("statement %d class %q, want %q", i, r.Statements[i].Class, c)
		}
	}
	if r.Dialect != DialectBigQuery {
		t.Errorf("dialect %q", r.Dialect)
	}
}

// TestRulesJudgeTheirActions: a rule's actions run later, on every matching statement.
func TestRulesJudgeTheirActions(t *testing.T) {
	bad := Analyze("CREATE RULE cleanup AS ON INSERT TO audit DO ALSO DELETE FROM users")
	if !bad.Destructive || !strings.Contains(bad.Reasons[0], "CREATE RULE: DELETE without a real WHERE") {
		t.Errorf("destructive rule: %+v", bad)
	}
	ok := Analyze("CREATE RULE log AS ON UPDATE TO t DO ALSO INSERT INTO t_log VALUES (NEW.id)")
	if ok.Destructive || ok.ParseError != "" {
		t.Errorf("logging rule: %+v", ok)
	}
}

// TestDropNeedsSQLShape: prose after DROP TABLE is not a statement (issue titles, log lines).
func TestDropNeedsSQLShape(t *testing.T) {
	for _, s := range []string{"DROP TABLE in logs", "drop table when done", "DELETE FROM users in production"} {
		if r := Analyze(s); r.ParseError == "" || r.Destructive {
			t.Errorf("Analyze(%q) = %+v, want not understood", s, r)
		}
	}
	for _, s := range []string{"DROP TABLE IF EXISTS `a`, b CASCADE", "DROP TABLE a\nSELECT 1", "DROP TABLE db.t ON CLUSTER main SYNC"} {
		if r := AnalyzeDialect(s, DialectGeneric); !r.Destructive {
			t.Errorf("AnalyzeDialect(%q) = %+v, want destructive", s, r)
		}
	}
}

// TestUntrustedFunctionLanguages: functions in languages that run operating-system code.
func TestUntrustedFunctionLanguages(t *testing.T) {
	bad := Analyze("CREATE FUNCTION f() RETURNS void LANGUAGE plpython3u AS $$ import os $$")
	if !bad.Destructive || !strings.Contains(bad.Reasons[0], "untrusted language plpython3u") {
		t.Errorf("plpython3u function: %+v", bad)
	}
	ok := Analyze("CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql AS $$ SELECT a + b $$")
	if ok.Destructive {
		t.Errorf("sql function: %+v", ok)
	}
}
