package redact_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// pairedCase is a text holding secret (empty: a look-alike that must come out
// unchanged); keep, when set, is a part of the text that must stay whatever
// else is redacted.
type pairedCase struct{ name, text, secret, keep string }

// checkPaired redacts each case as text, as a JSON string value and through a
// text stream cut in three places, and checks that the secret is gone and
// the rest stays (a look-alike stays byte for byte).
func checkPaired(t *testing.T, cases []pairedCase) {
	t.Helper()
	eng := engine(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := []byte(c.text)
			text, _ := eng.Redact(in, secretsOnly)
			n := len(in)
			stream := runStream(t, eng, redact.KindText, splitAt(in, n/4, n/2, 3*n/4)...)
			js, _, err := eng.RedactJSON([]byte(`{"output":`+jsonStr(c.text)+`}`), secretsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for mode, out := range map[string][]byte{"text": text, "stream": stream, "json": js} {
				if c.keep != "" && !bytes.Contains(out, []byte(c.keep)) {
					t.Errorf("%s: %q was redacted:\n%s", mode, c.keep, out)
				}
				if c.secret == "" && c.keep != "" {
					continue
				}
				if c.secret == "" {
					if mode != "json" && !bytes.Equal(out, in) {
						t.Errorf("%s: look-alike changed:\n%s", mode, out)
					}
					if mode == "json" && bytes.Contains(out, []byte("[REDACTED")) {
						t.Errorf("json: look-alike changed:\n%s", out)
					}
					continue
				}
				if w, bad := leak(out, c.secret); bad {
					t.Errorf("%s: %q of the secret survives:\n%s", mode, w, out)
				}
			}
			if c.secret != "" && !bytes.Equal(bytes.ReplaceAll(text, []byte(c.secret), nil), text) {
				t.Errorf("text output still holds the secret")
			}
		})
	}
}

// TestAWSSecretNearKeyID: an AWS secret access key has no prefix; written
// within a few lines after its access key id (a transcript, a note, a CSV
// export of the console's "Download .csv"), it is the key's secret. A git SHA
// or a word-made value of the same length near an id stays.
func TestAWSSecretNearKeyID(t *testing.T) {
	const id = "AKIAQ3EGRTVNW6ZJ5XKD"
	const sec = "kP9vR2tX7mQ4wL8zN3bH6yJ1cF5gD0sA/eU+iO7q"
	checkPaired(t, []pairedCase{
		{"transcript lines", "They are:\naccess key " + id + "\nsecret " + sec + "\nI'll retry.", sec, ""},
		{"csv export", "User name,Access key ID,Secret access key\nci-bot," + id + "," + sec + "\n", sec, ""},
		{"same line, spaces", "aws keys: " + id + " / " + sec + " (rotate monthly)\n", sec, ""},
		{"temporary id", "ASIAQ3EGRTVNW6ZJ5XKD then " + sec + "\n", sec, ""},
		{"git sha near an id", "key " + id + " was added in 9f2c4e1a7b3d5f6e8a0c2b4d6f8e0a1c3e5b7d9f\n", "", "9f2c4e1a7b3d5f6e8a0c2b4d6f8e0a1c3e5b7d9f"},
		{"too far away", id + "\n\n\n\n\nunrelated " + sec + "\n", "", sec},
		{"no id before it", "AKIA is the prefix; the secret " + sec + " is not here\n", "", sec},
		{"id inside a word", "XAKIAQ3EGRTVNW6ZJ5XKD " + sec + "\n", "", ""},
	})
}

