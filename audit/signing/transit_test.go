package signing

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"testing"
)

func TestParseTransitSignature(t *testing.T) {
	sig := bytes.Repeat([]byte{1}, ed25519.SignatureSize)
	v, got, err := parseTransitSignature("vault:v12:" + base64.StdEncoding.EncodeToString(sig))
	if err != nil || v != 12 || !bytes.Equal(got, sig) {
		t.Fatalf("v %d err %v", v, err)
	}
	for _, bad := range []string{"", "vault:v1", "vault:x1:AA==", "vault:v1:AA==", "vault:vX:" + base64.StdEncoding.EncodeToString(sig), "other:v1:" + base64.StdEncoding.EncodeToString(sig)} {
		if _, _, err := parseTransitSignature(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
