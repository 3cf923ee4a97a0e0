package record

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// describeRecordFast is the shipper's fast path of Describe for the common entry: an audit
// record as warden writes it. It scans the JSON once, reads the few routing fields and skips the
// rest without decoding it. Anything unusual (checkpoints, manifests, markers, escaped or
// duplicated routing fields, unexpected types) returns ok=false and the caller takes Describe,
// so the result is always what Describe returns (FuzzDescribeFast checks this).
func describeRecordFast(b []byte) (info EntryInfo, ok bool) {
	s := scanner{b: b}
	var f fastFields
	if !s.object(f.top) || !s.end() {
		return EntryInfo{}, false
	}
	if f.seen&(seenClass|seenChain|seenSeq) != seenClass|seenChain|seenSeq || f.classUID != ClassUID {
		return EntryInfo{}, false
	}
	key := f.wardenSession
	if key == "" {
		key = f.actorSession
	}
	if key == "" {
		key = f.correlation
	}
	if key == "" {
		key = f.chainID
	}
	return EntryInfo{
		ChainID: f.chainID, Seq: f.seq, Key: key, TimeMS: f.time,
		ID: f.chainID + ":" + strconv.FormatUint(f.seq, 10),
	}, true
}

const (
	seenClass = 1 << iota
	seenTime
	seenCorrelation
	seenActorSession
	seenWardenSession
	seenChain
	seenSeq
	seenIntegrity
	seenMetadata
	seenActor
	seenSessionObj
	seenUnmapped
	seenWarden
)

type fastFields struct {
	seen          int
	classUID      int64
	time          int64
	correlation   string
	actorSession  string
	wardenSession string
	chainID       string
	seq           uint64
}

// once marks bit as seen; a routing field seen twice is left to encoding/json's rules.
func (f *fastFields) once(bit int) bool {
	if f.seen&bit != 0 {
		return false
	}
	f.seen |= bit
	return true
}

func (f *fastFields) top(s *scanner, key []byte) bool {
	switch string(key) {
	case "class_uid":
		return f.once(seenClass) && s.int(&f.classUID)
	case "time":
		return f.once(seenTime) && s.int(&f.time)
	case "metadata":
		return f.once(seenMetadata) && s.object(func(s *scanner, k []byte) bool {
			if string(k) == "correlation_uid" {
				return f.once(seenCorrelation) && s.str(&f.correlation)
			}
			return other(k, "correlation_uid") && s.skip()
		})
	case "actor":
		return f.once(seenActor) && s.object(func(s *scanner, k []byte) bool {
			if string(k) != "session" {
				return other(k, "session") && s.skip()
			}
			return f.once(seenSessionObj) && s.object(func(s *scanner, k []byte) bool {
				switch string(k) {
				case "uid":
					return f.once(seenActorSession) && s.str(&f.actorSession)
				case "issuer":
					return s.isString()
				}
				return other(k, "uid", "issuer") && s.skip()
			})
		})
	case "unmapped":
		return f.once(seenUnmapped) && s.object(f.unmapped)
	}
	return other(key, "class_uid", "time", "metadata", "actor", "unmapped", "checkpoint", "manifest", "signature") && s.skip()
}

// other reports whether key is safe to skip: encoding/json matches keys case-insensitively (with
// Unicode folding), so a key that could fold onto a routing field is left to it.
func other(key []byte, names ...string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, n := range names {
		// ASCII keys (checked above) fold only onto names of the same length.
		if len(key) == len(n) && bytes.EqualFold(key, []byte(n)) {
			return false
		}
	}
	return true
}

