package redact

import "bytes"

// Values a tool itself marks secret. Infrastructure tools print or store a
// secret beside a flag that says so, and the flag, not the value's shape or
// its name (`value`, `result`, `Default`), is the evidence:
//
//   - Terraform: `terraform output -json` and state outputs
//     (`{"sensitive": true, "value": …}`), `variable`/`output` blocks in HCL
//     (`sensitive = true` beside `default = "…"`);
//   - Terraform state resources: `"sensitive_attributes"` lists attribute
//     names (`random_password`'s `result`) whose values stand in the
//     sibling `"attributes"` object;
//   - `terraform show -json` plans and state: `after_sensitive`,
//     `before_sensitive` and `sensitive_values` mark members of `after`,
//     `before` and `values` (or, when `true`, the whole value);
//   - CloudFormation parameters with `NoEcho: true` (their `Default`);
//   - ARM templates' `securestring`/`secureobject` parameters
//     (`defaultValue`), SSM `SecureString` parameters read with
//     `--with-decryption` (`Value`);
//   - CI variables: GitLab `"masked": true`, Azure DevOps `"isSecret": true`,
//     Octopus `"IsSensitive": true` (their `value`);
//   - Pulumi state: a secret is an object carrying Pulumi's secret signature
//     key; its `plaintext` is the secret; `pulumi config --show-secrets
//     --json` marks a config value `"secret": true`;
//   - Azure Key Vault secret bundles (`az keyvault secret show`): an `id` under
//     `https://<vault>.vault.azure.net/secrets/` beside the secret's `value`;
//   - GitHub Actions `::add-mask::<value>`: the workflow asks for the value to
//     be masked in every later log line.
//
// A flag that says false (`"sensitive": false`) marks nothing. Placeholders,
// references (`${…}`, `var.x`) and values the tool already hid (`****`,
// `(sensitive value)`) stay.

// markFlag is a member whose value marks its object's targets secret.
type markFlag struct {
	key     string   // lower case
	values  []string // lower case values that mark
	targets []string // lower case keys of the marked members
}

// pulumiSecretSig is the key (and its value) Pulumi writes into a secret's
// object in state files and stack exports.
const (
	pulumiSecretKey = "4dabf18193072939515e22adb298388d" //nolint:gosec // G101: Pulumi's public secret-signature key, not a credential
	pulumiSecretSig = "1b47061264138c4ac30d75fd1eb44270"
)

var markFlags = []markFlag{
	{"sensitive", []string{"true"}, []string{"value", "default"}},
	{"noecho", []string{"true"}, []string{"default"}},
	{"masked", []string{"true"}, []string{"value"}},
	{"issecret", []string{"true"}, []string{"value"}},
	{"issensitive", []string{"true"}, []string{"value"}},
	{"type", []string{"securestring", "secureobject"}, []string{"value", "defaultvalue"}},
	{pulumiSecretKey, []string{pulumiSecretSig}, []string{"plaintext"}},
	{"secret", []string{"true"}, []string{"value"}}, // `pulumi config --show-secrets --json`
}

// azureVaultSecret marks a Key Vault secret bundle (`az keyvault secret show`):
// its `id` names the vault's secrets collection and its `value` is the secret.
const azureVaultSecret = ".vault.azure.net/secrets/" //nolint:gosec // G101: a URL path, not a credential

// vaultBundleFlag is the flag an Azure Key Vault bundle's id stands for.
var vaultBundleFlag = markFlag{"id", nil, []string{"value"}}

// markTargets is every target key, for RedactJSON's quick test.
var markTargets = map[string]bool{
	"value": true, "default": true, "defaultvalue": true, "plaintext": true,
}

func markedRules() []*rule {
	return []*rule{
		// Keywords are words: the prefilter anchors a keyword on its rarest trigram, and
		// JSON punctuation (`t":`, `e":`) is in every key of every body. Pulumi's
		// `"secret": true` is read by RedactJSON (rules_fx8_json.go), not by this rule.
		customMulti("marked-sensitive-value", Secret, objReach, matchMarkedValue,
			"sensitive", "noecho", "masked", "issecret", "securestring", "secureobject", pulumiSecretKey,
			azureVaultSecret[1:]), // ".va" would stop at every `.value`
		customMulti("marked-sensitive-attribute", Secret, objReach, matchSensitiveAttributes,
			"sensitive_attributes", "after_sensitive", "before_sensitive", "sensitive_values"),
		custom("github-add-mask", Secret, 512, matchAddMask, "::add-mask::"),
	}
}

