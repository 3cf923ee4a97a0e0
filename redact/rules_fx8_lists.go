package redact

import "bytes"

// Lists under a secret's name: `"passwords": ["…", "…"]`, `api_keys:` with
// a YAML list below it, `tokens = ["…"]`. Each element is a value of that
// name, so it gets the name as context, as a single value would: in the text
// scanner by this rule, in RedactJSON by the element's list key
// (listKey, called from visit).

const listMaxLen = 8192

func listRules() []*rule {
	return []*rule{
		customMulti("secret-list-item", Secret, listMaxLen, matchSecretList,
			"passwords", "passwds", "passphrases", "tokens", "secrets", "credentials", "apikeys", "_keys", "-keys"),
	}
}

// listName reports whether a plural name names secrets (the singular is a
// secret's name: api_keys → api_key) and whether they are passwords.
func listName(name []byte) (secret, password bool) {
	if len(name) < 2 || len(name) > 64 || name[len(name)-1] != 's' && name[len(name)-1] != 'S' {
		return false, false
	}
	return secretKeyName(name[:len(name)-1])
}

// listKey gives an element of a list its list's key as context
// ({"passwords": ["…"]}), for RedactJSON.
func listKey(path []pathElem) string {
	n := len(path)
	if n < 2 || path[n-1].isKey || !path[n-2].isKey {
		return ""
	}
	if s, _ := listName([]byte(path[n-2].key)); !s {
		return ""
	}
	return path[n-2].key[:len(path[n-2].key)-1]
}

func matchSecretList(r *rule, b []byte, ks, ke int, out []span) ([]span, int) {
	ns, ne := keyNameAround(b, ks, ke)
	secret, password := listName(b[ns:ne])
	if !secret {
		return out, -1
	}
	j := ne
	if j < len(b) && (b[j] == '"' || b[j] == '\'') {
		j++
	}
	j = skipSpaces(b, j, 8)
	if j >= len(b) {
		return out, ks
	}
	if b[j] != ':' && b[j] != '=' {
		return out, -1
	}
	j = skipSpaces(b, j+1, 8)
	if j >= len(b) {
		return out, ks
	}
	if b[j] == '[' { // a flow list: JSON, YAML flow, HCL, TOML
		c := closeOf(b, j)
		if c < 0 {
			return out, pendIfNear(b, ks, listMaxLen)
		}
		return flowListItems(r, b, j, c, password, out), -1
	}
	if b[j] == '\r' {
		j++
	}
	if j >= len(b) || b[j] != '\n' {
		return out, -1
	}
	return yamlListItems(r, b, j+1, password, out)
}

// yamlListItems reads the `- value` lines of a YAML block list at b[i].
func yamlListItems(r *rule, b []byte, i int, password bool, out []span) ([]span, int) {
	indent := -1
	for n := 0; i < len(b) && n < 256; n++ {
		le := bytes.IndexByte(b[i:], '\n')
		if le < 0 {
			return out, pendIfNear(b, i, listMaxLen)
		}
		line := b[i : i+le]
		in := 0
		for in < len(line) && line[in] == ' ' {
			in++
		}
		if in+1 >= len(line) || line[in] != '-' || line[in+1] != ' ' || indent >= 0 && in != indent {
			break
		}
		indent = in
		vs := skipSpaces(line, in+2, 8)
		v := bytes.TrimRight(line[vs:], " \r")
		if c := bytes.Index(v, []byte(" #")); c >= 0 {
			v = bytes.TrimRight(v[:c], " ")
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v, vs = v[1:len(v)-1], vs+1
		}
		if opaqueValue(v, password) {
			out = addSpan(out, r, i+vs, i+vs+len(v))
		}
		i += le + 1
	}
	return out, -1
}

// flowListItems adds the string elements of the list b[o:c] (b[o] is `[`);
// nested objects and lists are records, not values of the name
// (`"api_keys": [{"id": …, "prefix": …}]` is key metadata).
func flowListItems(r *rule, b []byte, o, c int, password bool, out []span) []span {
	for i := o + 1; i < c-1; i++ {
		switch b[i] {
		case '{', '[':
			e := closeOf(b, i)
			if e < 0 {
				return out
			}
			i = e - 1
		case '"', '\'':
			k := i + 1
			for k < c && b[k] != b[i] && b[k] != '\n' {
				if b[k] == '\\' {
					k++
				}
				k++
			}
			if k >= c {
				return out
			}
			if opaqueValue(b[i+1:k], password) {
				out = addSpan(out, r, i+1, k)
			}
			i = k
		}
	}
	return out
}
