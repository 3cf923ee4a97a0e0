package redact

import (
	"bytes"
	"crypto/sha256"
	"math/big"
)

// Credentials that travel in OAuth redirects, Azure Functions URLs, cookies
// with a provider's own shape, and wallets:
//
//   - an authorization code in a redirect (`/callback?state=…&code=4%2F0A…`),
//     in a form body that redeems it (`grant_type=authorization_code&code=…`),
//     or an Azure Functions function key (`*.azurewebsites.net/api/f?code=…`):
//     `code=` is a credential only there, so the URL or body must say so;
//   - Roblox's `.ROBLOSECURITY` cookie, whose value starts with a warning
//     banner (`_|WARNING:-DO-NOT-SHARE-THIS…|_`) before the session token;
//   - Bitcoin private keys in wallet import format (Base58Check, version
//     0x80 or 0xef, checksum verified) after a word naming them, and
//     Ethereum private keys in a Hardhat/Truffle `accounts: ["0x…"]` list.

// lookB64Body marks the header of a MIME part in base64: its body, wrapped
// at 76 columns, is decoded whole (lookthrough_wrapped.go) whatever words
// the text it encodes holds.
const lookB64Body lookKind = 200

// mimeB64BodyStart returns where the body of the part whose
// Content-Transfer-Encoding header ends at h starts, or -1.
func mimeB64BodyStart(b []byte, h int) int {
	bs := qpBodyStart(b, h)
	if bs < 0 {
		return -1
	}
	for bs < len(b) && (b[bs] == '\r' || b[bs] == '\n') {
		bs++
	}
	return bs
}

func oauthRules() []*rule {
	return []*rule{
		custom("oauth-code-param", Secret, 4096, matchOAuthCode, "code=").noHoldBack(),
		custom("oauth-code-member", Secret, 4096, matchOAuthCodeMember, `"code":`, `"code" :`, `'code':`),
		custom("warning-banner-cookie", Secret, 8192, matchBannerCookie, "_|warning:"),
		custom("bitcoin-wif-key", Secret, 512, matchWIF, "wif", "privkey", "private key", "importprivkey"),
		customMulti("eth-accounts-private-key", Secret, 4096, matchEthAccounts, "accounts"),
	}
}

// oauthCodeContext are words of a URL or body that say `code=` is an
// authorization code or a function key.
var oauthCodeContext = []string{
	"callback", "redirect", "oauth", "authorize", "signin", "sign-in", "login", "/auth", "grant_type=authorization_code",
	"azurewebsites.net/api/", "azurewebsites.net/runtime/", "azure-api.net",
}

func matchOAuthCode(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks == 0 || b[ks-1] != '?' && b[ks-1] != '&' && b[ks-1] != '#' && b[ks-1] != ' ' && b[ks-1] != '\n' && b[ks-1] != '"' {
		return -1, -1, -1
	}
	s := ke
	e := s
	for e < len(b) && e-s < 2048 && (isAlnum(b[e]) || bytes.IndexByte([]byte("%-_./~+="), b[e]) >= 0) {
		e++
	}
	if e == len(b) {
		return -1, -1, pendIfNear(b, ks, 4096)
	}
	v := b[s:e]
	if len(v) < 16 || !hasDigitAndLetter(v) || isPlaceholder(v) || shannon(v) < 3.5 {
		return -1, -1, -1
	}
	// The URL or body the parameter is in: back to a blank or a quote, and
	// the rest of its line.
	us := ks
	for us > 0 && ks-us < 2048 && b[us-1] > ' ' && b[us-1] != '"' && b[us-1] != '\'' {
		us--
	}
	le := bytes.IndexByte(b[e:min(len(b), e+2048)], '\n')
	if le < 0 {
		le = min(len(b), e+2048) - e
	}
	ctx := bytes.ToLower(b[us : e+le])
	for _, w := range oauthCodeContext {
		if bytes.Contains(ctx, []byte(w)) {
			return s, e, -1
		}
	}
	return -1, -1, -1
}

func matchBannerCookie(_ *rule, b []byte, ks, ke int) (int, int, int) {
	j := bytes.Index(b[ke:min(len(b), ke+512)], []byte("|_"))
	if j < 0 {
		return -1, -1, pendIfNear(b, ks, 8192)
	}
	s := ke + j + 2
	e := s
	for e < len(b) && e-s < 4096 && b[e] > ' ' && b[e] != ';' && b[e] != '"' && b[e] != '\'' && b[e] != ',' {
		e++
	}
	if e == len(b) {
		return -1, -1, pendIfNear(b, ks, 8192)
	}
	if e-s < 32 || !opaqueValue(b[s:e], false) {
		return -1, -1, -1
	}
	return s, e, -1
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var base58Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = int8(i)
	}
	return t
}()

