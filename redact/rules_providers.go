package redact

// Provider rules, written from each provider's documented token format.
// Token rules (tok) start with a distinctive prefix; context rules (ctx) need
// the provider's name in the assignment key because the value alone is not
// distinctive (for example 32 hex characters).

const (
	uuidRe  = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
	tokChar = `[A-Za-z0-9_-]`
)

func kw(k ...string) []string { return k }

func providerRulesAtoG() []*rule {
	return []*rule{
		tok("1password-secret-key", `A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}`),
		tok("1password-service-account-token", `ops_eyJ[A-Za-z0-9+/]{250,}={0,3}`).limit(2048),
		ctx("adafruit-apikey", kw("adafruit"), `[a-z0-9_-]{32}`),
		ctx("adobe-client-id", kw("adobe"), `[a-f0-9]{32}`),
		tok("adobe-client-secret", `p8e-[A-Za-z0-9]{32}`),
		tok("age-secret-key", `AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}`),
		ctx("airtable-apikey", kw("airtable"), `[a-z0-9]{17}`),
		tok("airtable-personal-access-token", `pat[A-Za-z0-9]{14}\.[a-f0-9]{64}`),
		ctx("algolia-apikey", kw("algolia"), `[a-z0-9]{32}`),
		tok("alibaba-access-key-id", `LTAI[A-Za-z0-9]{20}`),
		ctx("alibaba-secret-key", kw("alibaba"), `[a-z0-9]{30}`),
		tok("anthropic-admin-apikey", `sk-ant-admin01-[A-Za-z0-9_-]{93}AA`),
		tok("anthropic-apikey", `sk-ant-api03-[A-Za-z0-9_-]{93}AA`),
		tok("anthropic-apikey-other", `sk-ant-(?:oat01|ort01|sid01)-[A-Za-z0-9_-]{60,120}`),
		tok("artifactory-apikey", `AKCp[A-Za-z0-9]{69}`),
		tok("artifactory-reference-token", `cmVmd[A-Za-z0-9]{59}`),
		ctx("asana-client-id", kw("asana"), `[0-9]{16}`),
		ctx("asana-client-secret", kw("asana"), `[a-z0-9]{32}`),
		tok("atlassian-api-token", `ATATT3[A-Za-z0-9_=-]{186}`),
		ctx("atlassian-api-token-legacy", kw("atlassian", "confluence", "jira"), `[a-z0-9]{24}`),
		tok("auth-ress-service-client-key", `(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[a-z0-9+/_=-]{30,120}`,
			"sc_", "ext_", "scauth_", "authress_"),
		tok("aws-access-token", `(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}`, "a3t", "akia", "asia", "abia", "acca"),
		tok("aws-long-lived-bedrock", `ABSK[A-Za-z0-9+/]{109,269}={0,2}`),
		tok("aws-short-lived-bedrock", `bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%]*`).limit(4096),
		ctx("aws-secret-access-key", kw("aws_secret", "secret_access_key", "secretaccesskey", "aws-secret"), `[A-Za-z0-9/+]{40}`).check(hasDigitAndLetter),
		tok("azure-ad-client-secret", `[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}`, digitKeywords("q~")...).back(3),
		tok("azure-storage-account-key", `AccountKey=([A-Za-z0-9+/]{86}==)`).grp(1),
		tok("azure-sas-token", `sig=((?:[A-Za-z0-9+/]|%2[Bb]|%2[Ff]){40,120}(?:=|%3[Dd]){0,2})`).grp(1),
		ctx("azure-openai-apikey", kw("azure_openai", "azure-openai", "azureopenai"), `[a-f0-9]{32}`),
		ctx("beamer-api-token", kw("beamer"), `b_[a-z0-9=_-]{44}`),
		ctx("bitbucket-client-id", kw("bitbucket"), `[a-z0-9]{32}`),
		ctx("bitbucket-client-secret", kw("bitbucket"), `[a-z0-9=_-]{64}`),
		tok("bitbucket-app-password", `ATBB[A-Za-z0-9_=.-]{32}`),
		ctx("bittrex-access-key", kw("bittrex"), `[a-z0-9]{32}`),
		ctx("bittrex-secret-key", kw("bittrex"), `[a-z0-9]{32}`),
		tok("buildkite-agent-token", `bkua_[a-f0-9]{40}`),
		tok("circleci-personal-token", `CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}`),
		ctx("cisco-meraki-apikey", kw("meraki"), `[0-9a-f]{40}`),
		tok("clickhouse-cloud-api-secret-key", `4b1d[A-Za-z0-9]{38}`),
		tok("clojars-api-token", `(?i)CLOJARS_[a-z0-9]{60}`, "clojars_"),
		ctx("cloudflare-apikey", kw("cloudflare"), `[a-z0-9_-]{40}`),
		ctx("cloudflare-global-apikey", kw("cloudflare"), `[a-f0-9]{37}`),
		tok("cloudflare-origin-ca-key", `v1\.0-[a-f0-9]{24}-[a-f0-9]{146}`),
		ctx("codecov-access-token", kw("codecov"), `[a-z0-9]{32}`),
		ctx("cohere-api-token", kw("cohere", "co_api_key"), `[a-z0-9]{40}`),
		ctx("coinbase-access-token", kw("coinbase"), `[a-z0-9_-]{64}`),
		ctx("confluent-access-token", kw("confluent"), `[a-z0-9]{16}`),
		ctx("confluent-secret-key", kw("confluent"), `[a-z0-9]{64}`),
		ctx("contentful-delivery-api-token", kw("contentful"), `[a-z0-9=_-]{43}`),
		tok("curl-auth-user", `(?:-u|--user)[ \t=]+['"]?[^\s:'"@]{1,64}:['"]?([^\s'"]{3,128})`, "-u ", "-u\t", "--user").grp(1).check(plausibleCLIPassword).lowPrecedence(),
		tok("databricks-api-token", `dapi[a-f0-9]{32}(?:-[0-9])?`),
		ctx("datadog-access-token", kw("datadog", "dd_api_key", "dd_app_key"), `[a-z0-9]{40}`),
		ctx("datadog-apikey", kw("datadog", "dd_api_key"), `[a-f0-9]{32}`),
		tok("defined-networking-api-token", `dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52}`),
		tok("digitalocean-access-token", `doo_v1_[a-f0-9]{64}`),
		tok("digitalocean-pat", `dop_v1_[a-f0-9]{64}`),
		tok("digitalocean-refresh-token", `dor_v1_[a-f0-9]{64}`),
		ctx("discord-api-token", kw("discord"), `[a-f0-9]{64}`),
		ctx("discord-client-id", kw("discord"), `[0-9]{18}`),
		ctx("discord-client-secret", kw("discord"), `[a-z0-9=_-]{32}`),
		tok("docker-hub-pat", `dckr_pat_[A-Za-z0-9_-]{27}`),
		tok("doppler-api-token", `dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,44}`, "dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."),
		ctx("droneci-access-token", kw("droneci", "drone_token"), `[a-z0-9]{32}`),
		ctx("dropbox-api-token", kw("dropbox"), `[a-z0-9]{15}`),
		ctx("dropbox-long-lived-api-token", kw("dropbox"), `[a-z0-9]{11}AAAAAAAAAA[a-z0-9_=-]{43}`),
		tok("dropbox-short-lived-api-token", `sl\.[A-Za-z0-9_=-]{130,}`).limit(2048),
		tok("duffel-api-token", `duffel_(?:test|live)_[A-Za-z0-9_=-]{43}`),
		tok("dynatrace-api-token", `dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}`),
		tok("easypost-api-token", `EZAK[A-Za-z0-9]{54}`),
		tok("easypost-test-api-token", `EZTK[A-Za-z0-9]{54}`),
		ctx("etsy-access-token", kw("etsy"), `[a-z0-9]{24}`),
		ctx("facebook-access-token", kw("facebook", "fb_token", "fb_access"), `[0-9]{15,16}(?:\||%7C)[0-9a-z_-]{27,40}`),
		tok("facebook-page-access-token", `EAA[MC][A-Za-z0-9]{100,255}`, "eaam", "eaac"),
		ctx("facebook-secret", kw("facebook", "fb_secret", "fb_app_secret"), `[a-f0-9]{32}`),
		ctx("fastly-api-token", kw("fastly"), `[a-z0-9=_-]{32}`),
		tok("figma-pat", `figd_[A-Za-z0-9_-]{40}`),
		ctx("finicity-api-token", kw("finicity"), `[a-f0-9]{32}`),
		ctx("finicity-client-secret", kw("finicity"), `[a-z0-9]{20}`),
		ctx("finnhub-access-token", kw("finnhub"), `[a-z0-9]{20}`),
		ctx("flickr-access-token", kw("flickr"), `[a-z0-9]{32}`),
		tok("flutterwave-encryption-key", `FLWSECK_TEST-?[a-h0-9]{12}`),
		tok("flutterwave-public-key", `FLWPUBK(?:_TEST)?-[a-h0-9]{32}-[Xx]`),
		tok("flutterwave-secret-key", `FLWSECK(?:_TEST)?-[a-h0-9]{32}-[Xx]`),
		tok("flyio-access-token", `(?:fo1_[A-Za-z0-9_-]{43}|fm1[ar]_[A-Za-z0-9+/_-]{100,}={0,3}|fm2_[A-Za-z0-9+/_-]{100,}={0,3})`, "fo1_", "fm1a_", "fm1r_", "fm2_"),
		tok("frameio-api-token", `fio-u-[A-Za-z0-9_=-]{64}`),
		ctx("freemius-secret-key", kw("secret_key"), `sk_[^\s'"]{29}`),
		ctx("freshbooks-access-token", kw("freshbooks"), `[a-z0-9]{64}`),
		tok("gcp-apikey", `AIza[A-Za-z0-9_-]{35}`),
		tok("github-app-token", `(?:ghu|ghs)_[0-9A-Za-z]{36}`, "ghu_", "ghs_").check(githubChecksum),
		tok("github-fine-grained-pat", `github_pat_[0-9A-Za-z_]{82}`),
		tok("github-oauth", `gho_[0-9A-Za-z]{36}`).check(githubChecksum),
		tok("github-pat", `ghp_[0-9A-Za-z]{36}`).check(githubChecksum),
		tok("github-refresh-token", `ghr_[0-9A-Za-z]{36}`).check(githubChecksum),
		tok("gitlab-cicd-job-token", `glcbt-[0-9A-Za-z]{1,5}_[0-9A-Za-z_-]{20}`),
		tok("gitlab-deploy-token", `gldt-[0-9A-Za-z_-]{20}`),
		tok("gitlab-feature-flag-client-token", `glffct-[0-9A-Za-z_-]{20}`),
		tok("gitlab-feed-token", `glft-[0-9A-Za-z_-]{20}`),
		tok("gitlab-incoming-mail-token", `glimt-[0-9A-Za-z_-]{25}`),
		tok("gitlab-kubernetes-agent-token", `glagent-[0-9A-Za-z_-]{50}`),
		tok("gitlab-oauth-app-secret", `gloas-[0-9A-Za-z_-]{64}`),
		tok("gitlab-pat", `glpat-[0-9A-Za-z_-]{20}`),
		tok("gitlab-pat-routable", `glpat-[0-9A-Za-z_-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}`),
		tok("gitlab-ptt", `glptt-[0-9a-f]{40}`),
		tok("gitlab-rrt", `GR1348941[0-9A-Za-z_-]{20}`),
		tok("gitlab-runner-authentication-token", `glrt-[0-9A-Za-z_-]{20}`),
		tok("gitlab-runner-authentication-token-routable", `glrt-t[0-9]_[0-9A-Za-z_-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}`),
		tok("gitlab-scim-token", `glsoat-[0-9A-Za-z_-]{20}`),
		tok("gitlab-session-cookie", `_gitlab_session=[0-9a-z]{32}`).anyLeft(),
		ctx("gitter-access-token", kw("gitter"), `[a-z0-9_-]{40}`),
		ctx("gocardless-api-token", kw("gocardless"), `live_[a-z0-9_=-]{40}`),
		tok("google-oauth-client-secret", `GOCSPX-[A-Za-z0-9_-]{28}`),
		tok("google-oauth-access-token", `ya29\.[0-9A-Za-z_-]{30,}`).limit(4096),
		tok("grafana-apikey", `eyJrIjoi[A-Za-z0-9]{70,400}={0,3}`),
		tok("grafana-cloud-api-token", `glc_[A-Za-z0-9+/]{32,400}={0,3}`),
		tok("grafana-service-account-token", `glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}`),
		tok("groq-apikey", `gsk_[A-Za-z0-9]{52}`),
	}
}

// hexKeywords returns prefix followed by each hex digit, so a short prefix
// still gives the prefilter three distinctive bytes.
func hexKeywords(prefix string) []string {
	var out []string
	for _, c := range "0123456789abcdef" {
		out = append(out, prefix+string(c))
	}
	return out
}

// digitKeywords returns each digit followed by suffix.
func digitKeywords(suffix string) []string {
	var out []string
	for c := '0'; c <= '9'; c++ {
		out = append(out, string(c)+suffix)
	}
	return out
}