func (f *fastFields) unmapped(s *scanner, key []byte) bool {
	switch string(key) {
	case "warden":
		return f.once(seenWarden) && s.object(func(s *scanner, k []byte) bool {
			if string(k) == "session" {
				return f.once(seenWardenSession) && s.str(&f.wardenSession)
			}
			return other(k, "session", "truncated", "marker") && s.skip()
		})
	case "integrity":
		return f.once(seenIntegrity) && s.object(func(s *scanner, k []byte) bool {
			switch string(k) {
			case "chain_id":
				return f.once(seenChain) && s.str(&f.chainID)
			case "seq":
				return f.once(seenSeq) && s.uint(&f.seq)
			case "prev_hash", "content_hash", "hash":
				return s.isString()
			}
			return other(k, "chain_id", "seq", "prev_hash", "content_hash", "hash") && s.skip()
		})
	}
	return other(key, "warden", "integrity") && s.skip()
}

// scanner walks JSON without decoding what it skips. It rejects malformed structure; numbers
// and escapes in skipped values are checked only loosely (the entry came from warden's own
// CRC-checked spool, and Describe remains the reference).
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// object reads an object, calling member for each key with the scanner at the value.
func (s *scanner) object(member func(s *scanner, key []byte) bool) bool {
	if s.peek() != '{' {
		return false
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		if s.peek() != '"' {
			return false
		}
		start := s.i + 1
		if !s.skipString() {
			return false
		}
		key := s.b[start : s.i-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false // escaped keys: let encoding/json match them
		}
		if s.peek() != ':' {
			return false
		}
		s.i++
		if !member(s, key) {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// stringStop marks the bytes that end a run of plain string content: the closing quote, an
// escape, and the control characters JSON forbids inside strings.
var stringStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// numberByte marks the bytes a JSON number is made of.
var numberByte = func() (t [256]bool) {
	for _, c := range []byte("0123456789.eE+-") {
		t[c] = true
	}
	return t
}()

// skipString moves past a string starting at s.i ('"').
func (s *scanner) skipString() bool {
	b := s.b
	for i := s.i + 1; i < len(b); i++ {
		if !stringStop[b[i]] {
			continue
		}
		switch b[i] {
		case '\\':
			i++
		case '"':
			s.i = i + 1
			return true
		default:
			return false
		}
	}
	return false
}

// str reads a string that needs no unescaping; anything else is left to encoding/json.
func (s *scanner) str(out *string) bool {
	if s.peek() != '"' {
		return false
	}
	start := s.i + 1
	if !s.skipString() {
		return false
	}
	v := s.b[start : s.i-1]
	if bytes.IndexByte(v, '\\') >= 0 || !utf8.Valid(v) {
		return false
	}
	*out = string(v)
	return true
}

// isString moves past a string value (what a string field of the probe accepts besides null).
func (s *scanner) isString() bool {
	return s.peek() == '"' && s.skipString()
}

// digits returns a JSON integer (optional minus, no leading zero) at s.i.
func (s *scanner) digits() ([]byte, bool) {
	s.ws()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	d := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	n := s.i - d
	if n == 0 || n > 1 && s.b[d] == '0' {
		return nil, false
	}
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E':
			return nil, false
		}
	}
	return s.b[start:s.i], true
}

func (s *scanner) int(out *int64) bool {
	d, ok := s.digits()
	if !ok {
		return false
	}
	v, err := strconv.ParseInt(string(d), 10, 64)
	*out = v
	return err == nil
}

func (s *scanner) uint(out *uint64) bool {
	d, ok := s.digits()
	if !ok {
		return false
	}
	v, err := strconv.ParseUint(string(d), 10, 64)
	*out = v
	return err == nil
}

// skip moves past any value.
func (s *scanner) skip() bool {
	switch c := s.peek(); c {
	case '"':
		return s.skipString()
	case '{':
		return s.object(func(s *scanner, _ []byte) bool { return s.skip() })
	case '[':
		s.i++
		if s.peek() == ']' {
			s.i++
			return true
		}
		for {
			if !s.skip() {
				return false
			}
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				return true
			default:
				return false
			}
		}
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			s.i++
			for s.i < len(s.b) && numberByte[s.b[s.i]] {
				s.i++
			}
			return true
		}
	}
	return false
}

func (s *scanner) literal(w string) bool {
	if bytes.HasPrefix(s.b[s.i:], []byte(w)) {
		s.i += len(w)
		return true
	}
	return false
}
