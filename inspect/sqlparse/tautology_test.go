package sqlparse

import "testing"

// TestTautologiesAreUnbounded: a DELETE or UPDATE whose WHERE holds for every row once folded
// (a predicate and its negation, ranges without a gap) is as unbounded as one without a WHERE,
// in PostgreSQL, MySQL and the lexical dialects; a WHERE that really selects stays bounded.
func TestTautologiesAreUnbounded(t *testing.T) {
	unbounded := []string{
		// PostgreSQL (the reference parser; the fast path hands any OR in a WHERE to it)
		"DELETE FROM t WHERE x IS NOT NULL OR x IS NULL",
		"DELETE FROM t WHERE (x IS NULL AND true) OR NOT (x IS NULL)",
		"UPDATE t SET a = 1 WHERE id < 10 OR id >= 10",
		"UPDATE t SET a = 1 WHERE id < 10 OR 3 < id",
		"DELETE FROM t WHERE flag OR NOT flag",
		"DELETE FROM t WHERE status = 'a' OR status <> 'a'",
		"DELETE FROM t WHERE (a IS NULL OR b = 1) OR a IS NOT NULL",
		"DELETE FROM t WHERE x LIKE 'a%' OR x NOT LIKE 'a%'",
		"DELETE FROM t WHERE x IN (1, 2) OR x NOT IN (1, 2)",
		"DELETE FROM t WHERE x IS TRUE OR x IS NOT TRUE",
		// MySQL (vitess)
		"DELETE FROM `t` WHERE `x` IS NOT NULL OR `x` IS NULL",
		"DELETE FROM `t` WHERE NOT (`a` = 1) OR `a` = 1",
		"UPDATE `t` SET `a` = 1 WHERE `id` <= 5 OR `id` > 5",
		// T-SQL and BigQuery (lexical classifier)
		"DELETE FROM [dbo].[t] WHERE [x] IS NOT NULL OR [x] IS NULL",
		"DELETE TOP (10) FROM [dbo].[t] WHERE [id] < 10 OR [id] >= 3",
		"DELETE FROM `p.ds.t` WHERE x IS NULL OR NOT x IS NULL",
	}
	bounded := []string{
		"DELETE FROM t WHERE id = 5 OR id = 6",
		"DELETE FROM t WHERE x IS NULL",
		"DELETE FROM t WHERE id < 10 OR id > 20",
		"DELETE FROM t WHERE a IS NULL OR b IS NOT NULL",
		"UPDATE t SET a = 1 WHERE id < 10 OR id >= 10 AND false",
		"DELETE FROM `t` WHERE `id` = 1 OR `id` = 2",
		"DELETE FROM [dbo].[t] WHERE [id] = 1 OR [id] = 2",
		"DELETE FROM `p.ds.t` WHERE x = 1 OR y = 2",
	}
	for _, q := range unbounded {
		if r := Analyze(q); !r.Destructive {
			t.Errorf("%q passed as bounded: %+v", q, r)
		}
	}
	for _, q := range bounded {
		if r := Analyze(q); r.Destructive || r.ParseError != "" {
			t.Errorf("%q judged unbounded (or unparsable): %v %s", q, r.Reasons, r.ParseError)
		}
	}
}
