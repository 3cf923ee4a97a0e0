package redact

import "bytes"

// Key ids that are secret in their document. Most key ids are identifiers
// and stay: an AWS AccessKeyId in a listing, a Consul AccessorID, a Vault
// secret_id_accessor, a JWKS `kid`, an Apple or OCI key id. HashiCorp
// SecretIDs are credentials and hashicorp-secret-id takes them
// (rules_fx6ctx_pairs.go).
//
// A Google service-account key file's `private_key_id` is not a credential
// by itself — Google publishes the public certificate under that id — but it
// names the private key the same document carries: the file is one
// credential, leaked whole, and warden redacts its key material whole (the
// key and its id) while the fields that say which account leaked stay
// (`type`, `project_id`, `client_email`, `token_uri`). Outside a key file
// (a `gcloud iam service-accounts keys list` table, an audit log naming the
// key) the id stays.

func keyIDRules() []*rule {
	return []*rule{
		custom("gcp-key-file-key-id", Secret, objReach, matchKeyFileKeyID, "private_key_id"),
	}
}

// keyFileKeyID reports a 40-hex private_key_id value v whose object (the
// members ms) holds a PEM private_key.
func keyFileKeyID(b []byte, ms []member, v []byte) bool {
	if len(v) != 40 || !allHex(v) {
		return false
	}
	for _, m := range ms {
		if keyIs(bytes.Trim(m.key, `"'`), "private_key") && bytes.Contains(b[m.vs:m.ve], []byte("PRIVATE KEY")) {
			return true
		}
	}
	return false
}

func matchKeyFileKeyID(_ *rule, b []byte, ks, ke int) (int, int, int) {
	j := ke
	if j < len(b) && b[j] == '"' {
		j++
	}
	j = skipSpaces(b, j, 8)
	if j >= len(b) {
		return -1, -1, ks
	}
	if b[j] != ':' {
		return -1, -1, -1
	}
	j = skipSpaces(b, j+1, 8)
	if j >= len(b) || b[j] != '"' {
		return -1, -1, pendIfNear(b, ks, 64)
	}
	s, e := j+1, j+41
	if e >= len(b) {
		return -1, -1, ks
	}
	o, ok := containerAround(b, keyOpen(b, ks), 1)
	if !ok || b[o] != '{' {
		return -1, -1, -1
	}
	c := closeOf(b, o)
	if c < 0 {
		return -1, -1, pendIfNear(b, ks, objReach)
	}
	if b[e] != '"' || !keyFileKeyID(b, objectMembers(b, o, c, nil), b[s:e]) {
		return -1, -1, -1
	}
	return s, e, -1
}
