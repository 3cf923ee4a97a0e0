#!/usr/bin/env python3
"""Generator for the held-out secrets corpus (issue #12).

Written from knowledge of providers' documented token shapes only, without reading warden's
redact/ or wasm/ code. Values are random (seeded); PEM keys/certs come from openssl/ssh-keygen
output generated at run time (fresh on each run, belong to no one), so a rerun differs only there.
Run: python3 gen_secrets_heldout.py  -> secrets-heldout.jsonl
"""
import base64, binascii, json, os, random, re, sys, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
R = random.Random(20250112)

DIG = "0123456789"; UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"; LO = UP.lower()
AN = DIG + UP + LO
HEX = "0123456789abcdef"
B64 = AN + "+/"
B64U = AN + "-_"
B32 = UP + "234567"

def rs(n, alpha=AN): return "".join(R.choice(alpha) for _ in range(n))
def hexs(n): return rs(n, HEX)
def b62(n):
    s = ""
    while n:
        n, r = divmod(n, 62); s = (DIG + UP + LO)[r] + s
    return s.rjust(6, "0")
def crc_token(prefix):
    # GitHub / npm: 30 random base62 chars + base62(CRC32(random part)) padded to 6
    body = rs(30)
    return prefix + body + b62(binascii.crc32(body.encode()))
def b64(s): return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()
def b64url(s, pad=False):
    v = base64.urlsafe_b64encode(s.encode() if isinstance(s, str) else s).decode()
    return v if pad else v.rstrip("=")
def pct(s): return urllib.parse.quote(s, safe="")
_KD = None
def key(name):
    # keys/certs are generated fresh on each run (openssl, ssh-keygen); they belong to no one
    global _KD
    if _KD is None:
        import subprocess, tempfile
        _KD = tempfile.mkdtemp()
        sh = lambda c: subprocess.run(c, shell=True, cwd=_KD, check=True, capture_output=True)
        sh("openssl ecparam -genkey -name prime256v1 -noout -out ec.pem")
        sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem")
        sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2.pem")
        sh("openssl ecparam -genkey -name prime256v1 -noout -out ec2.pem")
        sh("openssl req -x509 -new -key ec2.pem -subj '/CN=api.internal.acme-corp.net/O=Acme Corp' -days 365 -out cert.pem")
        sh("openssl pkey -in rsa2.pem -pubout -out pub.pem")
        sh("ssh-keygen -q -t ed25519 -N '' -C deploy@ci-runner-07 -f ed")
        sh("ssh-keygen -q -t ed25519 -N '' -C jane@laptop -f ed2")
        sh("ssh-keygen -q -t rsa -b 2048 -N '' -C ops@bastion -f rsa_ssh")
    return open(os.path.join(_KD, name)).read()
def pem_body(p): return "\n".join(l for l in p.strip().splitlines() if not l.startswith("-----"))

def pw(n=18, must="", extra="!@#$%^*-_=+.?"):
    # random password with the characters in `must` guaranteed
    chars = list(rs(n - len(must), AN + extra)) + list(must)
    R.shuffle(chars)
    s = "".join(chars)
    return s

# ---------------- provider shapes ----------------
def aws_akid(p="AKIA"): return p + rs(16, B32)
def aws_secret(slash=False):
    while True:
        s = rs(40, B64)
        if not slash or "/" in s: return s
def aws_session(): return "IQoJb3JpZ2luX2VjE" + rs(339, B64) + "="
def ghp(): return crc_token("ghp_")
def gho(): return crc_token("gho_")
def ghs(): return crc_token("ghs_")
def ghu(): return crc_token("ghu_")
def npm(): return crc_token("npm_")
def gh_fine(): return "github_pat_11" + rs(20, UP + DIG) + "_" + rs(59)
def glpat(): return "glpat-" + rs(20, AN + "-_")
def xoxb(): return "xoxb-%s-%s-%s" % (rs(12, DIG), rs(13, DIG), rs(24))
def xoxp(): return "xoxp-%s-%s-%s-%s" % (rs(12, DIG), rs(12, DIG), rs(13, DIG), hexs(32))
def slack_hook(): return "T0" + rs(8, UP + DIG), "B0" + rs(9, UP + DIG), rs(24)
def stripe(p="sk_live_"): return p + "51" + rs(97)
def openai(): return "sk-proj-" + rs(74, B64U) + "T3BlbkFJ" + rs(74, B64U)
def anthropic(): return "sk-ant-api03-" + rs(93, B64U) + "AA"
def google(): return "AIza" + rs(35, B64U)
def azure_key(): return b64(R.randbytes(64))
def sas_sig(): return b64(R.randbytes(32))
def twilio_tok(): return hexs(32)
def sendgrid(): return "SG." + rs(22, B64U) + "." + rs(43, B64U)
def pypi(): return "pypi-AgEIcHlwaS5vcmcCJD" + rs(8, HEX) + "-" + rs(4, HEX) + "-" + rs(4, HEX) + "AAIqWzMsIm" + rs(120, B64U)
def dckr(): return "dckr_pat_" + rs(27, B64U)
def telegram(): return rs(10, DIG) + ":AA" + rs(33, B64U)
def hf(): return "hf_" + rs(34, UP + LO)
def dapi(): return "dapi" + hexs(32)
def shpat(): return "shpat_" + hexs(32)
def hvs(): return "hvs.CAESI" + rs(86, B64U)
def dop(): return "dop_v1_" + hexs(64)
def atlassian(): return "ATATT3xFfGF0" + rs(171, B64U) + "=" + rs(8, "0123456789ABCDEF")
def mailgun(): return "key-" + hexs(32)
def postman(): return "PMAK-" + hexs(24) + "-" + hexs(34)
def newrelic(): return "NRAK-" + rs(27, UP + DIG)
def linear(): return "lin_api_" + rs(40)
def fernet(): return "gAAAAAB" + rs(177, B64U) + "="
def discord_hook(): return rs(19, DIG), rs(68, B64U)
def jwt(claims, alg="RS256", siglen=342):
    h = b64url(json.dumps({"alg": alg, "typ": "JWT", "kid": hexs(16)}, separators=(",", ":")))
    p = b64url(json.dumps(claims, separators=(",", ":")))
    return h + "." + p + "." + rs(siglen, B64U)

blocks = []
def add(bid, kind, enc, ct, text, secrets=()):
    blocks.append({"id": bid, "kind": kind, "encoding": enc, "content_type": ct,
                   "text": text, "secrets": list(secrets)})
S, L = "secret", "lookalike"
TP, AJ, FORM = "text/plain", "application/json", "application/x-www-form-urlencoded"

# =====================================================================================
# SECRET BLOCKS
# =====================================================================================

# ---------- plain ----------
oa, sk, dbp = openai(), stripe(), pw(20, extra="-_.")
add("plain-env-dump", S, "plain", TP,
    "$ cat .env\nNODE_ENV=production\nPORT=8080\nOPENAI_API_KEY=%s\nSTRIPE_SECRET_KEY=%s\n"
    "DATABASE_URL=postgres://orders_svc:%s@orders-db.prod.internal:5432/orders?sslmode=require\nLOG_LEVEL=info\n"
    % (oa, sk, dbp), [oa, sk, dbp])

