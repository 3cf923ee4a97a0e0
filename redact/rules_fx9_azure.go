package redact

import "bytes"

// Azure account keys: Storage account keys and Cosmos DB keys are 64 random
// bytes written as base64 (86 characters and `==`). The shape alone is also a
// SHA-512 digest's (`sha512-…==` in lockfiles), so the rule needs an Azure
// name before the key on its line: `fs.azure.account.key.<account>.…=KEY`
// (Hadoop/Spark), `AccountKey=KEY` (connection strings), a `…PrimaryKey` /
// `…SecondaryKey` / `…MasterKey` field or output (ARM and Bicep outputs put
// the key in a `"value"` beside the name), `cosmos…`, `storage_key`. The key
// is found as it travels in a JSON string inside a log, with `\/` for `/`.

const (
	azureKeyWindow = 240 // bytes from the name to the key, on one line
	azureKeyChars  = 86  // base64 characters before the `==` of 64 bytes
)

func azureKeyRules() []*rule {
	return []*rule{
		custom("azure-account-key", Secret, azureKeyWindow+2*azureKeyChars, matchAzureKey,
			"account.key.", "accountkey", "account_key", "primarykey", "secondarykey", "masterkey",
			"primary_key", "secondary_key", "master_key", "cosmos", "storagekey", "storage_key"),
	}
}

// matchAzureKey finds the first 64-byte base64 key after the Azure name at
// b[ks:ke] on the same line.
func matchAzureKey(_ *rule, b []byte, ks, ke int) (int, int, int) {
	end := min(len(b), ke+azureKeyWindow)
	for j := ke; j < end && b[j] != '\n'; j++ {
		if !isB64Std(b[j]) || j > 0 && (isB64Std(b[j-1]) || b[j-1] == '-' || b[j-1] == '\\') {
			continue
		}
		e, n := j, 0
		for e < len(b) && n < azureKeyChars+1 {
			switch {
			case isB64Std(b[e]):
				e++
			case b[e] == '\\' && e+1 < len(b) && b[e+1] == '/':
				e += 2
			default:
				goto done
			}
			n++
		}
	done:
		if e+2 > len(b) {
			return -1, -1, ks // the key may still be arriving
		}
		if n == azureKeyChars && b[e] == '=' && b[e+1] == '=' && (e+2 == len(b) || !isB64Std(b[e+2]) && b[e+2] != '=') {
			if e+2 == len(b) {
				return -1, -1, ks
			}
			return j, e + 2, -1
		}
		j = e - 1
	}
	if end == len(b) && bytes.IndexByte(b[ke:end], '\n') < 0 {
		return -1, -1, pendIfNear(b, ks, azureKeyWindow+2*azureKeyChars)
	}
	return -1, -1, -1
}

func isB64Std(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}
