// Package record is the model of warden's audit entries and their bytes: the OCSF API Activity
// record (class 6003) built from an exchange, its canonical encoding and hashes (content hash,
// chain hash, sealing the integrity fields), signed checkpoints, and the minimal probes that
// readers (shipper, verifier, CLI) use to tell entries apart. It does no I/O.
package record
