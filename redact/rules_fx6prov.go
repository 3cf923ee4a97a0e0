package redact

import (
	"encoding/base64"
	"strings"
)

// fx6provRules are provider token formats found missing by a sweep over the
// categories of services agents hold keys for (cloud incl. regional clouds,
// observability, payments, e-commerce, CRM, messaging, maps, identity, CI and
// package registries, AI and vector databases, games, webhook signing
// secrets), each written from the provider's documented shape: a distinctive
// prefix, its charset and length. Publishable keys and client ids (Stripe
// `pk_`, Supabase `sb_publishable_`, PostHog `phc_`, Statsig `client-`,
// Razorpay test key ids) are deliberately absent. Shapes whose prefix is short
// or common carry a right-hand boundary in the pattern and a mixed-case
// check, so identifiers and kebab-case names that happen to share the prefix
// are left alone.
func fx6provRules() []*rule {
	rs := providerRulesFx6Tokens()
	rs = append(rs, providerRulesFx6AI()...)
	rs = append(rs, providerRulesFx6Context()...)
	rs = append(rs, connRulesFx6()...)
	return rs
}

// boundedTok is a token rule whose match must end at a word boundary (not
// followed by a letter, digit or underscore): for prefixes short or common
// enough that a longer identifier could start with them.
func boundedTok(id, token string, keywords ...string) *rule {
	return tok(id, `(?:`+token+`)\b`, keywords...)
}