ant = anthropic()
add("plain-python-anthropic", S, "plain", TP,
    "import anthropic\n\n# TODO move to secrets manager before merge\nclient = anthropic.Anthropic(\n    api_key=\"%s\",\n)\n"
    "msg = client.messages.create(model=\"claude-sonnet-4-5\", max_tokens=1024, messages=[{\"role\": \"user\", \"content\": prompt}])\n" % ant, [ant])

gl = glpat()
add("plain-chat-gitlab", S, "plain", TP,
    "Sure - I created a project access token for the runner. Token: %s (scopes: read_repository, write_registry, expires 2025-06-30). "
    "Paste it into Settings > CI/CD > Variables as GITLAB_DEPLOY_TOKEN and mark it masked.\n" % gl, [gl])

ak, sa = aws_akid(), aws_secret()
add("plain-tfvars-aws", S, "plain", TP,
    "# terraform.tfvars (do not commit)\nregion            = \"eu-west-1\"\naws_access_key_id = \"%s\"\naws_secret_key    = \"%s\"\ninstance_type     = \"t3.medium\"\n" % (ak, sa), [ak, sa])

xb = xoxb()
add("plain-log-slack", S, "plain", TP,
    "2025-01-12 09:14:03,221 WARNING slack_sdk.web.base_client: Failed to send message with token %s to channel C04QK2M7T1N: ratelimited (retry after 30s)\n" % xb, [xb])

h, d = hf(), dapi()
add("plain-ini-hf-databricks", S, "plain", TP,
    "$ cat ~/.databrickscfg\n[DEFAULT]\nhost  = https://adb-4412093318877301.1.azuredatabricks.net\ntoken = %s\n\n$ cat ~/.cache/huggingface/token\n%s\n" % (d, h), [d, h])

sp = shpat()
add("plain-ruby-shopify", S, "plain", TP,
    "ShopifyAPI::Context.setup(\n  api_key: \"4f1c0b9e2d\",\n  api_secret_key: ENV.fetch(\"SHOPIFY_SECRET\"),\n  host: \"https://acme-apparel.myshopify.com\",\n  scope: \"read_orders,write_products\",\n  is_private: true,\n  private_app_storefront_access_token: nil,\n)\nsession = ShopifyAPI::Auth::Session.new(shop: \"acme-apparel.myshopify.com\", access_token: \"%s\")\n" % sp, [sp])

jw = jwt({"iss": "https://auth.acme-corp.net/", "sub": "svc-billing", "aud": "api://billing", "iat": 1736672400, "exp": 1736676000, "scope": "invoices:write"})
add("plain-log-jwt", S, "plain", TP,
    "time=2025-01-12T09:20:00Z level=debug msg=\"minted service token\" client=svc-billing token=%s ttl=3600\n" % jw, [jw])

ec = key("ec.pem")
add("plain-pem-ec", S, "multiline", TP,
    "$ cat certs/signing.key\n" + ec + "$ ls -l certs/\n-rw------- 1 app app 227 Jan 12 09:01 signing.key\n", [pem_body(ec)])

sg = sendgrid()
add("plain-js-sendgrid", S, "plain", TP,
    "const sgMail = require('@sendgrid/mail');\nsgMail.setApiKey('%s');\n\nmodule.exports = async function notify(to, subject, html) {\n  return sgMail.send({ to, from: 'no-reply@acme-corp.net', subject, html });\n};\n" % sg, [sg])

hv, dp = hvs(), dop()
add("plain-shell-history", S, "plain", TP,
    "  501  export VAULT_ADDR=https://vault.acme-corp.net:8200\n  502  export VAULT_TOKEN=%s\n  503  vault kv get secret/payments\n  504  doctl auth init --access-token %s\n  505  doctl kubernetes cluster list\n" % (hv, dp), [hv, dp])

gf = gh_fine()
add("plain-gh-fine-grained", S, "plain", TP,
    "Agent: I'll authenticate the CLI with the fine-grained token you gave me.\n\n$ echo %s | gh auth login --with-token\n$ gh auth status\ngithub.com\n  ✓ Logged in to github.com account acme-bot (keyring)\n" % gf, [gf])

tg = telegram()
add("plain-python-telegram", S, "plain", TP,
    "# bot.py\nfrom telegram.ext import ApplicationBuilder\n\nBOT_TOKEN = \"%s\"\napp = ApplicationBuilder().token(BOT_TOKEN).build()\n" % tg, [tg])

mp = pw(16, extra="-_.")
add("plain-mongo-srv", S, "plain", TP,
    "spring.data.mongodb.uri=mongodb+srv://reporting:%s@cluster0.x7kqe.mongodb.net/analytics?retryWrites=true&w=majority\nspring.data.mongodb.auto-index-creation=false\n" % mp, [mp])

rp = rs(32, AN)
add("plain-redis-url", S, "plain", TP,
    "worker-7f9c  | celery.worker.consumer: Connected to rediss://:%s@redis-master.cache.svc.cluster.local:6380/0\n" % rp, [rp])

tw = twilio_tok()
add("plain-env-twilio", S, "plain", TP,
    "TWILIO_ACCOUNT_SID=AC%s\nTWILIO_AUTH_TOKEN=%s\nTWILIO_FROM=+15017122661\n" % (hexs(32), tw), [tw])

at = atlassian()
add("plain-jira-cli", S, "plain", TP,
    "# ~/.config/.jira/.config.yml\ninstallation: Cloud\nserver: https://acme-corp.atlassian.net\nlogin: build-bot@acme-corp.net\nproject:\n  key: OPS\n# api token generated 2025-01-10\napi_token: %s\n" % at, [at])

lin, nr = linear(), newrelic()
add("plain-mcp-config", S, "plain", TP,
    "[mcp_servers.linear]\ncommand = \"npx\"\nargs = [\"-y\", \"@acme/linear-mcp\"]\nenv = { LINEAR_API_KEY = \"%s\" }\n\n[mcp_servers.newrelic]\ncommand = \"newrelic-mcp\"\nenv = { NEW_RELIC_API_KEY = \"%s\", NEW_RELIC_REGION = \"EU\" }\n" % (lin, nr), [lin, nr])

goo = google()
add("plain-google-maps", S, "plain", TP,
    "geocoder:\n  provider: google\n  # server-side key, restricted to our egress IPs\n  google_api_key: %s\n  timeout_ms: 2500\n" % goo, [goo])

# ---------- json-escape ----------
t, b, k = slack_hook()
add("json-slash-slack-webhook", S, "json-escape", AJ,
    json.dumps({"channel": "#deploys", "notifier": "slack",
                "webhook_url": "https://hooks.slack.com/services/%s/%s/%s" % (t, b, k)}).replace("/", "\\/"), [k])

ak2, sa2, st2 = aws_akid("ASIA"), aws_secret(slash=True), aws_session()
body = json.dumps({"Credentials": {"AccessKeyId": ak2, "SecretAccessKey": sa2, "SessionToken": st2, "Expiration": "2025-01-12T21:14:03Z"}}).replace("/", "\\/")
add("json-slash-aws-sts", S, "json-escape", AJ, body, [ak2, sa2.replace("/", "\\/"), st2.replace("/", "\\/")])

gp = pw(18, must="&&<", extra="-_.!")
gpe = gp.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
add("json-go-html-escape-dsn", S, "json-escape", AJ,
    '{"service":"ledger","db":{"driver":"pgx","dsn":"postgres://ledger:%s@ledger-db:5432/ledger?sslmode=verify-full\\u0026pool_max_conns=20"},"version":"1.14.2"}' % gpe, [gpe])

