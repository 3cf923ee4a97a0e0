package redact

import (
	"bytes"
	"regexp"
	"strings"
)

// Public values that stay, each only in its narrow public context (the
// eighth corpus's look-alikes; the reasoning is also in
// testdata/eighth/secrets-eighth.md):
//
//   - A Firebase web config's `apiKey`. Firebase ships it to every browser
//     that loads the app; it identifies the project and is restricted by
//     Firebase security rules and API-key restrictions, not by secrecy
//     (Firebase's documentation says so). It is kept only as the `apiKey`
//     member of an object that is a web config — an `authDomain` on
//     `firebaseapp.com` or an `appId` of the form `1:<number>:web:<hex>`
//     beside it. The same `AIza…` shape anywhere else (a Maps or Gemini
//     server key in an env file, another member of the same object) is a
//     secret and stays redacted.
//   - The same browser key in the Maps JavaScript API loader
//     (`https://maps.googleapis.com/maps/api/js?key=AIza…`, a script tag every
//     visitor loads; restricted by HTTP referrer). Any other Maps endpoint
//     (`/maps/api/geocode/json?key=…`, called from servers) keeps its key
//     redacted.
//   - An AWS access key id in IAM's key listing (`aws iam
//     list-access-keys`: an object of the `AccessKeyMetadata` array, or a
//     `ACCESSKEYMETADATA` line of its text output) and in a CloudTrail
//     event's `userIdentity` (principalId and arn beside it). The key id is
//     an identifier — CloudTrail logs it, the console shows it — and neither
//     record ever carries the secret. An AccessKeyId beside a
//     SecretAccessKey (`create-access-key`, a credentials file, an
//     AccessKeyMetadata object someone pasted a secret into) is redacted.
//   - A search-only key of a client-side search service (Algolia, and the
//     same term in Typesense and Meilisearch): the name says the key can only
//     search and is meant for browsers. Kept when its name says search-only
//     (`searchOnlyApiKey`, `ALGOLIA_SEARCH_ONLY_KEY`) or is Algolia's search
//     key (`ALGOLIA_SEARCH_API_KEY`, `algolia.searchKey`); an admin or write
//     key, or an unqualified `ALGOLIA_API_KEY`, of the same shape is
//     redacted. This keep is weak: a token format found inside still wins.

var (
	firebaseAPIKey = regexp.MustCompile(`^AIza[0-9A-Za-z_-]{35}$`)
	firebaseWebApp = regexp.MustCompile(`^1:[0-9]{6,15}:web:[0-9a-f]{6,40}$`)
	awsKeyID       = regexp.MustCompile(`^(?:AKIA|ASIA)[A-Z2-7]{16}$`)
	awsKeyIDIn     = regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z2-7]{16}\b`)
	searchOnlyKey  = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

func fx8KeepRules() []*rule {
	rs := []*rule{
		custom("keep-firebase-web-api-key", Secret, objReach, matchKeepFirebase, "apikey"),
		custom("keep-maps-js-browser-key", Secret, 1024, matchKeepMapsJSKey, "s/api/js?"), // "/ma" is in every `/map`
		custom("keep-aws-key-id-listing", Secret, objReach, matchKeepAWSKeyListing, "accesskeyid", "accesskeymetadata"),
		custom("keep-search-only-key", Secret, 256, matchKeepSearchOnly, "searchonly", "search_only", "search-only",
			"algolia_search", "algoliasearch", "algolia-search", "searchkey", "search_key", "searchapikey", "search_api_key"),
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

// keptValueAfter reads `<name>"?\s*[:=]\s*["']value["']` after a name ending at
// ke and returns the value's span.
func keptValueAfter(b []byte, ke int) (s, e int) {
	j := ke
	if j < len(b) && (b[j] == '"' || b[j] == '\'') {
		j++
	}
	j = skipSpaces(b, j, 8)
	if j >= len(b) || b[j] != ':' && b[j] != '=' {
		return -1, -1
	}
	j = skipSpaces(b, j+1, 8)
	q := byte(0)
	if j < len(b) && (b[j] == '"' || b[j] == '\'') {
		q = b[j]
		j++
	}
	k := j
	for k < len(b) && k-j < 128 && (isWordByte(b[k]) || b[k] == '-') {
		k++
	}
	if k >= len(b) || q != 0 && b[k] != q {
		return -1, -1
	}
	return j, k
}

// keyNameAround returns the bounds of the name (letters, digits, `_`, `-`, `.`)
// holding b[ks:ke].
func keyNameAround(b []byte, ks, ke int) (int, int) {
	for ks > 0 && (isWordByte(b[ks-1]) || b[ks-1] == '-' || b[ks-1] == '.') {
		ks--
	}
	for ke < len(b) && (isWordByte(b[ke]) || b[ke] == '-') {
		ke++
	}
	return ks, ke
}

// membersAround lists the members of the object holding the key at ko.
func membersAround(b []byte, ko int) (ms []member, o int, ok bool) {
	o, ok = containerAround(b, ko, 1)
	if !ok || b[o] != '{' {
		return nil, o, false
	}
	c := closeOf(b, o)
	if c < 0 {
		return nil, o, false
	}
	return objectMembers(b, o, c, nil), o, true
}

// firebaseWebConfig reports members that are a Firebase web app's config.
func firebaseWebConfig(b []byte, ms []member) bool {
	for _, m := range ms {
		k := bytes.Trim(m.key, `"'`)
		v := bareValue(b, m)
		if keyIs(k, "authdomain") && bytes.HasSuffix(v, []byte(".firebaseapp.com")) || keyIs(k, "appid") && firebaseWebApp.Match(v) {
			return true
		}
	}
	return false
}

