package redact

import "bytes"

// CLI setters: commands that store a secret under a name, where the name and
// the value are separate arguments (or a NAME=VALUE argument) and only the
// command says the value is a secret:
//
//	aws configure set aws_secret_access_key V
//	heroku config:set STRIPE_KEY=V -a app        dokku config:set app K=V
//	fly secrets set K=V      doppler secrets set K V      supabase secrets set K=V
//	gh secret set NAME --body V        az keyvault secret set --name N --value V
//	kubectl create secret generic x --from-literal=K=V
//	vault kv put secret/app K=V        vault write path K=V
//	pulumi config set --secret K V     npm config set //host/:_authToken V
//	netlify env:set K V      travis env set K V      dotnet user-secrets set K V
//	aws secretsmanager create-secret --secret-string V
//	aws ssm put-parameter --name N --value V --type SecureString
//	gcloud run deploy --set-env-vars K=V,K2=V2
//	echo -n V | gh secret set NAME     (cli-piped-secret: echoed or printed into it)
//
// A setter whose store holds only secrets (secrets set, kv put, --secret,
// SecureString...) takes any value that looks like a password; a general
// configuration setter (config:set, env:set, configure set...) takes a value
// under a secret's name (secretKeyName) or one that looks generated under a
// name that is not about a secret's metadata. The finding runs from the first
// to the last value taken on the command line.

const cliSetterMaxLine = 1024

// cliSetter is a setter keyword and what its store holds.
type cliSetter struct {
	kw    string
	store bool // the store holds secrets only
	pairs bool // positional `NAME VALUE` pairs are read (not only NAME=VALUE)
}

var cliSetters = []cliSetter{
	{"configure set", false, true},    // aws configure set
	{"config:set", false, false},      // heroku, dokku, firebase functions:config:set
	{"secrets set", true, true},       // fly, flyctl, doppler, supabase, dotnet user-secrets
	{"secret set", true, true},        // gh secret set, az keyvault secret set
	{"secrets:set", true, true},       // firebase functions:secrets:set
	{"env:set", false, true},          // netlify env:set
	{"env set", false, true},          // travis env set
	{"variables set", false, true},    // railway variables set
	{"variable set", false, true},     // glab variable set, gh variable set
	{"variables --set", false, false}, // railway variables --set "K=V"
	{"create secret", true, false},    // kubectl create secret generic --from-literal
	{"kv put", true, false},           // vault kv put
	{"kv patch", true, false},         // vault kv patch
	{"vault write", false, false},     // vault write path k=v
	{"config set", false, true},       // pulumi, npm, yarn, pnpm, pip config set
	{"--secret-string", true, false},  // aws secretsmanager
	{"put-parameter", false, false},   // aws ssm put-parameter --value
	{"appsettings set", false, false}, // az webapp config appsettings set --settings
	{"--set-env-vars", false, false},  // gcloud run deploy
	{"--update-env-vars", false, false},
	{"set env", false, false},             // kubectl set env deploy/x K=V
	{"secrets create", true, false},       // gcloud secrets create (value piped in)
	{"secret put", true, false},           // wrangler secret put (value piped in)
	{"--password-stdin", true, false},     // docker login (value piped in)
	{"alias set", false, true},            // MinIO mc alias set NAME URL ACCESS SECRET
	{"add-generic-password", true, false}, // macOS security ... -w V
	{"add-internet-password", true, false},
}

func cliSetterKeywords() []string {
	out := make([]string, len(cliSetters))
	for i, s := range cliSetters {
		out[i] = s.kw
	}
	return out
}

func cliSetterRules() []*rule {
	return []*rule{
		custom("cli-secret-setter", Secret, 2*cliSetterMaxLine, matchCLISetter, cliSetterKeywords()...).lowPrecedence(),
		custom("cli-piped-secret", Secret, cliSetterMaxLine+16, matchPipedValue, "echo ", "printf ").lowPrecedence(),
	}
}