azk = azure_key()
while "+" not in azk: azk = azure_key()
aze = azk.replace("+", "\\u002B")
add("json-dotnet-azure-conn", S, "json-escape", AJ,
    '{"ConnectionStrings":{"Blob":"DefaultEndpointsProtocol=https;AccountName=acmeprodassets;AccountKey=%s;EndpointSuffix=core.windows.net"},"Logging":{"LogLevel":{"Default":"Information"}}}' % aze, [aze])

rsa = key("rsa.pem")
sa_json = {"type": "service_account", "project_id": "acme-analytics-prod", "private_key_id": hexs(40),
           "private_key": rsa, "client_email": "bq-loader@acme-analytics-prod.iam.gserviceaccount.com",
           "client_id": rs(21, DIG), "auth_uri": "https://accounts.google.com/o/oauth2/auth",
           "token_uri": "https://oauth2.googleapis.com/token",
           "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
           "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/bq-loader%40acme-analytics-prod.iam.gserviceaccount.com",
           "universe_domain": "googleapis.com"}
sa_text = json.dumps(sa_json, indent=2)
add("json-gcp-service-account", S, "json-escape", AJ, sa_text,
    [pem_body(rsa).replace("\n", "\\n")])

uni = "Käse" + pw(14, extra="-_") + "ß"
unie = json.dumps(uni)[1:-1]
add("json-ensure-ascii-password", S, "json-escape", AJ,
    json.dumps({"database": {"host": "db-eu.acme.de", "user": "shop", "password": uni, "port": 3306}}), [unie])

an2 = anthropic()
add("json-in-json-tool-result", S, "json-escape", AJ,
    json.dumps({"type": "tool_result", "tool_use_id": "toolu_01" + rs(22), "content": json.dumps({"path": "config/llm.json", "contents": {"provider": "anthropic", "api_key": an2, "max_tokens": 4096}})}), [an2])

gh1 = ghp()
gh1e = "".join("\\u%04x" % ord(c) for c in gh1)
add("json-full-unicode-escape", S, "json-escape", AJ,
    '{"name":"ci-settings","secrets":{"GITHUB_TOKEN":"%s"},"note":"serialized with escape-all for inline <script> embedding"}' % gh1e, [gh1e])

qp = pw(16, must='"\\')
qpe = json.dumps(qp)[1:-1]
add("json-quote-backslash-password", S, "json-escape", AJ,
    json.dumps({"smtp": {"host": "smtp.mailgun.org", "port": 587, "username": "postmaster@mg.acme-corp.net", "password": qp}}), [qpe])

oa2 = openai()
add("json-tool-call-arguments", S, "json-escape", AJ,
    json.dumps({"id": "chatcmpl-" + rs(29), "object": "chat.completion", "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": None, "tool_calls": [{"id": "call_" + rs(24), "type": "function", "function": {"name": "set_env_var", "arguments": json.dumps({"name": "OPENAI_API_KEY", "value": oa2, "scope": "production"})}}]}}]}), [oa2])

ec2b = key("ed")
nested = json.dumps({"file": "id_ed25519", "content": ec2b})
add("json-double-escaped-openssh", S, "json-escape", AJ,
    json.dumps({"level": "info", "event": "artifact_uploaded", "payload": nested}),
    ["\\\\n".join(pem_body(ec2b).splitlines())])

rk = stripe("rk_live_")
add("json-php-slash-stripe", S, "json-escape", AJ,
    '{"gateway":"stripe","endpoint":"https:\\/\\/api.stripe.com\\/v1\\/charges","restricted_key":"%s","webhook_path":"\\/hooks\\/stripe"}' % rk, [rk])

# ---------- json-in-log ----------
lp = pw(17)
add("jsonlog-request-body", S, "json-in-log", TP,
    "2025-01-12T09:31:07.118Z INFO  [http-nio-8080-exec-4] c.a.auth.LoginController : POST /api/v1/login body={\"username\":\"deploy\",\"password\":\"%s\",\"remember\":true} ua=python-requests/2.31.0\n" % json.dumps(lp)[1:-1], [json.dumps(lp)[1:-1]])

go1 = gho()
add("jsonlog-nested-escaped", S, "json-in-log", TP,
    json.dumps({"ts": "2025-01-12T09:32:11.004Z", "level": "debug", "logger": "oauth.client", "msg": "token exchange response",
                "status": 200, "body": json.dumps({"access_token": go1, "token_type": "bearer", "scope": "repo,read:org"})}) + "\n", [go1])

hexkey = hexs(40)
add("jsonlog-go-amp-query", S, "json-in-log", TP,
    '{"time":"2025-01-12T09:40:00Z","level":"WARN","msg":"upstream retry","url":"https://api.weatherstack.example/v1/current?query=Berlin\\u0026access_key=%s\\u0026units=m","attempt":2}\n' % hexkey, [hexkey])

rk2 = stripe("sk_live_")
add("jsonlog-php-slash", S, "json-in-log", TP,
    "[2025-01-12 09:41:22] production.ERROR: Stripe request failed {\"exception\":\"Stripe\\\\Exception\\\\RateLimitException\",\"context\":{\"api_base\":\"https:\\/\\/api.stripe.com\",\"api_key\":\"%s\",\"path\":\"\\/v1\\/payment_intents\"}} []\n" % rk2, [rk2])

dl = pw(16, extra="-_.!")
add("jsonlog-docker-json-file", S, "json-in-log", TP,
    json.dumps({"log": "2025/01/12 09:45:01 connecting to mysql://billing:%s@tcp(mysql-0.mysql:3306)/billing?parseTime=true\n" % dl, "stream": "stderr", "time": "2025-01-12T09:45:01.553201873Z"}) + "\n", [dl])

jw2 = jwt({"iss": "https://login.microsoftonline.com/" + "3f0c1b2a-9d4e-4c7b-8a11-5e2f6d7c8b90" + "/v2.0", "sub": rs(43, B64U), "aud": "api://orders", "exp": 1736680000, "roles": ["Orders.ReadWrite"]})
add("jsonlog-fluentbit-auth-header", S, "json-in-log", TP,
    '[0] kube.var.log.containers.gateway-6d5f7.log: [1736674000.123456789, {"kubernetes":{"namespace_name":"edge","pod_name":"gateway-6d5f7"},"req":{"method":"GET","path":"/orders/1182","headers":{"authorization":"Bearer %s","accept":"application/json"}}}]\n' % jw2, [jw2])

hf2 = hf()
add("jsonlog-multi-line-log", S, "json-in-log", TP,
    "Jan 12 09:50:01 gpu-node-3 trainer[2211]: starting job 8812\nJan 12 09:50:02 gpu-node-3 trainer[2211]: config={\"model\":\"meta-llama/Llama-3.1-8B\",\"hub_token\":\"%s\",\"push_to_hub\":true}\nJan 12 09:50:04 gpu-node-3 trainer[2211]: downloading shards 1/4\n" % hf2, [hf2])

# ---------- percent ----------
qpw = pw(16, must="/!#")
add("pct-query-password", S, "percent", TP,
    "GET /cgi-bin/api.cgi?cmd=Login&user=admin&password=%s&channel=0 HTTP/1.1\r\nHost: nvr-lobby.acme.local\r\nUser-Agent: HomeAssistant/2025.1\r\n\r\n" % pct(qpw), [pct(qpw)])