func providerRulesFx6Tokens() []*rule {
	return []*rule{
		// Firebase Cloud Messaging legacy server key: `AAAA` + 7, `:APA91b` + ~134.
		tok("fcm-server-key", `AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{100,220}`, ":apa91b").back(11),
		// Braintree access token: access_token$<env>$<merchant id>$<32 hex>.
		tok("braintree-access-token", `access_token\$(?:production|sandbox|development|qa)\$[a-z0-9]{10,20}\$[a-f0-9]{32}`, "access_token$"),
		// Atlassian API tokens (ATATT3) and organisation admin / Bitbucket access tokens
		// (ATCTT3): a base64url body of varying length, `=` and a CRC32 in hex.
		// (ATCTT3's keyword skips its first byte: "atc" starts every "match" in source code.)
		tok("atlassian-token-crc", `ATATT3[A-Za-z0-9_-]{100,300}=[A-Fa-f0-9]{8}`),
		tok("atlassian-admin-token-crc", `ATCTT3[A-Za-z0-9_-]{100,300}=[A-Fa-f0-9]{8}`, "tctt3").back(1),
		// Discord bot and user tokens: base64 of the numeric user id, `.`, a 6-7 byte
		// timestamp, `.`, an HMAC; the first part must decode to the 17-20 digits of a
		// snowflake id. The keywords are the base64 of every 3-digit prefix of an id that
		// starts with 1 (every id since late 2021, 19 digits); older ids (2-9, 18 digits)
		// would put trigrams as common as "nte" and "ode" in the prefilter, so they are
		// found after `Bot ` (the Authorization scheme) and by the assignment rules.
		tok("discord-bot-token", discordTokenRe, discordKeywords()...).check(discordIDPart),
		tok("discord-bot-token-header", `(?i:bot)[ \t]+(`+discordTokenRe+`)`, "bot ", "bot\t").grp(1).check(discordIDPart),
		tok("discord-mfa-token", `mfa\.[A-Za-z0-9_-]{84}`).check(hasUpperLowerDigit),
		// Tencent Cloud SecretId (AKID + 32), Alibaba's 16-character LTAI ids, Volcengine AKLT.
		tok("tencent-secret-id", `AKID[A-Za-z0-9]{32}`).check(hasDigitAndLetter),
		tok("alibaba-access-key-id-short", `LTAI[A-Za-z0-9]{12,20}`).check(hasDigitAndLetter),
		tok("volcengine-access-key-id", `AKLT[A-Za-z0-9_-]{32,64}`).check(hasDigitAndLetter),
		// New Relic: admin (NRAA), REST (NRRA), Insights query (NRIQ) keys, ingest license keys (…NRAL).
		tok("new-relic-admin-key", `NRAA-[a-f0-9]{27}`),
		tok("new-relic-rest-key", `NRRA-[a-f0-9]{42}`),
		tok("new-relic-insights-query-key", `NRIQ-[A-Za-z0-9_-]{32}`),
		tok("new-relic-license-key", `[a-f0-9]{36}NRAL`, "nral").back(36),
		tok("axiom-token", `xa[ap]t-`+uuidRe, "xaat-", "xapt-"),
		tok("posthog-personal-apikey", `phx_[A-Za-z0-9]{40,50}`),
		tok("launchdarkly-sdk-key", `sdk-`+uuidRe),
		tok("statsig-server-key", `(?:secret|console)-[A-Za-z0-9]{43}`, "secret-", "console-").check(hasUpperLowerDigit),
		tok("stytch-secret", `secret-(?:live|test)-[A-Za-z0-9_=-]{30,50}`, "secret-live-", "secret-test-"),
		boundedTok("flagsmith-server-key", `ser\.[A-Za-z0-9]{22}`, "ser.").check(hasUpperLowerDigit),
		tok("akamai-edgegrid-token", `akab-[a-z0-9]{16}-[a-z0-9]{16}`),
		tok("honeybadger-pat", `hbp_[A-Za-z0-9]{36}`),
		tok("radar-secret-key", `prj_(?:live|test)_sk_[a-f0-9]{40}`, "prj_live_sk_", "prj_test_sk_"),
		tok("paddle-notification-secret", `pdl_ntfset_[A-Za-z0-9_]{20,80}`),
		tok("netlify-pat", `nfp_[A-Za-z0-9]{36,40}`),
		tok("elastic-cloud-apikey", `essu_[A-Za-z0-9+/]{60,200}={0,2}`),
		// Payments and e-commerce.
		tok("razorpay-live-key", `rzp_live_[A-Za-z0-9]{14}`),
		tok("paypal-access-token", `A21AA[A-Za-z0-9_-]{50,300}`),
		tok("checkout-secret-key", `sk_(?:sbox_[a-z0-9]{26,40}|(?:test|live)_`+uuidRe+`)`, "sk_sbox_", "sk_test_", "sk_live_"),
		tok("paddle-apikey", `pdl_(?:live|sdbx)_apikey_[A-Za-z0-9_]{40,80}`, "pdl_live_apikey_", "pdl_sdbx_apikey_"),
		boundedTok("woocommerce-apikey", `c[sk]_[a-f0-9]{40}`, "cs_", "ck_"),
		boundedTok("mollie-live-apikey", `live_[A-Za-z0-9]{30}`).check(hasUpperLowerDigit),
		tok("adyen-apikey", `AQE[A-Za-z0-9+/]{30,200}={0,2}-[A-Za-z0-9+/]{30,80}={0,2}(?:-[^\s"'\x60,]{4,40})?`, "aqe"),
		// CRM, productivity, messaging.
		tok("hubspot-private-app-token", `pat-(?:na|eu|ap)[0-9]-`+uuidRe, "pat-na", "pat-eu", "pat-ap"),
		tok("zoho-oauth-token", `1000\.[a-f0-9]{32}\.[a-f0-9]{32}`),
		tok("clickup-api-token", `pk_[0-9]{4,12}_[A-Z0-9]{32}`, "pk_"),
		tok("trello-token", `ATTA[A-Fa-f0-9]{64,72}`).check(hasDigitAndLetter),
		tok("linear-oauth-token", `lin_oauth_[a-f0-9]{64}`),
		tok("linear-webhook-secret", `lin_wh_[A-Za-z0-9]{32,64}`),
		boundedTok("mandrill-apikey", `md-[A-Za-z0-9_-]{22}`, "md-").check(hasUpperLowerDigit),
		tok("brevo-smtp-key", `xsmtpsib-[a-f0-9]{64}-[A-Za-z0-9]{16}`),
		boundedTok("resend-apikey", `re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}`, "re_").check(hasUpperLowerDigit),
		tok("onesignal-apikey", `os_v2_(?:app|org)_[a-z0-9]{80,140}`, "os_v2_app_", "os_v2_org_"),
		tok("slack-client-token", `xox[cd]-[A-Za-z0-9%/+-]{40,400}`, "xoxc-", "xoxd-"),
		// Maps, identity, secrets managers.
		tok("arcgis-apikey", `AAP[KT][A-Za-z0-9_-]{80,400}`, "aapk", "aapt").check(hasUpperLowerDigit),
		tok("google-oauth-refresh-token", `1//0[A-Za-z0-9_-]{40,300}`).check(hasUpperLowerDigit),
		tok("supabase-secret-key", `sb_secret_[A-Za-z0-9_-]{24,64}`),
		// Meta Graph API access tokens (EAA + app-specific letters); Square's EAAA
		// tokens are shorter and have their own rule.
		boundedTok("meta-access-token", `EAA[A-Za-z0-9]{90,400}`, "eaa").check(hasUpperLowerDigit),
		// CI/CD and package registries.
		tok("circleci-project-token", `CCIPRJ_[A-Za-z0-9]{22}_[a-f0-9]{40}`),
		tok("docker-hub-org-token", `dckr_oat_[A-Za-z0-9_-]{27,40}`),
		tok("nuget-apikey", `oy2[a-z0-9]{43}`).check(hasDigitAndLetter),
		boundedTok("crates-io-token", `cio[A-Za-z0-9]{32}`, "cio").check(hasUpperLowerDigit),
		tok("neon-apikey", `napi_[a-z0-9]{64}`),
		tok("contentful-pat", `CFPAT-[A-Za-z0-9_-]{43}`),
		tok("databricks-oauth-secret", `dose[a-f0-9]{32}`).check(hasDigitAndLetter),
		tok("apify-api-token", `apify_api_[A-Za-z0-9]{36}`),
		// Microsoft's identifiable keys (Azure DevOps PATs and other CASK keys): 52
		// random characters, then the fixed signature JQQJ9 and a kind letter.
		tok("azure-identifiable-key", `[A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9]{10,40}`, "jqqj9").back(52),
		tok("riot-apikey", `RGAPI-`+uuidRe),
		tok("roblox-security-cookie", `_\|WARNING:-DO-NOT-SHARE-THIS\.--[A-Za-z-]{20,120}\.\|_[A-F0-9]{100,1000}(?:[A-F0-9]{1,1000})?`, "_|warning:-do-not-share-this.").limit(4096),
		// Webhook signing secrets of the Standard Webhooks / Svix family (Clerk,
		// Resend, ...): whsec_ and base64 that may hold + and /.
		tok("webhook-signing-secret", `whsec_[A-Za-z0-9+/]{24,88}={0,2}`),
		// Automation webhooks whose path is the credential (IFTTT Maker key, Make/Integromat
		// hook id).
		tok("ifttt-maker-key", `maker\.ifttt\.com/(?:trigger/[^/\s"']{1,80}/(?:json/)?with/key|use)/([A-Za-z0-9_-]{20,64})`, "ifttt.com/").back(6).grp(1).anyLeft(),
		tok("make-webhook-url", `hook\.(?:(?:eu|us)[0-9]\.)?(?:make|integromat)\.com/([a-z0-9]{30,40})`, "hook.").grp(1).anyLeft(),
		// Blockchain RPC endpoints whose path is the project key.
		tok("rpc-url-infura-key", `infura\.io/v3/([a-f0-9]{32})`, "infura.io/v3/").grp(1).anyLeft(),
		tok("rpc-url-alchemy-key", `alchemy\.com/v2/([A-Za-z0-9_-]{32})`, "alchemy.com/v2/").grp(1).anyLeft(),
		tok("rpc-url-quicknode-key", `quiknode\.pro/([a-f0-9]{32,64})`, "quiknode.pro/").grp(1).anyLeft(),
		tok("rpc-url-ankr-key", `rpc\.ankr\.com/[a-z0-9_]{2,32}/([a-f0-9]{64})`, "rpc.ankr.com/").grp(1).anyLeft(),
		// Intercom access tokens: base64 of "tok:<uuid>...".
		tok("intercom-access-token", `dG9rO[A-Za-z0-9+/]{40,120}={0,2}`),
		tok("zapier-webhook-url", `hooks\.zapier\.com/hooks/catch/[0-9]+/([A-Za-z0-9]{5,40})`, "hooks.zapier.com/hooks/catch/").grp(1).anyLeft(),
	}
}