// cliValueFlags take the value to store in the next argument or after '='.
var cliValueFlags = map[string]bool{
	"--body": true, "-b": true, "--value": true, "-v": true, "--secret-string": true, "--secret-value": true,
	"-w": true, // macOS security add-generic-password
}

// cliArgFlags are options of these commands that take an argument which is
// not the value (skipped when positional pairs are read).
var cliArgFlags = map[string]bool{
	"--profile": true, "--region": true, "--app": true, "-a": true, "--repo": true, "-R": true, "--env": true,
	"-e": true, "--org": true, "-o": true, "--name": true, "-n": true, "--vault-name": true, "--type": true,
	"--visibility": true, "--project": true, "-p": true, "--config": true, "-c": true, "--context": true,
	"--namespace": true, "--stack": true, "-s": true, "--scope": true, "--site": true, "--service": true,
	"--environment": true, "--output": true, "--resource-group": true, "-g": true, "--id": true, "--group": true,
	"--description": true, "--tags": true, "--location": true, "--cwd": true, "--path": true,
}

func matchCLISetter(_ *rule, b []byte, ks, ke int) (int, int, int) {
	kw := b[ks:ke]
	if ks > 0 && b[ks-1] != ' ' && b[ks-1] != '\t' && b[ks-1] != ':' || ke < len(b) && b[ke] != ' ' && b[ke] != '\t' && b[ke] != '=' && b[ke] != '\n' {
		return -1, -1, -1
	}
	var set cliSetter
	for _, s := range cliSetters {
		if len(s.kw) == len(kw) && bytes.EqualFold(kw, []byte(s.kw)) {
			set = s
			break
		}
	}
	eol := bytes.IndexByte(b[ke:min(len(b), ke+cliSetterMaxLine)], '\n')
	if eol < 0 {
		eol = min(len(b)-ke, cliSetterMaxLine)
	}
	if stop := sentenceEnd(b, ke, ke+eol); stop >= 0 {
		eol = stop - ke // prose that names a setter ("you can set env vars. "): its sentence
	} else if ke+eol == len(b) && eol < cliSetterMaxLine {
		return -1, -1, ks // the command line is still arriving
	}
	line := b[ke : ke+eol]
	store := set.store || bytes.Contains(line, []byte("--secret")) || bytes.Contains(line, []byte("SecureString"))
	from := ke
	if kw[0] == '-' {
		from = ks // the keyword is itself the value's flag
	}
	ws := setterWords(b, from, ke+eol)
	first, last := -1, -1
	take := func(s, e int) {
		if first < 0 || s < first {
			first = s
		}
		last = max(last, e)
	}
	var pos []shellWord
	for i := 0; i < len(ws); i++ {
		w := b[ws[i].s:ws[i].e]
		if len(w) > 1 && w[0] == '-' {
			flag, val := w, []byte(nil)
			vs := -1
			if eq := bytes.IndexByte(w, '='); eq > 0 {
				flag, val, vs = w[:eq], w[eq+1:], ws[i].s+eq+1
			}
			switch {
			case string(flag) == "--from-literal" || string(flag) == "--settings" || string(flag) == "--set-env-vars" ||
				string(flag) == "--update-env-vars" || string(flag) == "--set":
				if vs < 0 && i+1 < len(ws) {
					i++
					vs, val = ws[i].s, b[ws[i].s:ws[i].e]
				}
				if vs >= 0 {
					setterPairs(b, vs, vs+len(val), store, take)
				}
			case cliValueFlags[string(flag)]:
				if vs < 0 && i+1 < len(ws) {
					i++
					vs, val = ws[i].s, b[ws[i].s:ws[i].e]
				}
				if vs >= 0 {
					vs, val = unquoted(b, vs, vs+len(val))
					if setterValue(nil, val, true) {
						take(vs, vs+len(val))
					}
				}
			case vs < 0 && cliArgFlags[string(flag)]:
				i++
			}
			continue
		}
		if bytes.IndexByte(w, '=') > 0 {
			setterPairs(b, ws[i].s, ws[i].e, store, take)
			continue
		}
		pos = append(pos, ws[i])
	}
	if set.pairs && len(pos) >= 2 {
		n, v := pos[len(pos)-2], pos[len(pos)-1]
		ns, name := unquoted(b, n.s, n.e)
		vs, val := unquoted(b, v.s, v.e)
		if ns >= 0 && setterValue(name, val, store) {
			take(vs, vs+len(val))
		}
	}
	if first < 0 {
		return -1, -1, -1
	}
	return first, last, -1
}