// TestIntakePathKeys: log intake endpoints that take their key as a path
// segment (Datadog, Loggly, Sumo Logic) lose it wherever the URL is written;
// the same path words on other hosts, and ids of other shapes, stay.
func TestIntakePathKeys(t *testing.T) {
	const hex32 = "5c1e9a7f3b2d4e6f8a0b1c2d3e4f5a6b"
	const uuid = "3f6e2a1c-9b7d-4c5e-8f0a-1b2c3d4e5f60"
	const sumo = "ZaVnC4dhaV2kQ7rW_pL9xS1yT3uB5mN8oE6iA0sD4fG2hJ9kL1zX7cV5bN3mQ1wE8rT6yU4iO2pA=="
	checkPaired(t, []pairedCase{
		{"datadog fluentd", "endpoint https://http-intake.logs.datadoghq.com/v1/input/" + hex32 + "?ddsource=fluentd\n", hex32, ""},
		{"datadog eu curl", "curl -X POST https://http-intake.logs.datadoghq.eu/v1/input/" + hex32 + " -d @log.json\n", hex32, ""},
		{"loggly inputs", "curl -d 'msg' http://logs-01.loggly.com/inputs/" + uuid + "/tag/http/\n", uuid, ""},
		{"loggly bulk", "POST https://logs-01.loggly.com/bulk/" + uuid + "/tag/bulk/ HTTP/1.1\n", uuid, ""},
		{"sumo http source", "url: https://endpoint4.collection.us2.sumologic.com/receiver/v1/http/" + sumo + "\n", sumo, ""},
		{"rapid7 insightops", "curl https://us.webhook.logs.insight.rapid7.com/v1/noformat/" + uuid + " -d 'hello'\n", uuid, ""},
		{"graylog input id", "GET /api/system/inputs/" + uuid + " HTTP/1.1\n", "", ""},
		{"datadog api path", "GET https://api.datadoghq.com/api/v1/monitor/" + hex32 + "\n", "", ""},
	})
}

// TestVaultCompactToken: `vault login` and the dev server print tokens of
// `hvs.` and 24 characters (and `.` plus a namespace id); placeholders stay.
func TestVaultCompactToken(t *testing.T) {
	const tok = "hvs.Q7mT2pXw9KfL4zR8nB1cY6dJ"
	const long = tok + "a8Kq2Lw5Zx7Vb3Nm9Pt4Rs6Hy1Gd"
	checkPaired(t, []pairedCase{
		{"vault login", "$ vault login -no-print " + tok + " && vault kv get secret/ci\n", tok, ""},
		{"env", "VAULT_TOKEN=" + tok + "\n", tok, ""},
		{"namespaced", "token: " + tok + ".a1B2c\n", tok, ""},
		{"dev server output", "Root Token: hvr.Q7mT2pXw9KfL4zR8nB1cY6dJ\n", "hvr.Q7mT2pXw9KfL4zR8nB1cY6dJ", ""},
		{"longer than compact", "export VAULT_TOKEN=" + long + "\n", long, ""},
		{"placeholder", "vault login hvs.XXXXXXXXXXXXXXXXXXXXXXXX\n", "", ""},
		{"words", "see docs for hvs.tokens_are_documented_here_\n", "", ""},
	})
}

// TestAuthorizationUUID: a UUID is an identifier elsewhere, but as the value
// of an Authorization header (Splunk HEC, Heroku, Opsgenie) it is the
// credential. UUIDs in other headers stay.
func TestAuthorizationUUID(t *testing.T) {
	const uuid = "c8a41f2e-7d3b-4e9a-b1f0-5e6d7c8b9a01"
	checkPaired(t, []pairedCase{
		{"splunk hec", `curl -H "Authorization: Splunk ` + uuid + `" https://hec:8088/services/collector` + "\n", uuid, ""},
		{"bearer uuid", "Authorization: Bearer " + uuid + "\n", uuid, ""},
		{"opsgenie", `headers = {"Authorization": "GenieKey ` + uuid + `"}` + "\n", uuid, ""},
		{"request id", "X-Request-Id: " + uuid + "\nTraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\n", "", ""},
	})
}

