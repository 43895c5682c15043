package ldapi

// TEMPORARY(applier): the applier codes against these methods, which the
// ldapi branch implements (BRIEF §3). Delete this file when merging it.

import (
	"context"
	"time"

	"github.com/ldtokens/ldtokens/secret"
)

// MaxAttempts is how many attempts one request gets.
func (c *Client) MaxAttempts() int { return c.cfg.MaxAttempts }

// Backoff is the delay before attempt+1.
func (c *Client) Backoff(attempt int) time.Duration { return c.backoff(attempt) }

// VerifySecret asks GET /api/v2/caller-identity with s, once.
func (c *Client) VerifySecret(ctx context.Context, s secret.Secret) (CallerIdentity, error) {
	cfg := c.cfg
	cfg.Token, cfg.MaxAttempts, cfg.OnSecret = s, 1, nil
	n, err := New(cfg)
	if err != nil {
		return CallerIdentity{}, err
	}
	return n.CallerIdentity(ctx)
}
