package redact

// providerRulesRecall are provider formats found missing in held-out
// corpora, written from each provider's documented format:
//
//   - Tailscale keys: `tskey-<kind>-<key id>-<secret>`, kinds auth, client,
//     api, scim and webhook.
//   - Salesforce: an access token (session id) is the 15- or 18-character
//     org id (`00D…`), `!`, and the opaque part; a refresh token starts
//     `5Aep861`. `sf org display` prints the first, sfdx auth URLs carry the
//     second.
//   - HashiCorp tokens that are bare UUIDs, named by where they travel: a
//     Consul or Nomad ACL token's secret (`X-Consul-Token`,
//     `CONSUL_HTTP_TOKEN`, `X-Nomad-Token`, `NOMAD_TOKEN`, `SecretID` /
//     `Secret ID` in `consul acl token` and `nomad acl token` output) and a
//     Vault AppRole `secret_id`. A UUID elsewhere is an identifier and stays.
//   - Maven's encrypted passwords: `<password>{base64}</password>` in
//     settings.xml is decrypted with the master password, and the master
//     password in settings-security.xml (`<master>{…}</master>`) is encrypted
//     with a key every Maven install knows, so both are credentials as
//     they stand.
func providerRulesRecall() []*rule {
	return []*rule{
		tok("tailscale-key", `tskey-(?:auth|client|api|scim|webhook)-[A-Za-z0-9]{6,40}-[A-Za-z0-9]{16,80}`, "tskey-"),
		tok("salesforce-access-token", `00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?![A-Za-z0-9._]{40,200}`),
		tok("maven-encrypted-password", `<(?:password|passphrase|master)>(\{[A-Za-z0-9+/]{11,200}={0,2}\})</`,
			"<password>{", "<passphrase>{", "<master>{").grp(1),
		tok("salesforce-refresh-token", `5Aep861[A-Za-z0-9._]{70,120}`),
		// "_http_token" stands for CONSUL_HTTP_TOKEN: a keyword starting "con" would walk the
		// prefilter's trie at every const, conn and context of benign source.
		// Secret ids (Vault AppRole, Consul ACL SecretID) need HashiCorp context: hashicorp-secret-id.
		ctx("hashicorp-uuid-token", kw("x-consul-token", "_http_token", "x-nomad-token", "nomad_token"), uuidRe),
	}
}
