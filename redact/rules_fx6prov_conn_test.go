package redact_test

import "testing"

// Connection strings and DSNs in every driver syntax (rules_fx6prov_conn.go):
// the password must go in text, in a stream cut at every byte and in a JSON
// string, whatever the scheme looks like.
func TestFx6ConnectionStrings(t *testing.T) {
	checkRecall(t, []recallCase{
		{
			"malformed srv scheme in a driver error", "MongoParseError: Invalid scheme, expected connection string to start with \"mongodb://\": mongodb+srv//reporting:Vq7%40LmPz%2Fr9Tk2@cluster1.ab12c.mongodb.net/app?authSource=admin",
			[]string{"Vq7%40LmPz%2Fr9Tk2"},
		},
		{"jdbc url missing its colon", "url=jdbc:mysql//billing:Tz8qKw3LpR2x@db-billing.internal:3306/billing", []string{"Tz8qKw3LpR2x"}},
		{"protocol-relative userinfo", "proxy //svc-crawler:Hn4wQz8LkP2v@egress.corp.example:8080 is down", []string{"Hn4wQz8LkP2v"}},
		{"hash in a URL password", "DATABASE_URL=postgres://orders:Xk#9pQ2mWv7L@pg-orders.internal:5432/orders", []string{"Xk#9pQ2mWv7L"}},
		{"go mysql dsn over tcp", `db, err := sql.Open("mysql", "ledger:Bq5!vR8xN2kZ@tcp(10.4.0.12:3306)/ledger?tls=skip-verify")`, []string{"Bq5!vR8xN2kZ"}},
		{"go mysql dsn over a unix socket", "MYSQL_DSN=backup:W3p$Lk9qZx7T@unix(/var/run/mysqld/mysqld.sock)/inventory", []string{"W3p$Lk9qZx7T"}},
		{"go mysql dsn default address", "dsn: 'root:Jm2#Rt8vQx4N@/shop?charset=utf8mb4'", []string{"Jm2#Rt8vQx4N"}},
		{"scheme-less host and port", "REDIS_ADDR=default:Kc9vT2mQ7xLp@redis-17234.c12.eu-west-1.ec2.cloud.example.com:17234", []string{"Kc9vT2mQ7xLp"}},
		{"gosnowflake dsn", `dsn := "etl_svc:Py7#Qm2LxV9k@acme-xy12345/ANALYTICS/PUBLIC?warehouse=ETL_WH"`, []string{"Py7#Qm2LxV9k"}},
		{"oracle ezconnect", "conn = oracledb.connect(dsn=\"hr_app/Lw8#Nx3QzT5v@//exa-scan.corp.local:1521/HRPDB\")", []string{"Lw8#Nx3QzT5v"}},
		{"oracle host port sid", "export ORA_CONN=gl_batch/Rk4vM9qZ2xWp@ora-gl.corp.local:1521:GLPROD", []string{"Rk4vM9qZ2xWp"}},
		{"oracle jdbc thin", "spring.datasource.url=jdbc:oracle:thin:fin_ro/Qz6#Lp3TvX8m@//ora-fin:1521/FINPDB", []string{"Qz6#Lp3TvX8m"}},
		{"sqlplus alias", "$ sqlplus system/Tn7vQ2#kLx9M@XEPDB1 @migrate.sql", []string{"Tn7vQ2#kLx9M"}},
		{"oracle descriptor", "ORACLE_DSN=app/Mv3#Kq8zPw2L@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db1)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=APP)))", []string{"Mv3#Kq8zPw2L"}},
		{"odbc braced password with escaped braces", "Driver={PostgreSQL Unicode};Server=pg1;Database=dw;Uid=loader;PWD={x7;Qm}}2v{Lk9};", []string{"x7;Qm}}2v{Lk9"}},
		{"ado.net quoted password with doubled quote", `Server=tcp:sql1,1433;User ID=etl;Password="Zq8""vL;3mK7";Encrypt=True;`, []string{`Zq8""vL;3mK7`}},
		{"jdbc sql server braced password", "jdbc:sqlserver://sql3.corp:1433;databaseName=ops;user=ops_rw;password={Wk7;pQ}}3zLx9};encrypt=true", []string{"Wk7;pQ}}3zLx9"}},
		{"libpq keyword dsn with a quoted password", "psql \"host=pg2 port=5432 dbname=audit user=auditor password='Nq4 Tz8#vLk2'\"", []string{"Nq4 Tz8#vLk2"}},
		{"proxy userinfo without a scheme", "curl -x squid_user:Rv6#Lm2qZp8T@proxy.corp.internal:3128 https://api.example.test/", []string{"Rv6#Lm2qZp8T"}},
		{"ado.net unquoted password with a space", "Data Source=sql2;Initial Catalog=crm;User Id=crm_app;Password=Hk4 vQ9#mZ2x;TrustServerCertificate=True", []string{"Hk4 vQ9#mZ2x"}},
	})
}

