package creds

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// TestJWTLogin logs in with a workload JWT (the same login call as the
// kubernetes method, which only differs in mount and default JWT file).
func TestJWTLogin(t *testing.T) {
	e := newEnv(t, false)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	e.vault.EnableAuth(t, "jwt", "jwt")
	e.vault.Write(t, "auth/jwt/config", map[string]any{"jwt_validation_pubkeys": []string{pubPEM}, "bound_issuer": "https://issuer.test"})
	if err := e.vault.Client(t).Sys().PutPolicy("warden", `path "secret/data/llm/*" { capabilities = ["read"] }`); err != nil {
		t.Fatal(err)
	}
	e.vault.Write(t, "auth/jwt/role/warden", map[string]any{
		"role_type": "jwt", "user_claim": "sub", "bound_audiences": []string{"vault"},
		"token_policies": []string{"warden"}, "token_ttl": "1h",
	})

	sign := func(subject string, key *ecdsa.PrivateKey) string {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, nil)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		tok, err := jwt.Signed(signer).Claims(jwt.Claims{
			Issuer: "https://issuer.test", Subject: subject, Audience: jwt.Audience{"vault"},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			Expiry: jwt.NewNumericDate(now.Add(time.Hour)),
		}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	jwtFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(jwtFile, []byte(sign("system:serviceaccount:warden:warden", key)), 0o600); err != nil {
		t.Fatal(err)
	}

	cfg := e.config()
	cfg.Auth = Auth{Method: AuthJWT, Role: "warden", JWTFile: jwtFile}
	b, _ := newBroker(t, cfg)
	in, err := b.Inject(context.Background(), "s", "api.openai.com", "/")
	if err != nil {
		t.Fatal(err)
	}
	if header(in, "x-api-key") != openAIKey {
		t.Fatal("jwt-authenticated broker did not inject the secret")
	}

	t.Run("a JWT signed by another key is refused", func(t *testing.T) {
		other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(jwtFile, []byte(sign("x", other)), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := New(context.Background(), cfg); !errors.Is(err, ErrVault) {
			t.Fatalf("err = %v, want ErrVault", err)
		}
	})
}