cs = b64(R.randbytes(30))
add("pct-form-client-secret", S, "percent", FORM,
    "grant_type=client_credentials&client_id=0c5e2b7a-71d4-4f0e-9a2c-64b1f8d3e9aa&client_secret=%s&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default" % pct(cs), [pct(cs)])

fpw = pw(15, must="@$!")
add("pct-form-login", S, "percent", FORM,
    "csrfmiddlewaretoken=%s&username=j.doe%%40acme-corp.net&password=%s&next=%%2Fadmin%%2F" % (rs(64), pct(fpw)), [pct(fpw)])

cpw = pw(18, must="@:/%")
add("pct-conn-url-password", S, "percent", TP,
    "SQLALCHEMY_DATABASE_URI=postgresql+psycopg2://analytics:%s@warehouse.db.acme.internal:5432/analytics\nSQLALCHEMY_POOL_SIZE=10\n" % pct(cpw), [pct(cpw)])

sig = sas_sig()
while "+" not in sig and "/" not in sig: sig = sas_sig()
add("pct-azure-sas", S, "percent", TP,
    "Uploading build artifact...\nPUT https://acmeprodassets.blob.core.windows.net/releases/app-1.14.2.zip?sv=2022-11-02&ss=b&srt=sco&sp=rwdlacx&se=2025-02-01T00:00:00Z&st=2025-01-12T00:00:00Z&spr=https&sig=%s -> 201 Created\n" % pct(sig), [pct(sig)])

sv = rs(24)
payload = json.dumps({"type": "block_actions", "team": {"id": "T0" + rs(8, UP + DIG)}, "token": sv, "api_app_id": "A0" + rs(9, UP + DIG), "actions": [{"action_id": "approve", "value": "deploy-8812"}]})
add("pct-form-json-payload", S, "percent", FORM, "payload=" + pct(payload), [sv])

dpw = pw(14, must="/+=")
inner = "https://app.acme-corp.net/callback?code=ok&db_pass=" + pct(dpw)
add("pct-double-encoded-redirect", S, "percent", TP,
    "302 Found\nLocation: https://sso.acme-corp.net/logout?next=%s\n" % pct(inner), [pct(pct(dpw))])

gk = google()
add("pct-query-google-key", S, "percent", TP,
    "10.4.2.19 - - [12/Jan/2025:10:02:11 +0000] \"GET /maps/api/geocode/json?address=Unter%%20den%%20Linden%%2077%%2C%%20Berlin&key=%s HTTP/1.1\" 200 1892\n" % gk, [gk])

gl2 = glpat()
add("pct-query-private-token", S, "percent", TP,
    "DEBUG urllib3.connectionpool: https://gitlab.acme-corp.net:443 \"GET /api/v4/projects/412/pipelines?private_token=%s&ref=main&per_page=20 HTTP/1.1\" 200 None\n" % gl2, [gl2])

curlp = pw(16, must="&=%")
add("pct-curl-data-urlencode-log", S, "percent", TP,
    "> POST /j_security_check HTTP/1.1\n> Host: jenkins.acme.local\n> Content-Type: application/x-www-form-urlencoded\n> Content-Length: 64\n>\nj_username=builder&j_password=%s&from=%%2F&Submit=Sign+in\n< HTTP/1.1 302 Found\n" % pct(curlp), [pct(curlp)])

# ---------- base64 ----------
kp = pw(20, extra="-_!.")
kurl = "postgres://app:%s@pg-primary.db.svc:5432/app" % pw(16, extra="-_")
kpb, kub = b64(kp), b64(kurl)
add("b64-k8s-secret-yaml", S, "base64", TP,
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-db\n  namespace: payments\ntype: Opaque\ndata:\n  username: %s\n  password: %s\n  DATABASE_URL: %s\n" % (b64("app"), kpb, kub), [kpb, kub])

gh2 = ghp()
auth = b64("acme-bot:" + gh2)
add("b64-docker-config-json", S, "base64", AJ,
    json.dumps({"auths": {"ghcr.io": {"auth": auth}, "https://index.docker.io/v1/": {}}, "credsStore": "desktop"}, indent="\t"), [auth])

dk = dckr()
inner_cfg = json.dumps({"auths": {"https://index.docker.io/v1/": {"username": "acmeci", "password": dk, "auth": b64("acmeci:" + dk)}}})
outer = b64(inner_cfg)
add("b64-k8s-dockerconfigjson", S, "base64", TP,
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: ci\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: %s\n" % outer, [outer])

xc = b64(json.dumps({"client_id": "svc-reporting", "client_secret": rs(40, AN + "-_~."), "token_url": "https://auth.acme-corp.net/oauth2/token"}))
add("b64-x-credentials-env", S, "base64", TP,
    "$ env | sort | grep -v PATH\nHOME=/home/app\nHOSTNAME=reporting-5b7c9\nREPORTING_CREDENTIALS=%s\nTZ=UTC\n" % xc, [xc])

rsa_sa = dict(sa_json); rsa_sa["private_key"] = key("rsa2.pem"); rsa_sa["private_key_id"] = hexs(40)
gcb = b64(json.dumps(rsa_sa))
add("b64-google-credentials", S, "base64", TP,
    "# GitHub Actions step\n- name: Auth to GCP\n  env:\n    GOOGLE_CREDENTIALS_B64: %s\n  run: echo \"$GOOGLE_CREDENTIALS_B64\" | base64 -d > /tmp/sa.json\n" % gcb, [gcb])

bpw = pw(16)
basic = b64("ops-admin:" + bpw)
add("b64-basic-auth-request", S, "base64", TP,
    "GET /api/v2/status HTTP/1.1\r\nHost: grafana.acme-corp.net\r\nAuthorization: Basic %s\r\nAccept: application/json\r\nUser-Agent: curl/8.5.0\r\n\r\n" % basic, [basic])

mg = mailgun()
mgb = b64("api:" + mg)
add("b64-basic-mailgun", S, "base64", TP,
    "send: b'POST /v3/mg.acme-corp.net/messages HTTP/1.1\\r\\nHost: api.mailgun.net\\r\\nAuthorization: Basic %s\\r\\nContent-Type: application/x-www-form-urlencoded\\r\\n\\r\\n'\nreply: 'HTTP/1.1 200 OK\\r\\n'\n" % mgb, [mgb])

ak3, sa3 = aws_akid(), aws_secret()
bu = b64url(json.dumps({"aws_access_key_id": ak3, "aws_secret_access_key": sa3, "region": "us-east-1"}))
add("b64url-query-creds", S, "base64", TP,
    "10.0.3.7 - - [12/Jan/2025:10:11:09 +0000] \"GET /v1/connectors/s3/test?bucket=acme-exports&creds=%s HTTP/1.1\" 200 44 \"-\" \"airbyte/0.50.1\"\n" % bu, [bu])

sk3 = stripe()
sk3b = b64(sk3)
add("b64-kubectl-secret-json", S, "base64", AJ,
    json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "stripe", "namespace": "shop", "uid": "b1a3f6e0-2d4c-4e8b-9f7a-0c1d2e3f4a5b"}, "type": "Opaque", "data": {"api-key": sk3b, "mode": b64("live")}}, indent=4), [sk3b])

