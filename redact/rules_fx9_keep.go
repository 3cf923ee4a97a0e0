package redact

import (
	"bytes"
	"regexp"
	"strings"
)

// tokenVariable reports a token-replacement variable standing for a value a
// release pipeline fills in: `#{Name}#` (Azure DevOps Replace Tokens,
// Octopus Deploy) or `#{Name}` (Octopus, Ruby interpolation of a name), the
// name letters, digits, `_`, `.`, `-` and `:`. A generated password that
// starts with `#{` is kept only if the rest is such a name and nothing else.
func tokenVariable(v []byte) bool {
	i := 2
	for i < len(v) && i-2 < 128 && (isWordByte(v[i]) || v[i] == '.' || v[i] == '-' || v[i] == ':') {
		i++
	}
	if i == 2 || i >= len(v) || v[i] != '}' || !isLetter(v[2]) {
		return false
	}
	rest := v[i+1:]
	return len(rest) == 0 || len(rest) == 1 && rest[0] == '#'
}

// A Datadog browser client token (`pub` and 32 hex digits) is public by
// design: the RUM and browser-logs SDKs ship it to every visitor, and it can
// only submit RUM and log events. It is kept only under a client-token name
// (`clientToken`, `client_token`, `DD_CLIENT_TOKEN`) with Datadog named
// within datadogNameWindow bytes before it (`datadogRum.init({`,
// `datadogLogs`, a `DD_` name). A Datadog API or application key — another
// shape — beside it stays redacted, and so does the token under any other
// name.

const datadogNameWindow = 300

var datadogClientToken = regexp.MustCompile(`^pub[0-9a-f]{32}$`)

func fx9KeepRules() []*rule {
	rs := []*rule{
		custom("keep-datadog-client-token", Secret, 256, matchKeepDatadogClientToken, "clienttoken", "client_token"),
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

// matchKeepDatadogClientToken keeps the value after a client-token name at
// b[ks:ke] when it is a Datadog client token in Datadog's context.
func matchKeepDatadogClientToken(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns, ne := keyNameAround(b, ks, ke)
	s, e := keptValueAfter(b, ne)
	if s < 0 || !datadogClientToken.Match(b[s:e]) {
		return -1, -1, -1
	}
	name := bytes.ToLower(b[ns:ne])
	if !bytes.HasPrefix(name, []byte("dd_")) && !bytes.Contains(bytes.ToLower(b[max(0, ns-datadogNameWindow):ns]), []byte("datadog")) {
		return -1, -1, -1
	}
	return s, e, -1
}

// datadogClientTokenInObject is the Datadog keep for a string RedactJSON
// visits: a client-token key with Datadog named on the path above it or
// within datadogNameWindow bytes before the value.
func datadogClientTokenInObject(b []byte, path []pathElem, start int) bool {
	n := len(path)
	key := strings.ToLower(path[n-1].key)
	if key != "clienttoken" && key != "client_token" && key != "dd_client_token" {
		return false
	}
	for _, p := range path[:n-1] {
		if p.isKey && strings.Contains(strings.ToLower(p.key), "datadog") {
			return true
		}
	}
	return strings.HasPrefix(key, "dd_") || bytes.Contains(bytes.ToLower(b[max(0, start-datadogNameWindow):start]), []byte("datadog"))
}