// TestDigestLabelledValues: a value labelled by a hash algorithm is a
// digest even when a key word stands earlier on the line (go.sum lines of a
// module named oauth2 or api, an SSH host key fingerprint).
func TestDigestLabelledValues(t *testing.T) {
	checkPaired(t, []pairedCase{
		{"go.sum", "golang.org/x/oauth2 v0.24.0 h1:Q8zmYr6m3x0ajYkGkzs54U8zLD1OYs8n2yh0GKY23jc=\n" +
			"github.com/hashicorp/vault/api v1.15.0 h1:O24FYQCWwhwKnF7CuSqO10ZlEUTa3p2SZwuYJxmLHWo=\n", "", ""},
		{"ssh fingerprint", "ED25519 key fingerprint is SHA256:aTj4AqT0IpWQV7Hzl09QCFs3GutTj+TnJ8UgfZgCr+I.\n", "", ""},
		{"api key md5", "api_key md5=9b2f1c7e4a6d8f0b3e5c7a9d1f2b4c6e\n", "", ""},
		{"a secret after a word ending in a hash name", "api_token_sha1:Rq7mX2pLk9Wz4Tn8Vb3Hy6Jc\n", "", ""},
		{"still a secret", "api_key: Q8zmYr6m3x0ajYkGkzs54U8zLD1OYs8n2yh0GKY23jc\n", "Q8zmYr6m3x0ajYkGkzs54U8zLD1OYs8n2yh0GKY23jc", ""},
	})
}

// TestMaskedDisplays: dashboards and CLIs list configured keys as a few
// characters, an ellipsis and the last four; the key is not there. A value
// with dots in it that is not such a display is still a secret.
func TestMaskedDisplays(t *testing.T) {
	checkPaired(t, []pairedCase{
		{"dots", "  OPENAI_API_KEY    sk-...4f2a (last 4)\n", "", ""},
		{"ellipsis", "GITHUB_TOKEN: ghp_…x9Qa\n", "", ""},
		{"secret with dots", "OPENAI_API_KEY=Rq7mX2pLk9...Wz4Tn8Vb3Hy6Jc5dQ1\n", "Rq7mX2pLk9...Wz4Tn8Vb3Hy6Jc5dQ1", ""},
	})
}

// TestFormatVerbsAsWritten: "%s" and "%v" are format verbs, not "%S" or
// "%V" inside a generated password.
func TestFormatVerbsAsWritten(t *testing.T) {
	checkPaired(t, []pairedCase{
		{"define", "define( 'DB_PASSWORD', 'zQ2mEG1gplT9IeY6m.Cp%SY' );\n", "zQ2mEG1gplT9IeY6m.Cp%SY", ""},
		{"env", "DB_PASSWORD=Kx9%Vw2mQ7rT4zL\n", "Kx9%Vw2mQ7rT4zL", ""},
		{"format string", `password = fmt.Sprintf("%s:%s", user, pass)` + "\n", "", ""},
	})
}

