package tfimport_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/secret"
	"github.com/ldtokens/ldtokens/spec"
)

// TestPlanOfImportIsEmpty imports each state, reconciles it with the
// account the state describes (served by the emulator over HTTP), writes
// the spec, reads it back, and plans: no change, and every token that was
// handed over is declared.
func TestPlanOfImportIsEmpty(t *testing.T) {
	acct, err := emulator.LoadAccount("testdata/account.json")
	require.NoError(t, err)
	srv := emulator.New(acct, emulator.Options{AccessToken: "test"})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client, err := ldapi.New(ldapi.Config{Host: hs.URL, Token: secret.New("test")})
	require.NoError(t, err)
	ctx := context.Background()
	remote, err := client.ListTokens(ctx, ldapi.ListOptions{})
	require.NoError(t, err)
	roles, err := client.ListRoles(ctx)
	require.NoError(t, err)
	roleIDs := map[string]string{}
	for _, r := range roles {
		roleIDs[r.Key] = r.ID
	}

	for _, file := range []string{"show-v3.json", "v3.tfstate", "show-v2.json", "v2.tfstate"} {
		t.Run(file, func(t *testing.T) {
			im := read(t, file)
			im.Reconcile(remote, acct.CallerMemberID)
			doc, err := json.Marshal(spec.File{Tokens: im.Tokens()})
			require.NoError(t, err)
			s, err := spec.Parse("imported.yaml", doc) // JSON is YAML
			require.NoError(t, err)
			p, err := planner.Make(planner.Input{Spec: s, Remote: remote, RoleIDs: roleIDs, CallerMemberID: acct.CallerMemberID, APIHost: hs.URL, Now: time.Now()})
			require.NoError(t, err)
			assert.Empty(t, p.Changes)
			assert.Len(t, im.StateRm(), len(s.Tokens))
		})
	}
}
