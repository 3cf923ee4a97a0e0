package approval

import (
	"github.com/warden-gw/warden/exchange"
)

// DigestIssuer is the DigestVersion of a digest that binds the subject's issuer. Approvals
// without a DigestVersion were opened by replicas from before the issuer binding.
const DigestIssuer = 2

// Key is how an exchange's approvals are found: its digest, the digest a replica from before the
// issuer binding gave the same action (Legacy, LegacyDigest) and the caller's issuer.
//
// During a rolling upgrade both kinds of replica write to one store. An approval an old replica
// opened carries the legacy digest, which does not depend on the issuer, and no DigestVersion;
// its Requester.Issuer records the issuer it was opened for. A Key matches such an approval only
// when that recorded issuer is the caller's, so an approval never crosses issuers: the same
// subject name from another identity provider (or from none) has the same legacy digest and
// another issuer. The other way, old replicas never find an approval new replicas open: its
// digest is never a legacy one (see Digest and docs/approvals.md, "Upgrading").
type Key struct {
	Digest string
	Legacy string // "": match by Digest only (DigestKey)
	Issuer string
}

// KeyOf is the Key of an exchange's request and identity.
func KeyOf(x *exchange.Exchange) Key {
	r, id := x.Request, x.Identity
	who := Principal{Subject: id.Subject, Issuer: id.Issuer, Agent: id.Agent, Session: id.Session}
	return Key{
		Digest: digest(r.Method, r.Scheme, r.Authority, r.Path, r.Body, who, true),
		Legacy: digest(r.Method, r.Scheme, r.Authority, r.Path, r.Body, who, false),
		Issuer: id.Issuer,
	}
}

// DigestKey is the Key of a digest alone, for a caller without an issuer: it matches the approvals
// with that digest (an old replica's only where it recorded no issuer).
func DigestKey(digest string) Key { return Key{Digest: digest} }

// Matches reports whether a is an approval of k's action. An approval with DigestVersion
// DigestIssuer matches by digest. One without (an old replica opened it, or rewrote a new one
// and dropped the field it does not know) matches by either digest only where the issuer it
// recorded is the caller's: its digest may not bind the issuer (the legacy digest of the same
// subject name is the same for every issuer).
func (k Key) Matches(a Approval) bool {
	if a.DigestVersion >= DigestIssuer {
		return a.Digest == k.Digest
	}
	return (a.Digest == k.Digest || (k.Legacy != "" && a.Digest == k.Legacy)) && a.Requester.Issuer == k.Issuer
}

// Select returns the approvals of k's action (Matches), oldest first, from a lookup by digest
// (Store.ByDigest).
func (k Key) Select(byDigest func(string) []Approval) []Approval {
	var out []Approval
	for _, a := range byDigest(k.Digest) {
		if k.Matches(a) {
			out = append(out, a)
		}
	}
	if k.Legacy == "" || k.Legacy == k.Digest {
		return out
	}
	for _, a := range byDigest(k.Legacy) {
		if k.Matches(a) {
			out = append(out, a)
		}
	}
	return oldestFirst(out)
}
