package inspect

import (
	"strings"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/sqlparse"
)

// rawSQLText reports whether a text body (text/plain or no content type) is SQL that textBody's
// leading-keyword test would miss: any text to an endpoint whose SQL dialect is known from its
// host or its clients' headers (ClickHouse's and Trino's HTTP interfaces, a MySQL gateway), and
// MySQL executable comments (/*! DROP … */, which read as a comment) to any SQL endpoint. Such a
// body is SQL whatever its first word, so that text warden cannot read there fails closed.
func rawSQLText(req *exchange.Request, text, endpoint string) bool {
	if strings.TrimSpace(text) == "" {
		return false
	}
	if sqlDialectOf(req, endpoint) != "" {
		return true
	}
	return isSQLContext(endpoint) && (strings.Contains(text, "/*!") || strings.Contains(text, "/*M!"))
}

// sqlDialectOf names the SQL dialect an endpoint speaks, from its host and path or the headers its
// clients send; "" when unknown.
func sqlDialectOf(req *exchange.Request, endpoint string) sqlparse.Dialect {
	for _, h := range req.Headers {
		switch {
		case strings.HasPrefix(h.Key, "x-clickhouse-"):
			return sqlparse.DialectClickHouse
		case strings.HasPrefix(h.Key, "x-trino-") || strings.HasPrefix(h.Key, "x-presto-"):
			return sqlparse.DialectTrino
		}
	}
	for _, d := range []struct {
		word string
		d    sqlparse.Dialect
	}{
		{"clickhouse", sqlparse.DialectClickHouse},
		{":8123", sqlparse.DialectClickHouse},
		{"trino", sqlparse.DialectTrino},
		{"presto", sqlparse.DialectTrino},
		{"bigquery", sqlparse.DialectBigQuery},
		{"snowflake", sqlparse.DialectSnowflake},
		{"mssql", sqlparse.DialectTSQL},
		{"sqlserver", sqlparse.DialectTSQL},
		{"azuresynapse", sqlparse.DialectTSQL},
		{"mysql", sqlparse.DialectMySQL},
		{"mariadb", sqlparse.DialectMySQL},
		{"planetscale", sqlparse.DialectMySQL},
		{"psdb.cloud", sqlparse.DialectMySQL},
	} {
		if strings.Contains(endpoint, d.word) {
			return d.d
		}
	}
	return ""
}

// addRawSQL adds a raw SQL body as a SQL action, read in the endpoint's dialect when known.
func (f *Facts) addRawSQL(req *exchange.Request, text, endpoint string) {
	res := sqlparse.Analyze(text)
	if d := sqlDialectOf(req, endpoint); d != "" {
		res = sqlparse.AnalyzeDialect(text, d)
	}
	x := newExtractor(f, "request", "", endpoint, false)
	if !x.full() {
		x.addSQL("request.body", text, res)
	}
}
