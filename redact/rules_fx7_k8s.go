package redact

import (
	"bytes"
	"encoding/base64"
)

// Kubernetes Secret data: a Secret declares every value of its `data:` map
// secret, whatever the key is called (`GF_DATABASE_URL`, `webhook`,
// `username`), so each base64 value there is taken whole — in a manifest
// (YAML, `kind: Secret` in the same document) and in `kubectl get secret -o
// json` output (`"kind": "Secret"` and a `"data": {...}` object). Public
// material a Secret also carries (`tls.crt`, `ca.crt`, `*.pem` certificates)
// stays, and so do ConfigMaps (`binaryData`), SealedSecrets
// (`encryptedData`) and values that are no base64.

const k8sSecretReach = 4096 // how far from `data:` the document's kind is looked for

func k8sRules() []*rule {
	return []*rule{
		customMulti("k8s-secret-data", Secret, 64<<10, matchK8sSecretData, "data:", `"data":`),
	}
}

// k8sSecretKind reports `kind: Secret` (or `"kind": "Secret"`) within reach
// of i, in the same YAML document (no `---` between).
func k8sSecretKind(b []byte, i int) bool {
	from, to := max(0, i-k8sSecretReach), min(len(b), i+k8sSecretReach)
	if k := bytes.LastIndex(b[from:i], []byte("\n---")); k >= 0 {
		from += k
	}
	if k := bytes.Index(b[i:to], []byte("\n---")); k >= 0 {
		to = i + k
	}
	w := b[from:to]
	for _, kind := range [][]byte{[]byte("kind: Secret"), []byte(`"kind": "Secret"`), []byte(`"kind":"Secret"`)} {
		if k := bytes.Index(w, kind); k >= 0 {
			e := k + len(kind)
			if e == len(w) || !isWordByte(w[e]) {
				return true
			}
		}
	}
	return false
}

func matchK8sSecretData(r *rule, b []byte, ks, ke int, out []span) ([]span, int) {
	if ks > 0 && (isWordByte(b[ks-1]) || b[ks-1] == '-') {
		return out, -1 // stringData:, binaryData:, encryptedData:
	}
	i := skipSpaces(b, ke, 8)
	if i < len(b) && b[i] == '\r' {
		i++
	}
	if i >= len(b) {
		return out, pendIfNear(b, ks, 64<<10)
	}
	json := b[ks] == '"'
	if json && b[i] != '{' || !json && b[i] != '\n' {
		return out, -1 // an SSE data line, a data: URL
	}
	if !k8sSecretKind(b, ks) {
		return out, -1
	}
	if json {
		return k8sJSONData(r, b, i, out)
	}
	return k8sYAMLData(r, b, ks, i+1, out)
}

// k8sYAMLData reads the `key: value` lines indented below `data:`.
func k8sYAMLData(r *rule, b []byte, ks, i int, out []span) ([]span, int) {
	ls := ks
	for ls > 0 && b[ls-1] != '\n' {
		ls--
	}
	indent := ks - ls
	for lines := 0; i < len(b) && lines < 512; lines++ {
		le := bytes.IndexByte(b[i:], '\n')
		if le < 0 {
			return out, pendIfNear(b, ks, 64<<10)
		}
		line := b[i : i+le]
		t := bytes.TrimLeft(line, " ")
		if len(bytes.TrimSpace(t)) == 0 || len(line)-len(t) <= indent {
			break
		}
		if c := bytes.IndexByte(t, ':'); c > 0 && t[0] != '#' {
			key := t[:c]
			vs := c + 1
			for vs < len(t) && t[vs] == ' ' {
				vs++
			}
			ve := len(bytes.TrimRight(t, " \r"))
			if vs < ve && (t[vs] == '"' || t[vs] == '\'') && ve-vs >= 2 && t[ve-1] == t[vs] {
				vs, ve = vs+1, ve-1
			}
			off := i + len(line) - len(t)
			if vs < ve && k8sSecretValue(key, t[vs:ve]) {
				out = addSpan(out, r, off+vs, off+ve)
			}
		}
		i += le + 1
	}
	return out, -1
}

// k8sJSONData reads the members of the `"data": {...}` object at i.
func k8sJSONData(r *rule, b []byte, i int, out []span) ([]span, int) {
	end := bytes.IndexByte(b[i:min(len(b), i+64<<10)], '}')
	if end < 0 {
		return out, pendIfNear(b, i, 64<<10)
	}
	obj := b[i : i+end]
	for j := 0; j < len(obj); {
		ks := bytes.IndexByte(obj[j:], '"')
		if ks < 0 {
			break
		}
		ks += j + 1
		ke := bytes.IndexByte(obj[ks:], '"')
		if ke < 0 {
			break
		}
		ke += ks
		k := skipSpaces(obj, ke+1, 8)
		if k >= len(obj) || obj[k] != ':' {
			break
		}
		k = skipSpaces(obj, k+1, 8)
		if k >= len(obj) || obj[k] != '"' {
			break
		}
		vs := k + 1
		ve := bytes.IndexByte(obj[vs:], '"')
		if ve < 0 {
			break
		}
		ve += vs
		if k8sSecretValue(obj[ks:ke], obj[vs:ve]) {
			out = addSpan(out, r, i+vs, i+ve)
		}
		j = ve + 1
	}
	return out, -1
}

// k8sSecretValue reports a Secret's data value that is secret: base64 of
// something, under a key that is not a certificate's.
func k8sSecretValue(key, v []byte) bool {
	k := bytes.ToLower(bytes.Trim(key, `"' `))
	if bytes.HasSuffix(k, []byte(".crt")) || bytes.HasSuffix(k, []byte("cert")) || bytes.HasSuffix(k, []byte(".pem")) && !bytes.Contains(k, []byte("key")) ||
		bytes.Equal(k, []byte("ca")) || bytes.Equal(k, []byte("namespace")) {
		return false
	}
	if len(v) < 8 || isPlaceholder(v) || k8sSettingValue(key, v) {
		return false
	}
	for _, c := range v {
		if !b64Char[c] && c != '=' {
			return false
		}
	}
	_, err := base64.StdEncoding.DecodeString(string(v))
	return err == nil
}
