package sqlparse

import (
	"fmt"
	"strings"
	"testing"
)

// migrationBody is about 10 KiB of a schema migration: DDL, backfills and seed rows.
func migrationBody() string {
	var sb strings.Builder
	sb.WriteString("BEGIN;\nSET LOCAL statement_timeout = '5min';\n")
	for i := 0; sb.Len() < 10<<10; i++ {
		fmt.Fprintf(&sb, `CREATE TABLE IF NOT EXISTS billing.invoice_lines_%d (
    id bigserial PRIMARY KEY,
    invoice_id bigint NOT NULL REFERENCES billing.invoices (id) ON DELETE CASCADE,
    sku text NOT NULL,
    quantity integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
    amount_cents bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS invoice_lines_%d_invoice_idx ON billing.invoice_lines_%d (invoice_id);
ALTER TABLE billing.invoices ADD COLUMN IF NOT EXISTS currency_%d char(3) NOT NULL DEFAULT 'EUR';
UPDATE billing.invoices SET currency_%d = 'USD' WHERE region = 'us' AND currency_%d IS NULL;
INSERT INTO billing.invoice_lines_%d (invoice_id, sku, quantity, amount_cents)
SELECT i.id, 'legacy', 1, i.total_cents FROM billing.invoices i WHERE i.created_at < '2024-01-01';
`, i, i, i, i, i, i, i)
	}
	sb.WriteString("COMMIT;\n")
	return sb.String()
}

// bulkInsertBody is one INSERT of about 10 KiB of rows.
func bulkInsertBody() string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO events (id, user_id, kind, payload, created_at) VALUES\n")
	for i := 0; sb.Len() < 10<<10; i++ {
		if i > 0 {
			sb.WriteString(",\n")
		}
		fmt.Fprintf(&sb, "(%d, %d, 'page_view', '{\"path\": \"/docs/%d\", \"ref\": null}', '2024-05-01 12:%02d:00+00')",
			1000+i, 42+i%7, i, i%60)
	}
	sb.WriteString("\nON CONFLICT (id) DO NOTHING;\n")
	return sb.String()
}

// destructiveTailBody is body10K with a tautological DELETE at the end, the statement a
// policy must catch.
func destructiveTailBody() string {
	return body10K() + "DELETE FROM audit_log WHERE 1 = 1;\n"
}

// dropTailBody is body10K ending with a DROP TABLE.
func dropTailBody() string {
	return body10K() + "DROP TABLE users;\n"
}

var benchBodies = []struct {
	name        string
	body        func() string
	destructive bool
}{
	{"mixed-dml", body10K, false},
	{"migration", migrationBody, false},
	{"bulk-insert", bulkInsertBody, false},
	{"delete-tautology-tail", destructiveTailBody, true},
	{"drop-tail", dropTailBody, true},
}

// BenchmarkAnalyzeBodies measures Analyze on new 10 KiB bodies (cold statement cache) and the
// full PostgreSQL parse it replaces, side by side.
func BenchmarkAnalyzeBodies(b *testing.B) {
	for _, bb := range benchBodies {
		q := bb.body()
		for _, mode := range []string{"fast", "full", "cached"} {
			b.Run(bb.name+"/"+mode, func(b *testing.B) {
				b.SetBytes(int64(len(q)))
				b.ReportAllocs()
				var r Result
				for b.Loop() {
					switch mode {
					case "fast":
						resetCache()
						r = Analyze(q)
					case "cached":
						r = Analyze(q)
					default:
						r = analyzeFull(q, 0)
					}
				}
				if r.Destructive != bb.destructive || r.ParseError != "" {
					b.Fatalf("%s: destructive=%v error=%q", bb.name, r.Destructive, r.ParseError)
				}
			})
		}
	}
}

func BenchmarkAnalyzeTypicalFull(b *testing.B) {
	const q = "UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = 9 AND status = 'paid'"
	for b.Loop() {
		if r := analyzeFull(q, 0); r.Destructive {
			b.Fatal("typical statement destructive")
		}
	}
}

func TestBenchBodies(t *testing.T) {
	for _, bb := range benchBodies {
		q := bb.body()
		if len(q) < 10<<10 || len(q) > 11<<10 {
			t.Errorf("%s is %d bytes, want about 10 KiB", bb.name, len(q))
		}
		if r := Analyze(q); r.Destructive != bb.destructive || r.ParseError != "" {
			t.Errorf("%s: destructive=%v reasons=%q error=%q", bb.name, r.Destructive, r.Reasons, r.ParseError)
		}
	}
}
