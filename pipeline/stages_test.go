package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/identity"
)

// fakeVerifier identifies every request as id, or fails with err; the token rides in header.
type fakeVerifier struct {
	id     exchange.Identity
	err    error
	header string
}

func (f fakeVerifier) IdentifyFrom(_ context.Context, x *exchange.Exchange, _ map[string]map[string]any, _ string) error {
	if f.err != nil {
		return f.err
	}
	x.Identity = f.id
	return nil
}

func (f fakeVerifier) CredentialHeaders(x *exchange.Exchange) []string {
	if f.header != "" && x.Request.Headers.Has(f.header) {
		return []string{f.header}
	}
	return nil
}

func TestIdentityReturnsTheTokenHeadersToStrip(t *testing.T) {
	x := &exchange.Exchange{Request: exchange.Request{Headers: exchange.Headers{{Key: "x-agent-identity", Value: "tok"}}}}
	strip, err := Identity{V: fakeVerifier{id: agent, header: "x-agent-identity"}}.Identify(context.Background(), x, extproc.Metadata{})
	if err != nil || len(strip) != 1 || strip[0] != "x-agent-identity" || x.Identity.Subject != agent.Subject {
		t.Fatalf("strip %v, err %v, identity %+v", strip, err, x.Identity)
	}
}

func TestIdentityErrorsBecomeRejects(t *testing.T) {
	ie := &identity.Error{Status: 401, Code: identity.CodeExpired, Reason: "token expired"}
	_, err := Identity{V: fakeVerifier{err: fmt.Errorf("verify: %w", ie)}}.Identify(context.Background(), &exchange.Exchange{}, extproc.Metadata{})
	var rj *extproc.Reject
	if !errors.As(err, &rj) || rj.Status != 401 || rj.Code != identity.CodeExpired || rj.Reason != "token expired" {
		t.Fatalf("got %v, want the 401 reject", err)
	}
	other := errors.New("boom")
	if _, err := (Identity{V: fakeVerifier{err: other}}).Identify(context.Background(), &exchange.Exchange{}, extproc.Metadata{}); !errors.Is(err, other) {
		t.Fatalf("got %v, want the error as it is (extproc refuses it with 500)", err)
	}
}

// Without an identity section every request still gets a session, from its source address.
func TestAnonymousGivesASession(t *testing.T) {
	md := extproc.Metadata{Attributes: map[string]map[string]any{"envoy.filters.http.ext_proc": {"source.address": "10.0.0.7:5000"}}}
	x := &exchange.Exchange{Request: exchange.Request{Headers: exchange.Headers{{Key: "user-agent", Value: "sdk/1"}}}}
	strip, err := Anonymous{}.Identify(context.Background(), x, md)
	if err != nil || strip != nil || x.Identity.Session == "" || x.Identity.Subject != "" {
		t.Fatalf("strip %v err %v identity %+v", strip, err, x.Identity)
	}
	y := &exchange.Exchange{Request: exchange.Request{Headers: exchange.Headers{{Key: "user-agent", Value: "sdk/1"}}}}
	md.Attributes["envoy.filters.http.ext_proc"]["source.address"] = "10.0.0.8:5000"
	_, _ = Anonymous{}.Identify(context.Background(), y, md)
	if y.Identity.Session == x.Identity.Session {
		t.Fatalf("two clients share session %q", x.Identity.Session)
	}
	if x.Request.ClientAddress != "10.0.0.7" || y.Request.ClientAddress != "10.0.0.8" {
		t.Fatalf("client addresses %q, %q: want Envoy's source.address for the record", x.Request.ClientAddress, y.Request.ClientAddress)
	}
}

type fakeRoles map[string]string

func (f fakeRoles) RoleFor(authority, path string) (string, bool) {
	r, ok := f[authority+path]
	return r, ok
}

func TestRouterSetsTheCredentialRole(t *testing.T) {
	r := Router{Roles: fakeRoles{"db.internal/q": "orders-db"}}
	x := &exchange.Exchange{Request: exchange.Request{Authority: "db.internal", Path: "/q"}}
	r.Route(x)
	if x.Route.CredentialRole != "orders-db" || len(x.Credentials) != 0 {
		t.Fatalf("route %+v, credentials %+v: want the role, and no lease recorded", x.Route, x.Credentials)
	}
	y := &exchange.Exchange{Request: exchange.Request{Authority: "other", Path: "/"}}
	r.Route(y)
	if y.Route.CredentialRole != "" {
		t.Fatalf("no route: got role %q", y.Route.CredentialRole)
	}
}

// fakeLeaser answers Inject with inj or err and remembers the session it was asked for.
type fakeLeaser struct {
	inj     creds.Injection
	err     error
	session string
}

func (f *fakeLeaser) Inject(_ context.Context, session, _, _ string) (creds.Injection, error) {
	f.session = session
	return f.inj, f.err
}