// Text around `@`, `//` and `Pwd=` that holds no credential stays byte for byte.
func TestFx6ConnectionStringLookalikes(t *testing.T) {
	checkRecall(t, []recallCase{
		{"github action refs", "steps:\n  - uses: actions/checkout@v4\n  - uses: docker/build-push-action@v5.3.0\n", nil},
		{"image digest", "docker pull library/postgres@sha256:4f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b", nil},
		{"path alias and scoped packages", "import Button from \"@/components/Button\"\nnpm i @types/node@20.11.5 @scope/tool@latest", nil},
		{"scp-like git and ssh", "git clone git@github.com:acme/infra.git && ssh deploy@10.0.0.5 -p 2222", nil},
		{"retina assets and profile urls", "<img src=\"images/logo@2x.png\"> see https://medium.com/@jdoe/how-we-ship-7f3a2b", nil},
		{"go module versions", "go get golang.org/x/tools@v0.21.0 github.com/acme/lib/v2@v2.3.1", nil},
		{"placeholder dsn passwords", "dsn := \"root:password@tcp(localhost:3306)/test\"\nuser:<password>@tcp(db:3306)/app\nscott/tiger@//localhost:1521/XE", nil},
		{"odbc placeholders", "Pwd={0};\nPassword={your_password};\nServer=x;Password=${DB_PASSWORD};\nPassword=\"\";", nil},
		{"times and ratios", "standup 10:30@room-4, ratio 16:9@1080p", nil},
	})
}

// Look-alikes of the new provider shapes: publishable keys, client-side ids
// and identifiers that share a short prefix stay byte for byte.
func TestFx6ProviderLookalikes(t *testing.T) {
	checkRecall(t, []recallCase{
		{"publishable keys", "STRIPE_PK=pk_live_51HqLk2Aq9ZbXy7TgR4mWnP0vC3sD8eF\nSUPABASE_ANON=sb_publishable_Qx7mK2pLw9ZtV4rN8sB3cD1e\nPOSTHOG=phc_Lw8Nx3QzT5vKm2Rp7YbJ4cF9gH6dS1aE0uI3oP5qW7e\nrazorpay key rzp_test_Kq8vM2xZp4WnL7\nstatsig client-Lw8Nx3QzT5vKm2Rp7YbJ4cF9gH6dS1aE0uI3oP5qW7e\n", nil},
		{"kebab and snake names", "md-release-notes-for-v2-draft.md fc-layout-grid-default pa-systems-rack-12 test_parse_configuration_file_with_values live_streaming_settings_panel_v2", nil},
		{"identifiers with token prefixes", "ser.Serialize(buf)\nst.session_state[\"x\"] = 1\nq = 1//0\nprice = 1000.00\nre_compile_pattern_cache = {}\n", nil},
		{"base64 padding and digests", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\nsha1 da39a3ee5e6b4b0d3255bfef95601890afd80709", nil},
		{"uuids as ids", "request_id=3f2b6c1e-8a4d-4f7b-9c2e-1d5a6b7c8e9f\nPOSTMARK_SERVER_ID=1234567\nSCW_DEFAULT_PROJECT_ID=8c1f2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f\n", nil},
		{"word boundary prefixes", "index mtu stats: MTU 1500, content node mode, note", nil},
		{"short prefixes in code and markup", "<div class=\"has-text-centered\">\nhook.Call(ctx)\ncompile as-needed; tokens as-is\nbot token rotation is due\nlive_preview_enabled: true\n", nil},
	})
}
