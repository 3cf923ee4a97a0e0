package redact

import "bytes"

// Metadata beside secrets: values that stand under a secret's word but are
// not the secret (look-alikes of the sixth corpus, fixed as classes):
//
//   - an OpenPGP key's fingerprint or key id under GPG_KEY / PGP_KEY (official
//     Docker images set GPG_KEY to the release signer's fingerprint): 8, 16
//     or 40 hex digits, a public key's name; an armored or base64 private key
//     under the same name is no hex run and stays a secret;
//   - a timestamp (`password_changed_at=2026-12-01T09:00:00Z`): never a secret;
//   - an INI/YAML section named for secrets whose entry's own name says it is
//     about the secret (`[auth]` then `password_hash_algorithm = argon2id`,
//     `token_endpoint = ...`).

// keyFingerprint reports a generic rule's value under a name with a gpg or
// pgp part that is a fingerprint or key id (see the file comment).
func keyFingerprint(b []byte, ks, ke int, v []byte) bool {
	switch len(v) {
	case 8, 16, 40:
	default:
		return false
	}
	for _, c := range v {
		if !isHex(c) {
			return false
		}
	}
	ns, ne := ks, ke
	for ns > 0 && ks-ns < 64 && nameByte(b[ns-1]) {
		ns--
	}
	for ne < len(b) && ne-ke < 64 && nameByte(b[ne]) {
		ne++
	}
	return nameParts(b[ns:ne], func(p, _ []byte) bool {
		return string(p) == "gpg" || string(p) == "pgp" || string(p) == "gnupg" || string(p) == "openpgp"
	})
}

// isoTimestamp reports an ISO 8601 date or date-time (2026-12-01,
// 2026-12-01T09:00:00Z, 2026-12-01 09:00:00.123+01:00).
func isoTimestamp(v []byte) bool {
	if len(v) < 10 || len(v) > 35 {
		return false
	}
	for i, c := range v[:10] {
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
		} else if !isDigit(c) {
			return false
		}
	}
	rest := v[10:]
	if len(rest) == 0 {
		return true
	}
	if rest[0] != 'T' && rest[0] != ' ' && rest[0] != '_' {
		return false
	}
	for _, c := range rest[1:] {
		if !isDigit(c) && c != ':' && c != '.' && c != 'Z' && c != '+' && c != '-' {
			return false
		}
	}
	return true
}

// entryAboutSecret reports a section entry whose own name is about a secret
// (notSecretParts: its hash algorithm, endpoint, type, header, file...).
func entryAboutSecret(name []byte) bool {
	name = bytes.TrimSpace(name)
	return nameParts(name, func(p, _ []byte) bool { return notSecretParts[string(p)] })
}

// prefixedToken reports a provider token whose word prefix (`secret-`,
// `lin_oauth_`) holds the words that otherwise mark a value as written by
// a person, and whose rest looks generated.
func prefixedToken(v []byte) bool {
	rest, ok := tokenPrefixRest(v)
	return ok && len(rest) >= 20 && len(rest) < len(v) && !hasStopword(rest) && opaqueValue(rest, false)
}
