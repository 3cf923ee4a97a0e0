package redact

import (
	"bytes"
	"regexp"
)

// API-key headers whose value has a key's exact shape, however the header
// is written down: `api-key: V` on the wire, `(b'api-key', b'V')` in an
// httpx/httpcore debug log, `{"api-key": "V"}` in a header map,
// `-H "Ocp-Apim-Subscription-Key: V"` on a command line.
//
//   - `api-key`: Azure OpenAI and Azure AI services keys, 32 hex digits;
//   - `Ocp-Apim-Subscription-Key`: Azure API Management and Cognitive
//     Services subscription keys, 32 hex digits;
//   - `x-functions-key`: Azure Functions keys, 54 base64 characters and
//     `==` (or `%3D%3D` where the key travels percent-encoded).
//
// The shape check keeps a header name in prose or docs (`the api-key
// header`) and a placeholder value untouched.

const apiKeyHeaderMaxLen = 160

var apiKeyHeaderValue = regexp.MustCompile(`^(?:[0-9a-fA-F]{32}|[A-Za-z0-9+/_-]{54}(?:==|%3[dD]%3[dD]))$`)

func apiKeyHeaderRules() []*rule {
	return []*rule{
		custom("azure-header-key", Secret, apiKeyHeaderMaxLen, matchAPIKeyHeader,
			"api-key", "subscription-key", "functions-key"),
	}
}

// matchAPIKeyHeader reads the value after the header name at b[ks:ke].
func matchAPIKeyHeader(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ke < len(b) && (isWordByte(b[ke]) || b[ke] == '-') {
		return -1, -1, -1 // a longer name (`api-key-id`)
	}
	i := ke
	for k := 0; i < len(b) && k < 6 && bytes.IndexByte([]byte(` "':=,`+"\t"), b[i]) >= 0; k++ {
		i++
	}
	if i < len(b) && b[i] == 'b' && i+1 < len(b) && (b[i+1] == '\'' || b[i+1] == '"') && i > ke {
		i += 2 // a Python bytes literal
	}
	if i == ke || i >= len(b) {
		return -1, -1, pendIfNear(b, ks, apiKeyHeaderMaxLen)
	}
	e := i
	for e < len(b) && e-i < 80 && (isB64Std(b[e]) || b[e] == '_' || b[e] == '-' || b[e] == '=' || b[e] == '%') {
		e++
	}
	if e == len(b) {
		return -1, -1, pendIfNear(b, ks, apiKeyHeaderMaxLen)
	}
	v := b[i:e]
	if !apiKeyHeaderValue.Match(v) || isPlaceholder(v) || maskRun(v) || shannon(v) < 3 {
		return -1, -1, -1
	}
	return i, e, -1
}