// providerRulesFx6AI are model-hub, AI-service and vector-database keys.
func providerRulesFx6AI() []*rule {
	return []*rule{
		// `sk-` and 32-64 alphanumerics: DeepSeek, Moonshot, DashScope, Stability,
		// LiteLLM master keys and most OpenAI-compatible gateways.
		boundedTok("openai-compatible-apikey", `sk-[A-Za-z0-9]{32,64}`, "sk-").check(hasDigitAndLetter).entropy(3.3),
		tok("langfuse-secret-key", `sk-lf-`+uuidRe),
		tok("together-apikey", `tgp_v1_[A-Za-z0-9_-]{40,50}`),
		boundedTok("fireworks-apikey", `fw_[A-Za-z0-9]{24}`, "fw_").check(hasUpperLowerDigit),
		boundedTok("voyage-apikey", `pa-[A-Za-z0-9_-]{43}`, "pa-").check(hasUpperLowerDigit),
		boundedTok("elevenlabs-apikey", `sk_[a-f0-9]{48}`, "sk_"),
		tok("pinecone-apikey", `pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{50,80}`),
		tok("jina-apikey", `jina_[A-Za-z0-9_-]{50,70}`),
		tok("tavily-apikey", `tvly-(?:dev-|prod-)?[A-Za-z0-9]{24,40}`),
		boundedTok("firecrawl-apikey", `fc-[a-f0-9]{32}`, "fc-"),
		tok("cerebras-apikey", `csk-[a-z0-9]{40,56}`).check(hasDigitAndLetter),
		tok("nvidia-apikey", `nvapi-[A-Za-z0-9_-]{60,70}`),
		tok("turbopuffer-apikey", `tpuf_[A-Za-z0-9]{28,40}`),
		tok("e2b-apikey", `e2b_[a-f0-9]{40}`),
		// Helicone (named without the provider: the marker must not repeat 8 bytes of the key).
		tok("llm-gateway-key", `sk-helicone-(?:(?:eu|us)-)?[a-z0-9]{7}-[a-z0-9]{7}-[a-z0-9]{7}-[a-z0-9]{7}`, "sk-helicone-"),
		tok("llamacloud-apikey", `llx-[A-Za-z0-9]{48}`),
		tok("browserbase-apikey", `bb_live_[A-Za-z0-9_-]{20,40}`),
		// Modal token secret (`as-`; its token id `ak-` is an identifier).
		boundedTok("modal-token-secret", `as-[A-Za-z0-9]{22}`, "as-").check(hasUpperLowerDigit),
	}
}

