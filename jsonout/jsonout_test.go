package jsonout_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/spec"
)

var at = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func decode(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// TestEveryDocumentSaysItsVersionAndKind marshals each document and reads
// its members as a program would.
func TestEveryDocumentSaysItsVersionAndKind(t *testing.T) {
	planDoc, err := jsonout.PlanOf(planner.Plan{APIHost: "h"})
	require.NoError(t, err)
	im, err := planner.Import(nil, nil, planner.ImportOptions{})
	require.NoError(t, err)
	tests := []struct {
		kind string
		doc  any
		// members every document of this kind has, even when empty.
		members []string
	}{
		{"plan", planDoc, []string{"apiHost", "createdAt", "summary", "changes", "unmanaged", "retiring", "observed"}},
		{"apply", jsonout.ApplyOf(nil), []string{"done", "failed", "notStarted", "results"}},
		{"drift", jsonout.DriftOf(audit.Report{}), []string{"inSync", "changed", "missing", "unmanaged", "rotationDue", "retiring", "findings"}},
		{"status", jsonout.StatusOf(audit.StatusReport{At: at}), []string{"at", "tokens"}},
		{"validate", jsonout.ValidateOf(&spec.Spec{Files: []string{"t.yaml"}}, nil), []string{"valid", "files", "tokens", "problems"}},
		{"import", jsonout.ImportOf("h", im), []string{"apiHost", "tokens", "skipped", "spec"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			m := decode(t, tt.doc)
			assert.Equal(t, "1", m["formatVersion"])
			assert.Equal(t, tt.kind, m["kind"])
			for _, member := range tt.members {
				assert.Contains(t, m, member)
				assert.NotNil(t, m[member], "%s is never null", member)
			}
		})
	}
	assert.Equal(t, "1", jsonout.FormatVersion)
}

func TestDriftCarriesWhoChangedIt(t *testing.T) {
	r := audit.Report{
		Changed:  []audit.Item{{Name: "a", ID: "1", Detail: "changed: role", Advice: "apply", By: "alex@example.com", At: at, What: "Updated access token"}},
		Retiring: []audit.Item{{Name: "b", ID: "2", Detail: "replaced", Advice: "wait", Until: at.Add(time.Hour)}},
		Notes:    []string{"who changed 1 token(s) is unknown"},
	}
	m := decode(t, jsonout.DriftOf(r))
	assert.Equal(t, map[string]any{"name": "a", "id": "1", "detail": "changed: role", "advice": "apply",
		"changedBy": "alex@example.com", "changedAt": "2026-11-28T12:00:00Z", "change": "Updated access token"}, m["changed"].([]any)[0])
	assert.Equal(t, map[string]any{"name": "b", "id": "2", "detail": "replaced", "advice": "wait", "until": "2026-11-28T13:00:00Z"}, m["retiring"].([]any)[0])
	assert.Equal(t, false, m["inSync"])
	assert.Equal(t, []any{"who changed 1 token(s) is unknown"}, m["notes"])
}

func TestValidateListsEveryProblem(t *testing.T) {
	_, err := spec.Parse("t.yaml", []byte("tokens: [{name: a, rol: reader}, {name: b, role: owner}]"))
	require.Error(t, err)
	doc := jsonout.ValidateOf(nil, err)
	assert.False(t, doc.Valid)
	require.Len(t, doc.Problems, 3)
	assert.Equal(t, jsonout.Problem{File: "t.yaml", Line: 1, Column: 20, Message: `token "a": unknown key "rol"; did you mean "role"?`}, doc.Problems[1])

	doc = jsonout.ValidateOf(nil, errors.New("read tokens.yaml: no such file"))
	assert.Equal(t, []jsonout.Problem{{Message: "read tokens.yaml: no such file"}}, doc.Problems)
}

func TestApplyAndStatusDocuments(t *testing.T) {
	results := []applier.Result{
		{Change: planner.Change{Action: planner.Replace, Name: "a", ID: "1", RemoteName: "old"}, Status: applier.Done, NewID: "9", Notes: []string{"secret delivered"}},
		{Change: planner.Change{Action: planner.Delete, Name: "b", ID: "2"}, Status: applier.Failed, Err: errors.New("boom")},
		{Change: planner.Change{Action: planner.Retire, Name: "c", ID: "3"}, Status: applier.Skipped, Err: errors.New("not started")},
	}
	doc := jsonout.ApplyOf(results)
	assert.Equal(t, []int{1, 1, 1}, []int{doc.Done, doc.Failed, doc.NotStarted})
	assert.Equal(t, jsonout.Result{Action: "replace", Name: "a", ID: "1", RemoteName: "old", NewID: "9", Status: "done", Notes: []string{"secret delivered"}}, doc.Results[0])
	assert.Equal(t, "boom", doc.Results[1].Error)

	st := jsonout.StatusOf(audit.StatusReport{At: at, Tokens: []audit.TokenStatus{{
		Name: "a", ID: "1", State: audit.Overdue, LastChange: at.Add(-31 * 24 * time.Hour), RotateEvery: 30 * 24 * time.Hour,
		NextRotation: at.Add(-24 * time.Hour), OverdueBy: 24 * time.Hour, Retiring: []audit.RetiringToken{{ID: "2", Until: at.Add(time.Hour)}},
	}}})
	m := decode(t, st)["tokens"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"name": "a", "id": "1", "state": "overdue", "lastChange": "2026-10-28T12:00:00Z", "rotateEvery": "30d",
		"rotateEverySeconds": float64(30 * 24 * 3600), "nextRotation": "2026-11-27T12:00:00Z", "overdueBySeconds": float64(86400),
		"retiring": []any{map[string]any{"id": "2", "until": "2026-11-28T13:00:00Z", "ended": false}}}, m, "lastUsed absent: never used")
}
