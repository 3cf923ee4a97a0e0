package redact

import (
	"bytes"
	"regexp"
)

// Values that stay although a rule's context or shape would take them:
//
//   - public by design: OAuth client ids (GitHub `Ov23li…`/`Iv1.…`, Google
//     `….apps.googleusercontent.com`), which every authorize URL carries, and
//     Mapbox public tokens (`pk.eyJ…`; the secret ones start `sk.`);
//   - encrypted on purpose to be committed: Ansible Vault (`!vault |` and the
//     `$ANSIBLE_VAULT;1.1;AES256` block), Bitnami SealedSecret
//     `encryptedData`, SOPS `ENC[AES256_GCM,…]` values and Pulumi
//     `secure: v1:…`;
//   - typed data in a Windows registry export (`"Name"=dword:00000001`);
//   - a provider rule's match under a name that says the value is public or
//     an identifier (`DISCORD_PUBLIC_KEY`, `DISCORD_GUILD_ID`).
//
// A keep rule marks the span; findings inside it are dropped unless a
// checksum validated them or they are a value warden injected (strong keeps),
// or, for the names, unless a token format or a structure found them.

const keepMaxLen = 64 << 10

func keepRules() []*rule {
	rs := []*rule{
		custom("keep-oauth-client-id", Secret, 128, matchKeepClientID, "ov23li", "iv23li", "iv1.", ".apps.googleusercontent.com"),
		custom("keep-mapbox-public-token", Secret, 2048, matchKeepMapboxPublic, "pk.eyj"),
		custom("keep-ansible-vault", Secret, keepMaxLen, matchKeepAnsibleVault, "$ansible_vault;", "!vault"),
		custom("keep-sealed-data", Secret, keepMaxLen, matchKeepSealed, "encrypteddata"),
		custom("keep-sops-value", Secret, 8192, matchKeepSOPS, "enc[aes256_gcm,", "secure: v1:", `"secure": "v1:`, "secure: ciphertext"),
		custom("keep-registry-typed-value", Secret, 8192, matchKeepRegistry, "=dword:", "=qword:", "=hex:", "=hex("),
		custom("keep-public-or-id-name", Secret, 512, matchKeepPublicName, "public", "pub_", "pubkey", "_id=", "_id:", "_id\"", "_id'", "_id "),
	}
	for _, r := range rs {
		r.keep = true
		r.noHold = true
		if err := r.compile(); err != nil {
			panic(err) // a bug in warden: the rules above are constant
		}
	}
	return rs
}

// keepRuleSet is compiled once; the engine adds it to its keyword index
// beside the rules (it finds nothing of its own, so it is no rule of the
// listing), with the look-through marks of rules_fx7_oauth.go.
var keepRuleSet = append(append(append(keepRules(), fx8KeepRules()...), fx9KeepRules()...), look(lookB64Body, "content-transfer-encoding: base64"))

// weakKeeps only drop findings of context and generic rules: a name says
// the value is public or an id, but a token format or a structure is
// stronger evidence than a name.
var weakKeeps = map[string]bool{"keep-public-or-id-name": true, "keep-search-only-key": true}

// dropKept removes the findings inside a kept span (see keepRules).
func dropKept(spans, keeps []span) []span {
	out := spans[:0]
	for _, sp := range spans {
		kept := false
		for _, k := range keeps {
			if sp.s >= k.s && sp.e <= k.e && sp.class == Secret &&
				(sp.prio > precChecksum && !weakKeeps[k.id] || sp.prio > precShape) {
				kept = true
				break
			}
		}
		if !kept {
			out = append(out, sp)
		}
	}
	return out
}

var (
	githubClientID = regexp.MustCompile(`^(?:Ov23li|Iv23li)[A-Za-z0-9]{14}\b|^Iv1\.[0-9a-f]{16}\b`)
	googleClientID = regexp.MustCompile(`[0-9]{6,20}-[a-z0-9]{32}$`)
	mapboxPublic   = regexp.MustCompile(`^pk\.eyJ[A-Za-z0-9_-]{10,1000}\.[A-Za-z0-9_-]{10,200}`)
)

func matchKeepClientID(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if b[ks] == '.' {
		loc := googleClientID.FindIndex(b[max(0, ks-64):ks])
		if loc == nil {
			return -1, -1, -1
		}
		return max(0, ks-64) + loc[0], ke, -1
	}
	if ks > 0 && isAlnum(b[ks-1]) {
		return -1, -1, -1
	}
	loc := githubClientID.FindIndex(b[ks:min(len(b), ks+64)])
	if loc == nil {
		return -1, -1, -1
	}
	return ks, ks + loc[1], -1
}

