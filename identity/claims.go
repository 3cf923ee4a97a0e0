package identity

import (
	"fmt"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// maxGroups bounds the groups taken from a token.
const maxGroups = 256

// mapClaims turns verified claims into an identity.
//
// Delegation follows RFC 8693 §4.1: in a token with an "act" claim, "sub" is the principal the
// token is about (the human) and "act.sub" is the party acting for it (the agent). So act.sub
// becomes the agent and sub becomes on_behalf_of; the subject stays sub. A configured
// claims.on_behalf_of claim, when present, overrides that.
func (v *Verifier) mapClaims(claims map[string]any, method string) (exchange.Identity, *Error) {
	c := v.cfg.Claims
	sub, _ := lookup(claims, c.Subject).(string)
	if sub == "" {
		return exchange.Identity{}, unauthorized(CodeMissingClaim, fmt.Sprintf("token has no string %s claim", c.Subject))
	}
	id := exchange.Identity{Subject: sub, Method: method, Claims: claims}
	id.Issuer, _ = claims["iss"].(string)
	id.Groups = stringList(lookup(claims, c.Groups))
	for _, name := range c.Agent {
		if a, ok := lookup(claims, name).(string); ok && a != "" {
			id.Agent = a
			break
		}
	}
	if actor, ok := lookup(claims, "act.sub").(string); ok && actor != "" {
		id.Agent = actor
		id.OnBehalfOf = sub
	}
	if c.OnBehalfOf != "" {
		if o, ok := lookup(claims, c.OnBehalfOf).(string); ok && o != "" {
			id.OnBehalfOf = o
		}
	}
	return id, nil
}

// lookup follows a dotted path through nested objects. A claim whose own name contains a dot
// (e.g. "https://example.com/groups") is found by its full name first.
func lookup(claims map[string]any, path string) any {
	if v, ok := claims[path]; ok {
		return v
	}
	cur := any(claims)
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}

// stringList accepts an array of strings or a single space- or comma-separated string (both
// shapes occur in the wild for groups and scopes).
func stringList(v any) []string {
	var out []string
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, t...)
	case string:
		out = strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == ',' })
	}
	if len(out) > maxGroups {
		out = out[:maxGroups]
	}
	return out
}
