package ldapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ldtokens/ldtokens/secret"
)

// GetToken reads one token.
func (c *Client) GetToken(ctx context.Context, id string) (Token, error) {
	var t Token
	err := c.send(ctx, request{call: GetTokenCall(id), out: &t, check: func() error { return checkToken(&t, id) }})
	return t, err
}

// CreateToken creates a token and returns it with its secret, with one
// request that the server may act on: a 429 or a connection never made is
// retried, anything else that leaves the outcome unknown (a lost or cut
// response, a timeout, a 5xx, a 2xx without the token's _id or full
// secret) is an *UncertainError. The token may then exist: the caller
// finds out before it sends again (MaxAttempts and Backoff pace its
// re-sends).
func (c *Client) CreateToken(ctx context.Context, body TokenPost) (Token, secret.Secret, error) {
	var t Token
	err := c.send(ctx, request{call: CreateTokenCall(body), policy: once, out: &t, check: func() error { return checkIssued(&t, "") }})
	if err != nil {
		return Token{}, secret.Secret{}, err
	}
	return t, c.takeSecret(&t), nil
}

// PatchToken applies a JSON Patch to a token. A 409 (an optimistic locking
// conflict: not applied) is retried; a patch whose outcome is unknown is an
// *UncertainError, never repeated: the caller reads the token to find out.
func (c *Client) PatchToken(ctx context.Context, id string, ops []PatchOp) (Token, error) {
	var t Token
	err := c.send(ctx, request{call: PatchTokenCall(id, ops), policy: patch, out: &t, check: func() error { return checkToken(&t, id) }})
	return t, err
}

// DeleteToken deletes a token, retrying whatever failed; a token already
// gone (404, also after a response lost) counts as deleted.
func (c *Client) DeleteToken(ctx context.Context, id string) error {
	err := c.send(ctx, request{call: DeleteTokenCall(id)})
	if IsStatus(err, http.StatusNotFound) {
		return nil
	}
	return err
}

// ResetToken issues a new secret for a token. The old secret expires at
// expiry, or at once when expiry is zero. Like CreateToken, it makes one
// request the server may act on: a reset whose outcome is unknown is an
// *UncertainError, never repeated, since a second reset would end the
// first one's secret, and with it the old secret's grace.
func (c *Client) ResetToken(ctx context.Context, id string, expiry time.Time) (Token, secret.Secret, error) {
	var t Token
	err := c.send(ctx, request{call: ResetTokenCall(id, expiry), policy: once, out: &t, check: func() error { return checkIssued(&t, id) }})
	if err != nil {
		return Token{}, secret.Secret{}, err
	}
	return t, c.takeSecret(&t), nil
}

// takeSecret moves the full secret out of a create or reset response.
func (c *Client) takeSecret(t *Token) secret.Secret {
	s := secret.New(t.Hint)
	t.Hint = s.Last4()
	if c.cfg.OnSecret != nil {
		c.cfg.OnSecret(s)
	}
	return s
}

// CallerIdentityPath is the path of the caller-identity endpoint.
const CallerIdentityPath = "/api/v2/caller-identity"

// CallerIdentity describes the access token in use. Servers without the
// endpoint answer 404.
func (c *Client) CallerIdentity(ctx context.Context) (CallerIdentity, error) {
	var id CallerIdentity
	err := c.send(ctx, request{call: Call{Method: "GET", Path: CallerIdentityPath}, out: &id})
	return id, err
}

// VerifySecret asks the caller-identity endpoint who s is, with s in
// Authorization in place of the access token: a 200 proves the secret
// works, and its TokenID says which token it belongs to. It makes one
// attempt (the caller retries, allowing for propagation); a 401 is an
// *APIError with Verifying set. No error carries s.
func (c *Client) VerifySecret(ctx context.Context, s secret.Secret) (CallerIdentity, error) {
	if s.IsZero() {
		return CallerIdentity{}, errors.New("verify secret: the secret is empty")
	}
	var id CallerIdentity
	err := c.send(ctx, request{call: Call{Method: "GET", Path: CallerIdentityPath}, out: &id, attempts: 1, auth: s})
	return id, err
}

// checkToken checks a token read or patched: it must be the one asked for.
func checkToken(t *Token, id string) error {
	switch {
	case t.ID == "":
		return errors.New("the token has no _id")
	case t.ID != id:
		return fmt.Errorf("the token's _id is not %q", id)
	}
	return nil
}

// minSecretLength is the least a full secret can be: LaunchDarkly's are
// "api-" and a 36-character UUID; a list or get gives only 4 characters.
const minSecretLength = 16

// checkIssued checks a create (id empty) or reset response: it must have an
// _id (id, for a reset) and a full secret of printable ASCII.
func checkIssued(t *Token, id string) error {
	switch {
	case t.ID == "":
		return errors.New("the token has no _id")
	case id != "" && t.ID != id:
		return fmt.Errorf("the token's _id is not %q", id)
	case len(t.Hint) < minSecretLength:
		return errors.New("the token carries no full secret")
	}
	for i := range len(t.Hint) {
		if t.Hint[i] <= ' ' || t.Hint[i] > '~' {
			return errors.New("the token's secret has a character that is not printable ASCII")
		}
	}
	return nil
}
