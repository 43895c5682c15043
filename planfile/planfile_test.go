package planfile_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planfile"
	"github.com/ldtokens/ldtokens/planner"
)

var at = time.Date(2026, 11, 28, 1, 2, 3, 0, time.UTC)

// fullPlan sets every field of a plan somewhere: of the plan, of a change
// (for each action), of every element type, and every declarable field of
// a token.
func fullPlan() planner.Plan {
	inline := []ldapi.Statement{{Effect: "allow", Actions: []string{"*"}, NotActions: []string{"x"}, Resources: []string{"proj/*"}, NotResources: []string{"proj/y"}}}
	before := &planner.Fields{Name: "a", Description: "by hand", Role: "reader", ServiceToken: false, DefaultAPIVersion: 20240415}
	after := &planner.Fields{Name: "a", Description: "declared", CustomRoleIDs: []string{"r1", "r2"}, InlineRole: inline, ServiceToken: false, DefaultAPIVersion: 20240415}
	return planner.Plan{
		APIHost: "https://app.launchdarkly.com", AccountID: "acct-1", CreatedAt: at, Unchanged: 2,
		Changes: []planner.Change{
			{Action: planner.Create, Name: "n", After: &planner.Fields{Name: "n", Role: "reader", ServiceToken: true},
				Reasons: []planner.Reason{{Code: planner.ReasonCreateMissing, Text: "missing"}}},
			{Action: planner.Update, Name: "a", ID: "1", RemoteName: "old-a", Before: before, After: after, Fingerprint: "f1",
				Patch: []ldapi.PatchOp{{Op: "remove", Path: "/role"}, {Op: "replace", Path: "/description", Value: "declared"},
					{Op: "add", Path: "/customRoleIds", Value: []string{"r1", "r2"}}, {Op: "add", Path: "/inlineRole", Value: inline}},
				Guard:   []ldapi.PatchOp{{Op: "test", Path: "/role", Value: "reader"}, {Op: "test", Path: "/description", Value: "by hand"}},
				Reasons: []planner.Reason{{Code: planner.ReasonUpdateFields, Text: "changed: role, description"}}},
			{Action: planner.Replace, Name: "m", ID: "5", Before: &planner.Fields{Name: "m", Role: "reader", ServiceToken: true}, After: &planner.Fields{Name: "m", Role: "writer", ServiceToken: true},
				ReplaceGrace: 90 * time.Minute, Fingerprint: "f5", SecretName: "LD_M", Reasons: []planner.Reason{{Code: planner.ReasonReplacePermissions, Text: "fixed"}}},
			{Action: planner.Rotate, Name: "r", ID: "2", Grace: 24 * time.Hour, Fingerprint: "f2", Before: before, After: before,
				Reasons: []planner.Reason{{Code: planner.ReasonRotateDue, Text: "due"}}},
			{Action: planner.Delete, Name: "d", ID: "6", Before: before, Fingerprint: "f6", Reasons: []planner.Reason{{Code: planner.ReasonDeleteAbsent, Text: "absent"}}},
			{Action: planner.Retire, Name: "m", RemoteName: planner.RetireMarker("m", at), ID: "7", Before: &planner.Fields{Name: planner.RetireMarker("m", at), Role: "reader", ServiceToken: true},
				Fingerprint: "f7", Reasons: []planner.Reason{{Code: planner.ReasonRetireGraceEnded, Text: "ended"}}},
		},
		Unmanaged: []planner.Unmanaged{{Name: "u", ID: "3", ServiceToken: true}, {Name: "p", ID: "8", MemberID: "m2"}},
		Retiring:  []planner.Retiring{{Name: planner.RetireMarker("q", at.Add(time.Hour)), ID: "9", OriginalName: "q", Until: at.Add(time.Hour)}},
		Observed:  []planner.Observed{{ID: "1", Name: "old-a"}},
	}
}

// setSomewhere records, for each struct type reachable from v, which
// fields are non-zero in at least one value.
func setSomewhere(v reflect.Value, seen map[reflect.Type]map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			setSomewhere(v.Elem(), seen)
		}
	case reflect.Slice:
		for i := range v.Len() {
			setSomewhere(v.Index(i), seen)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() || v.Type().PkgPath() == reflect.TypeFor[ldapi.Token]().PkgPath() {
			return // leaves; a token's declarable fields are checked against the table
		}
		if seen[v.Type()] == nil {
			seen[v.Type()] = map[string]bool{}
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			seen[v.Type()][f.Name] = seen[v.Type()][f.Name] || !v.Field(i).IsZero()
			setSomewhere(v.Field(i), seen)
		}
	}
}

