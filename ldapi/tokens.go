package ldapi

import (
	"context"
	"net/http"
	"time"

	"github.com/ldtokens/ldtokens/secret"
)

// GetToken reads one token.
func (c *Client) GetToken(ctx context.Context, id string) (Token, error) {
	var t Token
	err := c.send(ctx, GetTokenCall(id), retryAll, &t)
	return t, err
}

// CreateToken creates a token and returns it with its secret. A lost
// response is an *UncertainError: the token may exist.
func (c *Client) CreateToken(ctx context.Context, body TokenPost) (Token, secret.Secret, error) {
	var t Token
	if err := c.send(ctx, CreateTokenCall(body), retryRejected, &t); err != nil {
		return Token{}, secret.Secret{}, err
	}
	s := c.takeSecret(&t)
	return t, s, nil
}

// PatchToken applies a JSON Patch to a token.
func (c *Client) PatchToken(ctx context.Context, id string, ops []PatchOp) (Token, error) {
	var t Token
	err := c.send(ctx, PatchTokenCall(id, ops), retryAll, &t)
	return t, err
}

// DeleteToken deletes a token; one already gone counts as deleted.
func (c *Client) DeleteToken(ctx context.Context, id string) error {
	err := c.send(ctx, DeleteTokenCall(id), retryAll, nil)
	if IsStatus(err, http.StatusNotFound) {
		return nil
	}
	return err
}

// ResetToken issues a new secret for a token. The old secret expires at
// expiry, or at once when expiry is zero.
func (c *Client) ResetToken(ctx context.Context, id string, expiry time.Time) (Token, secret.Secret, error) {
	var t Token
	if err := c.send(ctx, ResetTokenCall(id, expiry), retryAll, &t); err != nil {
		return Token{}, secret.Secret{}, err
	}
	return t, c.takeSecret(&t), nil
}

// takeSecret moves the full secret out of a create or reset response.
func (c *Client) takeSecret(t *Token) secret.Secret {
	s := secret.New(t.Hint)
	t.Hint = s.Last4()
	if c.cfg.OnSecret != nil && !s.IsZero() {
		c.cfg.OnSecret(s)
	}
	return s
}

// CallerIdentity describes the access token in use. Servers without the
// endpoint answer 404.
func (c *Client) CallerIdentity(ctx context.Context) (CallerIdentity, error) {
	var id CallerIdentity
	err := c.send(ctx, Call{Method: "GET", Path: "/api/v2/caller-identity"}, retryAll, &id)
	return id, err
}
