package ldapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
)

// TestTheEmulatorPassesTheChecks runs every call against the emulator,
// which answers as LaunchDarkly documents: the client's checks must accept
// every normal answer, over pages of every shape.
func TestTheEmulatorPassesTheChecks(t *testing.T) {
	acct := emulator.Account{}
	for i := range 60 {
		acct.Roles = append(acct.Roles, ldapi.Role{ID: fmt.Sprintf("r%02d", i), Key: fmt.Sprintf("role-%02d", i), Name: "Role"})
	}
	srv := emulator.New(acct, emulator.Options{MaxPageSize: 7, Seed: 1})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	ctx := context.Background()
	c := newClient(t, hs.URL)

	var ids []string
	for i := range 22 {
		tok, sec, err := c.CreateToken(ctx, ldapi.TokenPost{Name: fmt.Sprintf("t%02d", i), Role: "reader", ServiceToken: true})
		require.NoError(t, err)
		assert.Equal(t, sec.Last4(), tok.Hint)
		ids = append(ids, tok.ID)
	}
	for _, concurrency := range []int{1, 4} {
		got, err := newClient(t, hs.URL, func(cfg *ldapi.Config) { cfg.Concurrency = concurrency }).ListTokens(ctx, ldapi.ListOptions{ShowAll: true})
		require.NoError(t, err)
		assert.Len(t, got, 22, "22 tokens in pages of 7, concurrency %d", concurrency)
	}
	roles, err := c.ListRoles(ctx)
	require.NoError(t, err)
	assert.Len(t, roles, 60, "two pages of roles")

	tok, err := c.PatchToken(ctx, ids[0], []ldapi.PatchOp{{Op: "add", Path: "/description", Value: "patched"}})
	require.NoError(t, err)
	assert.Equal(t, "patched", tok.Description)
	tok, sec, err := c.ResetToken(ctx, ids[0], time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, ids[0], tok.ID)
	assert.False(t, sec.IsZero())
	tok, err = c.GetToken(ctx, ids[0])
	require.NoError(t, err)
	assert.Equal(t, "t00", tok.Name)
	_, err = c.CallerIdentity(ctx)
	require.NoError(t, err)
	require.NoError(t, c.DeleteToken(ctx, ids[0]))
	require.NoError(t, c.DeleteToken(ctx, ids[0]), "already gone is deleted")
}