// setterPairs reads NAME=VALUE pairs in b[s:e], separated by commas
// (gcloud --set-env-vars) or standing alone.
func setterPairs(b []byte, s, e int, store bool, take func(s, e int)) {
	for s < e {
		c := bytes.IndexByte(b[s:e], ',')
		pe := e
		if c >= 0 && bytes.IndexByte(b[s:s+c], '=') > 0 {
			// Only a comma that is followed by another NAME= splits: a value may hold commas.
			if nx := bytes.IndexByte(b[s+c+1:e], '='); nx > 0 && settingName(b[s+c+1:s+c+1+nx]) {
				pe = s + c
			}
		}
		if eq := bytes.IndexByte(b[s:pe], '='); eq > 0 {
			_, name := unquoted(b, s, s+eq)
			vs, v := unquoted(b, s+eq+1, pe)
			if settingName(name) && setterValue(name, v, store) {
				take(vs, vs+len(v))
			}
		}
		s = pe + 1
	}
}

// settingName reports a plausible setting name: a path or an identifier
// (`K`, `stripe.key`, `//registry.npmjs.org/:_authToken`, `Auth:Key`).
func settingName(n []byte) bool {
	if len(n) == 0 || len(n) > 128 {
		return false
	}
	for _, c := range n {
		if !nameByte(c) && c != '/' && c != ':' {
			return false
		}
	}
	return true
}

// setterValue decides whether v, stored under name (nil: unnamed, as after
// --body) by a setter, is a secret.
func setterValue(name, v []byte, store bool) bool {
	if len(v) < 6 || isPlaceholder(v) || bytes.ContainsAny(v, "$`{}") || bytes.HasPrefix(v, []byte("file://")) ||
		bytes.HasPrefix(v, []byte("fileb://")) || v[0] == '-' || v[0] == '@' {
		return false
	}
	if bytes.Contains(v, []byte("://")) {
		return false // a URL: its password, if any, is the url-password rule's
	}
	if name == nil || store {
		return opaqueValue(v, true) && !proseWord(v)
	}
	secret, password := secretKeyName(name)
	if secret {
		// A UUID is an identifier elsewhere, a token under a secret's name (legacy npm tokens).
		return opaqueValue(v, true) && (password || !proseWord(v)) || uuidShape.Match(v)
	}
	return len(v) >= 16 && !metaName(name) && opaqueValue(v, false) && !hexDigest(v)
}

// metaName reports a name part that says the value is about something
// (notSecretParts: an id, a URL, a version...) or is a build's identity.
func metaName(name []byte) bool {
	return nameParts(name, func(p, _ []byte) bool {
		switch string(p) {
		case "sha", "commit", "rev", "revision", "build", "release", "tag", "digest", "image":
			return true
		}
		return notSecretParts[string(p)]
	})
}

// hexDigest reports a 40- or 64-digit hex value: a commit or a content digest
// when no secret's name stands over it.
func hexDigest(v []byte) bool {
	if len(v) != 40 && len(v) != 64 {
		return false
	}
	for _, c := range v {
		if !isHex(c) {
			return false
		}
	}
	return true
}

// pipeSetters are what a value piped into a setter reads it from stdin
// with: the setters above and commands that only take stdin.
var pipeSetters = append(cliSetterKeywords(), "env add", "versions add", "secrets import")