func TestCredentialsInjectRecordsTheLease(t *testing.T) {
	l := &fakeLeaser{inj: creds.Injection{
		Role: "openai", LeaseID: "kv/openai", TTL: time.Minute,
		Set: []creds.HeaderValue{{Name: "authorization", Value: "Bearer sk-1"}}, Remove: []string{"authorization"},
		Secrets: []string{"sk-1"},
	}}
	x := &exchange.Exchange{Identity: agent, Route: exchange.Route{CredentialRole: "openai"}}
	inj, err := Credentials{Leases: l}.Inject(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	if len(inj.Set) != 1 || inj.Set[0] != (exchange.Header{Key: "authorization", Value: "Bearer sk-1"}) || inj.Remove[0] != "authorization" || inj.Secrets[0] != "sk-1" {
		t.Fatalf("injection %+v", inj)
	}
	want := exchange.Credential{Role: "openai", LeaseID: "kv/openai", TTL: time.Minute}
	if len(x.Credentials) != 1 || x.Credentials[0] != want || l.session != agent.Session {
		t.Fatalf("credentials %+v (session %q), want %+v for %q", x.Credentials, l.session, want, agent.Session)
	}
	if x.Route.CredentialRole != "openai" {
		t.Fatalf("route changed: %+v", x.Route)
	}
}

func TestCredentialsErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int // 0: no error
	}{
		{"no route: nothing to inject", fmt.Errorf("%w: host", creds.ErrNoRoute), 0},
		{"vault down", fmt.Errorf("%w: dial", creds.ErrUnavailable), 503},
		{"vault refused", fmt.Errorf("%w: 403", creds.ErrVault), 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &fakeLeaser{err: tc.err}
			x := &exchange.Exchange{}
			inj, err := Credentials{Leases: l}.Inject(context.Background(), x)
			if l.session != AnonymousSession {
				t.Fatalf("session %q, want %q for a request without identity", l.session, AnonymousSession)
			}
			if len(x.Credentials) != 0 || len(inj.Set) != 0 {
				t.Fatalf("injected %+v / %+v after an error", inj, x.Credentials)
			}
			var rj *extproc.Reject
			switch {
			case tc.status == 0 && err != nil:
				t.Fatalf("err %v", err)
			case tc.status != 0 && (!errors.As(err, &rj) || rj.Status != tc.status || rj.Code != "credentials_unavailable"):
				t.Fatalf("err %v, want %d credentials_unavailable", err, tc.status)
			}
		})
	}
	other := errors.New("template")
	if _, err := (Credentials{Leases: &fakeLeaser{err: other}}).Inject(context.Background(), &exchange.Exchange{}); !errors.Is(err, other) {
		t.Fatalf("got %v", err)
	}
}

// exchangeLeaser records the keys of the exchange leases asked for and ended.
type exchangeLeaser struct {
	fakeLeaser
	injected, ended []string
}

func (f *exchangeLeaser) InjectExchange(_ context.Context, key, _, _ string) (creds.Injection, error) {
	f.injected = append(f.injected, key)
	return f.inj, f.err
}

func (f *exchangeLeaser) EndExchange(_ context.Context, key string) error {
	f.ended = append(f.ended, key)
	return nil
}

type trackedSet map[string]bool

func (s trackedSet) Tracked(id string) bool { return s[id] }

// A request of an untracked session gets a lease of its own, named so that another exchange
// with the same request id (a client chooses x-request-id) never shares or ends it; a tracked
// session's request leases per session.
func TestCredentialsLeasePerExchangeForUntrackedSessions(t *testing.T) {
	l := &exchangeLeaser{fakeLeaser: fakeLeaser{inj: creds.Injection{Role: "db", LeaseID: "database/creds/app/1"}}}
	c := Credentials{Leases: l, Exchanges: l, Sessions: trackedSet{"s_tracked": true}}
	a := &exchange.Exchange{ID: "same-id", Identity: exchange.Identity{Session: "s_full"}}
	b := &exchange.Exchange{ID: "same-id", Identity: exchange.Identity{Session: "s_full"}}
	for _, x := range []*exchange.Exchange{a, b} {
		if _, err := c.Inject(context.Background(), x); err != nil {
			t.Fatal(err)
		}
	}
	if len(l.injected) != 2 || l.injected[0] == l.injected[1] || l.session != "" {
		t.Fatalf("exchange leases %q (session lease %q): want two keys of their own", l.injected, l.session)
	}
	c.Release(context.Background(), a)
	if len(l.ended) != 1 || l.ended[0] != l.injected[0] {
		t.Fatalf("ended %q, want only %q", l.ended, l.injected[0])
	}
	tracked := &exchange.Exchange{ID: "t", Identity: exchange.Identity{Session: "s_tracked"}}
	if _, err := c.Inject(context.Background(), tracked); err != nil || l.session != "s_tracked" || len(l.injected) != 2 {
		t.Fatalf("tracked session: lease for %q, exchange leases %q, %v", l.session, l.injected, err)
	}
}
