package identity

import (
	"strings"
	"testing"
)

func FuzzParseXFCC(f *testing.F) {
	f.Add(`By=spiffe://a.org/w;Hash=abc;Subject="CN=a,O=\"b\"";URI=spiffe://a.org/x,URI=spiffe://b.org/y`)
	f.Fuzz(func(t *testing.T, h string) {
		els, err := ParseXFCC(h)
		if err != nil {
			return
		}
		if len(els) == 0 || len(els) > maxXFCCElements {
			t.Fatalf("%d elements without error", len(els))
		}
		for _, el := range els {
			for k := range el {
				if k == "" || k != strings.ToLower(k) {
					t.Fatalf("bad key %q", k)
				}
			}
			for _, u := range el["uri"] {
				if id, err := ParseSPIFFEID(u); err == nil && id.String() != u {
					t.Fatalf("SPIFFE ID %q round-trips to %q", u, id)
				}
			}
		}
	})
}

func FuzzPreParse(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhIiwiZXhwIjoxfQ.c2ln")
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := preParse(tok)
		if err != nil {
			if err.Code == "" || err.Status != 401 {
				t.Fatalf("error without code/status: %+v", err)
			}
			if len(tok) > 24 && strings.Contains(err.Error(), tok) {
				t.Fatal("error quotes the token")
			}
			return
		}
		if p.header.Alg == "" || strings.EqualFold(p.header.Alg, "none") || p.claims == nil {
			t.Fatalf("accepted header %+v claims %v", p.header, p.claims)
		}
	})
}