func matchKeepFirebase(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns, ne := keyNameAround(b, ks, ke)
	if ne != ke || ns != ks {
		return -1, -1, -1 // `geminiApiKey`, `apiKeys`: not the web config's member
	}
	s, e := keptValueAfter(b, ke)
	if s < 0 || !firebaseAPIKey.Match(b[s:e]) {
		return -1, -1, -1
	}
	ms, _, ok := membersAround(b, keyOpen(b, ks))
	if !ok {
		return -1, -1, objectOpen(b, ks)
	}
	if !firebaseWebConfig(b, ms) {
		return -1, -1, -1
	}
	return s, e, -1
}

// objectOpen holds a stream from ks while the object around ks is still
// open at the end of b (its closing brace may yet make a value public).
func objectOpen(b []byte, ks int) int {
	o, ok := containerAround(b, keyOpen(b, ks), 1)
	if ok && b[o] == '{' && closeOf(b, o) < 0 && len(b)-o < objReach {
		return ks
	}
	return -1
}

// secretBeside reports a member whose name holds "secret".
func secretBeside(ms []member) bool {
	for _, m := range ms {
		if bytes.Contains(bytes.ToLower(m.key), []byte("secret")) {
			return true
		}
	}
	return false
}

// inKeyListing reports that the object at o is an element of an
// `AccessKeyMetadata` array.
func inKeyListing(b []byte, o int) bool {
	a, ok := containerAround(b, o, 1)
	if !ok || b[a] != '[' {
		return false
	}
	k := bytes.TrimRight(b[max(0, a-40):a], " \t\r\n:\"")
	return bytes.HasSuffix(k, []byte("AccessKeyMetadata"))
}

// callerIdentity reports a CloudTrail `userIdentity` object: the caller's
// principalId and arn beside the access key id it signed with.
func callerIdentity(b []byte, ms []member) bool {
	principal, arn := false, false
	for _, m := range ms {
		k := bytes.Trim(m.key, `"'`)
		principal = principal || keyIs(k, "principalid")
		arn = arn || keyIs(k, "arn") && bytes.HasPrefix(bareValue(b, m), []byte("arn:aws"))
	}
	return principal && arn
}