// TestRoundTripKeepsEveryField writes and reads back a plan that sets every
// field, and compares the whole value: a field the file drops fails here,
// and so does a field added to the plan that the sample does not set.
func TestRoundTripKeepsEveryField(t *testing.T) {
	p := fullPlan()
	seen := map[reflect.Type]map[string]bool{}
	setSomewhere(reflect.ValueOf(p), seen)
	for typ, fields := range seen {
		for name, set := range fields {
			assert.True(t, set, "fullPlan sets no %s.%s: set it, so the round trip covers it", typ.Name(), name)
		}
	}
	for _, f := range ldapi.TokenFields {
		if f.JSON == "serviceToken" {
			continue // false is a value too: both appear
		}
		assert.False(t, f.IsZero(p.Changes[1].After) && f.IsZero(p.Changes[1].Before), "fullPlan sets no %s in the update", f.JSON)
	}

	path := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, planfile.Write(path, p))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	got, err := planfile.Read(path)
	require.NoError(t, err)
	assert.Empty(t, cmp.Diff(p, got), "the plan read back is the plan written")
}

func TestDocumentHeader(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, planfile.Encode(&b, fullPlan()))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	assert.Equal(t, "1", doc["formatVersion"])
	assert.Equal(t, "plan", doc["kind"])
	assert.Equal(t, "acct-1", doc["accountId"])
	change := doc["changes"].([]any)[1].(map[string]any)
	assert.Equal(t, "old-a", change["remoteName"])
	assert.Equal(t, []any{"name", "description", "role", "serviceToken", "defaultApiVersion"}, keys(t, b.Bytes(), "before"), "fields in the table's order")
}

// keys lists the members of the first change's object member, in order.
func keys(t *testing.T, doc []byte, member string) []any {
	t.Helper()
	var d struct {
		Changes []map[string]json.RawMessage `json:"changes"`
	}
	require.NoError(t, json.Unmarshal(doc, &d))
	dec := json.NewDecoder(bytes.NewReader(d.Changes[1][member]))
	var out []any
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		default:
			if s, ok := tok.(string); ok && depth == 1 && dec.More() {
				out = append(out, s)
				var skip json.RawMessage
				require.NoError(t, dec.Decode(&skip))
			}
		}
	}
	return out
}

func TestReadRefusesWhatIsNotAPlan(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"yaml.json":     "tokens: []",
		"empty.json":    "{}",
		"version.json":  `{"formatVersion": "9"}`,
		"kind.json":     `{"formatVersion": "1", "kind": "drift"}`,
		"action.json":   `{"formatVersion": "1", "changes": [{"action": "explode", "name": "x", "id": "1"}]}`,
		"noid.json":     `{"formatVersion": "1", "changes": [{"action": "delete", "name": "x"}]}`,
		"noafter.json":  `{"formatVersion": "1", "changes": [{"action": "create", "name": "x"}]}`,
		"badpath.json":  `{"formatVersion": "1", "changes": [{"action": "update", "name": "x", "id": "1", "patch": [{"op": "replace", "path": "/_id", "value": "2"}]}]}`,
		"badvalue.json": `{"formatVersion": "1", "changes": [{"action": "update", "name": "x", "id": "1", "patch": [{"op": "replace", "path": "/role", "value": 7}]}]}`,
	} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		_, err := planfile.Read(path)
		assert.Error(t, err, name)
	}
}

// TestReadsAPlanWithoutKind: plans saved before documents had a kind stay
// readable.
func TestReadsAPlanWithoutKind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"formatVersion": "1", "apiHost": "h", "createdAt": "2026-11-28T01:02:03Z",
 "summary": {"create": 0, "update": 0, "replace": 0, "rotate": 0, "delete": 1, "unchanged": 3},
 "changes": [{"action": "delete", "name": "x", "id": "1", "reasons": ["declared with state: absent"], "reasonCodes": ["delete_because_absent"],
   "before": {"name": "x", "role": "reader", "serviceToken": true}, "fingerprint": "f"}],
 "unmanaged": [], "observed": [{"id": "1", "name": "x"}]}`), 0o600))
	p, err := planfile.Read(path)
	require.NoError(t, err)
	assert.Equal(t, planner.Plan{APIHost: "h", CreatedAt: at, Unchanged: 3,
		Changes: []planner.Change{{Action: planner.Delete, Name: "x", ID: "1", Fingerprint: "f",
			Reasons: []planner.Reason{{Code: planner.ReasonDeleteAbsent, Text: "declared with state: absent"}},
			Before:  &planner.Fields{Name: "x", Role: "reader", ServiceToken: true}}},
		Observed: []planner.Observed{{ID: "1", Name: "x"}}}, p)
}
