package render_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/render"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./render -update")
	assert.Equal(t, string(want), string(got))
}

func samplePlan() planner.Plan {
	before := &planner.Fields{Name: "staging", Description: "old", Role: "reader", ServiceToken: false}
	after := &planner.Fields{Name: "staging", Description: "new", InlineRole: []ldapi.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*"}}}, ServiceToken: false}
	return planner.Plan{
		APIHost: "https://app.launchdarkly.com", CreatedAt: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), Unchanged: 3,
		Changes: []planner.Change{
			{Action: planner.Create, Name: "ci-deployer", After: &planner.Fields{Name: "ci-deployer", Description: "Deploys | from <CI>", Role: "writer", ServiceToken: true},
				Reasons: []planner.Reason{{Code: planner.ReasonCreateMissing, Text: "declared, and no remote token has this name"}}},
			{Action: planner.Replace, Name: "metrics", ID: "2", Before: &planner.Fields{Name: "metrics", Role: "reader", ServiceToken: true}, After: &planner.Fields{Name: "metrics", Role: "writer", ServiceToken: true},
				ReplaceGrace: time.Hour, Reasons: []planner.Reason{{Code: planner.ReasonReplacePermissions, Text: "a service token's permissions are fixed at creation"}}},
			{Action: planner.Retire, Name: "metrics", ID: "8", RemoteName: planner.RetireMarker("metrics", retired),
				Reasons: []planner.Reason{{Code: planner.ReasonRetireGraceEnded, Text: "replaced earlier; its grace ended 2026-11-27T23:00:00Z"}}},
			{Action: planner.Rotate, Name: "rot", ID: "3", Grace: 24 * time.Hour, Reasons: []planner.Reason{{Code: planner.ReasonRotateDue, Text: "last changed 2026-01-01 and rotates every 90d: due since 2026-04-01"}}},
			{Action: planner.Update, Name: "staging", ID: "1", RemoteName: "staging-old", Before: before, After: after,
				Patch:   []ldapi.PatchOp{{Op: "remove", Path: "/role"}, {Op: "replace", Path: "/description", Value: "new"}, {Op: "add", Path: "/inlineRole", Value: after.InlineRole}},
				Reasons: []planner.Reason{{Code: planner.ReasonUpdateFields, Text: "changed: role, description, inlineRole"}}},
			{Action: planner.Delete, Name: "evil\n::warning::x <img src=x>", ID: "4", Reasons: []planner.Reason{{Code: planner.ReasonDeletePruned, Text: `not declared, and its name matches prune.match "*"`}}},
		},
		Unmanaged: []planner.Unmanaged{{Name: "hand-made", ID: "5", ServiceToken: true}, {Name: "alex", ID: "6", MemberID: "m2"}},
		Retiring:  []planner.Retiring{{Name: planner.RetireMarker("ci-deployer", retiring), ID: "9", OriginalName: "ci-deployer", Until: retiring}},
	}
}

var (
	retired  = time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)
	retiring = time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)
)

func TestPlanText(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, render.PlanText(&b, samplePlan(), render.Style{}))
	golden(t, "plan.txt", b.Bytes())
	assert.True(t, strings.HasSuffix(b.String(), "Plan: 2 to add, 1 to change, 3 to destroy, 1 to rotate.\n"), "a retire is a destroy")

	b.Reset()
	require.NoError(t, render.PlanText(&b, samplePlan(), render.Style{Color: true}))
	assert.Contains(t, b.String(), "\x1b[32m")

	b.Reset()
	require.NoError(t, render.PlanText(&b, planner.Plan{APIHost: "h"}, render.Style{}))
	assert.Contains(t, b.String(), "No changes. LaunchDarkly matches the spec.")
}

func TestPlanMarkdown(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, render.Markdown(&b, render.PlanReport(samplePlan())))
	golden(t, "plan.md", b.Bytes())
	table, details, ok := strings.Cut(b.String(), "<details>")
	require.True(t, ok)
	assert.NotContains(t, table, "<", "HTML from LaunchDarkly is escaped in the table")
	assert.Equal(t, 2, strings.Count(details, "```"), "the details are one fenced block, where HTML is inert")
	assert.NotContains(t, b.String(), "\n::warning", "no line starts a workflow command")
}

