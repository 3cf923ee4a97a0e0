package redact

import (
	"bytes"
	"encoding/json"
	"net/url"
)

// Look-alikes of the benign corpus (testdata/benign): classes of real text
// near a secret's context that hold no secret. Each predicate below is
// called by the rule it narrows and is as narrow as its class; a real
// secret in the same syntax still matches (rules_benign_keep_test.go).

// nextLineAssignment reports whether the value b[s:e], which a name ending
// its line would take from the next line, follows an empty assignment
// (`SESSION_SECRET=` ending its line) and is itself an assignment
// `NAME=value`: a .env.example lists its names with empty values, and the
// next line is the next name's. After a label (`SMTP password:`) the next
// line is the value, whatever it holds.
func nextLineAssignment(b []byte, s, e int) bool {
	k := s
	for k > 0 && b[k-1] != '\n' {
		k--
	}
	k--
	for k > 0 && (b[k-1] == '\r' || b[k-1] == ' ' || b[k-1] == '\t') {
		k--
	}
	if k <= 0 || b[k-1] != '=' {
		return false
	}
	v := b[s:e]
	i := 0
	for i < len(v) && (isWordByte(v[i]) || v[i] == '.' || v[i] == '-') {
		i++
	}
	// `NAME=` then a byte that is not padding: base64 has '=' only at its end.
	return i > 0 && isLetterOrUnderscore(v[0]) && i+1 < len(v) && v[i] == '=' && v[i+1] != '='
}

func isLetterOrUnderscore(c byte) bool { return isLetter(c) || c == '_' }

// upstreamPassParts name the nginx directives whose "pass" hands the request
// on to an upstream (`proxy_pass http://backend;`): the value is an address.
var upstreamPassParts = map[string]bool{
	"proxy": true, "fastcgi": true, "uwsgi": true, "scgi": true, "grpc": true, "memcached": true,
}

// upstreamPassDirective reports whether name is such a directive: two parts,
// an upstream kind then "pass".
func upstreamPassDirective(name []byte) bool {
	n, ok := 0, false
	nameParts(name, func(p, prev []byte) bool {
		n++
		ok = n == 2 && string(p) == "pass" && upstreamPassParts[string(prev)]
		return false
	})
	return ok && n == 2
}

// digestHexLen are the hex lengths of the digests a checksum line labels.
var digestHexLen = map[string]int{
	"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128,
	"sha3-256": 64, "sha3-512": 128, "blake2b": 128, "blake2s": 64,
}

// labelledDigest reports whether v is a digest with its algorithm's label
// (`sha256=<64 hex>`, `sha512:<128 hex>`): a checksum is published next to
// the file it verifies, never a secret. The hex length must be the
// algorithm's.
func labelledDigest(v []byte) bool {
	i := bytes.IndexAny(v, "=:")
	if i <= 0 {
		return false
	}
	n, ok := digestHexLen[string(bytes.ToLower(v[:i]))]
	h := v[i+1:]
	if !ok || len(h) != n {
		return false
	}
	for _, c := range h {
		if !isHexDigit(c) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// keyVaultHosts end the hosts of Azure Key Vault (public, China and US
// Government clouds) and Managed HSM.
var keyVaultHosts = [][]byte{
	[]byte(".vault.azure.net/"), []byte(".vault.azure.cn/"), []byte(".vault.usgovcloudapi.net/"),
	[]byte(".managedhsm.azure.net/"),
}

// inKeyVaultID reports whether the path segment starting at ns is the name
// in an Azure Key Vault object identifier
// (`https://<vault>.vault.azure.net/secrets/<name>/<version>`): the version
// after it is a 32-hex id that the CLI prints, not the secret's value.
func inKeyVaultID(b []byte, ns int) bool {
	i := ns
	for i > 0 && ns-i < 512 && b[i-1] > ' ' && b[i-1] != '"' && b[i-1] != '\'' {
		i--
	}
	tok := bytes.ToLower(b[i:ns])
	for _, h := range keyVaultHosts {
		if j := bytes.Index(tok, h); j >= 0 {
			rest := tok[j+len(h):]
			for _, kind := range []string{"secrets/", "keys/", "certificates/", "deletedsecrets/"} {
				if string(rest) == kind {
					return true
				}
			}
		}
	}
	return false
}

// secretsCollection reports whether the path segment name is a REST
// collection of secrets (`/api/v2/secrets/<name>/metadata`): its member is
// addressed by its name, which is no value.
func secretsCollection(name []byte) bool {
	return bytes.EqualFold(name, []byte("secrets"))
}

// preferenceCookie reports whether v is a percent-encoded JSON object of
// preferences (`%7B%22color_mode%22%3A%22auto%22%7D`): every member's name
// is no secret's, and every value a word, a number, a boolean or null. A
// session or token in such an object (a random string) is no word.
func preferenceCookie(v []byte) bool {
	if !bytes.HasPrefix(v, []byte("%7B")) && !bytes.HasPrefix(v, []byte("%7b")) {
		return false
	}
	dec, err := url.QueryUnescape(string(v))
	if err != nil {
		return false
	}
	var m map[string]any
	if json.Unmarshal([]byte(dec), &m) != nil || len(m) == 0 {
		return false
	}
	for k, x := range m {
		if sec, _ := secretKeyName([]byte(k)); sec {
			return false
		}
		switch x := x.(type) {
		case nil, bool, float64:
		case string:
			if len(x) > 24 || !lettersOnly(x) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func lettersOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) && s[i] != '-' && s[i] != '_' {
			return false
		}
	}
	return true
}

// graphQLScalar reports whether v is a GraphQL built-in scalar type,
// optionally non-null or a list (`String!`, `[ID!]!`): a schema's argument
// `password: String!` declares a type, not a value.
func graphQLScalar(v []byte) bool {
	t := bytes.TrimSuffix(v, []byte("!"))
	if bytes.HasPrefix(t, []byte("[")) && bytes.HasSuffix(t, []byte("]")) {
		t = bytes.TrimSuffix(t[1:len(t)-1], []byte("!"))
	}
	switch string(t) {
	case "String", "ID", "Int", "Float", "Boolean":
		return len(t) < len(v)
	}
	return false
}

// formBoolean reports whether v, read after a password's name up to a blank
// or quote, starts with a boolean form field then `&`
// (`show_password=false&remember_me=on`): a checkbox's state, and the `&`
// starts the next field.
func formBoolean(v []byte) bool {
	i := bytes.IndexByte(v, '&')
	if i < 0 {
		return false
	}
	switch string(bytes.ToLower(v[:i])) {
	case "true", "false", "on", "off", "yes", "no", "0", "1":
		return true
	}
	return false
}

// benignKeyed reports whether the keyed value v given to name is one of the
// look-alikes above: the next line's assignment after an empty one, an
// nginx upstream directive's address, or a labelled digest.
func benignKeyed(b, name []byte, s, e int, nextLine bool) bool {
	v := b[s:e]
	return nextLine && nextLineAssignment(b, s, e) || upstreamPassDirective(name) || labelledDigest(v) || runIDTimestamp(v)
}
