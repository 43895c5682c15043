package render_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/render"
)

// TestApplyFooterIsTruthful: the footer says a rerun converges only when
// no failure needs a person.
func TestApplyFooterIsTruthful(t *testing.T) {
	rotate := planner.Change{Action: planner.Rotate, Name: "svc", ID: "1"}
	for _, tc := range []struct {
		name   string
		result applier.Result
		want   string
	}{
		{"a create rolled back", applier.Result{Change: planner.Change{Action: planner.Create, Name: "a"}, Status: applier.Failed, Err: errors.New("vault sealed")},
			"Apply incomplete: 0 done, 1 failed, 0 not started. Run apply again: it converges."},
		{"a rotation not delivered", applier.Result{Change: rotate, Status: applier.Failed, Err: errors.New("not delivered"), Manual: "run `ldtokens rotate svc`"},
			"Apply incomplete: 0 done, 1 failed, 0 not started. Applying again does not finish it: do what the failures above say."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, render.ApplyText(&b, []applier.Result{tc.result}, render.Style{}))
			assert.Contains(t, b.String(), tc.want)
		})
	}
}