func matchKeepAWSKeyListing(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns, ne := keyNameAround(b, ks, ke)
	if ns != ks || ne != ke {
		return -1, -1, -1
	}
	if ke-ks == len("accesskeymetadata") { // text output: ACCESSKEYMETADATA<TAB>date<TAB>AKIA…<TAB>Active<TAB>user
		if ks > 0 && b[ks-1] != '\n' || ke >= len(b) || b[ke] != '\t' && b[ke] != ' ' {
			return -1, -1, -1
		}
		le := bytes.IndexByte(b[ke:min(len(b), ke+256)], '\n')
		if le < 0 {
			return -1, -1, -1
		}
		line := b[ke : ke+le]
		if bytes.Contains(bytes.ToLower(line), []byte("secret")) {
			return -1, -1, -1
		}
		loc := awsKeyIDIn.FindIndex(line)
		if loc == nil {
			return -1, -1, -1
		}
		return ke + loc[0], ke + loc[1], -1
	}
	s, e := keptValueAfter(b, ke)
	if s < 0 || !awsKeyID.Match(b[s:e]) {
		return -1, -1, -1
	}
	ms, o, ok := membersAround(b, keyOpen(b, ks))
	if !ok {
		return -1, -1, objectOpen(b, ks)
	}
	if secretBeside(ms) || !inKeyListing(b, o) && !callerIdentity(b, ms) {
		return -1, -1, -1
	}
	return s, e, -1
}

// searchOnlyName reports a key name that says search-only (normalised: lower
// case, no separators); algolia says whether Algolia is named around it.
func searchOnlyName(name string, algolia bool) bool {
	n := strings.NewReplacer("_", "", "-", "", ".", "").Replace(strings.ToLower(name))
	if strings.Contains(n, "admin") || strings.Contains(n, "write") || strings.Contains(n, "secret") {
		return false
	}
	if strings.Contains(n, "searchonly") {
		return true
	}
	algolia = algolia || strings.Contains(n, "algolia")
	return algolia && (strings.HasSuffix(n, "searchkey") || strings.HasSuffix(n, "searchapikey"))
}

func matchKeepSearchOnly(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns, ne := keyNameAround(b, ks, ke)
	s, e := keptValueAfter(b, ne)
	if s < 0 || !searchOnlyKey.Match(b[s:e]) {
		return -1, -1, -1
	}
	algolia := bytes.Contains(bytes.ToLower(b[max(0, ns-300):ns]), []byte("algolia"))
	if !searchOnlyName(string(b[ns:ne]), algolia) {
		return -1, -1, -1
	}
	return s, e, -1
}

// keepInObject is the keep rules above for a string RedactJSON visits: it
// reports a public value in its public context.
func keepInObject(b []byte, path []pathElem, start int, v []byte) bool {
	n := len(path)
	key := path[n-1].key
	switch {
	case key == "apiKey" && firebaseAPIKey.Match(v):
		ms, _, ok := membersAround(b, start)
		return ok && firebaseWebConfig(b, ms)
	case (key == "AccessKeyId" || key == "accessKeyId") && awsKeyID.Match(v):
		ms, o, ok := membersAround(b, start)
		return ok && !secretBeside(ms) && (inKeyListing(b, o) || callerIdentity(b, ms))
	case datadogClientToken.Match(v):
		return datadogClientTokenInObject(b, path, start) // rules_fx9_keep.go
	case searchOnlyKey.Match(v):
		algolia := n >= 2 && path[n-2].isKey && strings.Contains(strings.ToLower(path[n-2].key), "algolia")
		return searchOnlyName(key, algolia)
	}
	return false
}

// matchKeepMapsJSKey keeps the `key=` parameter of a Maps JavaScript API
// loader URL.
func matchKeepMapsJSKey(_ *rule, b []byte, ks, ke int) (int, int, int) {
	const host = "maps.googleapis.com/map"
	if ks < len(host) || !bytes.EqualFold(b[ks-len(host):ks], []byte(host)) {
		return -1, -1, -1
	}
	e := ke
	for e < len(b) && e-ke < 512 && b[e] > ' ' && b[e] != '"' && b[e] != '\'' && b[e] != '<' && b[e] != '>' {
		e++
	}
	q := b[ke:e]
	for _, p := range bytes.Split(q, []byte("&")) {
		p = bytes.TrimPrefix(p, []byte("amp;")) // &amp; in HTML
		if v, ok := bytes.CutPrefix(p, []byte("key=")); ok && firebaseAPIKey.Match(v) {
			s := ke + bytes.Index(q, v)
			return s, s + len(v), -1
		}
	}
	return -1, -1, -1
}
