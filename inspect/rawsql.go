package inspect

import (
	"strings"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/sqlparse"
)

// rawSQLBody reports whether a request's body is SQL text sent as is (text/plain, application/sql
// or no content type) to an endpoint that runs SQL: ClickHouse's and Trino's HTTP interfaces, SQL
// gateways. Such a body is SQL whatever its first word, so that text warden cannot read there
// fails closed.
func rawSQLBody(req *exchange.Request, ct, endpoint string) bool {
	if len(req.Body) == 0 {
		return false
	}
	plain := ct == "" || strings.Contains(ct, "text/plain") || strings.Contains(ct, "sql")
	if !plain {
		return false
	}
	t := strings.TrimLeft(string(req.Body[:min(len(req.Body), 64)]), " \t\r\n\ufeff")
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return false // JSON without a content type is read as JSON
	}
	return isSQLContext(endpoint) || sqlDialectOf(req, endpoint) != ""
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
		{"clickhouse", sqlparse.DialectClickHouse}, {":8123", sqlparse.DialectClickHouse},
		{"trino", sqlparse.DialectTrino}, {"presto", sqlparse.DialectTrino},
		{"bigquery", sqlparse.DialectBigQuery}, {"snowflake", sqlparse.DialectSnowflake},
		{"mssql", sqlparse.DialectTSQL}, {"sqlserver", sqlparse.DialectTSQL}, {"azuresynapse", sqlparse.DialectTSQL},
		{"mysql", sqlparse.DialectMySQL}, {"mariadb", sqlparse.DialectMySQL}, {"planetscale", sqlparse.DialectMySQL},
		{"psdb.cloud", sqlparse.DialectMySQL},
	} {
		if strings.Contains(endpoint, d.word) {
			return d.d
		}
	}
	return ""
}

// addRawSQL adds a raw SQL body as a SQL action, read in the endpoint's dialect when known.
func (f *Facts) addRawSQL(req *exchange.Request, endpoint string) {
	text := strings.TrimPrefix(string(req.Body), "\ufeff")
	res := sqlparse.Analyze(text)
	if d := sqlDialectOf(req, endpoint); d != "" {
		res = sqlparse.AnalyzeDialect(text, d)
	}
	x := newExtractor(f, "request", "", endpoint, false)
	if !x.full() {
		x.addSQL("request.body", text, res)
	}
}