// TestWrappedBase64: `base64 .env` wraps at 76 columns, `openssl base64` at
// 64; a secret file printed that way is decoded as one block and replaced
// whole, in any indentation, whichever of its lines carries a credential
// word, and when a stream is cut right after a line. Wrapped base64 of a
// certificate or of text without a secret stays.
func TestWrappedBase64(t *testing.T) {
	env := "APP_ENV=production\nDB_HOST=db.internal\nDB_PASSWORD=Rq7mX2pLk9Wz4Tn8!x\n" +
		"SENDGRID_API_KEY=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\nLOG_LEVEL=info\n"
	// The secret listed last in the file: only a late line carries a credential word.
	late := "APP_ENV=production\nDB_HOST=db.internal\nREGION=eu-west-1\nREPLICAS=3\nFEATURES=a,b,c,d,e,f\n" +
		"MAX_CONNECTIONS=100\nSESSION_SECRET=2faf5a17a499c01794c5de774fd9e930f7b01f59348e7abfdd53f50b30e39b57\n"
	plain := "The quick brown fox jumps over the lazy dog, again and again, to fill a few lines of base64\n" +
		"so that it wraps: nothing here is a credential, only words about foxes and dogs and lines.\n"
	for _, c := range []pairedCase{
		{"coreutils 76", "$ base64 .env.production\n" + wrapB64(env, 76, "") + "$ ", "", ""},
		{"openssl 64", "$ openssl base64 -in .env\n" + wrapB64(env, 64, "") + "$ ", "", ""},
		{"indented yaml", "data:\n  env: |\n" + wrapB64(env, 76, "    ") + "kind: Secret\n", "", ""},
		{"indented, word late", "data:\n  app.env: |\n" + wrapB64(late, 64, "    ") + "kind: Secret\n", "", ""},
		{"credential word late", "$ base64 app.env\n" + wrapB64(late, 76, "") + "$ ", "", ""},
		{"crlf", strings.ReplaceAll("$ base64 .env\n"+wrapB64(env, 76, ""), "\n", "\r\n"), "", ""},
	} {
		enc := base64.StdEncoding.EncodeToString([]byte(env))
		if strings.Contains(c.name, "late") {
			enc = base64.StdEncoding.EncodeToString([]byte(late))
		}
		t.Run(c.name, func(t *testing.T) {
			eng := engine(t)
			in := []byte(c.text)
			text, _ := eng.Redact(in, secretsOnly)
			outs := map[string][]byte{"text": text}
			// A stream cut after each line break.
			var cuts []int
			for i, ch := range in {
				if ch == '\n' {
					cuts = append(cuts, i+1)
				}
			}
			outs["stream by line"] = runStream(t, eng, redact.KindText, splitAt(in, cuts...)...)
			for mode, out := range outs {
				if w, bad := survivor(bytes.ReplaceAll(bytes.ReplaceAll(out, []byte("\n"), nil), []byte(" "), nil), enc); bad {
					t.Errorf("%s: %q of the block survives:\n%s", mode, w, out)
				}
				if bytes.Count(out, []byte("\n")) != bytes.Count(in, []byte("\n")) {
					t.Errorf("%s: line count changed:\n%s", mode, out)
				}
			}
		})
	}
	checkPaired(t, []pairedCase{
		{"words", "$ base64 notes.txt\n" + wrapB64(plain, 76, "") + "$ ", "", ""},
		{"certificate", "caBundle: |\n" + wrapB64("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUXk1mYq8J0Z\n-----END CERTIFICATE-----\n", 64, "  "), "", ""},
	})
}

// wrapB64 encodes s and wraps it at width, each line indented.
func wrapB64(s string, width int, indent string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var sb strings.Builder
	for len(enc) > 0 {
		n := min(width, len(enc))
		sb.WriteString(indent + enc[:n] + "\n")
		enc = enc[n:]
	}
	return sb.String()
}

// TestStarStartedPasswords: a value starting with '*' is a YAML alias or a
// glob when a name follows the star, but a generated password when symbols
// follow (`*Kq7#mW2?pL9x=`), under a label line or after a key.
func TestStarStartedPasswords(t *testing.T) {
	const pw = "*Kq7#mW2?pL9xR4="
	checkPaired(t, []pairedCase{
		{"label line", "Username\nadmin\nPassword\n" + pw + "\n(rotate it)\n", pw, ""},
		{"keyed", "DB_PASSWORD=" + pw + "\n", pw, ""},
		{"yaml alias", "defaults: &db\n  host: db\nprod:\n  password: *db_password\n", "", ""},
		{"glob", "tls:\n  secret_hosts: *.example.com\n", "", ""},
	})
}