// matchPipedValue finds a value echoed or printed into a setter on the same
// line (`echo -n V | gh secret set NAME`, `printf %s V | wrangler secret put
// K`, `echo V | docker login --password-stdin`). The echo's line is held in a
// stream until it ends: the setter that makes the value a secret comes after
// it.
func matchPipedValue(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && (isWordByte(b[ks-1]) || b[ks-1] == '-' || b[ks-1] == '.' || b[ks-1] == '/') {
		return -1, -1, -1
	}
	eol := bytes.IndexByte(b[ke:min(len(b), ke+cliSetterMaxLine)], '\n')
	if eol < 0 {
		eol = min(len(b)-ke, cliSetterMaxLine)
	}
	if stop := sentenceEnd(b, ke, ke+eol); stop >= 0 {
		eol = stop - ke // "I will echo what you said. ": a sentence, no pipe in it
	} else if ke+eol == len(b) && eol < cliSetterMaxLine {
		return -1, -1, ks
	}
	line := b[ke : ke+eol]
	pipe := bytes.IndexByte(line, '|')
	if pipe < 0 || pipe+1 < len(line) && line[pipe+1] == '|' {
		return -1, -1, -1
	}
	after := bytes.ToLower(line[pipe+1:])
	piped := false
	for _, k := range pipeSetters {
		if bytes.Contains(after, []byte(k)) {
			piped = true
			break
		}
	}
	if !piped {
		return -1, -1, -1
	}
	ws := setterWords(b, ke, ke+pipe)
	if len(ws) == 0 {
		return -1, -1, -1
	}
	last := ws[len(ws)-1]
	vs, v := unquoted(b, last.s, last.e)
	if len(v) == 0 || v[0] == '-' || bytes.IndexByte(v, '%') >= 0 || !setterValue(nil, v, true) {
		return -1, -1, -1
	}
	return vs, vs + len(v), -1
}

// sentenceEnd returns the end of the first word in b[from:to] that ends a
// sentence (`.`, `?` or `!` then a blank, outside quotes), or -1. A setter's
// or an echo's line is read up to there: a setter named in prose ("You can
// set env vars there. ") is not held in a stream until the paragraph ends,
// and the words after the sentence are no arguments of it, whole or streamed.
func sentenceEnd(b []byte, from, to int) int {
	for _, w := range setterWords(b, from, to) {
		if c := b[w.e-1]; (c == '.' || c == '?' || c == '!') && w.e < to && (b[w.e] == ' ' || b[w.e] == '\t') {
			return w.e
		}
	}
	return -1
}

// setterWords splits b[from:to], one command line, into its arguments up to
// a command separator, as a shell does: quotes may open inside a word
// (`K='a&b'`) and a quoted separator is part of the word. Spans keep their
// quotes (see unquoted).
func setterWords(b []byte, from, to int) []shellWord {
	var ws []shellWord
	i := from
	for len(ws) < 48 {
		for i < to && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') {
			i++
		}
		if i >= to || bytes.IndexByte([]byte(";|&<>"), b[i]) >= 0 {
			return ws
		}
		s := i
		for i < to && b[i] > ' ' && bytes.IndexByte([]byte(";|&<>"), b[i]) < 0 {
			if q := b[i]; q == '\'' || q == '"' {
				j := i + 1
				for j < to && b[j] != q {
					if b[j] == '\\' && q == '"' {
						j++
					}
					j++
				}
				if j >= to {
					return ws // an unclosed quote: not a command line we read
				}
				i = j
			}
			i++
		}
		ws = append(ws, shellWord{s, i})
	}
	return ws
}

// unquoted strips one pair of quotes around b[s:e] (the whole word, or the
// part after a `NAME=`), returning the inner span's start and bytes.
func unquoted(b []byte, s, e int) (int, []byte) {
	if e-s >= 2 && (b[s] == '\'' || b[s] == '"') && b[e-1] == b[s] {
		return s + 1, b[s+1 : e-1]
	}
	return s, b[s:e]
}
