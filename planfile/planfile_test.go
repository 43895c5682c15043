package planfile_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planfile"
	"github.com/ldtokens/ldtokens/planner"
)

func TestRoundTrip(t *testing.T) {
	before := &planner.Fields{Name: "a", Role: "reader", ServiceToken: false}
	after := &planner.Fields{Name: "a", Role: "writer", ServiceToken: false}
	p := planner.Plan{
		APIHost: "https://app.launchdarkly.com", CreatedAt: time.Date(2026, 11, 28, 1, 2, 3, 0, time.UTC), Unchanged: 2,
		Changes: []planner.Change{
			{Action: planner.Create, Name: "n", After: &planner.Fields{Name: "n", Role: "reader", ServiceToken: true},
				Reasons: []planner.Reason{{Code: planner.ReasonCreateMissing, Text: "missing"}}},
			{Action: planner.Update, Name: "a", ID: "1", Before: before, After: after, Fingerprint: "f1",
				Patch:   []ldapi.PatchOp{{Op: "replace", Path: "/role", Value: "writer"}},
				Guard:   []ldapi.PatchOp{{Op: "test", Path: "/role", Value: "reader"}},
				Reasons: []planner.Reason{{Code: planner.ReasonUpdateFields, Text: "changed: role"}}},
			{Action: planner.Rotate, Name: "r", ID: "2", Grace: 24 * time.Hour, Fingerprint: "f2",
				Reasons: []planner.Reason{{Code: planner.ReasonRotateDue, Text: "due"}}},
		},
		Unmanaged: []planner.Unmanaged{{Name: "u", ID: "3", ServiceToken: true}},
		Observed:  []planner.Observed{{ID: "1", Name: "a"}},
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, planfile.Write(path, p))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	got, err := planfile.Read(path)
	require.NoError(t, err)
	assert.Equal(t, p.Summary(), got.Summary())
	assert.Equal(t, p.Changes[2].Grace, got.Changes[2].Grace)
	assert.Equal(t, p.Changes[1].Fingerprint, got.Changes[1].Fingerprint)
	assert.Equal(t, p.Changes[1].Reasons, got.Changes[1].Reasons)
	assert.Equal(t, "writer", got.Changes[1].Patch[0].Value)
	assert.Equal(t, p.Observed, got.Observed)
	assert.Equal(t, p.CreatedAt, got.CreatedAt)
}

func TestReadRefusesWhatIsNotAPlan(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"yaml.json":    "tokens: []",
		"empty.json":   "{}",
		"version.json": `{"formatVersion": "9"}`,
		"action.json":  `{"formatVersion": "1", "changes": [{"action": "explode", "name": "x", "id": "1"}]}`,
		"noid.json":    `{"formatVersion": "1", "changes": [{"action": "delete", "name": "x"}]}`,
	} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		_, err := planfile.Read(path)
		assert.Error(t, err, name)
	}
}
