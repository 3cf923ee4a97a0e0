#!/usr/bin/env python3
"""Generator for /work/corpus2/secrets-fresh.jsonl (held-out red-team corpus, issue #12).
Written without reading warden's redact/ or wasm/ code or any existing corpus/test data.
Deterministic: fixed seed; PEM keys/certs generated with `cryptography` using seeded order but
key material itself is random per run -> the committed .jsonl is the artifact of record."""
import base64, hashlib, hmac, json, random, string, time, uuid, zlib, urllib.parse, sys

R = random.Random(1207)
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"
B32 = string.ascii_uppercase + "234567"
def rs(n, a=ALNUM): return "".join(R.choice(a) for _ in range(n))
def hexs(n): return rs(n, HEX)
def b64(b): return base64.b64encode(b).decode()
def b64u(b): return base64.urlsafe_b64encode(b).decode().rstrip("=")
def rbytes(n): return bytes(R.getrandbits(8) for _ in range(n))
def pct(s): return urllib.parse.quote(s, safe="")
def b62enc(n, width=6):
    out = ""
    while n: n, r = divmod(n, 62); out = B62[r] + out
    return out.rjust(width, "0")
def gh_token(prefix):  # GitHub classic format: prefix + 30 random base62 + 6-char base62 CRC32 of the random part
    body = rs(30, B62); return prefix + body + b62enc(zlib.crc32(body.encode()) & 0xffffffff)
def npm_token():  # same scheme as GitHub (npm_ + 30 + CRC32 base62)
    body = rs(30, B62); return "npm_" + body + b62enc(zlib.crc32(body.encode()) & 0xffffffff)
def aws_akid(p="AKIA"): return p + rs(16, B32)
def aws_secret(): return rs(40, ALNUM + "+/")
def slack_bot(): return "xoxb-%d-%d-%s" % (R.randint(10**10, 10**11), R.randint(10**12, 10**13), rs(24))
def slack_user(): return "xoxp-%d-%d-%d-%s" % (R.randint(10**10, 10**11), R.randint(10**10, 10**11), R.randint(10**12, 10**13), hexs(32))
def telegram(): return "%d:AA%s" % (R.randint(10**9, 8*10**9), rs(33, URLSAFE))
def openai_proj(): return "sk-proj-" + rs(74, URLSAFE) + "T3BlbkFJ" + rs(74, URLSAFE)
def anthropic(): return "sk-ant-api03-" + rs(93, URLSAFE) + "AA"
def google(): return "AIza" + rs(35, URLSAFE)
def jwt(claims, key=None):
    h = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    p = b64u(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(key or rbytes(32), (h + "." + p).encode(), hashlib.sha256).digest()
    return h + "." + p + "." + b64u(sig)

from cryptography.hazmat.primitives.asymmetric import rsa, ec, ed25519
from cryptography.hazmat.primitives import serialization, hashes
from cryptography import x509
from cryptography.x509.oid import NameOID
import datetime
def rsa_pem(bits=2048, fmt="pkcs8"):
    k = rsa.generate_private_key(65537, bits)
    f = serialization.PrivateFormat.PKCS8 if fmt == "pkcs8" else serialization.PrivateFormat.TraditionalOpenSSL
    return k, k.private_bytes(serialization.Encoding.PEM, f, serialization.NoEncryption()).decode()
def ec_pem():
    k = ec.generate_private_key(ec.SECP256R1())
    return k, k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()).decode()
def openssh_ed25519():
    k = ed25519.Ed25519PrivateKey.generate()
    priv = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()).decode()
    pub = k.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return priv, pub
def cert_pem(cn):
    k = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.public_key())
         .serial_number(R.getrandbits(64)).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
         .sign(k, hashes.SHA256()))
    return c.public_bytes(serialization.Encoding.PEM).decode()

def uesc(s, chars):  # JSON \uXXXX escape the given characters
    return "".join("\\u%04x" % ord(c) if c in chars else c for c in s)
def uesc_all(s): return "".join("\\u%04x" % ord(c) for c in s)

blocks = []
def add(id, kind, enc, ct, text, secrets=()):
    blocks.append({"id": id, "kind": kind, "encoding": enc, "content_type": ct, "text": text, "secrets": list(secrets)})
S = lambda *a, **k: add(a[0], "secret", *a[1:], **k)
L = lambda id, enc, ct, text: add(id, "lookalike", enc, ct, text, ())
TP, JS, FORM = "text/plain", "application/json", "application/x-www-form-urlencoded"

# ---------------------------------------------------------------- plain / config formats
v = aws_akid(); s = aws_secret()
S("plain-aws-toml", "plain", "application/toml",
  '[profile.deploy]\nregion = "eu-central-1"\naws_access_key_id = "%s"\naws_secret_access_key = "%s"\noutput = "json"\n' % (v, s), [v, s])
v = gh_token("ghp_")
S("plain-gh-export-env", "plain", TP, "# ~/.bashrc.d/20-tokens.sh\nexport EDITOR=nvim\nexport GITHUB_TOKEN=%s\nexport GOPRIVATE=github.com/acme-corp/*\n" % v, [v])
v = "glpat-" + rs(20, URLSAFE)
S("plain-gitlab-ini", "plain", TP, "[gitlab]\nurl = https://gitlab.acme.internal\napi_version = 4\nprivate_token = %s\nssl_verify = true\n" % v, [v])
v = "hvs." + rs(24, URLSAFE) + rs(68, URLSAFE)
S("plain-vault-hcl", "plain", TP, 'provider "vault" {\n  address = "https://vault.acme.internal:8200"\n  token   = "%s"\n  skip_child_token = true\n}\n' % v, [v])
v = "dop_v1_" + hexs(64)
S("plain-do-java-properties", "plain", TP, "# spring profile: prod\nspring.application.name=billing-sync\ndigitalocean.api.base=https://api.digitalocean.com/v2\ndigitalocean.api.token=%s\nlogging.level.root=INFO\n" % v, [v])
v = "sk_live_" + rs(99)
S("plain-stripe-xml", "plain", "application/xml",
  '<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n  <appSettings>\n    <add key="Stripe:PublishableMode" value="live" />\n    <add key="Stripe:SecretKey" value="%s" />\n  </appSettings>\n</configuration>\n' % v, [v])
