// Module github.com/warden-gw/warden/tools/vault pins the HashiCorp Vault
// server used by warden's tests. It is never imported: scripts/vault.sh copies
// this file into a build directory, adds a replace for the patched sdk
// (sdk.patch) and builds the vault binary. warden itself links only
// github.com/hashicorp/vault/api (see the root go.mod).
module github.com/warden-gw/warden/tools/vault

go 1.26.0

require github.com/hashicorp/vault v1.21.4

// Packages Vault imports that none of its requirements provides (Vault's own
// go.mod gets them through replace directives, which a dependency's go.mod
// cannot pass on); pinned here so that -mod=mod never resolves "latest".
require (
	github.com/godbus/dbus v4.1.0+incompatible // indirect
	github.com/gsterjov/go-libsecret v0.0.0-20161001094733-a6f4afe4910c // indirect
)