// TestCallPairs: a call that sets a secret by its name (PHP define with
// wp-config.php's aligned values, setenv, os.environ.setdefault,
// System.setProperty, putenv) loses the value; calls setting other names,
// references and wp-config's placeholder phrase stay.
func TestCallPairs(t *testing.T) {
	const salt = "GZDrs/Hr69aMZvd5Gvd00sXlevFFhahFvIydVT/GSTY8nNtK3tfX7Ts77c+rCDgu"
	const v = "Rq7mX2pLk9Wz4Tn8Vb3Hy6Jc"
	checkPaired(t, []pairedCase{
		{"wp-config aligned", "define( 'DB_HOST', 'mysql.internal' );\ndefine( 'AUTH_KEY',         '" + salt + "' );\n", salt, ""},
		{"go setenv", `os.Setenv("GITHUB_TOKEN",   "` + v + `")` + "\n", v, ""},
		{"python setdefault", `os.environ.setdefault("OPENAI_API_KEY", '` + v + `')` + "\n", v, ""},
		{"java property", `System.setProperty("javax.net.ssl.keyStorePassword", "` + v + `");` + "\n", v, ""},
		{"putenv", `putenv("AWS_SECRET_ACCESS_KEY=` + v + `");` + "\n", v, ""},
		{"wp placeholder", "define( 'AUTH_KEY',         'put your unique phrase here' );\n", "", ""},
		{"debug flag", "define( 'WP_DEBUG', false );\ndefine( 'DB_NAME', 'wp_prod' );\n", "", ""},
		{"reference", "define( 'DB_PASSWORD', getenv('DB_PASSWORD') );\n", "", ""},
		{"amd module", "define(['jquery', 'token'], function ($, token) { return token; });\n", "", ""},
	})
}

// TestHeaderUUIDCredentials: a request header named for a key or token
// carries a credential even when it is a UUID (Postmark server tokens, API
// keys of several services); a UUID in an id, idempotency or request header
// stays.
func TestHeaderUUIDCredentials(t *testing.T) {
	const uuid = "9d2e4f6a-1b3c-4d5e-8f70-a1b2c3d4e5f6"
	checkPaired(t, []pairedCase{
		{"postmark curl", `curl -H "X-Postmark-Server-Token: ` + uuid + `" https://api.postmarkapp.com/email` + "\n", uuid, ""},
		{"json member", `{"headers": {"X-Api-Key": "` + uuid + `"}}` + "\n", uuid, ""},
		{"header line", "X-Auth-Secret: " + uuid + "\r\n", uuid, ""},
		{"idempotency", "Idempotency-Key: " + uuid + "\n", "", ""},
		{"key id", "X-Api-Key-Id: " + uuid + "\n", "", ""},
		{"request id", "X-Request-Id: " + uuid + "\n", "", ""},
	})
}

// TestPairedProviderKeys: PagerDuty integration keys by their member name and
// shape (a broker's routing key of words stays), Honeycomb ingest keys by
// prefix.
func TestPairedProviderKeys(t *testing.T) {
	const pd = "e93facc04764012d7bfb002500d5d1a6"
	const hc = "hcaik_01hf3q7j6k2m8n4p5r9s0t1v2w3x4y5z6a7b8c9d0e1f2g3h4j5k6m7n8p"
	checkPaired(t, []pairedCase{
		{"pagerduty event", `{"routing_key": "` + pd + `", "event_action": "trigger"}` + "\n", pd, ""},
		{"honeycomb header", "x-honeycomb-team: " + hc + "\n", hc, ""},
		{"amqp routing key", `channel.basic_publish(exchange="orders", routing_key="orders.created.v2", body=msg)` + "\n", "", ""},
	})
}

// TestWrappedBase64BoundIsCounted: a wrapped base64 block longer than the
// engine decodes whole (64 KiB) is read line by line; that is counted by
// BoundsReached as base64_block_too_long, as an unwrapped block that long is.
func TestWrappedBase64BoundIsCounted(t *testing.T) {
	eng := engine(t)
	file := strings.Repeat("FEATURE_FLAG_ENABLED=true\n", 3000) + "SESSION_SECRET=2faf5a17a499c01794c5de774fd9e930f7b01f59348e7abfdd53f50b30e39b57\n"
	in := []byte("$ base64 app.env\n" + wrapB64(file, 76, "") + "$ ")
	before := redact.BoundsReached()["base64_block_too_long"]
	eng.Redact(in, secretsOnly)
	if after := redact.BoundsReached()["base64_block_too_long"]; after <= before {
		t.Errorf("base64_block_too_long: %d before, %d after a %d-byte wrapped block", before, after, len(in))
	}
}