tlskey = key("ec.pem") if False else key("rsa2.pem")
crt = key("cert.pem")
tkb, tcb = b64(tlskey), b64(crt)
add("b64-k8s-tls-secret", S, "base64", TP,
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-tls\ntype: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n" % (tcb, tkb),
    # tls.key and the (public) tls.crt share the base64 of "-----BEGIN "/"-----END"; list the key's
    # blob without those armour bytes so that the certificate need not be touched
    [tkb[40:-40]])

smtp = pw(14)
plain = b64("\0alerts@acme-corp.net\0" + smtp)
add("b64-smtp-auth-plain", S, "base64", TP,
    "S: 220 smtp.acme-corp.net ESMTP Postfix\nC: EHLO monitor-01\nS: 250-AUTH PLAIN LOGIN\nC: AUTH PLAIN %s\nS: 235 2.7.0 Authentication successful\n" % plain, [plain])

gs = ghs()
ext = b64("x-access-token:" + gs)
add("b64-git-extraheader", S, "base64", TP,
    "[command]/usr/bin/git config --local http.https://github.com/.extraheader AUTHORIZATION: basic %s\n[command]/usr/bin/git -c protocol.version=2 fetch --no-tags --prune --depth=1 origin +refs/heads/main:refs/remotes/origin/main\n" % ext, [ext])

envf = "STRIPE_KEY=%s\nSENTRY_DSN=https://%s@o44.ingest.sentry.io/55\nSESSION_SECRET=%s\n" % (stripe(), hexs(32), rs(48))
envb = b64(envf)
add("b64-helm-env-file", S, "base64", TP,
    "# helm get values web -n prod\nenvFileB64: %s\nreplicaCount: 3\nimage:\n  tag: 1.14.2\n" % envb, [envb])

# ---------- multiline ----------
yp = pw(22, extra="-_!.#")
add("ml-yaml-block-literal", S, "multiline", TP,
    "ldap:\n  url: ldaps://ldap.acme-corp.net:636\n  bind_dn: cn=svc-gitlab,ou=services,dc=acme,dc=net\n  password: |\n    %s\n  base: ou=people,dc=acme,dc=net\n" % yp, [yp])

yt = rs(48, AN)
add("ml-yaml-folded", S, "multiline", TP,
    "spring:\n  datasource:\n    url: jdbc:postgresql://pg:5432/inventory\n    username: inventory\n    password: >-\n      %s\n  jpa:\n    open-in-view: false\n" % yt, [yt])

np1, np2 = pw(16, extra="-_"), ghp()
add("ml-netrc", S, "multiline", TP,
    "$ cat ~/.netrc\nmachine artifactory.acme-corp.net\n  login ci-deployer\n  password %s\nmachine api.github.com\n  login acme-bot\n  password %s\n" % (np1, np2), [np1, np2])

nt, ght = npm(), ghp()
add("ml-npmrc", S, "multiline", TP,
    "registry=https://registry.npmjs.org/\n@acme:registry=https://npm.pkg.github.com/\n//registry.npmjs.org/:_authToken=%s\n//npm.pkg.github.com/:_authToken=%s\nalways-auth=true\n" % (nt, ght), [nt, ght])

pt, tpw = pypi(), pw(18, extra="-_!.")
add("ml-pypirc", S, "multiline", TP,
    "[distutils]\nindex-servers =\n    pypi\n    internal\n\n[pypi]\nusername = __token__\npassword = %s\n\n[internal]\nrepository = https://pypi.acme-corp.net/simple/\nusername = release-bot\npassword = %s\n" % (pt, tpw), [pt, tpw])

nx = pw(20, extra="-_.")
add("ml-key-next-line-markdown", S, "multiline", TP,
    "Here are the staging credentials you asked for:\n\n**Admin user**\n`admin`\n\n**Admin password**\n`%s`\n\nPlease rotate after the demo.\n" % nx, [nx])

yk = rs(40, AN + "+/")
add("ml-yaml-value-next-line", S, "multiline", TP,
    "aws:\n  access_key_id: %s\n  secret_access_key:\n    %s\n  region: eu-central-1\n" % (aws_akid(), yk), [yk])

jp = pw(18, extra="-_.")
add("ml-properties-continuation", S, "multiline", TP,
    "# application.properties\nserver.port=8443\nkeystore.password=\\\n    %s\nkeystore.type=PKCS12\n" % jp, [jp])

edk = key("ed2")
add("ml-heredoc-openssh", S, "multiline", TP,
    "- name: Install deploy key\n  run: |\n    mkdir -p ~/.ssh\n    cat > ~/.ssh/id_ed25519 <<'EOF'\n" + "".join("    " + l + "\n" for l in edk.strip().splitlines()) + "    EOF\n    chmod 600 ~/.ssh/id_ed25519\n",
    ["\n".join("    " + l for l in pem_body(edk).splitlines()).lstrip()])

mc = pw(16, extra="-_!")
add("ml-my-cnf", S, "multiline", TP,
    "$ cat /root/.my.cnf\n[client]\nuser=root\npassword=\"%s\"\nhost=127.0.0.1\n\n[mysqldump]\nsingle-transaction\n" % mc, [mc])

dc = pw(20, extra="-_")
add("ml-compose-env-list", S, "multiline", TP,
    "services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_USER=keycloak\n      - POSTGRES_PASSWORD=%s\n      - POSTGRES_DB=keycloak\n" % dc, [dc])

# ---------- k8s env lists ----------
kp1, kt1 = pw(18, extra="-_."), rs(40, AN)
add("k8s-env-json", S, "k8s-env", AJ,
    json.dumps({"spec": {"containers": [{"name": "migrate", "image": "ghcr.io/acme/migrate:1.4.0", "env": [
        {"name": "PGHOST", "value": "pg-primary.db.svc"}, {"name": "PGUSER", "value": "migrator"},
        {"name": "PGPASSWORD", "value": kp1}, {"name": "METRICS_API_TOKEN", "value": kt1}]}]}}), [kp1, kt1])

ks = rs(64, HEX)
add("k8s-env-yaml", S, "k8s-env", TP,
    "    spec:\n      containers:\n        - name: worker\n          image: acme/worker:2.8\n          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: WEBHOOK_SIGNING_SECRET\n              value: \"%s\"\n            - name: QUEUE\n              value: emails\n" % ks, [ks])

kd = pw(16, extra="-_")
add("k8s-env-describe", S, "k8s-env", TP,
    "Containers:\n  api:\n    Image:          acme/api:3.2.1\n    Environment:\n      RAILS_ENV:            production\n      DB_PASSWORD:          %s\n      SECRET_KEY_BASE:      <set to the key 'skb' in secret 'api'>  Optional: false\n" % kd, [kd])

# ---------- cli-flag ----------
m1 = pw(14, extra="-_!#")
add("cli-mysql-p-quoted", S, "cli-flag", TP,
    "$ mysql -h db-replica-2.acme.internal -uroot -p'%s' -e 'SHOW SLAVE STATUS\\G'\nmysql: [Warning] Using a password on the command line interface can be insecure.\n" % m1, [m1])

m2 = pw(16, extra="-_.")
add("cli-mysqldump-password-eq", S, "cli-flag", TP,
    "0 3 * * * /usr/bin/mysqldump --single-transaction --user=backup --password=%s shop | gzip > /backups/shop-$(date +\\%%F).sql.gz\n" % m2, [m2])

pgp = pw(16, extra="-_")
add("cli-pgpassword-env", S, "cli-flag", TP,
    "Agent ran: PGPASSWORD=%s psql -h 10.20.0.15 -U reporting -d warehouse -c \"select count(*) from orders where created_at > now() - interval '1 day'\"\n count\n-------\n 18233\n(1 row)\n" % pgp, [pgp])