v = "dckr_pat_" + rs(27, URLSAFE)
S("plain-docker-pat-log", "plain", TP, "2026-12-07T11:42:03.118Z INFO  ci.runner step=login cmd=\"echo %s | docker login -u acmebot --password-stdin\" exit=0\n" % v, [v])
v = "hf_" + rs(34, string.ascii_letters)
S("plain-hf-python", "plain", "text/x-python", 'from huggingface_hub import login\n\n# TODO move to secret manager\nlogin(token="%s", add_to_git_credential=False)\n' % v, [v])
v = "dapi" + hexs(32) + "-2"
S("plain-databricks-cfg", "plain", TP, "[DEFAULT]\nhost = https://adb-4417239301829934.14.azuredatabricks.net\ntoken = %s\njobs-api-version = 2.1\n" % v, [v])
v = "shpat_" + hexs(32)
S("plain-shopify-dotenv", "plain", TP, "SHOPIFY_STORE=acme-outdoor.myshopify.com\nSHOPIFY_API_VERSION=2024-10\nSHOPIFY_ADMIN_TOKEN=%s\n" % v, [v])
v = "pul-" + hexs(40)
S("plain-pulumi-chat", "plain", TP, "ok so I ran `pulumi login` and pasted %s but it still says unauthorized, any idea?" % v, [v])
v = "%s.atlasv1.%s" % (rs(14), rs(67, ALNUM))
S("plain-terraform-credentials-tfrc", "plain", TP, 'credentials "app.terraform.io" {\n  token = "%s"\n}\n' % v, [v])
v = "AGE-SECRET-KEY-1" + rs(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L").upper()
S("plain-age-key", "plain", TP, "# created: 2026-11-30T09:14:55Z\n# public key: age1%s\n%s\n" % (rs(58, "qpzry9x8gf2tvdw0s3jn54khce6mua7l"), v), [v])
v = "PMAK-" + hexs(24) + "-" + hexs(34)
S("plain-postman-yaml", "plain", "application/yaml", "newman:\n  collection: ./collections/orders.json\n  environment: staging\n  postman_api_key: %s\n" % v, [v])
v = "FLWSECK-" + hexs(32) + "-X"
S("plain-flutterwave-php", "plain", "text/x-php", "<?php\nreturn [\n    'public_key' => env('FLW_PUBLIC_KEY'),\n    'secret_key' => '%s',\n    'encryption_key' => env('FLW_ENC'),\n];\n" % v, [v])
v = "gsk_" + rs(52)
S("plain-groq-shell-history", "plain", TP, " 1021  cd ~/src/agent-eval\n 1022  GROQ_API_KEY=%s python run.py --model llama-3.3-70b\n 1023  git status\n" % v, [v])
v = "r8_" + rs(37)
S("plain-replicate-ipynb-output", "plain", TP, ">>> import os\n>>> os.environ['REPLICATE_API_TOKEN']\n'%s'\n>>> \n" % v, [v])
v = "ATATT3xFfGF0" + rs(171, URLSAFE) + "=" + hexs(8).upper()
S("plain-atlassian-properties", "plain", TP, "jira.url=https://acme.atlassian.net\njira.user=release-bot@acme.io\njira.api.token=%s\n" % v, [v])
v = "sntrys_" + b64(json.dumps({"iat": 1733561000.1, "url": "https://sentry.io", "region_url": "https://us.sentry.io", "org": "acme"}).encode()).rstrip("=") + "_" + rs(43, ALNUM + "+/")
S("plain-sentry-auth-token-sentryclirc", "plain", TP, "[defaults]\norg = acme\nproject = web-frontend\n\n[auth]\ntoken = %s\n" % v, [v])
v = "glsa_" + rs(32) + "_" + hexs(8)
S("plain-grafana-sa-tfvars", "plain", TP, 'grafana_url  = "https://acme.grafana.net"\ngrafana_auth = "%s"\nfolder       = "SRE"\n' % v, [v])
v = "lin_api_" + rs(40)
S("plain-linear-mcp-config", "plain", TP, "[mcp_servers.linear]\ncommand = \"npx\"\nargs = [\"-y\", \"linear-mcp\"]\nenv = { LINEAR_API_KEY = \"%s\" }\n" % v, [v])
v = "NRAK-" + rs(27, string.ascii_uppercase + string.digits)
S("plain-newrelic-yml", "plain", "application/yaml", "common: &default_settings\n  license_key: '%s'\n  app_name: checkout-svc\n  distributed_tracing:\n    enabled: true\n" % (hexs(36) + "NRAL"), [])  # placeholder, replaced below
blocks.pop()  # (license key format uncertain -> use user API key instead)
S("plain-newrelic-yml", "plain", "application/yaml", "common: &default_settings\n  app_name: checkout-svc\n  api_key: %s\n  distributed_tracing:\n    enabled: true\n" % v, [v])
_, pem = ec_pem()
S("plain-ec-pem-in-chat", "plain", TP, "here's the key the old deploy box used, can you tell me what curve it is?\n\n" + pem + "\nthanks", [l for l in pem.strip().splitlines()[1:-1] if len(l) >= 16])

# ---------------------------------------------------------------- JSON escapes
v = anthropic()
t = json.dumps({"model": "claude-sonnet-4", "messages": [{"role": "user", "content": "set ANTHROPIC_API_KEY=" + "@@"}]})
t = t.replace("@@", uesc(v, "-_"))
S("json-uesc-anthropic", "json-escape", JS, t, [uesc(v, "-_")])
v = openai_proj(); ev = uesc_all(v[:12]) + v[12:]
t = '{"tool":"write_file","arguments":{"path":"\\/home\\/dev\\/.config\\/openai\\/key","content":"%s"}}' % ev
S("json-uesc-prefix-openai", "json-escape", JS, t, [ev])
v = "https://hooks.slack.com/services/T%s/B%s/%s" % (rs(10, string.ascii_uppercase + string.digits), rs(10, string.ascii_uppercase + string.digits), rs(24))
ev = v.replace("/", "\\/"); tok = v.rsplit("/", 1)[1]
t = '{"alerting":{"receivers":[{"name":"oncall","slack_configs":[{"api_url":"%s","channel":"#pager"}]}]}}' % ev
S("json-slash-escape-slack-webhook", "json-escape", JS, t, [tok])
v = gh_token("ghs_")
ev = uesc(v, "_")
t = '{"event":"checkout","env":{"GITHUB_TOKEN":"%s","RUNNER_OS":"Linux"}}' % ev
S("json-uesc-ghs", "json-escape", JS, t, [ev])
key = google(); ev = uesc(key, "AIza")
t = '{"contents":[{"parts":[{"text":"debug: my maps key is %s and it returns REQUEST_DENIED"}]}]}' % ev
S("json-uesc-google-key-partial", "json-escape", JS, t, [ev])
_, pem = rsa_pem()
sa = {"type": "service_account", "project_id": "acme-analytics-prod", "private_key_id": hexs(40), "private_key": pem,
      "client_email": "etl-runner@acme-analytics-prod.iam.gserviceaccount.com", "client_id": str(R.randint(10**20, 10**21)),
      "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token"}
t = json.dumps(sa, indent=2).replace("/", "\\/")
body = "".join(pem.strip().splitlines()[1:-1])
S("json-gcp-sa-slash-escaped", "json-escape", JS, t, [l.replace("/", "\\/") for l in pem.strip().splitlines()[1:-1] if len(l) >= 16])
v = "SG." + rs(22, URLSAFE) + "." + rs(43, URLSAFE)
ev = uesc_all(v)
t = '{"name":"sendgrid","config":{"apiKey":"%s"}}' % ev
S("json-uesc-all-sendgrid", "json-escape", JS, t, [ev])

# JSON inside log lines
v = slack_bot()
inner = json.dumps({"level": "debug", "msg": "posting", "headers": {"Authorization": "Bearer " + v}})
t = "Dec 07 12:01:44 worker-3 notifier[8812]: %s\n" % inner
S("jsonlog-slack-bot-syslog", "json-in-log", TP, t, [v])
v = "sk_live_" + rs(24)
inner = json.dumps({"event": "stripe.request", "req": {"body": "amount=4200&currency=eur"}, "config": {"stripe_key": v}})
t = "2026-12-07 12:03:10,442 DEBUG [payments] payload=%s\n" % json.dumps(inner)  # doubly-encoded JSON string in log
S("jsonlog-double-encoded-stripe", "json-in-log", TP, t, [v])
v = "xai-" + rs(80)
ev = uesc(v, "-")
t = 'time="2026-12-07T12:05:00Z" level=info msg="upstream call" body="{\\"api_key\\":\\"%s\\",\\"model\\":\\"grok-3\\"}"\n' % ev
S("jsonlog-logfmt-uesc-xai", "json-in-log", TP, t, [ev])
v = npm_token()
t = '{"@timestamp":"2026-12-07T12:06:12.551Z","log.level":"error","message":"npm publish failed","process":{"env":{"NPM_TOKEN":"%s"}}}\n{"@timestamp":"2026-12-07T12:06:12.553Z","log.level":"info","message":"retrying in 5s"}\n' % uesc(v, "_")
S("jsonlog-ndjson-npm-uesc", "json-in-log", "application/x-ndjson", t, [uesc(v, "_")])

# ---------------------------------------------------------------- percent encoding
pw = "pA$$w0rd!_" + rs(10) + "@#/"
enc = pct(pw)
t = "DATABASE_URL=postgresql://app_rw:%s@db-primary.acme.internal:5432/orders?sslmode=require\n" % enc
S("pct-postgres-url-password", "percent", TP, t, [enc])
pw = rs(8) + ":" + rs(6) + "%&" + rs(5)
enc = pct(pw)
t = "spring.data.mongodb.uri=mongodb+srv://reporting:%s@cluster0.x7kqp.mongodb.net/analytics?retryWrites=true&w=majority\n" % enc
S("pct-mongodb-srv-password", "percent", TP, t, [enc])
v = google()
t = "GET /maps/api/geocode/json?address=Unter%%20den%%20Linden%%201%%2C%%20Berlin&key=%s HTTP/1.1\nHost: maps.googleapis.com\nAccept: */*\n" % v
S("pct-google-key-query", "percent", "message/http", t, [v])
pw = "Winter2026!" + rs(6) + "&="
t = "POST /login HTTP/1.1\nHost: intranet.acme.io\nContent-Type: application/x-www-form-urlencoded\n\nusername=j.doe&password=%s&remember=1&csrf=%s\n" % (pct(pw), hexs(32))
S("pct-form-login-password", "percent", FORM, t, [pct(pw)])
v = "sk-ant-admin01-" + rs(93, URLSAFE) + "AA"
enc = "".join("%%%02X" % ord(c) for c in v)  # fully percent-encoded
t = "client_id=agent-7&grant_type=client_credentials&client_secret=%s&scope=admin\n" % enc
S("pct-full-encoded-anthropic-admin", "percent", FORM, t, [enc])
sas_sig = b64(rbytes(32)); enc = pct(sas_sig)
t = "https://acmebackups.blob.core.windows.net/nightly/pg-2026-12-06.dump.gz?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-14T00:00:00Z&st=2026-12-07T00:00:00Z&spr=https&sig=%s\n" % enc
S("pct-azure-sas-sig", "percent", TP, t, [enc])
v = telegram(); enc = pct(v)
t = "GET /fetch?target=https%%3A%%2F%%2Fapi.telegram.org%%2Fbot%s%%2FgetUpdates HTTP/1.1\nHost: proxy.acme.internal\n" % enc
S("pct-telegram-nested-url", "percent", "message/http", t, [enc])
v = "https://hooks.slack.com/services/T%s/B%s/%s" % (rs(10, string.ascii_uppercase + string.digits), rs(10, string.ascii_uppercase + string.digits), rs(24))
enc = pct(v); tok = v.rsplit("/", 1)[1]
t = "payload=%%7B%%22text%%22%%3A%%22deploy%%20done%%22%%7D&webhook=%s\n" % enc
S("pct-slack-webhook-form", "percent", FORM, t, [tok])
pw = "s3cr3t/" + rs(8) + "+" + rs(4)
t = "redis://:%s@cache.acme.internal:6380/0\n" % pct(pw)
S("pct-redis-url-password", "percent", TP, "REDIS_URL=" + t, [pct(pw)])
v = gh_token("gho_")
t = "GET /api/v1/repos?access_token=%s&per_page=100 HTTP/1.1\nHost: git-proxy.acme.internal\n" % v
S("pct-query-access-token-gho", "percent", "message/http", t, [v])

# ---------------------------------------------------------------- base64
pw = rs(24, ALNUM + "!#%")
tok = jwt({"iss": "kubernetes/serviceaccount", "sub": "system:serviceaccount:ci:deployer", "exp": 1796688000})
t = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: orders-db\n  namespace: prod\ntype: Opaque\ndata:\n"
     "  username: %s\n  password: %s\n  api-token: %s\n" % (b64(b"orders_rw"), b64(pw.encode()), b64(tok.encode())))
