package observe

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/ldtokens/ldtokens/internal/crash"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
)

// Client is the part of the LaunchDarkly API the observe step reads;
// *ldapi.Client satisfies it.
type Client interface {
	CallerIdentity(ctx context.Context) (ldapi.CallerIdentity, error)
	ListTokens(ctx context.Context, opts ldapi.ListOptions) ([]ldapi.Token, error)
	ListRoles(ctx context.Context) ([]ldapi.Role, error)
}

// Request says what to read.
type Request struct {
	// ShowAll lists other members' personal tokens too (admin only).
	ShowAll bool
	// Roles lists the custom roles, to resolve the spec's role keys to IDs.
	Roles bool
}

// ForSpec is the request a plan of s needs: the custom roles are read only
// when a present token names custom roles by key.
func ForSpec(s *spec.Spec, showAll bool) Request {
	r := Request{ShowAll: showAll}
	for _, t := range s.Tokens {
		if len(t.CustomRoles) > 0 && !t.Absent() {
			r.Roles = true
		}
	}
	return r
}

// Observation is what LaunchDarkly holds.
type Observation struct {
	// Tokens are every token listed, in the server's order.
	Tokens []ldapi.Token
	// Caller is the identity of the access token in use, when CallerKnown.
	Caller ldapi.CallerIdentity
	// CallerKnown is false when the server did not say who the caller is
	// (no caller-identity endpoint, or it failed): the planner then decides
	// from what the list says.
	CallerKnown bool
	// RoleIDs maps custom role keys to IDs; nil unless Request.Roles.
	RoleIDs map[string]string
}

// Observe reads the caller's identity, the tokens and (when asked) the
// custom roles concurrently. A refused access token, a failed listing or a
// cancelled ctx is an error; a caller identity the server does not give is
// not. When the listing fails, the other reads are cancelled.
func Observe(ctx context.Context, c Client, req Request) (Observation, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg        sync.WaitGroup
		panicked  crash.Slot
		caller    ldapi.CallerIdentity
		callerErr error
		roles     []ldapi.Role
		rolesErr  error
		obs       Observation
		err       error
	)
	// A panic on a read's goroutine is raised again here, where the CLI
	// reports it as a bug (exit 1), once the other reads are done.
	defer panicked.Raise()
	wg.Go(func() {
		defer panicked.Catch()
		caller, callerErr = c.CallerIdentity(ctx)
	})
	if req.Roles {
		wg.Go(func() {
			defer panicked.Catch()
			roles, rolesErr = c.ListRoles(ctx)
		})
	}
	obs.Tokens, err = c.ListTokens(ctx, ldapi.ListOptions{ShowAll: req.ShowAll})
	if err != nil {
		cancel()
		wg.Wait()
		return Observation{}, listErr(err)
	}
	wg.Wait()
	switch {
	case callerErr == nil:
		obs.Caller, obs.CallerKnown = caller, true
	case ldapi.IsStatus(callerErr, http.StatusUnauthorized) || ctx.Err() != nil:
		return Observation{}, callerErr
	}
	if req.Roles {
		if rolesErr != nil {
			return Observation{}, fmt.Errorf("list custom roles: %w", rolesErr)
		}
		obs.RoleIDs = make(map[string]string, len(roles))
		for _, r := range roles {
			obs.RoleIDs[r.Key] = r.ID
		}
	}
	return obs, nil
}

// listErr names the listing in an error, except a refused access token,
// whose error says everything itself.
func listErr(err error) error {
	if ldapi.IsStatus(err, http.StatusUnauthorized) {
		return err
	}
	return fmt.Errorf("list tokens: %w", err)
}
