package redact

import (
	"bytes"
	"encoding/base64"
	"hash/crc32"
	"math"
)

// shannon returns the Shannon entropy of v in bits per byte.
func shannon(v []byte) float64 {
	if len(v) == 0 {
		return 0
	}
	var counts [256]int
	for _, c := range v {
		counts[c]++
	}
	n := float64(len(v))
	h := 0.0
	for _, k := range counts {
		if k > 0 {
			p := float64(k) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

func base62Value(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}

// githubChecksum validates GitHub's token format: prefix_ + 30 base62 chars +
// 6 base62 chars encoding the CRC32 (IEEE) of those 30 chars.
func githubChecksum(tok []byte) bool {
	i := bytes.IndexByte(tok, '_')
	if i < 0 || len(tok)-i-1 != 36 {
		return false
	}
	body := tok[i+1:]
	var sum uint64
	for _, c := range body[30:] {
		v := base62Value(c)
		if v < 0 {
			return false
		}
		sum = sum*62 + uint64(v)
	}
	return sum == uint64(crc32.ChecksumIEEE(body[:30]))
}

// luhn validates a digit string with the Luhn check digit.
func luhn(digits []byte) bool {
	if len(digits) == 0 {
		return false
	}
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// ibanLengths holds the IBAN length for each country (ISO 13616 registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
	"LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
	"NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
	"SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
	"TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// ibanValid checks an IBAN without spaces: country length and mod-97 == 1.
func ibanValid(v []byte) bool {
	if len(v) < 15 || len(v) > 34 {
		return false
	}
	want, ok := ibanLengths[string(v[:2])]
	if !ok || want != len(v) {
		return false
	}
	rem := 0
	step := func(c byte) bool {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
		return true
	}
	for _, c := range v[4:] {
		if !step(c) {
			return false
		}
	}
	for _, c := range v[:4] {
		if !step(c) {
			return false
		}
	}
	return rem == 1
}

// jwtHeader accepts a JWT whose first segment decodes to a JSON object with an
// "alg" or "typ" member.
func jwtHeader(tok []byte) bool {
	i := bytes.IndexByte(tok, '.')
	if i < 0 {
		return false
	}
	hdr, err := base64.RawURLEncoding.AppendDecode(nil, bytes.TrimRight(tok[:i], "="))
	if err != nil {
		return false
	}
	return len(hdr) > 0 && hdr[0] == '{' && (bytes.Contains(hdr, []byte(`"alg"`)) || bytes.Contains(hdr, []byte(`"typ"`)))
}

// basicAuth accepts base64 that decodes to printable user:password.
func basicAuth(v []byte) bool {
	dec, err := base64.RawStdEncoding.AppendDecode(nil, bytes.TrimRight(v, "="))
	if err != nil {
		return false
	}
	colon := bytes.IndexByte(dec, ':')
	if colon < 1 || colon == len(dec)-1 || !plausiblePassword(dec[colon+1:]) {
		return false
	}
	for _, c := range dec {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// hasDigitAndLetter is the minimum shape of a generated credential.
func hasDigitAndLetter(v []byte) bool {
	d, l := false, false
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			d = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			l = true
		}
	}
	return d && l
}
