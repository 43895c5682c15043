package audit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

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