// providerRulesFx6Context are provider secrets without a distinctive shape
// (hex, UUIDs, random alphanumerics), found by the provider's name in the key.
func providerRulesFx6Context() []*rule {
	return []*rule{
		// UUIDs that are secrets where these names hold them (a UUID elsewhere is an id).
		// ("stmark" stands for Postmark: "pos" starts too many words of benign text for the prefilter.)
		ctx("provider-uuid-secret", kw("codecov", "stmark", "pinecone_api", "pinecone-api", "pinecone_key",
			"scw_secret", "opsgenie_api"), uuidRe),
		ctx("twilio-auth-token", kw("twilio"), `[a-f0-9]{32}`),
		ctx("pusher-app-secret", kw("pusher"), `[a-f0-9]{20}`),
		ctx("razorpay-key-secret", kw("razorpay"), `[a-z0-9]{24}`).check(hasUpperLowerDigit),
		ctx("braintree-private-key", kw("braintree"), `[a-f0-9]{32}`),
		ctx("linode-api-token", kw("linode"), `[a-f0-9]{64}`),
		ctx("hetzner-api-token", kw("hcloud", "hetzner"), `[a-z0-9]{64}`).check(hasDigitAndLetter),
		ctx("vultr-apikey", kw("vultr"), `[a-z0-9]{36}`).check(hasDigitAndLetter),
		ctx("jenkins-api-token", kw("jenkins"), `11[a-f0-9]{32}`),
		ctx("crypto-exchange-api-secret", kw("binance", "bybit", "okx", "bitget", "bitfinex", "bitstamp",
			"huobi", "mexc", "bitmex"), `[a-z0-9_-]{24,88}`).check(hasDigitAndLetter).entropy(3.5),
	}
}

const discordTokenRe = `[MNO][A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{25,40}` //nolint:gosec // G101: a pattern, not a credential

// discordKeywords are the base64 forms of every three-digit prefix 100-199 of
// a Discord id: the first four characters of a token.
func discordKeywords() []string {
	out := make([]string, 0, 100)
	for n := 100; n <= 199; n++ {
		d := []byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)}
		out = append(out, strings.ToLower(base64.StdEncoding.EncodeToString(d)))
	}
	return dedupe(out)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// discordIDPart checks that a token's first part is the base64 of a
// snowflake id: 17-20 decimal digits.
func discordIDPart(v []byte) bool {
	dot := strings.IndexByte(string(v), '.')
	if dot < 0 {
		return false
	}
	part := strings.TrimRight(string(v[:dot]), "=")
	dec, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		dec, err = base64.RawStdEncoding.DecodeString(part)
	}
	if err != nil || len(dec) < 17 || len(dec) > 20 || dec[0] == '0' {
		return false
	}
	for _, c := range dec {
		if !isDigit(c) {
			return false
		}
	}
	return hasUpperLowerDigit(v[dot+1:])
}

// hasUpperLowerDigit is the shape of a random mixed-case token: an
// identifier or a kebab-case name lacks at least one of the three.
func hasUpperLowerDigit(v []byte) bool {
	u, l, d := false, false, false
	for _, c := range v {
		switch {
		case c >= 'A' && c <= 'Z':
			u = true
		case c >= 'a' && c <= 'z':
			l = true
		case c >= '0' && c <= '9':
			d = true
		}
	}
	return u && l && d
}
