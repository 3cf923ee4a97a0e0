package sqlparse

import (
	"strings"
	"testing"
)

// FuzzSQLAnalyze checks that Analyze never panics and that its Result is consistent.
func FuzzSQLAnalyze(f *testing.F) {
	for _, s := range []string{
		"DROP TABLE users", "SELECT 1; DROP DATABASE shop", "DELETE FROM t WHERE 1=1",
		"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "DO $$ BEGIN DELETE FROM t; END $$",
		"SELECT 'DROP TABLE x' -- drop", "GRANT ALL ON t TO PUBLIC", "COPY t TO PROGRAM 'x'",
		"DROP TABLE `x`", "UPDATE t SET a = 1 WHERE NOT (a = a OR false)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r := Analyze(src)
		if r.ParseError != "" && (len(r.Statements) != 0 || r.Destructive) {
			t.Fatalf("parse error with statements or destructive: %+v", r)
		}
		any := false
		for _, s := range r.Statements {
			if s.Destructive != (s.Reason != "") {
				t.Fatalf("statement destructive=%v with reason %q", s.Destructive, s.Reason)
			}
			any = any || s.Destructive
		}
		if any != r.Destructive || r.Destructive != (len(r.Reasons) > 0) {
			t.Fatalf("inconsistent result: %+v", r)
		}
		if m := r.Map(); m["destructive"] != r.Destructive {
			t.Fatalf("Map disagrees: %v", m)
		}
	})
}

func BenchmarkAnalyzeTypical(b *testing.B) {
	const q = "UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = 9 AND status = 'paid'"
	b.ReportAllocs()
	for b.Loop() {
		if r := Analyze(q); r.Destructive {
			b.Fatal("typical statement destructive")
		}
	}
}

// body10K is about 10 KiB of ordinary SQL: a transaction of inserts, bounded updates and selects.
func body10K() string {
	var sb strings.Builder
	sb.WriteString("BEGIN;\n")
	for i := 0; sb.Len() < 10<<10; i++ {
		sb.WriteString("INSERT INTO events (id, kind, payload) VALUES (1, 'click', '{\"x\": 1}');\n")
		sb.WriteString("UPDATE sessions SET last_seen = now() WHERE user_id = 42 AND expires_at > now();\n")
		sb.WriteString("SELECT e.id, u.email FROM events e JOIN users u ON u.id = e.user_id WHERE e.kind = 'click' LIMIT 10;\n")
	}
	sb.WriteString("COMMIT;\n")
	return sb.String()
}

func BenchmarkAnalyze10KiB(b *testing.B) {
	q := body10K()
	b.SetBytes(int64(len(q)))
	b.ReportAllocs()
	for b.Loop() {
		if r := Analyze(q); r.Destructive || r.ParseError != "" {
			b.Fatalf("10 KiB body: destructive=%v error=%q", r.Destructive, r.ParseError)
		}
	}
}
