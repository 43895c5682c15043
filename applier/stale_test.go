package applier_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/planner"
)

// TestStaleAccount: a saved plan made for another account is refused, and
// so is one made for an account where the current one cannot be told; a
// plan that records no account is not compared.
func TestStaleAccount(t *testing.T) {
	for _, tc := range []struct {
		planned, current string
		err              string
	}{
		{"acct-a", "acct-b", "saved plan is stale: it was made for account acct-a, this is account acct-b"},
		{"acct-a", "acct-a", ""},
		{"", "acct-b", ""},
		{"acct-a", "", "saved plan is stale: it was made for account acct-a, and this account cannot be told (caller-identity did not say, and the tokens share no owner); make a new plan"},
	} {
		p := planner.Plan{APIHost: "https://h.example", AccountID: tc.planned}
		err := applier.CheckStale(p, "https://h.example", tc.current, nil)
		if tc.err == "" {
			assert.NoError(t, err, "%+v", tc)
			continue
		}
		assert.ErrorIs(t, err, applier.ErrStale)
		assert.EqualError(t, err, tc.err)
	}
}