cu = pw(16, extra="-_.")
add("cli-curl-u", S, "cli-flag", TP,
    "$ curl -sS -u admin:%s -X POST https://jenkins.acme.local/job/deploy/buildWithParameters -d ENV=prod\n" % cu, [cu])

gl3 = glpat()
add("cli-curl-user-token", S, "cli-flag", TP,
    "curl --fail --user \"ci-bot:%s\" --upload-file dist/app.tar.gz \"https://gitlab.acme-corp.net/api/v4/projects/412/packages/generic/app/1.14.2/app.tar.gz\"\n" % gl3, [gl3])

dk2 = dckr()
add("cli-docker-login-p", S, "cli-flag", TP,
    "+ docker login -u acmeci -p %s\nWARNING! Using --password via the CLI is insecure. Use --password-stdin.\nLogin Succeeded\n" % dk2, [dk2])

rc = pw(24, extra="")
add("cli-redis-cli-a", S, "cli-flag", TP,
    "root@cache-0:/data# redis-cli -h 127.0.0.1 -p 6379 -a %s --no-auth-warning INFO keyspace\n# Keyspace\ndb0:keys=88213,expires=1201,avg_ttl=0\n" % rc, [rc])

ssp = pw(14, extra="-_.")
add("cli-sshpass", S, "cli-flag", TP,
    "for h in web-01 web-02 web-03; do sshpass -p '%s' ssh -o StrictHostKeyChecking=no deploy@$h 'sudo systemctl restart nginx'; done\n" % ssp, [ssp])

azs = rs(3, AN) + "8Q~" + rs(34, AN + "~._-")
add("cli-az-login-sp", S, "cli-flag", TP,
    "az login --service-principal -u 0c5e2b7a-71d4-4f0e-9a2c-64b1f8d3e9aa -p '%s' --tenant acmecorp.onmicrosoft.com\n" % azs, [azs])

kl = pw(18, extra="-_")
add("cli-kubectl-from-literal", S, "cli-flag", TP,
    "$ kubectl -n payments create secret generic stripe-webhook --from-literal=endpoint=/hooks/stripe --from-literal=password=%s\nsecret/stripe-webhook created\n" % kl, [kl])

op = pw(14, extra="-_")
add("cli-openssl-passout", S, "cli-flag", TP,
    "openssl pkcs12 -export -in tls.crt -inkey tls.key -out keystore.p12 -name api -passout pass:%s\n" % op, [op])

jv = pw(16, extra="-_.")
add("cli-ps-java-D", S, "cli-flag", TP,
    "$ ps -eo pid,args | grep java\n 2211 /usr/bin/java -Xmx2g -Dspring.profiles.active=prod -Dspring.datasource.password=%s -jar /opt/inventory/inventory.jar\n 3012 grep --color=auto java\n" % jv, [jv])

hp = pw(16, extra="-_.")
add("cli-helm-set", S, "cli-flag", TP,
    "helm upgrade --install kc bitnami/keycloak -n auth --set auth.adminUser=admin --set auth.adminPassword=%s --set postgresql.enabled=true\n" % hp, [hp])

mpw = pw(15, extra="-_")
add("cli-mongosh-password", S, "cli-flag", TP,
    "mongosh --host rs0/mongo-0.mongo:27017 --username root --password %s --authenticationDatabase admin --eval 'rs.status().ok'\n1\n" % mpw, [mpw])

# ---------- url-path ----------
tg2 = telegram()
add("url-telegram-bot-path", S, "url-path", TP,
    "[2025-01-12 10:20:01] outbound POST https://api.telegram.org/bot%s/sendMessage chat_id=-1001877332190 status=200 dur=212ms\n" % tg2, [tg2])

tg3 = telegram()
add("url-telegram-file-path", S, "url-path", TP,
    "GET /file/bot%s/photos/file_12.jpg HTTP/1.1\r\nHost: api.telegram.org\r\nUser-Agent: aiohttp/3.9.1\r\n\r\n" % tg3, [tg3])

t2, b2, k2 = slack_hook()
add("url-slack-webhook-path", S, "url-path", TP,
    "time=\"2025-01-12T10:21:00Z\" level=error msg=\"alert delivery failed\" receiver=slack-critical url=https://hooks.slack.com/services/%s/%s/%s err=\"context deadline exceeded\"\n" % (t2, b2, k2), [k2])

did, dtok = discord_hook()
add("url-discord-webhook", S, "url-path", TP,
    "notifications:\n  discord:\n    enabled: true\n    url: https://discord.com/api/webhooks/%s/%s\n" % (did, dtok), [dtok])

mm = rs(26, LO + DIG)
add("url-mattermost-hook", S, "url-path", TP,
    "10.1.4.22 - - [12/Jan/2025:10:25:43 +0000] \"POST /hooks/%s HTTP/1.1\" 200 2 \"-\" \"Go-http-client/1.1\"\n" % mm, [mm])

gct = b64url(R.randbytes(32), pad=False)
gck = google()
add("url-google-chat-webhook", S, "url-path", TP,
    "GOOGLE_CHAT_WEBHOOK=https://chat.googleapis.com/v1/spaces/AAAA%s/messages?key=%s&token=%s%%3D\n" % (rs(7, B64U), gck, gct), [gck, gct])

# ---------- url-userinfo ----------
gl4 = glpat()
add("url-userinfo-git-remote", S, "url-userinfo", TP,
    "$ git remote -v\norigin\thttps://oauth2:%s@gitlab.acme-corp.net/platform/infra.git (fetch)\norigin\thttps://oauth2:%s@gitlab.acme-corp.net/platform/infra.git (push)\n" % (gl4, gl4), [gl4])

up = pw(16, must="@:")
add("url-userinfo-pct-amqp", S, "url-userinfo", TP,
    "CELERY_BROKER_URL=amqps://orders:%s@rabbit.acme.internal:5671/orders\n" % pct(up), [pct(up)])

# ---------- header ----------
xh = hexs(64)
add("hdr-x-api-key-hex", S, "header", TP,
    "POST /v1/ingest HTTP/1.1\r\nHost: events.acme-partner.io\r\nContent-Type: application/json\r\nX-API-Key: %s\r\nContent-Length: 57\r\n\r\n{\"event\":\"signup\",\"user\":\"u_18822\",\"plan\":\"team\"}" % xh, [xh])

ddk, dda = hexs(32), hexs(40)
add("hdr-datadog-keys", S, "header", TP,
    "curl -X GET \"https://api.datadoghq.eu/api/v1/monitor\" \\\n  -H \"Accept: application/json\" \\\n  -H \"DD-API-KEY: %s\" \\\n  -H \"DD-APPLICATION-KEY: %s\"\n" % (ddk, dda), [ddk, dda])

azo = hexs(32)
add("hdr-azure-openai-api-key", S, "header", TP,
    "POST /openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01 HTTP/1.1\r\nHost: acme-eastus.openai.azure.com\r\napi-key: %s\r\nContent-Type: application/json\r\n\r\n" % azo, [azo])

apim = hexs(32)
add("hdr-apim-subscription", S, "header", TP,
    "GET /vision/v3.2/analyze?visualFeatures=Tags HTTP/1.1\nHost: westeurope.api.cognitive.microsoft.com\nOcp-Apim-Subscription-Key: %s\n" % apim, [apim])

