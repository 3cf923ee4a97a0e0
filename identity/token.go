package identity

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// tokenHeader is the part of a JOSE header warden looks at before verifying.
type tokenHeader struct {
	Alg  string   `json:"alg"`
	Kid  string   `json:"kid"`
	Typ  string   `json:"typ"`
	Crit []string `json:"crit"`
}

// preParsed is a compact JWS split and decoded, not yet verified.
type preParsed struct {
	header tokenHeader
	claims map[string]any
}

// preParse checks the shape of a compact JWS (three base64url parts, JSON object header with a
// string alg, JSON object payload) without trusting anything in it. Every failure is an *Error
// with a distinct code and a reason that does not quote the token.
func preParse(tok string) (*preParsed, *Error) {
	if len(tok) > MaxTokenBytes {
		return nil, unauthorized(CodeTooLarge, fmt.Sprintf("token is %d bytes, over the %d byte limit", len(tok), MaxTokenBytes))
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, unauthorized(CodeMalformed, fmt.Sprintf("token has %d dot-separated parts, a JWS has 3", len(parts)))
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, unauthorized(CodeMalformed, "token header is not base64url")
	}
	var h tokenHeader
	if err := strictObject(hb, &h); err != nil {
		return nil, unauthorized(CodeMalformed, "token header is not a JSON object with string alg and kid")
	}
	switch {
	case strings.EqualFold(h.Alg, "none"):
		return nil, unauthorized(CodeAlgNone, "unsigned tokens (alg none) are refused")
	case h.Alg == "":
		return nil, unauthorized(CodeMalformed, "token header has no alg")
	case len(h.Crit) > 0:
		return nil, unauthorized(CodeMalformed, "token header has critical extensions warden does not understand")
	}
	if parts[2] == "" {
		return nil, unauthorized(CodeMalformed, "token has an empty signature")
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return nil, unauthorized(CodeMalformed, "token signature is not base64url")
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, unauthorized(CodeMalformed, "token payload is not base64url")
	}
	claims, err := decodeClaims(pb)
	if err != nil {
		return nil, unauthorized(CodeMalformed, "token payload is not a JSON object")
	}
	return &preParsed{header: h, claims: claims}, nil
}

// strictObject decodes one JSON object into v and refuses trailing data.
func strictObject(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return fmt.Errorf("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after JSON object")
	}
	return nil
}

// decodeClaims decodes a claims object, keeping numbers exact (json.Number) until normalised.
func decodeClaims(b []byte) (map[string]any, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON object")
	}
	return normalize(m).(map[string]any), nil
}

// normalize turns json.Number into int64 when integral, float64 otherwise, so that claims look the
// same whether they came from a token or from Envoy's metadata (where every number is float64
// after structpb conversion, and CEL sees int or double).
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalize(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = normalize(e)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	}
	return v
}

// numericDate reads a NumericDate claim (RFC 7519 §2): seconds since the epoch, possibly
// fractional. ok is false when the claim is absent; err when it is not a usable number.
func numericDate(claims map[string]any, name string) (t time.Time, ok bool, err error) {
	v, present := claims[name]
	if !present {
		return time.Time{}, false, nil
	}
	var f float64
	switch n := v.(type) {
	case int64:
		f = float64(n)
	case float64:
		f = n
	default:
		return time.Time{}, true, fmt.Errorf("claim %s is not a number", name)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, true, fmt.Errorf("claim %s is out of range", name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}

// jwtShaped reports whether a bearer value looks like a compact JWS (three parts, JSON header).
// Values in Authorization that are not (API keys) are ignored rather than refused.
func jwtShaped(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2
}