func matchKeepMapboxPublic(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isAlnum(b[ks-1]) {
		return -1, -1, -1
	}
	loc := mapboxPublic.FindIndex(b[ks:min(len(b), ks+2048)])
	if loc == nil {
		return -1, -1, -1
	}
	return ks, ks + loc[1], -1
}

// indentedBlock returns the end of the lines after the line holding i that
// are indented deeper than that line (a YAML block), or of the hex lines
// after it when hexOnly.
func indentedBlock(b []byte, i int, hexOnly bool) int {
	ls := i
	for ls > 0 && b[ls-1] != '\n' {
		ls--
	}
	indent := 0
	for ls+indent < len(b) && (b[ls+indent] == ' ' || b[ls+indent] == '\t') {
		indent++
	}
	le := bytes.IndexByte(b[i:], '\n')
	if le < 0 {
		return len(b)
	}
	end := i + le
	for j := end + 1; j < len(b) && j-i < keepMaxLen; {
		k := bytes.IndexByte(b[j:], '\n')
		line := b[j:]
		if k >= 0 {
			line = b[j : j+k]
		}
		t := bytes.TrimLeft(line, " \t")
		if len(bytes.TrimSpace(t)) == 0 {
			break
		}
		if hexOnly {
			if !allHex(bytes.TrimRight(t, "\r")) {
				break
			}
		} else if len(line)-len(t) <= indent {
			break
		}
		end = j + len(line)
		if k < 0 {
			break
		}
		j += k + 1
	}
	return end
}

func allHex(v []byte) bool {
	for _, c := range v {
		if !isHex(c) {
			return false
		}
	}
	return len(v) > 0
}

// matchKeepAnsibleVault keeps an Ansible Vault payload: the header token
// `$ANSIBLE_VAULT;1.1;AES256[;label]` and the hex lines below it, or the tag
// `!vault |` when that payload is its block. Nothing else on the header's
// line, and no block that is not a vault payload, is kept.
func matchKeepAnsibleVault(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if b[ks] != '!' {
		return ks, vaultEnd(b, ks), -1
	}
	// The tag: `password: !vault |`, a block scalar whose first line is the header.
	i := skipSpaces(b, ke, 8)
	if i < len(b) && (b[i] == '|' || b[i] == '>') {
		i++
		for i < len(b) && (b[i] == '-' || b[i] == '+' || isDigit(b[i])) {
			i++
		}
	}
	i = skipSpaces(b, i, 8)
	if i < len(b) && b[i] == '\r' {
		i++
	}
	if i >= len(b) || b[i] != '\n' {
		return -1, -1, -1
	}
	h := skipSpaces(b, i+1, 64)
	if !bytes.HasPrefix(b[h:min(len(b), h+15)], []byte("$ANSIBLE_VAULT;")) {
		return -1, -1, -1
	}
	return ks, vaultEnd(b, h), -1
}

// vaultEnd returns the end of the vault payload whose header starts at h:
// the header token, and the hex lines below it when nothing else follows
// the header on its line.
func vaultEnd(b []byte, h int) int {
	j := h
	for j < len(b) && j-h < 256 && (isWordByte(b[j]) || b[j] == '$' || b[j] == ';' || b[j] == '.' || b[j] == '-') {
		j++
	}
	if t := skipSpaces(b, j, 8); t < len(b) && b[t] != '\r' && b[t] != '\n' {
		return j
	}
	return indentedBlock(b, h, true)
}

func matchKeepSealed(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if !bytes.Contains(b[max(0, ks-4096):min(len(b), ke+4096)], []byte("SealedSecret")) {
		return -1, -1, -1 // `encryptedData:` of anything else is read as usual
	}
	i := ke
	if i < len(b) && (b[i] == '"' || b[i] == '\'') {
		i++
	}
	i = skipSpaces(b, i, 4)
	if i >= len(b) || b[i] != ':' {
		return -1, -1, -1
	}
	i = skipSpaces(b, i+1, 8)
	if i < len(b) && b[i] == '{' {
		// JSON: the object's members.
		depth := 0
		for j := i; j < len(b) && j-i < keepMaxLen; j++ {
			switch b[j] {
			case '{':
				depth++
			case '}':
				if depth--; depth == 0 {
					return ks, j + 1, -1
				}
			}
		}
		return -1, -1, -1
	}
	return ks, indentedBlock(b, ks, false), -1
}