gh3 = ghp()
add("hdr-user-agent-token", S, "header", TP,
    "GET /repos/acme/infra/releases/latest HTTP/1.1\r\nHost: api.github.com\r\nUser-Agent: release-notifier/0.3 (+https://acme-corp.net; token=%s)\r\nAccept: application/vnd.github+json\r\n\r\n" % gh3, [gh3])

ua_k = hexs(32)
add("hdr-user-agent-key-kv", S, "header", TP,
    "10.0.9.14 - - [12/Jan/2025:10:33:00 +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" \"AcmeMonitor/4.1 (apikey:%s)\"\n" % ua_k, [ua_k])

an3 = anthropic()
add("hdr-x-api-key-anthropic", S, "header", TP,
    "POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\nx-api-key: %s\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\n\r\n" % an3, [an3])

gl5 = glpat()
add("hdr-private-token", S, "header", TP,
    "> GET /api/v4/user HTTP/2\n> Host: gitlab.com\n> PRIVATE-TOKEN: %s\n> accept: */*\n< HTTP/2 200\n" % gl5, [gl5])

fn = fernet()
add("hdr-openstack-fernet", S, "header", TP,
    "REQ: curl -g -i -X GET https://compute.cloud.acme.net:8774/v2.1/servers/detail -H \"Accept: application/json\" -H \"User-Agent: python-novaclient\" -H \"X-Auth-Token: %s\"\n" % fn, [fn])

gls = hexs(32)
add("hdr-cookie-session", S, "header", TP,
    "GET /acme/infra/-/pipelines HTTP/1.1\r\nHost: gitlab.acme-corp.net\r\nCookie: preferred_language=en; _gitlab_session=%s; event_filter=all\r\n\r\n" % gls, [gls])

hv2 = hvs()
add("hdr-x-vault-token", S, "header", TP,
    "2025-01-12T10:40:03.101Z [DEBUG] http: request: method=GET path=/v1/secret/data/payments headers=\"map[X-Vault-Request:[true] X-Vault-Token:[%s]]\"\n" % hv2, [hv2])

pm = postman()
add("hdr-postman-api-key", S, "header", TP,
    "GET https://api.getpostman.com/collections\nX-Api-Key: %s\n" % pm, [pm])

xo = xoxp()
add("hdr-bearer-slack-user", S, "header", TP,
    "POST /api/conversations.history HTTP/1.1\nHost: slack.com\nAuthorization: Bearer %s\nContent-Type: application/x-www-form-urlencoded\n\nchannel=C04QK2M7T1N&limit=200\n" % xo, [xo])

pb = b64("proxyuser:" + pw(16, extra="-_"))
add("hdr-proxy-authorization", S, "header", TP,
    "CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\nProxy-Authorization: Basic %s\r\nUser-Agent: OpenAI/Python 1.40.0\r\n\r\n" % pb, [pb])

# =====================================================================================
# LOOK-ALIKES (must come back byte-identical)
# =====================================================================================
def sha(n=40): return hexs(n)
c1, c2, c3 = sha(), sha(), sha()
add("la-git-log", L, "plain", TP,
    "$ git log --oneline -3 && git show --stat HEAD | head -3\n%s (HEAD -> main) fix: retry on 429\n%s chore(deps): bump golang.org/x/net\n%s feat: stream hold-back\ncommit %s\nMerge: %s %s\nAuthor: Jane Roe <jane@acme-corp.net>\n"
    % (c1[:7], c2[:7], c3[:7], c1, c2[:7], sha()[:7]))

def uuid4():
    h = hexs(32); return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], R.choice("89ab"), h[17:20], h[20:32])
add("la-uuid-json", L, "plain", AJ,
    json.dumps({"id": uuid4(), "object": "run", "thread_id": uuid4(), "request_id": uuid4(), "status": "completed",
                "steps": [{"id": uuid4(), "type": "tool_call"}, {"id": uuid4(), "type": "message"}]}, indent=2))

add("la-docker-pull-digests", L, "plain", TP,
    "$ docker pull ghcr.io/acme/api:3.2.1\n3.2.1: Pulling from acme/api\n%s: Pull complete\n%s: Pull complete\nDigest: sha256:%s\nStatus: Downloaded newer image for ghcr.io/acme/api:3.2.1\n"
    % (sha(12), sha(12), sha(64)))

def integ(n=64): return b64(R.randbytes(n))
add("la-package-lock", L, "plain", AJ,
    json.dumps({"name": "web", "lockfileVersion": 3, "packages": {
        "node_modules/react": {"version": "18.3.1", "resolved": "https://registry.npmjs.org/react/-/react-18.3.1.tgz", "integrity": "sha512-" + integ(), "dependencies": {"loose-envify": "^1.1.0"}},
        "node_modules/loose-envify": {"version": "1.4.0", "resolved": "https://registry.npmjs.org/loose-envify/-/loose-envify-1.4.0.tgz", "integrity": "sha512-" + integ(), "bin": {"loose-envify": "cli.js"}}}}, indent=2))

add("la-go-sum", L, "plain", TP,
    "github.com/google/uuid v1.6.0 h1:%s\ngithub.com/google/uuid v1.6.0/go.mod h1:%s\ngolang.org/x/net v0.33.0 h1:%s\ngolang.org/x/net v0.33.0/go.mod h1:%s\n"
    % (integ(32), integ(32), integ(32), integ(32)))

add("la-cargo-lock", L, "plain", TP,
    "[[package]]\nname = \"serde\"\nversion = \"1.0.217\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"%s\"\n\n[[package]]\nname = \"tokio\"\nversion = \"1.43.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"%s\"\n" % (sha(64), sha(64)))

import struct, zlib
def png(w, h):
    raw = b"".join(b"\x00" + R.randbytes(w * 3) for _ in range(h))
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
add("la-data-uri-png", L, "plain", TP,
    "<p>Build status:</p>\n<img alt=\"badge\" width=\"16\" height=\"8\" src=\"data:image/png;base64,%s\"/>\n" % b64(png(16, 8)))

add("la-authorized-keys", L, "plain", TP,
    "# ~/.ssh/authorized_keys on bastion-01\n" + key("ed.pub") + key("rsa_ssh.pub") + key("ed2.pub"))

add("la-certificate-pem", L, "multiline", TP,
    "$ openssl s_client -connect api.internal.acme-corp.net:443 -showcerts </dev/null 2>/dev/null | sed -n '/BEGIN/,/END/p'\n" + key("cert.pem"))

add("la-public-key-pem", L, "multiline", TP,
    "# JWT verification key for auth.acme-corp.net (public, safe to share)\njwt:\n  public_key: |\n" + "".join("    " + l + "\n" for l in key("pub.pem").strip().splitlines()))

add("la-placeholders-readme", L, "plain", TP,
    "## Configuration\n\nCopy `.env.example` to `.env` and fill in:\n\n```\nGITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nOPENAI_API_KEY=sk-...YOUR_KEY_HERE\nANTHROPIC_API_KEY=<your-anthropic-api-key>\nDATABASE_URL=postgres://USER:PASSWORD@localhost:5432/app\n```\n\nThen call the API with `Authorization: Bearer <your-token>`.\n")