S("b64-k8s-secret-data", "base64", "application/yaml", t, [b64(pw.encode()), b64(tok.encode())])
user, pw = "ci-pusher", rs(20)
auth = b64(("%s:%s" % (user, pw)).encode())
t = json.dumps({"auths": {"registry.acme.io": {"auth": auth}, "https://index.docker.io/v1/": {"auth": b64(("acmebot:" + "dckr_pat_" + rs(27, URLSAFE)).encode())}}, "credsStore": ""}, indent=2)
a2 = json.loads(t)["auths"]["https://index.docker.io/v1/"]["auth"]
S("b64-docker-config-auths", "base64", JS, t, [auth, a2])
cred = json.dumps({"client_id": str(uuid.UUID(int=R.getrandbits(128))), "client_secret": rs(8) + "~" + rs(31, ALNUM + "._-"), "tenant_id": str(uuid.UUID(int=R.getrandbits(128)))})
enc = b64(cred.encode())
t = "# injected by pipeline\nAZURE_CREDENTIALS=%s\nARM_USE_OIDC=false\n" % enc
S("b64-azure-credentials-env", "base64", TP, t, [enc])
pw = rs(18, ALNUM + "$!")
enc = b64(("svc-backup:" + pw).encode())
t = "PUT /artifactory/libs-release/com/acme/core/1.4.2/core-1.4.2.jar HTTP/1.1\nHost: repo.acme.io\nAuthorization: Basic %s\nContent-Length: 88213\n" % enc
S("b64-basic-auth-header", "base64", "message/http", t, [enc])
v = anthropic()
enc = b64u(json.dumps({"provider": "anthropic", "key": v}).encode())
t = "GET /v1/session?ctx=%s HTTP/1.1\nHost: agent-gw.acme.internal\n" % enc
S("b64url-query-ctx", "base64", "message/http", t, [enc])
enc = b64(("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (aws_akid(), aws_secret())).encode())
t = "- name: write aws creds\n  copy:\n    dest: /root/.aws/credentials\n    content: \"{{ '%s' | b64decode }}\"\n    mode: '0600'\n" % enc
S("b64-ansible-aws-credentials", "base64", "application/yaml", t, [enc])
np = npm_token()
t = "//registry.npmjs.org/:_authToken=" + np
enc = b64(t.encode())
t2 = '{"name":"NPMRC_B64","value":"%s"}' % enc
S("b64-npmrc-in-env-json", "base64", JS, t2, [enc])
pw = rs(22)
enc = b64(("CREATE USER reporting WITH PASSWORD '%s';" % pw).encode())
t = "INFO migrate: applying 0042_reporting_user.sql (base64=%s)\n" % enc
S("b64-sql-in-log", "base64", TP, t, [enc])
gh = gh_token("ghp_")
enc = b64(("x-access-token:" + gh).encode())
t = "[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic %s\n" % enc
S("b64-git-extraheader", "base64", TP, t, [enc])
_, pem = rsa_pem(2048, "traditional")
enc = b64(pem.encode())
t = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls-legacy\ntype: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n" % (b64(cert_pem("legacy.acme.io").encode()), enc)
S("b64-k8s-tls-key", "base64", "application/yaml", t, [enc])

# ---------------------------------------------------------------- multiline
pw = rs(12) + "-" + rs(12)
t = "database:\n  host: pg.acme.internal\n  user: ledger\n  password: |\n    %s\n  pool: 20\n" % pw
S("ml-yaml-block-literal", "multiline", "application/yaml", t, [pw])
pw = rs(30, ALNUM + "+/=")
t = "smtp:\n  relay: email-smtp.eu-west-1.amazonaws.com\n  secret: >-\n    %s\n  port: 587\n" % pw
S("ml-yaml-folded", "multiline", "application/yaml", t, [pw])
pw = rs(16, ALNUM + "!@%^*")
t = "machine api.heroku.com\n  login ops@acme.io\n  password %s\nmachine git.heroku.com\n  login ops@acme.io\n  password %s\n" % ("HRKU-" + rs(60, URLSAFE), pw)
hk = t.split("password ")[1].split("\n")[0]
S("ml-netrc-heroku", "multiline", TP, t, [hk, pw])
pw = rs(20)
t = "machine\nftp.partner.example.net\nlogin\nedi_acme\npassword\n%s\n" % pw
S("ml-netrc-one-token-per-line", "multiline", TP, t, [pw])
v = npm_token()
t = "registry=https://registry.npmjs.org/\n@acme:registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken=%s\n//registry.npmjs.org/:_authToken=%s\nalways-auth=true\n" % (gh_token("ghp_"), v)
g = t.split("_authToken=")[1].split("\n")[0]
S("ml-npmrc-two-registries", "multiline", TP, t, [g, v])
pw = rs(24)
t = "//nexus.acme.internal/repository/npm-private/:username=deploy\n//nexus.acme.internal/repository/npm-private/:_password=%s\n//nexus.acme.internal/repository/npm-private/:email=deploy@acme.io\n" % b64(pw.encode())
S("ml-npmrc-password-b64", "multiline", TP, t, [b64(pw.encode())])
v = "pypi-AgEIcHlwaS5vcmc" + rs(150, URLSAFE)
t = "[distutils]\nindex-servers =\n    pypi\n    internal\n\n[pypi]\nusername = __token__\npassword = %s\n\n[internal]\nrepository = https://pypi.acme.internal/\nusername = releaser\npassword = %s\n" % (v, "Rel3ase-" + rs(14))
p2 = t.rsplit("password = ", 1)[1].strip()
S("ml-pypirc", "multiline", TP, t, [v, p2])
v = rs(40, ALNUM)
t = "Please find the credentials for the staging Cloudflare account below.\n\nAPI token:\n%s\n\nZone: acme-staging.dev\n" % v
S("ml-key-next-line-cloudflare", "multiline", TP, t, [v])
v = hexs(32)
t = "DD_SITE=datadoghq.eu\nDD_API_KEY=\\\n%s\nDD_ENV=prod\n" % v
S("ml-line-continuation-datadog", "multiline", TP, t, [v])
pw = rs(20, ALNUM + "_")
t = json.dumps({"spec": {"containers": [{"name": "app", "image": "ghcr.io/acme/ledger:1.9.0", "env": [{"name": "PGHOST", "value": "pg.acme.internal"}, {"name": "PGPASSWORD", "value": pw}, {"name": "LOG_LEVEL", "value": "info"}]}]}}, indent=2)
S("ml-k8s-env-list-json", "multiline", JS, t, [pw])
pw = rs(26)
t = "        env:\n        - name: RABBITMQ_DEFAULT_USER\n          value: orders\n        - name: RABBITMQ_DEFAULT_PASS\n          value: \"%s\"\n        - name: TZ\n          value: UTC\n" % pw
S("ml-k8s-env-list-yaml", "multiline", "application/yaml", t, [pw])
pw = rs(18)
t = "[client]\nuser=backup\npassword=\"%s\"\nhost=mysql-0.mysql.db.svc\n" % pw
S("ml-my-cnf", "multiline", TP, t, [pw])
v = "-----BEGIN OPENSSH PRIVATE KEY-----"
priv, _ = openssh_ed25519()
t = "variables:\n  DEPLOY_KEY: |\n" + "".join("    " + l + "\n" for l in priv.strip().splitlines()) + "  DEPLOY_HOST: bastion.acme.io\n"
S("ml-openssh-key-in-yaml", "multiline", "application/yaml", t, [l for l in priv.strip().splitlines()[2:-1] if len(l) >= 16])  # body minus the constant openssh-key-v1 header line
pw = rs(16)
t = "<settings>\n  <servers>\n    <server>\n      <id>acme-releases</id>\n      <username>deployer</username>\n      <password>%s</password>\n    </server>\n  </servers>\n</settings>\n" % pw
S("ml-maven-settings-xml", "multiline", "application/xml", t, [pw])
v = rs(32, ALNUM)
t = "[[registries]]\nname = \"crates-acme\"\n\n[registries.crates-acme]\nindex = \"sparse+https://crates.acme.io/index/\"\ntoken = \"Bearer %s\"\n" % v
S("ml-cargo-credentials-toml", "multiline", "application/toml", t, [v])

# ---------------------------------------------------------------- CLI flags
pw = rs(14, ALNUM + "#!")
t = "$ mysql -h 10.20.0.14 -u root -p'%s' -e 'SHOW DATABASES;'\n+--------------------+\n| Database           |\n+--------------------+\n" % pw
S("cli-mysql-p-quoted", "cli-flag", TP, t, [pw])
pw = rs(16)
t = "ExecStart=/usr/local/bin/pgbouncer-exporter --pgBouncer.connectionString=postgres://stats@127.0.0.1:6432/pgbouncer --password=%s --web.listen-address=:9127\n" % pw
S("cli-password-equals-systemd", "cli-flag", TP, t, [pw])
pw = rs(20)
t = "+ PGPASSWORD=%s psql -h analytics-ro.acme.internal -U analyst -d warehouse -c '\\copy (select * from daily) to stdout'\n" % pw
S("cli-pgpassword-psql", "cli-flag", TP, t, [pw])
pw = rs(15, ALNUM + "!$")
t = "curl -sS -u admin:'%s' -X POST https://jenkins.acme.io/job/deploy/buildWithParameters -d ENV=prod\n" % pw
S("cli-curl-u", "cli-flag", TP, t, [pw])
pw = rs(18)
t = "docker run -d --name pg -e POSTGRES_PASSWORD=%s -p 5432:5432 postgres:16\n" % pw
S("cli-docker-run-e", "cli-flag", TP, t, [pw])
v = aws_secret()
t = "aws configure set aws_secret_access_key %s --profile ci\n" % v
S("cli-aws-configure-set", "cli-flag", TP, t, [v])
pw = rs(22)
t = "  \"args\": [\"redis-cli\", \"-h\", \"cache\", \"-a\", \"%s\", \"--no-auth-warning\", \"PING\"]\n" % pw
S("cli-redis-cli-a-argv", "cli-flag", TP, t, [pw])
pw = rs(16)
t = "root      4121  0.0  0.1 112340  9120 ?  Ss  11:02  0:00 /opt/mssql-tools/bin/sqlcmd -S tcp:sql01,1433 -U sa -P %s -Q \"BACKUP DATABASE\"\n" % pw
S("cli-sqlcmd-P-ps-output", "cli-flag", TP, t, [pw])
pw = rs(18)
t = "helm upgrade --install keycloak bitnami/keycloak --set auth.adminPassword=%s --set postgresql.enabled=true -n auth\n" % pw
S("cli-helm-set-password", "cli-flag", TP, t, [pw])
v = gh_token("ghp_")
t = "git clone https://oauth2:%s@github.com/acme-corp/infra-live.git\nCloning into 'infra-live'...\n" % v
S("cli-git-clone-userinfo", "cli-flag", TP, t, [v])

# ---------------------------------------------------------------- headers
v = hexs(32)
t = "GET /v3/forecast?lat=52.52&lon=13.40 HTTP/1.1\nHost: api.weather-partner.example\nX-API-Key: %s\nAccept: application/json\n" % v
S("hdr-x-api-key-hex32", "header", "message/http", t, [v])
v = hexs(64)
t = "POST /ingest HTTP/2\n:authority: logs.vendor.example\napikey: %s\ncontent-type: application/json\n" % v
S("hdr-apikey-hex64", "header", "message/http", t, [v])
v = gh_token("ghp_")
t = "GET /repos/acme-corp/ledger/releases/latest HTTP/1.1\nHost: api.github.com\nUser-Agent: release-checker/2.1 (token=%s)\nAccept: application/vnd.github+json\n" % v
S("hdr-user-agent-token", "header", "message/http", t, [v])
v = "sk-" + rs(48)
t = "> POST /v1/embeddings HTTP/1.1\n> Host: llm-proxy.acme.internal\n> x-litellm-api-key: %s\n> Content-Type: application/json\n" % v
S("hdr-litellm-key-curl-v", "header", "message/http", t, [v])
v = rs(32, ALNUM)
t = "HTTP/1.1 200 OK\nContent-Type: application/json\nSet-Cookie: session=%s; Path=/; HttpOnly; Secure\nX-Request-Id: %s\n" % (v, str(uuid.UUID(int=R.getrandbits(128))))
S("hdr-set-cookie-session", "header", "message/http", t, [v])
v = "dp.st.prd." + rs(43)
t = "GET /v3/configs/config/secrets/download?project=web&config=prd&format=env HTTP/1.1\nHost: api.doppler.com\nAuthorization: Bearer %s\n" % v
S("hdr-doppler-bearer", "header", "message/http", t, [v])
v = "pplx-" + rs(48)
t = "Request headers: {'Authorization': 'Bearer %s', 'Content-Type': 'application/json', 'User-Agent': 'python-httpx/0.27.0'}\n" % v
S("hdr-python-dict-log-pplx", "header", TP, t, [v])
v = "PRIVATE-TOKEN: glpat-" + rs(20, URLSAFE)
t = "GET /api/v4/projects/1123/pipelines HTTP/1.1\nHost: gitlab.acme.io\n%s\n" % v
S("hdr-gitlab-private-token", "header", "message/http", t, [v.split(": ")[1]])
v = hexs(40)
t = "GET /v2/hosts HTTP/1.1\nHost: api.datadoghq.eu\nDD-API-KEY: %s\nDD-APPLICATION-KEY: %s\n" % (hexs(32), v)
dk = t.split("DD-API-KEY: ")[1].split("\n")[0]
S("hdr-datadog-app-key", "header", "message/http", t, [dk, v])

# ---------------------------------------------------------------- URL paths
v = telegram()
t = "127.0.0.1 - - [07/Dec/2026:12:10:31 +0000] \"POST /bot%s/sendMessage HTTP/1.1\" 200 312 \"-\" \"python-telegram-bot/21.6\"\n" % v
S("url-telegram-bot-accesslog", "url-path", TP, t, [v])
wid, wtok = str(R.randint(10**17, 10**18)), rs(68, URLSAFE)
t = "{\"notify\":{\"discord\":\"https:\\/\\/discord.com\\/api\\/webhooks\\/%s\\/%s\"}}" % (wid, wtok)
S("url-discord-webhook-json", "url-path", JS, t, [wtok])
v = rs(24)
t = "level=warn ts=2026-12-07T12:12:00Z caller=notify.go:88 msg=\"retrying\" url=https://hooks.slack.com/services/T0%s/B0%s/%s err=\"429\"\n" % (rs(8, string.ascii_uppercase + string.digits), rs(9, string.ascii_uppercase + string.digits), v)
S("url-slack-webhook-logfmt", "url-path", TP, t, [v])
v = rs(40, HEX)
t = "POST https://outlook.office.com/webhook/%s@%s/IncomingWebhook/%s/%s\n" % (uuid.UUID(int=R.getrandbits(128)), uuid.UUID(int=R.getrandbits(128)), v[:32], uuid.UUID(int=R.getrandbits(128)))
S("url-teams-webhook-path", "url-path", TP, t, [v[:32]])
v = rs(32, ALNUM)
t = "GET /api/v1/feeds/%s/export.ics HTTP/1.1\nHost: calendar.vendor.example\n" % v
# secret-calendar URL without a keyword is indistinguishable from an id; skip it — use a token keyword path instead
t = "GET /hooks/ingest/token/%s HTTP/1.1\nHost: ci.acme.io\nUser-Agent: GitLab/17.5\n" % v
S("url-path-token-segment", "url-path", "message/http", t, [v])
v = rs(20, ALNUM)
t = "MAILGUN_URL=https://api:key-%s@api.mailgun.net/v3/mg.acme.io/messages\n" % hexs(32)
mk = "key-" + t.split("key-")[1].split("@")[0]
S("url-mailgun-userinfo", "url-path", TP, t, [mk])
v = rs(43, URLSAFE)
t = "curl -X POST 'https://prod-27.westeurope.logic.azure.com:443/workflows/%s/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%%2Ftriggers%%2Fmanual%%2Frun&sv=1.0&sig=%s' -d @event.json\n" % (hexs(32), v)
S("url-azure-logicapp-sig", "url-path", TP, t, [v])

# ---------------------------------------------------------------- misc: JWT, other encodings
tok = jwt({"sub": "user_2f9a", "role": "service_role", "iss": "supabase", "iat": 1733500000, "exp": 2048860000})
t = "const supabase = createClient(\n  'https://qwxkzplmvbnr.supabase.co',\n  '%s'\n)\n" % tok
S("jwt-supabase-service-role", "plain", "text/javascript", t, [tok])
v = hexs(32)
t = "twilio:\n  account_sid: AC%s\n  auth_token: %s\n" % (hexs(32), v)
S("plain-twilio-auth-token", "plain", "application/yaml", t, [v])
v = "SK" + hexs(32); s2 = rs(32)
t = "TWILIO_API_KEY=%s\nTWILIO_API_SECRET=%s\n" % (v, s2)
S("plain-twilio-api-key-secret", "plain", TP, t, [s2])
ak = rs(88 - 2, ALNUM + "+/") + "=="
t = "<connectionStrings>\n  <add name=\"Blob\" connectionString=\"DefaultEndpointsProtocol=https;AccountName=acmebackups;AccountKey=%s;EndpointSuffix=core.windows.net\" />\n</connectionStrings>\n" % ak
S("plain-azure-conn-string-xml", "plain", "application/xml", t, [ak])
v = "sbp_" + hexs(40)
t = "{\"mcpServers\":{\"supabase\":{\"command\":\"npx\",\"args\":[\"-y\",\"@supabase/mcp-server-supabase@latest\",\"--access-token\",\"%s\"]}}}" % v
S("json-mcp-args-supabase", "cli-flag", JS, t, [v])
v = "github_pat_" + rs(22, B62) + "_" + rs(59, B62)
t = "```\n$ gh auth status\ngithub.com\n  ✓ Logged in to github.com account acme-bot (GH_TOKEN)\n  - Token: %s\n```\n" % v
S("plain-github-fine-grained-markdown", "plain", "text/markdown", t, [v])
v = gh_token("ghp_"); hx = v.encode().hex()
t = "frame 0042 payload(hex)=%s len=%d\n" % (hx, len(v))
S("hex-encoded-ghp", "hex", TP, t, [hx])
v = "xoxe.xoxp-1-" + rs(140, ALNUM)
t = "refresh_token = \"%s\"\n" % v
S("plain-slack-refresh-toml", "plain", "application/toml", "[slack]\nclient_id = \"%d.%d\"\n" % (R.randint(10**11, 10**12), R.randint(10**11, 10**12)) + t, [v])
v = aws_akid("ASIA"); s = aws_secret(); st = "IQoJb3JpZ2luX2VjE" + rs(300, ALNUM + "+/")
t = json.dumps({"Credentials": {"AccessKeyId": v, "SecretAccessKey": s, "SessionToken": st, "Expiration": "2026-12-07T13:10:00Z"}, "AssumedRoleUser": {"Arn": "arn:aws:sts::481516234200:assumed-role/ci-deploy/gha-1234"}}, indent=4)
S("json-aws-sts-assume-role", "plain", JS, t, [v, s, st])
v = "FwoGZXIvYXdzE" + rs(40)
pw = rs(20)
t = "jdbc:sqlserver://sql01.acme.internal:1433;databaseName=ledger;user=app;password=%s;encrypt=true\n" % pw
S("plain-jdbc-sqlserver-password", "plain", TP, t, [pw])
pw = rs(16)
t = "amqps://orders:%s@b-4c1e.mq.eu-west-1.amazonaws.com:5671/%%2F\n" % pw
S("plain-amqp-url", "plain", TP, "BROKER_URL=" + t, [pw])
v = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQdGBGd" + "\n".join(rs(64, ALNUM + "+/") for _ in range(8)) + "\n=" + rs(4, ALNUM) + "\n-----END PGP PRIVATE KEY BLOCK-----"
t = "signing:\n  key: |\n" + "".join("    " + l + "\n" for l in v.splitlines())
S("ml-pgp-private-yaml", "multiline", "application/yaml", t, [l for l in v.splitlines()[3:5]])

# ---------------------------------------------------------------- LOOK-ALIKES
L("la-git-log", "plain", TP, "commit %s\nMerge: %s %s\nAuthor: CI Bot <ci@acme.io>\nDate:   Mon Dec 7 11:02:44 2026 +0000\n\n    Merge pull request #4412 from acme-corp/fix/token-refresh\n" % (hexs(40), hexs(7), hexs(7)))
L("la-uuid-json", "plain", JS, json.dumps({"request_id": str(uuid.UUID(int=R.getrandbits(128), version=4)), "trace_id": hexs(32), "span_id": hexs(16), "tenant": str(uuid.UUID(int=R.getrandbits(128), version=4)), "status": "ok"}))
L("la-docker-digest", "plain", TP, "Pulling from library/postgres\nDigest: sha256:%s\nStatus: Downloaded newer image for postgres:16@sha256:%s\n" % (hexs(64), hexs(64)))
L("la-data-image-png", "base64", "text/html", '<img alt="logo" src="data:image/png;base64,%s" />\n' % b64(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rbytes(180)))
_, pub = openssh_ed25519()
L("la-ssh-pubkey-authorized-keys", "plain", TP, pub + " deploy@ci-runner-3\n")
L("la-certificate-pem", "multiline", TP, "ca.crt: |\n" + "".join("  " + l + "\n" for l in cert_pem("acme internal root").strip().splitlines()))
L("la-placeholder-ghp-x", "plain", "text/markdown", "1. Create a token at https://github.com/settings/tokens\n2. `export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`\n")
L("la-placeholder-openai", "plain", "text/markdown", "```python\nclient = OpenAI(api_key=\"sk-...YOUR_KEY_HERE\")\n```\n")
L("la-placeholder-env-vars", "plain", "application/yaml", "env:\n  - name: API_KEY\n    value: ${API_KEY}\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n")
L("la-placeholder-angle", "plain", TP, "curl -H \"Authorization: Bearer <your-token>\" https://api.example.com/v1/me\n")
L("la-package-lock-integrity", "plain", JS, json.dumps({"node_modules/left-pad": {"version": "1.3.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", "integrity": "sha512-" + b64(rbytes(64))}}, indent=2))
L("la-go-sum", "plain", TP, "github.com/google/uuid v1.6.0 h1:%s\ngithub.com/google/uuid v1.6.0/go.mod h1:%s\n" % (b64(rbytes(32)), b64(rbytes(32))))
L("la-cargo-lock", "plain", "application/toml", "[[package]]\nname = \"serde\"\nversion = \"1.0.215\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"%s\"\n" % hexs(64))
L("la-configmap-binarydata", "base64", "application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nginx-conf\nbinaryData:\n  index.html: %s\ndata:\n  LOG_LEVEL: info\n" % b64(b"<html><body><h1>Welcome to ACME status page</h1><p>All systems operational.</p></body></html>\n"))
L("la-request-ids-log", "plain", TP, "12:14:05.221 INFO http req_id=%s trace=%s amzn_req=%s method=GET path=/healthz status=200 dur=3ms\n" % (rs(20, string.ascii_uppercase + string.digits), "00-%s-%s-01" % (hexs(32), hexs(16)), str(uuid.UUID(int=R.getrandbits(128)))))
L("la-sri-html", "plain", "text/html", '<script src="https://cdn.jsdelivr.net/npm/htmx.org@2.0.3/dist/htmx.min.js" integrity="sha384-%s" crossorigin="anonymous"></script>\n' % b64(rbytes(48)))
L("la-github-actions-sha-pin", "plain", "application/yaml", "steps:\n  - uses: actions/checkout@%s # v4.2.2\n  - uses: actions/setup-go@%s # v5.1.0\n" % (hexs(40), hexs(40)))
L("la-etag-headers", "header", "message/http", "HTTP/1.1 200 OK\nETag: \"%s\"\nContent-MD5: %s\nx-amz-request-id: %s\nx-amz-id-2: %s\n" % (hexs(32), b64(rbytes(16)), rs(16, "0123456789ABCDEF"), b64(rbytes(54))))
L("la-kubeconfig-ca-data", "base64", "application/yaml", "clusters:\n- cluster:\n    certificate-authority-data: %s\n    server: https://10.0.0.1:6443\n  name: prod\n" % b64(cert_pem("kubernetes").encode()))
L("la-jwks-public", "plain", JS, json.dumps({"keys": [{"kty": "RSA", "use": "sig", "kid": hexs(16), "alg": "RS256", "e": "AQAB", "n": b64u(rbytes(256))}]}))
L("la-password-field-empty-prompt", "cli-flag", TP, "$ docker login ghcr.io -u acme-bot --password-stdin < /run/secrets/ghcr\nLogin Succeeded\n$ mysql -u root -p\nEnter password:\n")
L("la-sha256sums", "plain", TP, "%s  warden_1.4.0_linux_amd64.tar.gz\n%s  warden_1.4.0_darwin_arm64.tar.gz\n" % (hexs(64), hexs(64)))
L("la-aws-arns-ids", "plain", JS, json.dumps({"RoleArn": "arn:aws:iam::481516234200:role/ci-deploy", "RoleSessionName": "gha-%d" % R.randint(10**9, 10**10), "InstanceId": "i-" + hexs(17), "VpcId": "vpc-" + hexs(17)}))
L("la-base64-text-log", "base64", TP, "INFO webhook payload (b64)=%s\n" % b64(json.dumps({"event": "push", "ref": "refs/heads/main", "repository": "acme-corp/ledger", "pusher": "dependabot[bot]"}).encode()))
L("la-percent-encoded-query", "percent", TP, "GET /search?q=%s&page=2&sort=updated HTTP/1.1\nHost: docs.acme.io\n" % pct("how to rotate token=/ api key?"))
L("la-redacted-markers", "plain", TP, "password: ********\napi_key: [REDACTED]\ntoken: <redacted>\n")
L("la-placeholder-dotenv-example", "plain", TP, "# .env.example\nSTRIPE_SECRET_KEY=sk_live_REPLACE_ME\nSLACK_BOT_TOKEN=xoxb-your-bot-token\nDATABASE_URL=postgres://user:password@localhost:5432/app\n")
L("la-mongo-objectids", "plain", JS, json.dumps([{"_id": {"$oid": hexs(24)}, "sku": "TNT-%d" % R.randint(1000, 9999)}, {"_id": {"$oid": hexs(24)}, "sku": "TNT-%d" % R.randint(1000, 9999)}]))
L("la-wireguard-public", "plain", TP, "[Peer]\nPublicKey = %s\nAllowedIPs = 10.8.0.2/32\nEndpoint = vpn.acme.io:51820\n" % b64(rbytes(32)))

# ---------------------------------------------------------------- validate + write
ok = True; seen = set()
for b in blocks:
    assert b["id"] not in seen, b["id"]; seen.add(b["id"])
    if b["kind"] == "secret":
        assert b["secrets"], b["id"]
        for s in b["secrets"]:
            if s not in b["text"]: print("MISSING", b["id"], s[:40]); ok = False
            if len(s) < 8: print("SHORT", b["id"]); ok = False
    else:
        assert not b["secrets"]
    if b["content_type"] == JS:
        try: json.loads(b["text"])
        except Exception as e: print("BADJSON", b["id"], e); ok = False
if not ok: sys.exit(1)
with open("/work/corpus2/secrets-fresh.jsonl", "w") as f:
    for b in blocks: f.write(json.dumps(b, ensure_ascii=False) + "\n")
from collections import Counter
print(Counter(b["kind"] for b in blocks))
print(Counter((b["kind"], b["encoding"]) for b in blocks))