// wifKey reports a private key in wallet import format: Base58Check of
// version 0x80 (mainnet) or 0xef (testnet), 32 key bytes, an optional 0x01
// (compressed), and a 4-byte double-SHA-256 checksum.
func wifKey(v []byte) bool {
	if len(v) != 51 && len(v) != 52 {
		return false
	}
	n := new(big.Int)
	radix := big.NewInt(58)
	for _, c := range v {
		d := base58Index[c]
		if d < 0 {
			return false
		}
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(d)))
	}
	raw := n.Bytes()
	if len(raw) != 37 && len(raw) != 38 || raw[0] != 0x80 && raw[0] != 0xef || len(raw) == 38 && raw[33] != 0x01 {
		return false
	}
	body, sum := raw[:len(raw)-4], raw[len(raw)-4:]
	h := sha256.Sum256(body)
	h = sha256.Sum256(h[:])
	return bytes.Equal(h[:4], sum)
}

// matchWIF finds a WIF key within a few lines after a word naming one.
func matchWIF(_ *rule, b []byte, ks, ke int) (int, int, int) {
	end := min(len(b), ke+256)
	for i := ke; i < end; i++ {
		if base58Index[b[i]] < 0 || i > 0 && base58Index[b[i-1]] >= 0 {
			continue
		}
		j := i
		for j < len(b) && j-i <= 52 && base58Index[b[j]] >= 0 {
			j++
		}
		if j == len(b) && j-i <= 52 {
			return -1, -1, pendIfNear(b, ks, 512)
		}
		if wifKey(b[i:j]) {
			return i, j, -1
		}
		i = j
	}
	if end == len(b) {
		return -1, -1, pendIfNear(b, ks, 512)
	}
	return -1, -1, -1
}

// matchEthAccounts finds the private keys of an `accounts` list in a
// Hardhat, Truffle or Foundry network config: quoted 0x and 64 hex digits.
func matchEthAccounts(r *rule, b []byte, ks, ke int, out []span) ([]span, int) {
	i := ke
	if i < len(b) && (b[i] == '"' || b[i] == '\'') {
		i++
	}
	i = skipSpaces(b, i, 4)
	if i >= len(b) {
		return out, pendIfNear(b, ks, 4096)
	}
	if b[i] != ':' && b[i] != '=' {
		return out, -1
	}
	i = skipSpaces(b, i+1, 4)
	if i >= len(b) {
		return out, pendIfNear(b, ks, 4096)
	}
	if b[i] != '[' {
		return out, -1
	}
	end := bytes.IndexByte(b[i:min(len(b), i+4096)], ']')
	if end < 0 {
		return out, pendIfNear(b, ks, 4096)
	}
	list := b[i : i+end]
	for k := 0; k+66 <= len(list); k++ {
		if list[k] != '0' || list[k+1] != 'x' || k > 0 && isAlnum(list[k-1]) {
			continue
		}
		v := list[k+2 : k+66]
		if allHex(v) && (k+66 == len(list) || !isAlnum(list[k+66])) && shannon(v) >= 3.0 {
			out = addSpan(out, r, i+k, i+k+66)
		}
	}
	return out, -1
}

// matchOAuthCodeMember finds the code of a token request written as JSON or
// a dict (`{"grant_type": "authorization_code", "code": "..."}`): the grant
// type must stand in the same object, within 512 bytes either side.
func matchOAuthCodeMember(_ *rule, b []byte, ks, ke int) (int, int, int) {
	i := skipSpaces(b, ke, 8)
	if i >= len(b) {
		return -1, -1, pendIfNear(b, ks, 4096)
	}
	q := b[i]
	if q != '"' && q != '\'' {
		return -1, -1, -1
	}
	s := i + 1
	e := s
	for e < len(b) && e-s < 2048 && b[e] != q && b[e] != '\n' && b[e] != '\\' {
		e++
	}
	if e == len(b) {
		return -1, -1, pendIfNear(b, ks, 4096)
	}
	v := b[s:e]
	if b[e] != q || len(v) < 16 || !hasDigitAndLetter(v) || isPlaceholder(v) || shannon(v) < 3.5 {
		return -1, -1, -1
	}
	from, to := max(0, ks-512), min(len(b), e+512)
	if ob := bytes.LastIndexByte(b[from:ks], '{'); ob >= 0 {
		from += ob
	}
	if cb := bytes.IndexByte(b[e:to], '}'); cb >= 0 {
		to = e + cb
	}
	if !bytes.Contains(b[from:to], []byte("authorization_code")) {
		return -1, -1, -1
	}
	return s, e, -1
}
