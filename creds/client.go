package creds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"
)

// Client is a Vault API client logged in with the configured auth method: the connection part
// of a Config (address, namespace, TLS, auth, timeout, retries). For a login method (approle,
// kubernetes, jwt) it keeps its token renewed and logs in again when the token cannot be renewed;
// Close revokes that token. A static token is only checked with a lookup at start and is never
// revoked. The broker uses one, and so does the audit log's Vault transit signer.
type Client struct {
	api  *api.Client
	auth Auth
	log  *slog.Logger

	bg     context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// NewClient checks the connection settings of cfg (roles and routes are not looked at) and logs
// in to Vault. log may be nil (slog.Default()).
func NewClient(ctx context.Context, cfg Config, log *slog.Logger) (*Client, error) {
	if err := errors.Join(cfg.connectionErrors()...); err != nil {
		return nil, fmt.Errorf("invalid vault config: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	ac, err := newClient(&cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{api: ac, auth: cfg.Auth, log: log}
	secret, err := login(ctx, ac, &c.auth)
	if err != nil {
		return nil, fmt.Errorf("vault login (%s at %s): %w", c.auth.Method, cfg.Address, err)
	}
	c.bg, c.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if secret != nil {
		c.wg.Add(1)
		go c.keepToken(secret)
	}
	return c, nil
}

// API returns the authenticated client. It is safe for concurrent use; its token changes when
// the Client logs in again.
func (c *Client) API() *api.Client { return c.api }

// Close stops token renewal and revokes the login token (not a configured static token). It is
// safe to call more than once.
func (c *Client) Close(ctx context.Context) error {
	var err error
	c.once.Do(func() {
		c.cancel()
		c.wg.Wait()
		if c.auth.Method != AuthToken {
			if rerr := c.api.Auth().Token().RevokeSelfWithContext(ctx, ""); rerr != nil {
				err = fmt.Errorf("revoke own vault token: %w", classify(rerr, "revoke own token"))
			}
		}
	})
	return err
}

// keepToken renews the login token and logs in again when the token reaches its max TTL,
// renewal fails, or (for a token that cannot be renewed) two thirds of its TTL have passed.
func (c *Client) keepToken(secret *api.Secret) {
	defer c.wg.Done()
	for {
		if !c.waitTokenEnd(secret) {
			return
		}
		s := c.relogin()
		if s == nil {
			return
		}
		secret = s
	}
}

// waitTokenEnd returns when the login token needs replacing, or false when the client is
// closing or the token never expires.
func (c *Client) waitTokenEnd(secret *api.Secret) bool {
	ttl := time.Duration(secret.Auth.LeaseDuration) * time.Second
	if ttl <= 0 {
		return false
	}
	if !secret.Auth.Renewable {
		select {
		case <-c.bg.Done():
			return false
		case <-time.After(ttl * 2 / 3):
			return true
		}
	}
	w, err := c.api.NewLifetimeWatcher(&api.LifetimeWatcherInput{Secret: secret})
	if err != nil {
		c.log.Error("creds: cannot watch vault token; logging in again", "err", err)
		return true
	}
	go w.Start()
	defer w.Stop()
	select {
	case <-c.bg.Done():
		return false
	case err := <-w.DoneCh():
		if err != nil {
			c.log.Warn("creds: vault token renewal stopped; logging in again", "err", err)
		}
		return true
	}
}

// relogin logs in until it succeeds (backing off up to 30s) or the client closes (nil).
func (c *Client) relogin() *api.Secret {
	backoff := time.Second
	for {
		ctx, cancel := context.WithTimeout(c.bg, c.api.ClientTimeout()+time.Second)
		s, err := login(ctx, c.api, &c.auth)
		cancel()
		if err == nil && s != nil {
			return s
		}
		c.log.Error("creds: vault login failed; retrying", "err", err, "in", backoff)
		select {
		case <-c.bg.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}
