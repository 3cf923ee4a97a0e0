package redacttest

import (
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"math/rand/v2"
	"slices"
)

// specialFx7 builds samples for the rules of redact/rules_fx7*.go.
var specialFx7 = map[string]func(*rand.Rand) (secret, line string){
	"table-secret-column": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 40)
		return v, "id,email,api_token\n7,a@example.test," + v + "\n"
	},
}

func init() {
	for id, f := range specialFx7 {
		special[id] = f
	}
}

var specialFx7b = map[string]func(*rand.Rand) (secret, line string){
	"call-credential-argument": func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 17)
		return v, `conn = DriverManager.getConnection(url, "app", "` + v + `");`
	},
	"powershell-plaintext-password": func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 13)
		return v, `$pw = ConvertTo-SecureString "` + v + `" -AsPlainText -Force`
	},
	"net-use-password": func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 13)
		return v, `net use Z: \\fs01\share /user:CORP\svc ` + v + "\n"
	},
	"curl-user-key": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 32)
		return v, "curl -u " + v + ": https://api.example.test/v1/items\n"
	},
	"basic-auth-user-key": func(r *rand.Rand) (string, string) {
		t := base64.StdEncoding.EncodeToString([]byte(randString(r, "0123456789abcdef", 32) + ":"))
		return t, "Authorization: Basic " + t + "\n"
	},
	"keyed-uuid-secret": func(r *rand.Rand) (string, string) {
		h := "0123456789abcdef"
		v := randString(r, h, 8) + "-" + randString(r, h, 4) + "-4" + randString(r, h, 3) + "-a" + randString(r, h, 3) + "-" + randString(r, h, 12)
		return v, "export SCW_SECRET_KEY=" + v + "\n"
	},
	"string-pair-secret": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 32)
		return v, `req.header("X-Api-Key", "` + v + `")`
	},
	"gossip-encryption-key": func(r *rand.Rand) (string, string) {
		v := base64.StdEncoding.EncodeToString([]byte(randString(r, alnum, 32)))
		return v, `encrypt = "` + v + `"` + "\n"
	},
}

func init() {
	for id, f := range specialFx7b {
		special[id] = f
	}
}

var specialFx7c = map[string]func(*rand.Rand) (secret, line string){
	"password-passphrase": func(r *rand.Rand) (string, string) {
		words := []string{"orbit", "tulip", "granite", "falcon", "meadow", "copper", "lantern", "violet", "harbor", "pebble"}
		v := words[r.IntN(10)] + " " + words[r.IntN(10)] + " " + words[r.IntN(10)] + " " + words[r.IntN(10)]
		return v, `{"username": "ops", "password": "` + v + `"}` + "\n"
	},
	"oauth-code-member": func(r *rand.Rand) (string, string) {
		v := "4/0A" + randString(r, alnum, 40)
		return v, `{"grant_type": "authorization_code", "code": "` + v + `", "redirect_uri": "https://app.example.test/cb"}` + "\n"
	},
	"aligned-table-secret": func(r *rand.Rand) (string, string) {
		v := "Fk9-" + randString(r, alnum, 16)
		return v, "Key        Value\n---        -----\nusername   v-ro-abc\npassword   " + v + "\n"
	},
	"k8s-secret-data": func(r *rand.Rand) (string, string) {
		v := base64.StdEncoding.EncodeToString([]byte("https://hooks.example.test/" + randString(r, alnum, 12)))
		return v, "apiVersion: v1\nkind: Secret\ndata:\n  WEBHOOK: " + v + "\n"
	},
	"oauth-code-param": func(r *rand.Rand) (string, string) {
		v := "4%2F0A" + randString(r, alnum, 60)
		return v, "Location: https://app.example.test/oauth/callback?state=xyz&code=" + v + "&scope=email\n"
	},
	"warning-banner-cookie": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789ABCDEF", 96)
		return v, "Cookie: .ROBLOSECURITY=_|WARNING:-DO-NOT-SHARE-THIS.|_" + v + "; other=1\n"
	},
	"bitcoin-wif-key": func(r *rand.Rand) (string, string) {
		v := WIF(r)
		return v, "wallet (WIF): " + v + "\n"
	},
	"eth-accounts-private-key": func(r *rand.Rand) (string, string) {
		v := "0x" + randString(r, "0123456789abcdef", 64)
		return v, `sepolia: { url: "https://rpc.example.test", accounts: ["` + v + `"] },` + "\n"
	},
}

// WIF returns a random compressed mainnet private key in wallet import
// format (Base58Check with a valid checksum).
func WIF(r *rand.Rand) string {
	raw := []byte{0x80}
	for range 32 {
		raw = append(raw, byte(r.IntN(256))) //nolint:gosec // 0..255
	}
	raw = append(raw, 0x01)
	h := sha256.Sum256(raw)
	h = sha256.Sum256(h[:])
	raw = append(raw, h[:4]...)
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	n := new(big.Int).SetBytes(raw)
	var out []byte
	mod := new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, big.NewInt(58), mod)
		out = append(out, alphabet[mod.Int64()])
	}
	slices.Reverse(out)
	return string(out)
}

func init() {
	for id, f := range specialFx7c {
		special[id] = f
	}
}
