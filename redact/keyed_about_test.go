package redact_test

import (
	"bytes"
	"testing"
)

// lookalikesStay asserts that each text comes out of Redact byte for byte.
func lookalikesStay(t *testing.T, texts []string) {
	t.Helper()
	eng := engine(t)
	for _, text := range texts {
		if out, _ := eng.Redact([]byte(text), secretsOnly); !bytes.Equal(out, []byte(text)) {
			t.Errorf("look-alike changed:\n%s->\n%s", text, out)
		}
	}
}

// TestNamesAboutASecret: a name that says its value is about a secret - its
// digest, resource name, id, length, the device or interface it belongs to,
// its version or rotation time - is no secret's name, whatever the value
// looks like (a digest, an ARN, a MAC address).
func TestNamesAboutASecret(t *testing.T) {
	const sha256 = "3f9a7c2e8b1d4f6a0c5e9b2d7a4f8c1e6b3d9a2f7c4e8b1d5a0f3c6e9b2d7a4f"
	lookalikesStay(t, []string{
		"token_sha256: " + sha256 + "\n",
		"password_sha1: 7c4a8d09ca3762af61e59520943dc26494f8941b\n",
		"api_key_md5: 9e107d9d372bb6826bd81d3542a419d6\n",
		"secret_digest: sha256:" + sha256 + "\n",
		"token_checksum=" + sha256 + "\n",
		"SECRET_FINGERPRINT=" + sha256 + "\n",
		"secret_arn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-AbC123\n",
		"SecretArn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Xy9Zq2\n",
		"secret_network_iface: 3c:22:fb:9a:41:7e\n",
		"secret_device: /dev/disk/by-id/nvme-Samsung_SSD_980_S64DNF0R123456X\n",
		"token_serial: 4F2A9C7E1B3D5A6F8E0C2B4D6A8F0E1C\n",
		"secret_lineage: 7f3e9a2c1b4d4e8f9a6c2d5e8f1b3c7a\n",
		"password_rotated_at: 2026-11-30T08:15:42Z\n",
		"api_token_ids: [tk9f8e7d6c5b4a3f2e1d0c]\n",
		"token_interface: wg0Xk9mQ2vL7pR4tW8z\n",
		`{"secret_sha256": "` + sha256 + `"}` + "\n",
	})
}