// cipherByte reports whether c may stand in a SOPS or Pulumi ciphertext
// (base64 and the `:`/`,` that separate its fields).
func cipherByte(c byte) bool {
	return isAlnum(c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-' || c == ':' || c == ','
}

// matchKeepSOPS keeps a SOPS value `ENC[AES256_GCM,data:…,type:str]`, only
// when the brackets hold nothing but its fields, and a Pulumi `secure:
// v1:…` value up to its first byte that no ciphertext holds.
func matchKeepSOPS(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if b[ks] == 'e' || b[ks] == 'E' {
		for j := ke; j < len(b) && j-ke < 8192; j++ {
			if b[j] == ']' {
				return ks, j + 1, -1
			}
			if !cipherByte(b[j]) {
				break
			}
		}
		return -1, -1, -1
	}
	j := ke
	for j < len(b) && j-ke < 8192 && cipherByte(b[j]) && b[j] != ',' {
		j++
	}
	return ks, j, -1
}

// matchKeepRegistry keeps a typed value of a registry export,
// `"Name"=dword:00000001` or `"Name"=hex(7):41,00,\` continued on indented
// lines, up to its first byte that is no part of such a value.
func matchKeepRegistry(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks == 0 || b[ks-1] != '"' {
		return -1, -1, -1 // `"Name"=dword:...`
	}
	j := ke
	if b[ke-1] == '(' { // `hex(7):`
		for j < len(b) && isHex(b[j]) {
			j++
		}
		if j+1 >= len(b) || b[j] != ')' || b[j+1] != ':' {
			return -1, -1, -1
		}
		j += 2
	}
	for j < len(b) && j-ke < 8192 {
		switch {
		case isHex(b[j]) || b[j] == ',':
			j++
		case b[j] == '\\' && j+1 < len(b) && (b[j+1] == '\n' || b[j+1] == '\r'):
			// a hex value continued on the next, indented line
			j++
			if b[j] == '\r' && j+1 < len(b) && b[j+1] == '\n' {
				j++
			}
			j = skipSpaces(b, j+1, 16)
		default:
			return ks + 1, j, -1
		}
	}
	return ks + 1, j, -1
}

// matchKeepPublicName keeps the value of a name whose last part says the
// value is public or an identifier: `DISCORD_PUBLIC_KEY=…`, `public_key:
// …`, `DISCORD_GUILD_ID=…`. `NEXT_PUBLIC_…_SECRET_KEY` ends in a secret's
// name and is not kept.
func matchKeepPublicName(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns, ne := nameAround(b, ks, ks+1)
	if ne >= len(b) || ne == ns {
		return -1, -1, -1
	}
	last, prev := lastNameParts(b[ns:ne])
	switch {
	case partIs(last, "id", "ids", "public", "pub", "pubkey", "publickey"):
	case partIs(last, "key") && partIs(prev, "public", "pub"):
	default:
		return -1, -1, -1
	}
	i := ne
	if b[i] == '"' || b[i] == '\'' {
		i++
	}
	i = skipSpaces(b, i, 8)
	if i >= len(b) || b[i] != '=' && b[i] != ':' {
		return -1, -1, -1
	}
	i = skipSpaces(b, i+1, 8)
	if i < len(b) && (b[i] == '"' || b[i] == '\'') {
		i++
	}
	j := i
	for j < len(b) && j-i < 256 && (isAlnum(b[j]) || b[j] == '-' || b[j] == '_' || b[j] == '.') {
		j++
	}
	if j == i {
		return -1, -1, -1
	}
	return i, j, -1
}

// lastNameParts returns the last two parts of a name, split as nameParts
// splits (at non-alphanumerics and lower-to-upper changes), without
// allocating.
func lastNameParts(name []byte) (last, prev []byte) {
	e := len(name)
	for k := 0; k < 2; k++ {
		for e > 0 && !isAlnum(name[e-1]) {
			e--
		}
		s := e
		for s > 0 && isAlnum(name[s-1]) {
			s--
			if isUpper(name[s]) && s > 0 && isAlnum(name[s-1]) && !isUpper(name[s-1]) {
				break // a capital after a lower-case letter starts the part (camelCase)
			}
		}
		if k == 0 {
			last = name[s:e]
		} else {
			prev = name[s:e]
		}
		e = s
	}
	return last, prev
}

// partIs reports whether the name part p is one of words (any case).
func partIs(p []byte, words ...string) bool {
	for _, w := range words {
		if bytes.EqualFold(p, []byte(w)) {
			return true
		}
	}
	return false
}
