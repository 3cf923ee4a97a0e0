package redact

import (
	"strings"
	"sync"
)

// secretKeys remembers secretKeyName's verdict on the object keys of JSON bodies: an agent's
// bodies repeat the same few dozen keys (model, messages, role, content, ...) on every request,
// and the verdict depends on the key alone, so it is worked out once rather than for every value
// under it. Bounded in entries and key length; the set starts over when full.
var secretKeys struct {
	mu sync.RWMutex
	m  map[string]bool
}

const (
	secretKeyMaxLen     = 64
	secretKeyMaxEntries = 4096
)

// secretKey is secretKeyName(key)'s first result, remembered for keys up to 64 bytes.
func secretKey(key string) bool {
	if len(key) > secretKeyMaxLen {
		s, _ := secretKeyName([]byte(key))
		return s
	}
	secretKeys.mu.RLock()
	s, ok := secretKeys.m[key]
	secretKeys.mu.RUnlock()
	if ok {
		return s
	}
	s, _ = secretKeyName([]byte(key))
	secretKeys.mu.Lock()
	if secretKeys.m == nil || len(secretKeys.m) >= secretKeyMaxEntries {
		secretKeys.m = make(map[string]bool, 256)
	}
	secretKeys.m[strings.Clone(key)] = s
	secretKeys.mu.Unlock()
	return s
}
