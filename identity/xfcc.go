package identity

import (
	"errors"
	"fmt"
	"strings"
)

// maxXFCCBytes bounds the x-forwarded-client-cert header; maxXFCCElements bounds the proxies it
// may list.
const (
	maxXFCCBytes    = 64 << 10
	maxXFCCElements = 32
)

// XFCCElement is one element of an x-forwarded-client-cert header: the client certificate one
// proxy saw. Keys are lowercased (by, hash, cert, chain, subject, uri, dns); a key may repeat (a
// certificate with several URI SANs gives several uri values).
type XFCCElement map[string][]string

// First returns the first value of key, or "".
func (e XFCCElement) First(key string) string {
	if v := e[strings.ToLower(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// ParseXFCC parses Envoy's x-forwarded-client-cert header: elements separated by ',', key=value
// pairs separated by ';', values optionally double-quoted (quoted values may contain ',', ';', '='
// and backslash-escaped characters).
func ParseXFCC(h string) ([]XFCCElement, error) {
	if len(h) > maxXFCCBytes {
		return nil, fmt.Errorf("x-forwarded-client-cert is %d bytes, over the %d byte limit", len(h), maxXFCCBytes)
	}
	p := xfccParser{s: h}
	var out []XFCCElement
	for {
		el, err := p.element()
		if err != nil {
			return nil, err
		}
		out = append(out, el)
		if len(out) > maxXFCCElements {
			return nil, fmt.Errorf("x-forwarded-client-cert lists more than %d elements", maxXFCCElements)
		}
		if p.done() {
			return out, nil
		}
		p.i++ // the ',' that ended the element
	}
}

type xfccParser struct {
	s string
	i int
}

func (p *xfccParser) done() bool { return p.i >= len(p.s) }

func (p *xfccParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// element parses pairs up to the next top-level ',' or the end.
func (p *xfccParser) element() (XFCCElement, error) {
	el := XFCCElement{}
	for {
		p.skipSpace()
		start := p.i
		for p.i < len(p.s) && p.s[p.i] != '=' && p.s[p.i] != ';' && p.s[p.i] != ',' {
			p.i++
		}
		key := strings.ToLower(strings.TrimSpace(p.s[start:p.i]))
		if key == "" {
			return nil, fmt.Errorf("x-forwarded-client-cert: empty key at byte %d", start)
		}
		if p.done() || p.s[p.i] != '=' {
			return nil, fmt.Errorf("x-forwarded-client-cert: key %q has no '=' value", key)
		}
		p.i++
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		el[key] = append(el[key], val)
		p.skipSpace()
		if p.done() || p.s[p.i] == ',' {
			return el, nil
		}
		p.i++ // ';'
	}
}

// value parses a bare or quoted value and leaves p.i on the following ';', ',' or end.
func (p *xfccParser) value() (string, error) {
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '"' {
		return p.quoted()
	}
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ';' && p.s[p.i] != ',' {
		if p.s[p.i] == '"' {
			return "", errors.New("x-forwarded-client-cert: quote inside an unquoted value")
		}
		p.i++
	}
	return strings.TrimSpace(p.s[start:p.i]), nil
}

func (p *xfccParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", errors.New("x-forwarded-client-cert: backslash at end of header")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case '"':
			p.i++
			p.skipSpace()
			if !p.done() && p.s[p.i] != ';' && p.s[p.i] != ',' {
				return "", fmt.Errorf("x-forwarded-client-cert: unexpected %q after a quoted value", p.s[p.i])
			}
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", errors.New("x-forwarded-client-cert: unterminated quoted value")
}

// SPIFFEID is a parsed spiffe://trust-domain/path identifier.
type SPIFFEID struct {
	TrustDomain string
	Path        string
}

func (s SPIFFEID) String() string { return "spiffe://" + s.TrustDomain + s.Path }

// ParseSPIFFEID validates a SPIFFE ID as the SPIFFE-ID specification defines it: lowercase trust
// domain of [a-z0-9.-_], a path of non-empty segments of [a-zA-Z0-9.-_] that are not "." or "..",
// no query, fragment, port or user info.
func ParseSPIFFEID(s string) (SPIFFEID, error) {
	const scheme = "spiffe://"
	if len(s) > 2048 {
		return SPIFFEID{}, errors.New("SPIFFE ID is longer than 2048 bytes")
	}
	if !strings.HasPrefix(s, scheme) {
		return SPIFFEID{}, errors.New("not a spiffe:// URI")
	}
	rest := s[len(scheme):]
	td, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		td, path = rest[:i], rest[i:]
	}
	if !validTrustDomain(td) {
		return SPIFFEID{}, fmt.Errorf("SPIFFE ID has an invalid trust domain %q", td)
	}
	if path != "" {
		for _, seg := range strings.Split(path[1:], "/") {
			if seg == "" || seg == "." || seg == ".." {
				return SPIFFEID{}, errors.New("SPIFFE ID path has an empty, '.' or '..' segment")
			}
			for i := 0; i < len(seg); i++ {
				if !pathChar(seg[i]) {
					return SPIFFEID{}, fmt.Errorf("SPIFFE ID path has an invalid character %q", seg[i])
				}
			}
		}
	}
	return SPIFFEID{TrustDomain: td, Path: path}, nil
}

func validTrustDomain(td string) bool {
	if td == "" || len(td) > 255 {
		return false
	}
	for i := 0; i < len(td); i++ {
		c := td[i]
		lower, digit := c >= 'a' && c <= 'z', c >= '0' && c <= '9'
		if !lower && !digit && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func pathChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
}
