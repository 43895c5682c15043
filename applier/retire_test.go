package applier_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
)

// TestRetireDeletes: a retiring token whose grace ended is deleted, with
// the deletes, and the dry run shows the DELETE.
func TestRetireDeletes(t *testing.T) {
	ended := time.Now().Add(-time.Minute)
	e := newEnv(t, emulator.Account{Tokens: []emulator.StoredToken{
		stored("000000000000000000000001", "svc", "reader", true),
		stored("000000000000000000000002", planner.RetireMarker("svc", ended), "reader", true),
	}}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: svc, role: reader}]"))
	require.Len(t, p.Changes, 1)
	require.Equal(t, planner.Retire, p.Changes[0].Action)
	assert.Equal(t, []ldapi.Call{ldapi.DeleteTokenCall("000000000000000000000002")}, applier.Calls(p, false, time.Now()))
	res := applier.Apply(context.Background(), p, applier.Options{Client: e.client})
	require.False(t, applier.AnyFailed(res), "%v", res)
	snap := e.srv.Snapshot()
	require.Len(t, snap.Tokens, 1)
	assert.Equal(t, "000000000000000000000001", snap.Tokens[0].ID)
}