add("la-env-references", L, "plain", TP,
    "services:\n  api:\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n      STRIPE_SECRET_KEY: ${STRIPE_SECRET_KEY:?missing}\n      API_KEY: \"{{ .Values.apiKey }}\"\n      REDIS_PASSWORD_FILE: /run/secrets/redis_password\n    secrets:\n      - redis_password\n")

cm = "worker_processes auto;\nevents { worker_connections 1024; }\nhttp {\n  server { listen 8080; location /healthz { return 200 'ok'; } }\n}\n"
add("la-configmap-binarydata", L, "base64", TP,
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nginx-conf\nbinaryData:\n  nginx.conf: %s\n  favicon.png: %s\ndata:\n  TZ: UTC\n" % (b64(cm), b64(png(4, 4))))

add("la-request-ids", L, "header", TP,
    "HTTP/1.1 200 OK\r\nx-request-id: %s\r\ntraceparent: 00-%s-%s-01\r\nx-amz-request-id: %s\r\nx-amz-id-2: %s\r\nx-amzn-trace-id: Root=1-%s-%s\r\nETag: \"%s\"\r\n\r\n"
    % (uuid4(), sha(32), sha(16), rs(16, UP + DIG), b64(R.randbytes(57)), sha(8), sha(24), sha(32)))

add("la-pod-describe-ids", L, "plain", TP,
    "Name:         api-7d9f8b6c5d-x2k4q\nNamespace:    prod\nUID:          %s\nContainers:\n  api:\n    Container ID:   containerd://%s\n    Image:          ghcr.io/acme/api@sha256:%s\n    Image ID:       ghcr.io/acme/api@sha256:%s\n"
    % (uuid4(), sha(64), sha(64), sha(64)))

add("la-sha256sum", L, "plain", TP,
    "$ sha256sum dist/*\n%s  dist/warden-linux-amd64\n%s  dist/warden-linux-arm64\n%s  dist/warden-darwin-arm64\n$ md5sum dist/warden.tar.gz\n%s  dist/warden.tar.gz\n" % (sha(64), sha(64), sha(64), sha(32)))

add("la-sri-html", L, "plain", TP,
    "<script src=\"https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/js/bootstrap.bundle.min.js\" integrity=\"sha384-%s\" crossorigin=\"anonymous\"></script>\n<link rel=\"stylesheet\" href=\"/app.css\" integrity=\"sha256-%s\">\n" % (b64(R.randbytes(48)), b64(R.randbytes(32))))

add("la-git-lfs-pointer", L, "plain", TP,
    "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 48213377\n" % sha(64))

add("la-sts-caller-identity", L, "plain", AJ,
    json.dumps({"UserId": "AROA" + rs(17, B32) + ":jane.roe@acme-corp.net", "Account": "123456789012", "Arn": "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/jane.roe@acme-corp.net"}, indent=4))

add("la-cli-without-values", L, "cli-flag", TP,
    "# read the password from a prompt or a file, never from argv\nmysql -h db.acme.internal -u root -p\ncat ~/token.txt | docker login ghcr.io -u acme-bot --password-stdin\nPGPASSWORD=\"$PGPASS\" psql -h db -U app\ncurl -u \"$JENKINS_USER:$JENKINS_TOKEN\" https://jenkins.acme.local/api/json\nkubectl create secret generic db --from-file=password=./db-password.txt\n")

add("la-token-regex-docs", L, "plain", TP,
    "| Provider | Pattern |\n|---|---|\n| GitHub classic PAT | `ghp_[A-Za-z0-9]{36}` |\n| GitLab PAT | `glpat-[A-Za-z0-9_-]{20}` |\n| Slack bot | `xoxb-[0-9]+-[0-9]+-[A-Za-z0-9]+` |\n| AWS access key id | `(AKIA|ASIA)[A-Z2-7]{16}` |\n")

add("la-stripe-object-ids", L, "plain", AJ,
    json.dumps({"id": "evt_1Q" + rs(22), "object": "event", "type": "invoice.paid", "data": {"object": {"id": "in_1Q" + rs(22), "customer": "cus_R" + rs(13), "subscription": "sub_1Q" + rs(22), "amount_paid": 4900, "currency": "eur"}}, "request": {"id": "req_" + rs(14), "idempotency_key": uuid4()}}, indent=2))

add("la-telegram-update-ids", L, "plain", AJ,
    json.dumps({"ok": True, "result": [{"update_id": 781234991, "message": {"message_id": 4412, "from": {"id": 5123387712, "is_bot": False, "first_name": "Jane"}, "chat": {"id": -1001877332190, "type": "supergroup"}, "date": 1736676001, "text": "/deploy staging"}}]}))

add("la-gpg-age-fingerprints", L, "plain", TP,
    "Release signing keys (public):\n  GPG  %s  Acme Release Bot <release@acme-corp.net>\n  age  age1%s\n  minisign  RWQ%s\n" % (sha(40).upper(), rs(58, "qpzry9x8gf2tvdw0s3jn54khce6mua7l"), b64(R.randbytes(39))[:53]))

add("la-pct-encoded-benign-query", L, "percent", TP,
    "GET /search?q=kubernetes%%20secret%%20base64%%20decode&utm_source=newsletter&utm_campaign=2025-01&sessionStart=1736676001&cid=%s HTTP/1.1\r\nHost: docs.acme-corp.net\r\n\r\n" % sha(32))

add("la-jsonlog-benign-escapes", L, "json-in-log", TP,
    '{"time":"2025-01-12T10:50:00Z","level":"INFO","msg":"rendered template","path":"\\/static\\/js\\/app.8f3c2d1e.js","html":"\\u003cdiv class=\\"card\\"\\u003e\\u0026nbsp;\\u003c\\/div\\u003e","etag":"W\\/\\"%s\\""}\n' % sha(40))

add("la-k8s-configmap-env", L, "k8s-env", AJ,
    json.dumps({"env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.observability:4317"}, {"name": "BUILD_SHA", "value": sha(40)}, {"name": "PGPASSWORD", "valueFrom": {"secretKeyRef": {"name": "app-db", "key": "password"}}}]}))

# =====================================================================================
def validate(bs):
    ids = set()
    for b in bs:
        assert b["id"] not in ids, b["id"]; ids.add(b["id"])
        assert b["kind"] in (S, L)
        if b["content_type"] == AJ:
            json.loads(b["text"])
        if b["kind"] == L:
            assert b["secrets"] == [], b["id"]
            continue
        assert b["secrets"], b["id"]
        rest = b["text"]
        for s in b["secrets"]:
            assert len(s) >= 8, (b["id"], s)
            assert s in b["text"], (b["id"], s)
        for s in sorted(b["secrets"], key=len, reverse=True):
            rest = rest.replace(s, "\x00")
        # no 8-char window of a listed secret may occur in the text outside its own occurrences,
        # otherwise a perfect redactor could not pass the block
        for s in b["secrets"]:
            for i in range(len(s) - 7):
                assert s[i:i + 8] not in rest, (b["id"], s[i:i + 8])

if __name__ == "__main__":
    validate(blocks)
    out = os.path.join(HERE, "secrets-heldout.jsonl")
    with open(out, "w") as f:
        for b in blocks:
            f.write(json.dumps(b, ensure_ascii=False) + "\n")
    from collections import Counter
    c = Counter((b["kind"], b["encoding"]) for b in blocks)
    for k in sorted(c): print(k, c[k])
    print("secret", sum(1 for b in blocks if b["kind"] == S), "lookalike", sum(1 for b in blocks if b["kind"] == L))
