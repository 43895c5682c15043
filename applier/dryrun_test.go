package applier_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/planner"
)

// TestCallsOfAReplaceWithGrace: a dry run shows the old token of a replace
// retired (renamed, reset to expire at the grace's end) rather than
// deleted, and a retire as a DELETE, last.
func TestCallsOfAReplaceWithGrace(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	after := &planner.Fields{Name: "svc", Role: "writer", ServiceToken: true}
	p := planner.Plan{Changes: []planner.Change{
		{Action: planner.Retire, Name: "old", ID: "r1"},
		{Action: planner.Replace, Name: "svc", ID: "s1", After: after, ReplaceGrace: time.Hour},
		{Action: planner.Replace, Name: "now", ID: "n1", After: after},
	}}
	var lines []string
	for _, c := range applier.Calls(p, false, now) {
		lines = append(lines, c.String())
	}
	assert.Equal(t, []string{
		"POST /api/v2/tokens",
		"PATCH /api/v2/tokens/s1",
		"POST /api/v2/tokens/s1/reset?expiry=1767326645000",
		"POST /api/v2/tokens",
		"DELETE /api/v2/tokens/n1",
		"DELETE /api/v2/tokens/r1",
	}, lines)
}
