package identity

import (
	"context"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func BenchmarkIdentifyJWT(b *testing.B) {
	testKeys(b)
	for _, alg := range []struct {
		name string
		key  any
		pub  any
		a    jose.SignatureAlgorithm
	}{{"RS256", rsaKey1, &rsaKey1.PublicKey, jose.RS256}, {"ES256", ecKey, &ecKey.PublicKey, jose.ES256}} {
		for _, cached := range []bool{false, true} {
			b.Run(alg.name+map[bool]string{false: "/verify", true: "/cached"}[cached], func(b *testing.B) {
				clk := newClock()
				is := newIssuer(b, pub(alg.pub, "k", string(alg.a)))
				cfg := jwtConfig(is, false)
				if !cached {
					cfg.JWT.VerifiedCacheTTL = -1
				}
				v, err := New(context.Background(), cfg, WithNow(clk.Now))
				if err != nil {
					b.Fatal(err)
				}
				defer v.Close(context.Background())
				tok := sign(b, alg.key, "k", alg.a, claimsAt(is, clk.Now()))
				x := exchangeWith("x-agent-identity", tok)
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if err := v.Identify(context.Background(), x, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkParseXFCC(b *testing.B) {
	h := `By=spiffe://prod.example/envoy;Hash=468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688;Subject="/C=US/ST=CA/L=San Francisco/OU=Lyft/CN=Test Client";URI=spiffe://prod.example/ns/agents/sa/coder`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseXFCC(h); err != nil {
			b.Fatal(err)
		}
	}
}