// flagAt reads the flag whose key or value the keyword hit b[ks:ke] is part
// of and reports whether it marks (`"sensitive": true`, `NoEcho: 'true'`,
// `"Type": "SecureString"`).
func flagAt(b []byte, ks, ke int) (*markFlag, bool) {
	s, e := ks, ks
	for s > 0 && (isWordByte(b[s-1]) || b[s-1] == '-') {
		s--
	}
	for e < len(b) && isWordByte(b[e]) {
		e++
	}
	word := b[s:e]
	if bytes.EqualFold(word, []byte("securestring")) || bytes.EqualFold(word, []byte("secureobject")) { // the value: read the key before it
		k := s
		for k > 0 && (b[k-1] == '"' || b[k-1] == '\'' || b[k-1] == ' ') {
			k--
		}
		if k == 0 || b[k-1] != ':' && b[k-1] != '=' {
			return nil, false
		}
		k--
		for k > 0 && (b[k-1] == '"' || b[k-1] == '\'' || b[k-1] == ' ') {
			k--
		}
		if k < 4 || !bytes.EqualFold(b[k-4:k], []byte("type")) || k > 4 && isWordByte(b[k-5]) {
			return nil, false
		}
		return &markFlags[5], true // "type": "SecureString"
	}
	for i := range markFlags {
		f := &markFlags[i]
		if !bytes.EqualFold(word, []byte(f.key)) {
			continue
		}
		j := e
		if j < len(b) && (b[j] == '"' || b[j] == '\'') {
			j++
		}
		j = skipSpaces(b, j, 8)
		if j >= len(b) || b[j] != ':' && b[j] != '=' {
			return nil, false
		}
		j = skipSpaces(b, j+1, 8)
		if j < len(b) && (b[j] == '"' || b[j] == '\'') {
			j++
		}
		v := j
		for v < len(b) && isWordByte(b[v]) {
			v++
		}
		for _, want := range f.values {
			if bytes.EqualFold(b[j:v], []byte(want)) {
				return f, true
			}
		}
		return nil, false
	}
	return nil, false
}

// markedMembers lists the members of the object or YAML mapping the flag at
// ks belongs to.
func markedMembers(b []byte, ks int) []member {
	fs := ks
	for fs > 0 && b[fs-1] != '\n' {
		fs--
	}
	fs = skipSpaces(b, fs, 64)
	w := fs
	for w < len(b) && (isWordByte(b[w]) || b[w] == '-') {
		w++
	}
	if w > fs && w < len(b) && b[w] == ':' { // `NoEcho: true` opening its line: a YAML mapping
		if ms := yamlMembers(b, fs, nil); len(ms) > 1 {
			return ms
		}
	}
	o, ok := containerAround(b, ks, 1)
	if !ok || b[o] != '{' {
		return nil
	}
	c := closeOf(b, o)
	if c < 0 {
		return nil
	}
	return objectMembers(b, o, c, nil)
}

func matchMarkedValue(r *rule, b []byte, ks, ke int, out []span) ([]span, int) {
	f, ok := flagAt(b, ks, ke)
	at := keyOpen(b, ks)
	if !ok && ke-ks == len(azureVaultSecret)-1 { // inside the id's value: start before its quote
		at = bytes.LastIndexByte(b[max(0, ks-256):ks], '"')
		if at < 0 {
			return out, -1
		}
		at += max(0, ks-256)
		f, ok = &vaultBundleFlag, true
	}
	if !ok {
		return out, -1
	}
	ms := markedMembers(b, at)
	if ms == nil {
		return out, pendIfNear(b, ks, objReach)
	}
	for _, m := range ms {
		for _, t := range f.targets {
			if keyIs(bytes.Trim(m.key, `"'`), t) {
				out = addMarkedValue(out, r, b, m)
			}
		}
	}
	return out, -1
}

// addMarkedValue adds the strings of a marked member (a YAML or HCL bare
// scalar whole).
func addMarkedValue(out []span, r *rule, b []byte, m member) []span {
	if m.vs >= m.ve {
		return out
	}
	if c := b[m.vs]; c != '"' && c != '\'' && c != '{' && c != '[' {
		v := bytes.TrimRight(b[m.vs:m.ve], " \t\r,")
		if c := bytes.Index(v, []byte(" #")); c > 0 {
			v = v[:c]
		}
		if markedPlausible(v) && !bytes.Equal(v, []byte("true")) && !bytes.Equal(v, []byte("false")) && !bytes.Equal(v, []byte("null")) {
			out = addSpan(out, r, m.vs, m.vs+len(v))
		}
		return out
	}
	for _, sp := range stringSpans(b, m.vs, m.ve, nil) {
		if markedPlausible(b[sp[0]:sp[1]]) {
			out = addSpan(out, r, sp[0], sp[1])
		}
	}
	return out
}

