package audit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
)

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func daysAgo(d int) int64 { return now.Add(-time.Duration(d) * 24 * time.Hour).UnixMilli() }

func TestBuckets(t *testing.T) {
	p := planner.Plan{
		Changes: []planner.Change{
			{Action: planner.Create, Name: "missing", Reasons: []planner.Reason{{Text: "declared"}}},
			{Action: planner.Update, Name: "changed", ID: "1", Reasons: []planner.Reason{{Text: "changed: role"}}},
			{Action: planner.Replace, Name: "replaced", ID: "2", Reasons: []planner.Reason{{Text: "fixed"}}},
			{Action: planner.Rotate, Name: "due", ID: "3", Reasons: []planner.Reason{{Text: "due"}}},
			{Action: planner.Delete, Name: "absent", ID: "4", Reasons: []planner.Reason{{Code: planner.ReasonDeleteAbsent}}},
			{Action: planner.Delete, Name: "pruned", ID: "5", Reasons: []planner.Reason{{Code: planner.ReasonDeletePruned}}},
		},
		Unmanaged: []planner.Unmanaged{{Name: "hand", ID: "6"}, {Name: "theirs", ID: "7", MemberID: "m"}},
	}
	r := audit.Audit(p, nil, audit.Options{Now: now})
	names := func(items []audit.Item) (out []string) {
		for _, it := range items {
			out = append(out, it.Name)
			assert.NotEmpty(t, it.Advice, "every finding says what to do")
		}
		return out
	}
	assert.Equal(t, []string{"changed", "replaced", "absent"}, names(r.Changed))
	assert.Equal(t, []string{"missing"}, names(r.Missing))
	assert.Equal(t, []string{"pruned", "hand", "theirs"}, names(r.Unmanaged))
	assert.Equal(t, []string{"due"}, names(r.RotationDue))
	assert.False(t, r.InSync())
	assert.True(t, audit.Audit(planner.Plan{}, nil, audit.Options{Now: now}).InSync())
}

func TestHygiene(t *testing.T) {
	tests := []struct {
		name  string
		token ldapi.Token
		kinds []string
	}{
		{"used recently", ldapi.Token{Role: "reader", CreationDate: daysAgo(400), LastUsed: daysAgo(3)}, nil},
		{"unused for long", ldapi.Token{Role: "reader", CreationDate: daysAgo(400), LastUsed: daysAgo(100)}, []string{"stale"}},
		{"never used, old", ldapi.Token{Role: "reader", CreationDate: daysAgo(91)}, []string{"stale"}},
		{"never used, new", ldapi.Token{Role: "reader", CreationDate: daysAgo(89)}, nil},
		{"admin", ldapi.Token{Role: "admin", CreationDate: daysAgo(1)}, []string{"risky"}},
		{"allow * on *", ldapi.Token{CreationDate: daysAgo(1), InlineRole: []ldapi.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}}}}, []string{"risky"}},
		{"deny * on * is fine", ldapi.Token{CreationDate: daysAgo(1), InlineRole: []ldapi.Statement{{Effect: "deny", Actions: []string{"*"}, Resources: []string{"*"}}}}, nil},
		{"ignored", ldapi.Token{Name: "legacy-x", Role: "admin", CreationDate: daysAgo(500)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := audit.Audit(planner.Plan{}, []ldapi.Token{tt.token}, audit.Options{Now: now, StaleAfter: 90 * 24 * time.Hour, Ignore: []string{"legacy-*"}})
			var kinds []string
			for _, f := range r.Findings {
				kinds = append(kinds, f.Kind)
				assert.NotEmpty(t, f.Advice)
			}
			assert.Equal(t, tt.kinds, kinds)
		})
	}
}

func TestRetiringTokens(t *testing.T) {
	soon := now.Add(2 * time.Hour)
	ended := now.Add(-time.Hour)
	p := planner.Plan{
		Changes: []planner.Change{{Action: planner.Retire, Name: "a", ID: "2", RemoteName: planner.RetireMarker("a", ended),
			Reasons: []planner.Reason{{Code: planner.ReasonRetireGraceEnded, Text: "ended"}}}},
		Retiring: []planner.Retiring{{Name: planner.RetireMarker("b", soon), ID: "3", OriginalName: "b", Until: soon}},
	}
	remote := []ldapi.Token{{ID: "3", Name: planner.RetireMarker("b", soon), Role: "admin", CreationDate: daysAgo(400)}}
	r := audit.Audit(p, remote, audit.Options{Now: now, StaleAfter: 90 * 24 * time.Hour})
	require.Len(t, r.Retiring, 2)
	assert.Equal(t, "a", r.Retiring[0].Name)
	assert.Equal(t, ended, r.Retiring[0].Until, "when the old secret stopped")
	assert.NotNil(t, r.Retiring[0].Change, "apply deletes it")
	assert.Equal(t, "b", r.Retiring[1].Name)
	assert.Equal(t, soon, r.Retiring[1].Until, "when the old secret stops")
	assert.Contains(t, r.Retiring[1].Detail, "2026-11-28T02:00:00Z")
	assert.Empty(t, r.Findings, "a retiring token is no hygiene finding")
	assert.Equal(t, 1, r.RetireDue())
	assert.False(t, r.InSync(), "a retire that is due is drift")

	p.Changes = nil
	assert.True(t, audit.Audit(p, remote, audit.Options{Now: now}).InSync(), "a token within its grace is not")
}

func TestAttribute(t *testing.T) {
	r := audit.Report{
		Changed:   []audit.Item{{Name: "a", ID: "1"}, {Name: "b", ID: "2"}},
		Missing:   []audit.Item{{Name: "c"}},
		Unmanaged: []audit.Item{{Name: "d", ID: "4"}},
	}
	at := now.Add(-time.Hour)
	asked := []string{}
	audit.Attribute(&r, func(it audit.Item) (audit.Attribution, bool) {
		asked = append(asked, it.Name)
		switch it.ID {
		case "1":
			return audit.Attribution{Who: "alex@example.com", When: at, What: "Updated access token"}, true
		case "4":
			return audit.Attribution{Who: "ldtokens", When: at, What: "Created access token", Self: true}, true
		}
		return audit.Attribution{}, false
	})
	assert.Equal(t, []string{"a", "b", "d"}, asked, "changed and unmanaged items, never missing ones")
	assert.Equal(t, audit.Item{Name: "a", ID: "1", By: "alex@example.com", At: at, What: "Updated access token"}, r.Changed[0])
	assert.Equal(t, audit.Item{Name: "b", ID: "2", By: audit.Unknown}, r.Changed[1])
	assert.Equal(t, audit.Item{Name: "c"}, r.Missing[0])
	assert.True(t, r.Unmanaged[0].Self)
}
