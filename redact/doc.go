// Package redact finds and replaces secrets and personal data in bytes, JSON
// bodies and streamed (SSE) responses. It is pure Go with no I/O, so the
// ext_proc server and the proxy-wasm filter share it.
//
// # Detection
//
// An Engine holds 250+ rules written from providers' documented token formats
// (cloud keys, VCS tokens, chat, payment and LLM API keys, private key blocks,
// JWTs, URLs with passwords, generic `password=` / `api_key:` assignments) and
// PII detectors (e-mail, phone, payment card, IBAN, US SSN). One pass of a
// keyword prefilter (trigram bitset + trie, no regex) finds every rule keyword;
// a rule's regex then runs only at a keyword hit, anchored, over a window of
// the rule's maximum length. Checksums are validated where a format has one
// (GitHub tokens' CRC32/base62, Luhn for cards, IBAN mod-97, never-issued SSN
// ranges); generic assignments need entropy, digits and letters, and no
// identifier words, so code like `key := testRSA2048PrivateKey` is not a secret.
// Numeric PII has no keyword and gets its own cheap pass over digit runs.
//
// Keyed values (rules_keyed.go) are the general model for credentials with
// no shape of their own: `<name> <separator> <value>`, where the name is a
// secret's (split into parts: X-API-Key, RABBITMQ_DEFAULT_PASS, not
// api_key_id, PublicKey or token_type) in any form configuration, code and
// tools write (INI/TOML/.env/properties, YAML/JSON/headers, XML, function
// arguments, blank-separated CLI and SQL, the value alone on the next line,
// a URL path segment), and the value looks generated (opaqueValue). The
// same model reads Authorization headers in any scheme and cookie values.
//
// Paired rules (rules_paired.go) find a credential by what travels with it:
// an AWS secret access key within three lines after its access key id, the
// value of a call that sets a secret by name (`define( 'AUTH_KEY',   '…' )`,
// `setenv`), a log intake's key in its URL path (Datadog, Loggly, Sumo
// Logic, Logentries), a UUID as the value of an Authorization header or of a
// header named for a key or token. A value labelled by a hash name (`h1:`,
// `SHA256:`) is a digest and a masked display (`sk-...4f2a`) holds no secret.
//
// Context rules find credentials by where they stand: `.netrc` entries,
// command-line password flags (`mysql -p'…'`, `sshpass -p`, `redis-cli -a`,
// `--password VALUE`), name/value pairs such as Kubernetes env lists
// (`{"name":"PGPASSWORD","value":"…"}`), values on the line after their key
// (YAML block scalars `password: |`, `key:` then an indented value, `key=\`
// continuations, a Markdown label then a code span), and tokens in URL paths
// (`/bot<token>/`, Discord and Mattermost webhooks). Layout rules
// (rules_recall.go) read what only a file's or a tool's layout says: a value
// alone under a label of several words (`Signing Secret`, then the value),
// .pgpass entries, positional passwords (`htpasswd -b file user PW`,
// `rabbitmqctl add_user U PW`), shell `$'…'` quoting and YAML double-quoted
// values continued over lines. A dotted value is a code reference
// (`config.dbPassword`) only when its parts read as identifiers, not when they
// mix cases and digits like a generated password (coderef.go).
//
// # Look-through
//
// Secrets travel wrapped: JSON string escapes in a log line (`\u0067hp_`,
// `https:\/\/`), percent-encoding in URLs and form bodies (also doubly
// encoded), base64 and base64url blocks (Kubernetes Secret `data:`, docker
// `auths`, `X_CREDENTIALS=<base64 JSON>`, Basic and SASL PLAIN credentials),
// quoted-printable MIME bodies (a soft line break inside a token, `=XX`).
// Keywords of the same prefilter mark where to look (an escape, a base64
// opening such as `eyJ` or `LS0tLS1`, a value after a credential key), so
// benign text pays no extra pass. Around an escape the engine scans a decoded
// view (up to 640 bytes either side, nested up to three encodings deep) and
// maps each finding back to the encoded bytes, which are replaced where they
// stand; a base64 block whose decoded text holds a secret (given the key it is
// assigned to), a `user:password` pair or a SASL PLAIN message is replaced
// whole. Base64 wrapped over lines of one width (76 columns from `base64`
// and MIME, 64 from openssl) is one block (lookthrough_wrapped.go), and a
// stream holds the full-width lines that end a chunk until it is complete.
// Blocks that do not decode to text (images, archives) are skipped.
// A block is also found by the base64 forms of credential words inside it
// (`password`, `token`, `[default]`..., at each of the three byte
// alignments), wherever it stands; and a hex run by the hex forms of token
// prefixes (`ghp_` is 6768705f) and of those words (lookhex.go).
//
// The window grows by 640 bytes a side, up to five times, while a match is
// still open at its edge; every bound reached (this one, a base64 run over
// 64 KiB, a hex run over 2 KiB, an encoding more than three deep) is counted by BoundsReached, and a stream's
// own bound (1024 fields with text held at once) by Stream.Limits: never
// silent.
//
// # Precedence
//
// When several rules match the same bytes, one names the finding (its marker
// and its count in the record), by an explicit precedence: an exact value,
// then a token whose checksum validated, a provider token, a structure (PEM
// block, URL password, webhook path, look-through), a provider rule keyed by
// the provider's name, a generic assignment, and personal data last; ties go
// to the rule id. The result depends only on the rules, never on the other
// findings of the body.
//
// # Records and logs
//
// Engine.Text redacts one string (secrets and exact values, not personal
// data: a record names the people who acted) and Fields applies a function to
// every string reachable from a record. warden passes every audit record,
// every approval version and (package redactlog) every log line through them
// in one place each, so a field added later is covered too.
//
// Classes (Secret, Email, Phone, Card, IBAN, SSN, Exact) are switchable per
// call with Options.Disable, for example Options{Disable: redact.PII} for a
// route that only redacts credentials. Exact values supplied at run time
// (credentials warden injected, which an upstream might echo) are given per
// engine (Config.Exact), per call (Options.Exact) or per stream
// (Stream.AddExact) and matched with bytes.Index: cheap to add, no rebuild.
//
// # Replacement
//
// A finding is replaced by `[REDACTED:<rule>]`. With Config.HMACKey set the
// marker is `[REDACTED:<rule>:<tag>]` where tag is the first 8 hex digits of
// HMAC-SHA256(key, value); an auditor holding the key recomputes the tag of a
// value they know (Engine.Tag) to check whether it was the one redacted,
// without the log ever containing it. A replacement keeps the line structure:
// a value that spans newlines (a PEM block) is replaced by the marker followed
// by as many newlines. Findings carry rule, class, offsets and the optional
// tag, never the value.
//
// # JSON
//
// RedactJSON decodes every JSON string before detection, so escapes (`\n`,
// `\/`, `\u0067hp_`) cannot hide a secret from it, and re-encodes only the
// strings it changes: the result is valid JSON of the same shape and every
// other byte is unchanged. The object key is context for generic rules
// (`{"password": "..."}`) but is never replaced. Invalid or truncated JSON
// returns an error wrapping ErrInvalidJSON; the caller then falls back to
// Redact, the byte scanner, which still scans. A changed body has a new
// length: the server removes or fixes content-length as ENVOY_EXTPROC.md
// requires (BUFFERED with headers SEND: set it to the new length).
//
// # Streaming and hold-back
//
// Engine.NewStream(kind, opts) returns a Stream: out, err := s.Write(chunk)
// for each chunk, out, err = s.Close() at the end of the body, and
// s.Counts() for the audit record. Write returns at once everything that can
// no longer become part of a secret and holds back only the tail that an
// unfinished match could still need:
//
//   - a keyword prefix at the very end (`...ghp`), and any candidate that
//     started at a keyword and whose bytes so far all fit the rule and are
//     shorter than its maximum length (`ghp_abc...` still growing);
//   - an assignment value still arriving (`password=hunt`): the key and
//     operator are emitted, and kept as context (the last 256 emitted bytes),
//     the value is held;
//   - an open PEM block until its END line (bounded at 24 KiB);
//   - the trailing word (up to 64 bytes), because an e-mail local part and
//     the few formats whose distinctive part comes after the start (Azure
//     `...8Q~`, MaxMind `..._mmk`, Terraform `.atlasv1.`) may still be
//     growing; a digit run that may still become a card, phone, SSN or IBAN;
//     the longest prefix of an exact value.
//
// Benign text ending in a space or punctuation is emitted whole. Memory per
// stream is this hold-back (bounded by MaxHold, 64 KiB by default, above every
// rule's maximum length) plus 256 bytes of context plus the current chunk.
// In STREAMED mode the server answers a chunk with the shorter body Write
// returns and appends Close's output to the last chunk; in FULL_DUPLEX_STREAMED
// it sends whatever Write returns as soon as it is non-empty.
//
// Event streams (KindSSE, KindNDJSON, and KindJSON for a JSON array read
// element by element; KindOf picks one from a Content-Type, StreamedJSON says
// whether a JSON response is a streaming method's array) keep every event
// well-formed and its data valid JSON. Text that continues from event to event
// forms channels (stream_events.go, stream_route.go), so `sk-pro` | `j-...` in
// two events is redacted whole. OpenAI Chat Completions, OpenAI Responses and
// Anthropic Messages are read exactly; every other JSON stream (legacy
// completions, Gemini, Cohere, TGI, Ollama...) by shape: the string field
// whose value changes from event to event is a channel, one that repeats is a
// complete value. A plain-text data stream is one channel. An event waits, and
// every event after it, until the text it carries is decided, so held-back
// text keeps its place in the stream and an event without a secret is emitted
// byte for byte.
//
// The added time to first token is the processing of one event (tens of
// microseconds, see BenchmarkSSEFirstToken) plus, when a delta ends inside a
// word, the wait for the next delta that completes the word (the whole event
// waits, and the events behind it).
//
// # Compressed bodies
//
// The server decodes before scanning: Decode(contentEncoding, body, limit)
// undoes gzip, deflate (zlib or raw), br and zstd, including stacked codings
// ("gzip, br"), and fails with ErrTooLarge once the decoded size passes limit
// (a decompression bomb costs at most limit bytes) and with
// ErrUnknownEncoding for anything else, so an encoded body is never passed on
// unscanned. The redacted body is forwarded uncompressed: the server removes
// content-encoding (and fixes content-length) rather than re-encoding. For
// streamed responses the server asks upstreams for `accept-encoding:
// identity`, so SSE arrives uncompressed and can be redacted chunk by chunk; a
// streamed response that still arrives encoded is buffered up to the limit and
// decoded whole.
package redact
