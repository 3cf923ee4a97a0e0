package redact_test
import ("testing";"github.com/warden-gw/warden/redact")
func TestTmp(t *testing.T){
	eng,_:=redact.New(redact.Config{})
	for _,s:=range []string{`{"service":"ledger","db":{"driver":"pgx","dsn":"postgres://ledger:vKfo74o\u003c\u0026bwXC\u0026AZFZ@ledger-db:5432/ledger?sslmode=verify-full\u0026pool_max_conns=20"},"version":"1.14.2"}`, "postgres://ledger:vKfo74o<&bwXC&AZFZ@ledger-db:5432/ledger"}{
	out,f:=eng.Redact([]byte(s),redact.Options{Disable:redact.PII}); t.Logf("%s %v",out,f)}
}
