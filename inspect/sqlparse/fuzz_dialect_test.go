package sqlparse

import (
	"strings"
	"testing"
)

// FuzzAnalyzeDialect feeds untrusted text to the MySQL grammar and the lexical classifier of
// every dialect. Beyond not panicking, it checks what users rely on: a text not understood has no
// statements and is not called destructive; a destructive result names its reasons; and a DROP
// TABLE appended as its own statement is never missed when the whole text is understood.
func FuzzAnalyzeDialect(f *testing.F) {
	for _, s := range []string{
		"SELECT 1", "DROP TABLE `x`", "/*!50000 DROP TABLE t */", "DELETE FROM t WHERE 1",
		"SELECT 'a\\'; DROP TABLE x; --'", "EXECUTE IMMEDIATE 'DROP TABLE t'", "SELECT 1\nGO\nDROP TABLE t",
		"MERGE INTO t USING s ON 1=1 WHEN MATCHED THEN DELETE", "SELECT $$;$$", "SELECT [a;b] FROM t",
		"BEGIN DELETE FROM t WHERE (1=1) OR id=2; END", "SELECT '''x''' , r\"y\"", "/* unterminated",
	} {
		f.Add(s, uint8(0))
	}
	dialects := []Dialect{
		DialectMySQL, DialectBigQuery, DialectSnowflake, DialectTSQL, DialectClickHouse,
		DialectTrino, DialectGeneric,
	}
	f.Fuzz(func(t *testing.T, src string, which uint8) {
		d := dialects[int(which)%len(dialects)]
		r := AnalyzeDialect(src, d)
		checkInvariants(t, src, r)
		if r.ParseError != "" || strings.Contains(src, "--") || strings.Contains(src, "#") ||
			strings.Contains(src, "/*") || strings.Contains(src, "//") {
			return // a trailing comment could swallow the appended statement
		}
		withDrop := src + "\n;\nDROP TABLE warden_fuzz_canary"
		r2 := AnalyzeDialect(withDrop, d)
		checkInvariants(t, withDrop, r2)
		if r2.ParseError == "" && !r2.Destructive {
			t.Fatalf("AnalyzeDialect(%q, %s) missed an appended DROP TABLE: %+v", withDrop, d, r2)
		}
	})
}

func checkInvariants(t *testing.T, src string, r Result) {
	t.Helper()
	if r.ParseError != "" && (len(r.Statements) > 0 || r.Destructive) {
		t.Fatalf("%q: parse error %q with statements %+v destructive=%v", src, r.ParseError, r.Statements, r.Destructive)
	}
	if r.Destructive && len(r.Reasons) == 0 {
		t.Fatalf("%q: destructive without a reason", src)
	}
	for _, st := range r.Statements {
		if st.Destructive && st.Reason == "" {
			t.Fatalf("%q: destructive statement without a reason: %+v", src, st)
		}
	}
}
