// Package verify checks audit chains read back from a spool folder, an export bundle or the
// Kafka topic: every record's content and chain hash, sequence gaps, reordering and splicing,
// and the signed checkpoints that seal them. It also writes and reads evidence bundles (a
// period of records sealed by a signed manifest). It only reads: the writer is audit.Log.
package verify
