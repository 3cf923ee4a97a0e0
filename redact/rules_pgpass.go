package redact

// Password files of colon-separated fields: libpq's .pgpass (and the
// PGPASSFILE it names), one entry a line,
//
//	hostname:port:database:username:password
//
// where any of the first four may be `*` and `\:` and `\\` escape a colon
// or a backslash. The password is the rest of the line. An entry is found at
// its port field: a PostgreSQL port in use by PostgreSQL, PgBouncer, Citus
// and CockroachDB, or `*`; the host before it must start the line, so a
// comment (`# hostname:port:...`) or a URL (`postgres://h:5432/db`) is
// not an entry.

const pgpassMaxLine = 1024

func pgpassRules() []*rule {
	return []*rule{
		custom("pgpass-password", Secret, pgpassMaxLine, matchPgpass,
			":5432:", ":5433:", ":5434:", ":5435:", ":6432:", ":26257:", ":*:"),
	}
}

// pgpassHostByte reports bytes of a .pgpass host field: a name, an address
// or `*`.
func pgpassHostByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '-' || c == '_' || c == '*'
}

func matchPgpass(_ *rule, b []byte, ks, ke int) (int, int, int) {
	hs := ks
	for hs > 0 && ks-hs < 253 && pgpassHostByte(b[hs-1]) {
		hs--
	}
	if hs == ks || !lineStart(b, hs) {
		return -1, -1, -1
	}
	// The database and user fields, then the password to the end of the line.
	i := ke
	for field := 0; field < 2; field++ {
		fs := i
		for i < len(b) && i-fs < 256 && b[i] != ':' && b[i] != '\n' && b[i] != ' ' {
			if b[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(b) {
			return -1, -1, ke
		}
		if b[i] != ':' || i == fs {
			return -1, -1, -1
		}
		i++
	}
	vs := i
	for i < len(b) && i-vs < 512 && b[i] != '\n' && b[i] != '\r' {
		if b[i] == ':' {
			return -1, -1, -1 // more than five fields: another format
		}
		if b[i] == '\\' {
			i++
		}
		i++
	}
	if i >= len(b) {
		return -1, -1, ke
	}
	if b[i] != '\n' && b[i] != '\r' || !plausibleCLIPassword(b[vs:i]) {
		return -1, -1, -1
	}
	return vs, i, -1
}