func TestMarkdownStaysUnderGitHubsLimit(t *testing.T) {
	p := planner.Plan{APIHost: "h"}
	for i := range 3000 {
		name := strings.Repeat("x", 40) + string(rune('a'+i%26))
		p.Changes = append(p.Changes, planner.Change{Action: planner.Create, Name: name, After: &planner.Fields{Name: name, Role: "reader"},
			Reasons: []planner.Reason{{Text: "declared, and no remote token has this name"}}})
	}
	var b bytes.Buffer
	require.NoError(t, render.Markdown(&b, render.PlanReport(p)))
	assert.Less(t, b.Len(), render.MaxMarkdown)
	assert.Contains(t, b.String(), "more rows, left out to fit GitHub's comment limit")
	assert.Contains(t, b.String(), "Too long for a comment")
}

func TestApplyAndDriftViews(t *testing.T) {
	p := samplePlan()
	results := []applier.Result{
		{Change: p.Changes[0], Status: applier.Done, NewID: "9", Notes: []string{"secret delivered"}},
		{Change: p.Changes[1], Status: applier.Failed, Err: errors.New(`token "metrics": replace: vault sealed`)},
		{Change: p.Changes[2], Status: applier.Skipped, Err: errors.New("not started: interrupted")},
	}
	var b bytes.Buffer
	for _, r := range results {
		b.WriteString(render.ResultLine(r, render.Style{}) + "\n")
	}
	require.NoError(t, render.ApplyText(&b, results, render.Style{}))
	require.NoError(t, render.Markdown(&b, render.ApplyReport(results)))
	require.NoError(t, render.WriteJSON(&b, jsonout.ApplyOf(results)))
	golden(t, "apply.txt", b.Bytes())

	remote := []ldapi.Token{
		{ID: "5", Name: "hand-made", Role: "admin", ServiceToken: true, CreationDate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()},
		{ID: "7", Name: "open", ServiceToken: true, InlineRole: []ldapi.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}}},
			CreationDate: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), LastUsed: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).UnixMilli()},
	}
	d := audit.Audit(p, remote, audit.Options{StaleAfter: 90 * 24 * time.Hour, Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)})
	audit.Attribute(&d, func(it audit.Item) (audit.Attribution, bool) {
		switch it.ID {
		case "1":
			return audit.Attribution{Who: "alex@example.com", When: retired, What: "Updated access token [staging]"}, true
		case "5":
			return audit.Attribution{Who: "ldtokens", When: retired, What: "Created access token [hand-made]", Self: true}, true
		}
		return audit.Attribution{}, false
	})
	d.Notes = append(d.Notes, "who changed 4 token(s) is unknown: no audit-log entry names them")
	b.Reset()
	require.NoError(t, render.DriftText(&b, d, render.Style{}))
	require.NoError(t, render.Markdown(&b, render.DriftReport(d)))
	golden(t, "drift.txt", b.Bytes())
}

func TestStatusViews(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	r := audit.StatusReport{At: now, Tokens: []audit.TokenStatus{
		{Name: "late", ID: "4", State: audit.Overdue, LastChange: now.Add(-31 * 24 * time.Hour), RotateEvery: 30 * 24 * time.Hour,
			NextRotation: now.Add(-24 * time.Hour), OverdueBy: 24 * time.Hour, LastUsed: now.Add(-time.Hour)},
		{Name: "missing", State: audit.Missing},
		{Name: "replaced", ID: "6", State: audit.Retiring, LastChange: now.Add(-time.Hour),
			Retiring: []audit.RetiringToken{{ID: "8", Until: now.Add(-time.Hour), Ended: true}, {ID: "7", Until: now.Add(3 * time.Hour)}}},
		{Name: "sooner", ID: "3", State: audit.Scheduled, LastChange: now.Add(-20 * 24 * time.Hour), RotateEvery: 30 * 24 * time.Hour, NextRotation: now.Add(10 * 24 * time.Hour)},
		{Name: "plain", ID: "1", State: audit.NotRotated, LastChange: now.Add(-10 * 24 * time.Hour)},
	}}
	var b bytes.Buffer
	require.NoError(t, render.StatusText(&b, r, render.Style{}))
	require.NoError(t, render.Markdown(&b, render.StatusReport(r)))
	golden(t, "status.txt", b.Bytes())
}