// markedPlausible filters a marked value: not empty, not a placeholder, a
// reference or a value the tool already hid.
func markedPlausible(v []byte) bool {
	if len(v) < 3 || isPlaceholder(v) || maskRun(v) || bytes.Contains(v, []byte("${")) || bytes.Contains(v, []byte("{{")) ||
		bytes.HasPrefix(v, []byte("var.")) || bytes.HasPrefix(v, []byte("(sensitive")) {
		return false
	}
	return !bytes.HasPrefix(v, []byte("v1:")) && !bytes.HasPrefix(v, []byte("ENC[")) // ciphertexts kept by keepRules
}

// matchSensitiveAttributes reads Terraform's lists of sensitive members
// (`sensitive_attributes`, `after_sensitive`, `sensitive_values`) and redacts
// those members of the sibling object the list describes.
func matchSensitiveAttributes(r *rule, b []byte, ks, _ int, out []span) ([]span, int) {
	o, ok := containerAround(b, keyOpen(b, ks), 1)
	if !ok || b[o] != '{' {
		return out, -1
	}
	c := closeOf(b, o)
	if c < 0 {
		return out, pendIfNear(b, ks, objReach)
	}
	ms := objectMembers(b, o, c, nil)
	var list *member
	for i := range ms {
		if ms[i].ks <= ks && ks < ms[i].ks+len(ms[i].key) {
			list = &ms[i]
		}
	}
	if list == nil {
		return out, -1
	}
	sibling, ok := sensitiveSiblings[string(bytes.ToLower(list.key))]
	if !ok {
		return out, -1
	}
	for _, m := range ms {
		if keyIs(m.key, sibling) {
			out = addSensitiveMembers(out, r, b, *list, m)
		}
	}
	return out, -1
}

// sensitiveSiblings maps a Terraform sensitivity list to the member it describes.
var sensitiveSiblings = map[string]string{
	"sensitive_attributes": "attributes", "after_sensitive": "after", "before_sensitive": "before", "sensitive_values": "values",
}

// addSensitiveMembers redacts the members of target that list names: a
// Terraform path list (`[[{"type":"get_attr","value":"result"}]]`) or a map
// of booleans (`{"password": true}`, or `true` for the whole value).
func addSensitiveMembers(out []span, r *rule, b []byte, list, target member) []span {
	lv := bytes.TrimSpace(b[list.vs:list.ve])
	if bytes.Equal(lv, []byte("true")) {
		return addMarkedValue(out, r, b, target)
	}
	if b[target.vs] != '{' {
		return out
	}
	tc := closeOf(b, target.vs)
	if tc < 0 {
		return out
	}
	names := sensitiveNames(b, list)
	if len(names) == 0 {
		return out
	}
	for _, m := range objectMembers(b, target.vs, tc, nil) {
		for _, n := range names {
			if bytes.Equal(m.key, n) {
				out = addMarkedValue(out, r, b, m)
			}
		}
	}
	return out
}

// sensitiveNames lists the top-level names a sensitivity list marks.
func sensitiveNames(b []byte, list member) [][]byte {
	var names [][]byte
	if b[list.vs] == '{' {
		c := closeOf(b, list.vs)
		if c < 0 {
			return nil
		}
		for _, m := range objectMembers(b, list.vs, c, nil) {
			if v := bytes.TrimSpace(b[m.vs:m.ve]); bytes.Equal(v, []byte("true")) || len(v) > 0 && v[0] == '{' {
				names = append(names, m.key)
			}
		}
		return names
	}
	// A list of paths: each path's first step is a get_attr with the name.
	w := b[list.vs:list.ve]
	for i := 0; i < len(w) && len(names) < 64; {
		k := bytes.Index(w[i:], []byte(`"get_attr"`))
		if k < 0 {
			break
		}
		i += k + len(`"get_attr"`)
		v := bytes.Index(w[i:], []byte(`"value"`))
		if v < 0 || v > 16 {
			continue
		}
		j := i + v + len(`"value"`)
		for j < len(w) && (w[j] == ' ' || w[j] == ':') {
			j++
		}
		if j < len(w) && w[j] == '"' {
			if e := bytes.IndexByte(w[j+1:], '"'); e > 0 {
				names = append(names, w[j+1:j+1+e])
				i = j + 1 + e
			}
		}
	}
	return names
}

// matchAddMask takes the value a GitHub Actions step asks to mask.
func matchAddMask(_ *rule, b []byte, ks, ke int) (int, int, int) {
	i := ke
	e := i
	for e < len(b) && b[e] > ' ' && b[e] != '"' && b[e] != '\'' && b[e] != '\\' {
		e++
	}
	if e == len(b) {
		return -1, -1, ks
	}
	if !markedPlausible(b[i:e]) || b[i] == '$' {
		return -1, -1, -1
	}
	return i, e, -1
}
