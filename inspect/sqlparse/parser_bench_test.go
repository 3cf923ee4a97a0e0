package sqlparse

import (
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// The raw parser benchmarks separate libpg_query's own cost from warden's classification.

func BenchmarkRawParseTypical(b *testing.B) {
	for b.Loop() {
		if _, err := pg.Parse("UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = 9 AND status = 'paid'"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawParse10KiB(b *testing.B) {
	q := body10K()
	b.SetBytes(int64(len(q)))
	for b.Loop() {
		if _, err := pg.Parse(q); err != nil {
			b.Fatal(err)
		}
	}
}
