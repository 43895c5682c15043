package audit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/spec"
)

func TestStatus(t *testing.T) {
	s, err := spec.Parse("t.yaml", []byte(`tokens:
  - {name: plain, role: reader}
  - {name: later, role: reader, rotate: {every: 90d}}
  - {name: sooner, role: reader, rotate: {every: 30d}}
  - {name: late, role: reader, rotate: {every: 30d}}
  - {name: later-still, role: reader, rotate: {every: 30d}}
  - {name: replaced, role: reader}
  - {name: missing, role: reader}
  - {name: gone, state: absent}
`))
	require.NoError(t, err)
	tk := func(id, name string, changedDaysAgo int, mut ...func(*ldapi.Token)) ldapi.Token {
		t := ldapi.Token{ID: id, Name: name, Role: "reader", ServiceToken: true, CreationDate: daysAgo(500), LastModified: daysAgo(changedDaysAgo)}
		for _, m := range mut {
			m(&t)
		}
		return t
	}
	until := now.Add(3 * time.Hour)
	remote := []ldapi.Token{
		tk("1", "plain", 10, func(t *ldapi.Token) { t.LastUsed = daysAgo(1) }),
		tk("2", "later", 10),
		tk("3", "sooner", 20),
		tk("4", "late", 31),
		tk("5", "later-still", 40),
		tk("6", "replaced", 1),
		tk("7", planner.RetireMarker("replaced", until), 1),
		tk("8", planner.RetireMarker("replaced", now.Add(-time.Hour)), 1),
	}
	r, err := audit.Status(planner.Input{Spec: s, Remote: remote, Now: now})
	require.NoError(t, err)
	var order []string
	for _, ts := range r.Tokens {
		order = append(order, string(ts.State)+" "+ts.Name)
	}
	assert.Equal(t, []string{
		"overdue later-still", "overdue late", "missing missing", "retiring replaced",
		"scheduled sooner", "scheduled later", "not rotated plain",
	}, order, "what needs attention first: the most overdue, the soonest deadline")
	byName := map[string]audit.TokenStatus{}
	for _, ts := range r.Tokens {
		byName[ts.Name] = ts
	}
	assert.Equal(t, audit.TokenStatus{Name: "late", ID: "4", State: audit.Overdue, LastChange: time.UnixMilli(daysAgo(31)).UTC(),
		RotateEvery: 30 * 24 * time.Hour, NextRotation: time.UnixMilli(daysAgo(1)).UTC(), OverdueBy: 24 * time.Hour}, byName["late"])
	assert.Equal(t, []audit.RetiringToken{{ID: "8", Until: now.Add(-time.Hour), Ended: true}, {ID: "7", Until: until}}, byName["replaced"].Retiring)
	assert.Equal(t, time.UnixMilli(daysAgo(1)).UTC(), byName["plain"].LastUsed)
	assert.Equal(t, audit.TokenStatus{Name: "missing", State: audit.Missing}, byName["missing"])
	assert.Equal(t, time.UnixMilli(daysAgo(20)).Add(30*24*time.Hour).UTC(), byName["sooner"].NextRotation)
	assert.Equal(t, now, r.At)

	_, err = audit.Status(planner.Input{Spec: s, Remote: append(remote, tk("9", "plain", 1)), Now: now})
	assert.ErrorContains(t, err, `token "plain": 2 remote tokens have this name`, "pairs as a plan does")
}
