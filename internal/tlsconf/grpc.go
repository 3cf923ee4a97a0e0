package tlsconf

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc/credentials"
)

// GRPCCredentials are the server credentials of a gRPC listener: the Source's TLS, with every
// refused handshake (plaintext caller, no certificate, unknown CA, identity not allowed) logged
// at WARN, at most once a second with a count of the ones not logged, so a misconfigured Envoy
// shows up in warden's log while a scanner cannot flood it.
func (s *Source) GRPCCredentials() credentials.TransportCredentials {
	every := s.refusalLogEvery
	if every == 0 {
		every = time.Second
	}
	return &loggingCreds{TransportCredentials: credentials.NewTLS(s.ServerConfig()), name: s.name, log: s.log, limit: &limiter{every: every}}
}

type loggingCreds struct {
	credentials.TransportCredentials
	name  string
	log   *slog.Logger
	limit *limiter
}

func (c *loggingCreds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	out, info, err := c.TransportCredentials.ServerHandshake(conn)
	if err != nil {
		if ok, suppressed := c.limit.allow(); ok {
			c.log.Warn("TLS handshake refused", "listener", c.name, "remote", conn.RemoteAddr().String(),
				"err", err, "refusals_not_logged", suppressed)
		}
	}
	return out, info, err
}

func (c *loggingCreds) Clone() credentials.TransportCredentials {
	return &loggingCreds{TransportCredentials: c.TransportCredentials.Clone(), name: c.name, log: c.log, limit: c.limit}
}

// limiter lets one event through per period and counts the others.
type limiter struct {
	every      time.Duration
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (l *limiter) allow() (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		l.suppressed++
		return false, 0
	}
	n := l.suppressed
	l.last, l.suppressed = now, 0
	return true, n
}
