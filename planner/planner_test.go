package planner_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/spec"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

const caller = "member-me"

func mustSpec(t *testing.T, text string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("t.yaml", []byte(text))
	require.NoError(t, err)
	return s
}

func tok(id, name string, mut ...func(*ldapi.Token)) ldapi.Token {
	t := ldapi.Token{ID: id, Name: name, Role: "reader", ServiceToken: true, MemberID: caller, DefaultAPIVersion: 20240415,
		CreationDate: now.Add(-time.Hour).UnixMilli(), LastModified: now.Add(-time.Hour).UnixMilli()}
	for _, m := range mut {
		m(&t)
	}
	return t
}

func plan(t *testing.T, s *spec.Spec, remote ...ldapi.Token) planner.Plan {
	t.Helper()
	p, err := planner.Make(planner.Input{Spec: s, Remote: remote, Now: now, CallerMemberID: caller,
		RoleIDs: map[string]string{"readers": "role-1", "writers": "role-2"}})
	require.NoError(t, err)
	return p
}

func TestActions(t *testing.T) {
	personal := func(tk *ldapi.Token) { tk.ServiceToken = false }
	tests := []struct {
		name    string
		spec    string
		remote  []ldapi.Token
		action  planner.Action
		reason  string
		patch   []ldapi.PatchOp
		noop    bool
		unmanag int
	}{
		{name: "create when missing", spec: "tokens: [{name: a, role: reader}]",
			action: planner.Create, reason: planner.ReasonCreateMissing},
		{name: "unchanged", spec: "tokens: [{name: a, role: reader}]", remote: []ldapi.Token{tok("1", "a")}, noop: true},
		{name: "description added", spec: "tokens: [{name: a, role: reader, description: hi}]", remote: []ldapi.Token{tok("1", "a")},
			action: planner.Update, reason: planner.ReasonUpdateFields,
			patch: []ldapi.PatchOp{{Op: "add", Path: "/description", Value: "hi"}}},
		{name: "description replaced", spec: "tokens: [{name: a, role: reader, description: hi}]",
			remote: []ldapi.Token{tok("1", "a", func(t *ldapi.Token) { t.Description = "old" })},
			action: planner.Update, patch: []ldapi.PatchOp{{Op: "replace", Path: "/description", Value: "hi"}}},
		{name: "description removed", spec: "tokens: [{name: a, role: reader}]",
			remote: []ldapi.Token{tok("1", "a", func(t *ldapi.Token) { t.Description = "old" })},
			action: planner.Update, patch: []ldapi.PatchOp{{Op: "remove", Path: "/description"}}},
		{name: "personal role patched", spec: "tokens: [{name: a, role: writer, serviceToken: false}]",
			remote: []ldapi.Token{tok("1", "a", personal)},
			action: planner.Update, patch: []ldapi.PatchOp{{Op: "replace", Path: "/role", Value: "writer"}}},
		{name: "personal role to inline role", spec: "tokens: [{name: a, serviceToken: false, inlineRole: [{effect: allow, actions: ['*'], resources: ['proj/*']}]}]",
			remote: []ldapi.Token{tok("1", "a", personal)},
			action: planner.Update, patch: []ldapi.PatchOp{
				{Op: "remove", Path: "/role"},
				{Op: "add", Path: "/inlineRole", Value: []ldapi.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*"}}}},
			}},
		{name: "personal custom roles by key become ids", spec: "tokens: [{name: a, serviceToken: false, customRoles: [readers]}]",
			remote: []ldapi.Token{tok("1", "a", personal)},
			action: planner.Update, patch: []ldapi.PatchOp{{Op: "remove", Path: "/role"}, {Op: "add", Path: "/customRoleIds", Value: []string{"role-1"}}}},
		{name: "service token permissions replace", spec: "tokens: [{name: a, role: writer}]", remote: []ldapi.Token{tok("1", "a")},
			action: planner.Replace, reason: planner.ReasonReplacePermissions},
		{name: "serviceToken replaces", spec: "tokens: [{name: a, role: reader, serviceToken: false}]", remote: []ldapi.Token{tok("1", "a")},
			action: planner.Replace, reason: planner.ReasonReplaceServiceToken},
		{name: "defaultApiVersion replaces", spec: "tokens: [{name: a, role: reader, defaultApiVersion: 20220603}]", remote: []ldapi.Token{tok("1", "a")},
			action: planner.Replace, reason: planner.ReasonReplaceAPIVersion},
		{name: "undeclared defaultApiVersion is not managed", spec: "tokens: [{name: a, role: reader}]",
			remote: []ldapi.Token{tok("1", "a", func(t *ldapi.Token) { t.DefaultAPIVersion = 20191212 })}, noop: true},
		{name: "absent deletes", spec: "tokens: [{name: a, state: absent}]", remote: []ldapi.Token{tok("1", "a")},
			action: planner.Delete, reason: planner.ReasonDeleteAbsent},
		{name: "absent and gone is nothing", spec: "tokens: [{name: a, state: absent}]", noop: true},
		{name: "rotation due", spec: "tokens: [{name: a, role: reader, rotate: {every: 30d, grace: 1h}}]",
			remote: []ldapi.Token{tok("1", "a", func(t *ldapi.Token) { t.LastModified = now.Add(-31 * 24 * time.Hour).UnixMilli() })},
			action: planner.Rotate, reason: planner.ReasonRotateDue},
		{name: "rotation not due", spec: "tokens: [{name: a, role: reader, rotate: {every: 30d}}]",
			remote: []ldapi.Token{tok("1", "a", func(t *ldapi.Token) { t.LastModified = now.Add(-29 * 24 * time.Hour).UnixMilli() })}, noop: true},
		{name: "pruned inside glob", spec: "tokens: [{name: k, state: absent}, {name: keep, role: reader}]\nprune: {enabled: true, match: ['ci-*']}", remote: []ldapi.Token{tok("1", "ci-x"), tok("2", "keep")},
			action: planner.Delete, reason: planner.ReasonDeletePruned},
		{name: "outside glob is unmanaged", spec: "tokens: [{name: keep, role: reader}]\nprune: {enabled: true, match: ['ci-*']}",
			remote: []ldapi.Token{tok("1", "svc-x"), tok("2", "keep")}, noop: true, unmanag: 1},
		{name: "ignored is invisible", spec: "tokens: []\nignore: ['legacy-*']", remote: []ldapi.Token{tok("1", "legacy-x")}, noop: true},
		{name: "another member's personal token is never touched", spec: "tokens: [{name: keep, role: reader}]\nprune: {enabled: true, match: ['*']}",
			remote: []ldapi.Token{tok("2", "keep"), tok("1", "theirs", personal, func(t *ldapi.Token) { t.MemberID = "member-other" })}, noop: true, unmanag: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := plan(t, mustSpec(t, tt.spec), tt.remote...)
			assert.Len(t, p.Unmanaged, tt.unmanag)
			if tt.noop {
				assert.Empty(t, p.Changes)
				return
			}
			require.Len(t, p.Changes, 1)
			c := p.Changes[0]
			assert.Equal(t, tt.action, c.Action)
			if tt.reason != "" {
				assert.Equal(t, tt.reason, c.Reasons[0].Code)
			}
			if tt.patch != nil {
				assert.Equal(t, tt.patch, c.Patch)
			}
			if c.Action != planner.Create {
				assert.NotEmpty(t, c.ID)
				assert.NotEmpty(t, c.Fingerprint)
			}
		})
	}
}

func TestSemanticComparison(t *testing.T) {
	s := mustSpec(t, `tokens:
  - name: a
    serviceToken: false
    inlineRole:
      - {effect: allow, actions: [b, a], resources: ["proj/*"]}
      - {effect: deny, actions: [x], resources: ["proj/y", "proj/x"]}
  - name: b
    serviceToken: false
    customRoleIds: [r2, r1]
`)
	reordered := tok("1", "a", func(t *ldapi.Token) {
		t.ServiceToken, t.Role = false, ""
		t.InlineRole = []ldapi.Statement{
			{Effect: "deny", Actions: []string{"x"}, Resources: []string{"proj/x", "proj/y"}},
			{Effect: "allow", Actions: []string{"a", "b"}, Resources: []string{"proj/*"}},
		}
		// Server-managed fields never diff.
		t.Hint, t.LastUsed, t.CreationDate, t.OwnerID = "abcd", 12345, 42, "someone"
	})
	ids := tok("2", "b", func(t *ldapi.Token) { t.ServiceToken, t.Role, t.CustomRoleIDs = false, "", []string{"r1", "r2"} })
	p := plan(t, s, reordered, ids)
	assert.Empty(t, p.Changes, "order of statements and lists makes no difference")
	assert.Equal(t, 2, p.Unchanged)
}

func TestUpdateAndRotateTogether(t *testing.T) {
	s := mustSpec(t, "tokens: [{name: a, role: reader, description: new, rotate: {every: 1d}}]")
	p := plan(t, s, tok("1", "a", func(t *ldapi.Token) { t.LastModified = now.Add(-48 * time.Hour).UnixMilli() }))
	require.Len(t, p.Changes, 2)
	assert.Equal(t, planner.Update, p.Changes[0].Action, "the update runs first")
	assert.Equal(t, planner.Rotate, p.Changes[1].Action)
	assert.Equal(t, planner.Summary{Update: 1, Rotate: 1}, p.Summary())
}

func TestGuardTestsWhatThePlanSaw(t *testing.T) {
	s := mustSpec(t, "tokens: [{name: a, role: writer, serviceToken: false}]")
	p := plan(t, s, tok("1", "a", func(t *ldapi.Token) { t.ServiceToken, t.Description = false, "old" }))
	require.Len(t, p.Changes, 1)
	assert.Equal(t, []ldapi.PatchOp{{Op: "test", Path: "/description", Value: "old"}, {Op: "test", Path: "/role", Value: "reader"}}, p.Changes[0].Guard)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		spec   string
		remote []ldapi.Token
		want   string
	}{
		{"ambiguous name", "tokens: [{name: a, role: reader}]", []ldapi.Token{tok("1", "a"), tok("2", "a")},
			`t.yaml:1:17: token "a": 2 remote tokens have this name (ids 1, 2): pin one with id:`},
		{"unknown id", "tokens: [{name: a, id: nope, role: reader}]", nil,
			`t.yaml:1:24: token "a": id nope does not exist (or is ignored): remove the id to create the token, or fix it`},
		{"another member's id", "tokens: [{name: a, id: '9', role: reader}]", []ldapi.Token{tok("9", "a", func(t *ldapi.Token) { t.ServiceToken, t.MemberID = false, "other" })},
			`t.yaml:1:24: token "a": id 9 is another member's personal token, which ldtokens never changes`},
		{"unknown custom role key", "tokens: [{name: a, customRoles: [nope]}]", nil,
			`t.yaml:1:33: token "a": no custom role has the key "nope": check the key in LaunchDarkly (Account settings, Roles)`},
		{"over the cap", "tokens: [{name: k, role: reader}]\nprune: {enabled: true, match: ['x*'], maxDeletes: 1}", []ldapi.Token{tok("1", "x1"), tok("2", "x2"), tok("3", "k")},
			`t.yaml:2:8: the plan deletes 2 tokens (replaces count), more than prune.maxDeletes 1: x1, x2; raise prune.maxDeletes if this is intended`},
		{"empty spec with prune", "prune: {enabled: true, match: ['x*']}", []ldapi.Token{tok("1", "x1")},
			`t.yaml:1:8: prune is enabled but the spec declares no token: this would delete every token matching prune.match; pass --allow-empty if that is what you want`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planner.Make(planner.Input{Spec: mustSpec(t, tt.spec), Remote: tt.remote, Now: now, CallerMemberID: caller, RoleIDs: map[string]string{}})
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestIDPinAndRename(t *testing.T) {
	s := mustSpec(t, "tokens: [{name: new-name, id: '2', role: reader}]")
	p := plan(t, s, tok("1", "old-name"), tok("2", "old-name"))
	require.Len(t, p.Changes, 1)
	assert.Equal(t, "2", p.Changes[0].ID)
	assert.Equal(t, []ldapi.PatchOp{{Op: "replace", Path: "/name", Value: "new-name"}}, p.Changes[0].Patch)
	require.Len(t, p.Unmanaged, 1)
	assert.Equal(t, "1", p.Unmanaged[0].ID)
}

func TestDeterministicOrder(t *testing.T) {
	s := mustSpec(t, "tokens: [{name: c, role: reader}, {name: a, role: reader}, {name: b, state: absent}]")
	for range 20 {
		p := plan(t, s, tok("9", "b"), tok("8", "z"), tok("7", "y"))
		var names []string
		for _, c := range p.Changes {
			names = append(names, c.Name)
		}
		assert.Equal(t, []string{"a", "b", "c"}, names)
		assert.Equal(t, "y", p.Unmanaged[0].Name)
	}
}

func TestRotateNow(t *testing.T) {
	s := mustSpec(t, "tokens: [{name: a, role: reader}, {name: b, role: reader}]")
	in := planner.Input{Spec: s, Remote: []ldapi.Token{tok("1", "a")}, Now: now}
	p, err := planner.RotateNow(in, []string{"a"}, time.Hour)
	require.NoError(t, err)
	require.Len(t, p.Changes, 1)
	assert.Equal(t, planner.Rotate, p.Changes[0].Action)
	assert.Equal(t, time.Hour, p.Changes[0].Grace)
	_, err = planner.RotateNow(in, []string{"b", "c"}, 0)
	assert.EqualError(t, err, "token \"b\" does not exist in LaunchDarkly: run apply to create it\ntoken \"c\" is not declared in the spec")
}

// TestReasonCodes pins every reason code: they are a documented, stable
// part of the plan JSON.
func TestReasonCodes(t *testing.T) {
	for code, want := range map[string]string{
		planner.ReasonCreateMissing:       "create_because_missing",
		planner.ReasonUpdateFields:        "update_because_fields_differ",
		planner.ReasonReplaceServiceToken: "replace_because_service_token",
		planner.ReasonReplaceAPIVersion:   "replace_because_default_api_version",
		planner.ReasonReplacePermissions:  "replace_because_service_token_permissions",
		planner.ReasonRotateDue:           "rotate_because_due",
		planner.ReasonRotateRequested:     "rotate_because_requested",
		planner.ReasonDeleteAbsent:        "delete_because_absent",
		planner.ReasonDeletePruned:        "delete_because_pruned",
		planner.ReasonRetireGraceEnded:    "retire_because_grace_ended",
	} {
		assert.Equal(t, want, code)
	}
	for action, want := range map[planner.Action]string{
		planner.Create: "create", planner.Update: "update", planner.Replace: "replace",
		planner.Rotate: "rotate", planner.Delete: "delete", planner.Retire: "retire",
	} {
		assert.Equal(t, want, string(action))
	}
}

// TestFingerprintIsStable pins the fingerprint of a token, so that a saved
// plan stays applicable across versions that hash the same fields.
func TestFingerprintIsStable(t *testing.T) {
	tk := ldapi.Token{ID: "61095542756dba551110ae21", Name: "ci", Description: "d", Role: "reader", CustomRoleIDs: []string{"r1", "r2"},
		InlineRole:   []ldapi.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*"}, NotResources: []string{"x"}}},
		ServiceToken: true, DefaultAPIVersion: 20240415, LastModified: 1700000000000, OwnerID: "o", Hint: "abcd"}
	assert.Equal(t, "7207fe5c576326c76f61689a", planner.Fingerprint(tk))
	moved := tk
	moved.LastUsed, moved.Hint = 99, "wxyz"
	assert.Equal(t, planner.Fingerprint(tk), planner.Fingerprint(moved), "server fields that do not say the token changed are not hashed")
	for _, f := range ldapi.TokenFields {
		changed := tk
		changed.CustomRoleIDs = slices.Clone(tk.CustomRoleIDs)
		changed.InlineRole = slices.Clone(tk.InlineRole)
		switch v := f.Value(&changed).(type) {
		case string:
			changed = withJSON(t, changed, f.JSON, v+"x")
		case bool:
			changed = withJSON(t, changed, f.JSON, !v)
		case int:
			changed = withJSON(t, changed, f.JSON, v+1)
		default:
			changed = withJSON(t, changed, f.JSON, nil)
		}
		assert.NotEqual(t, planner.Fingerprint(tk), planner.Fingerprint(changed), "field %s is hashed", f.JSON)
	}
}

// withJSON sets one member of t through its JSON form.
func withJSON(t *testing.T, tk ldapi.Token, member string, v any) ldapi.Token {
	t.Helper()
	b, err := json.Marshal(map[string]any{member: v})
	require.NoError(t, err)
	out := tk
	if v == nil { // clear a list
		b = []byte(`{"` + member + `": []}`)
	}
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func TestPlanErrorsAreSpecErrors(t *testing.T) {
	_, err := planner.Make(planner.Input{Spec: mustSpec(t, "tokens: [{name: a, role: reader}, {name: b, id: x, role: reader}]"),
		Remote: []ldapi.Token{tok("1", "a"), tok("2", "a")}, Now: now, CallerMemberID: caller})
	var errs spec.Errors
	require.ErrorAs(t, err, &errs, "a GitHub annotation needs file:line")
	require.Len(t, errs, 2, "every problem at once")
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 1, Column: 17}, errs[0].Pos)
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 1, Column: 49}, errs[1].Pos)
}

func TestAccountID(t *testing.T) {
	owned := func(o string) func(*ldapi.Token) { return func(t *ldapi.Token) { t.OwnerID = o } }
	s := mustSpec(t, "tokens: []")
	tests := []struct {
		name   string
		caller string
		remote []ldapi.Token
		want   string
	}{
		{"caller-identity's accountId", "acct", []ldapi.Token{tok("1", "a", owned("owner"))}, "acct"},
		{"else the common ownerId", "", []ldapi.Token{tok("1", "a", owned("owner")), tok("2", "b", owned("owner")), tok("3", "c")}, "owner"},
		{"owners that differ say nothing", "", []ldapi.Token{tok("1", "a", owned("o1")), tok("2", "b", owned("o2"))}, ""},
		{"no token, no caller", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := planner.Make(planner.Input{Spec: s, Remote: tt.remote, Now: now, CallerMemberID: caller, CallerAccountID: tt.caller})
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.AccountID)
		})
	}
	assert.Equal(t, "owner", planner.AccountOf([]ldapi.Token{tok("1", "a", owned("owner"))}))
}

func TestPins(t *testing.T) {
	tests := []struct {
		name       string
		spec       string
		remote     []ldapi.Token
		err        string
		action     planner.Action
		remoteName string
	}{
		{name: "absent pin whose token has the declared name deletes it", spec: "tokens: [{name: a, id: '2', state: absent}]",
			remote: []ldapi.Token{tok("1", "a"), tok("2", "a")}, action: planner.Delete},
		{name: "absent pin whose token has another name is refused", spec: "tokens: [{name: a, id: '2', state: absent}]",
			remote: []ldapi.Token{tok("1", "a"), tok("2", "prod-deployer")},
			err:    `t.yaml:1:24: token "a": id 2 is the token named "prod-deployer", not "a", and state: absent would delete it: if that is the token to delete, write name: "prod-deployer"; otherwise fix the id`},
		{name: "absent pin of a token gone is nothing", spec: "tokens: [{name: a, id: '2', state: absent}]", remote: []ldapi.Token{tok("1", "b")}},
		{name: "renamed pin shows the remote name", spec: "tokens: [{name: a, id: '2', role: reader, description: new}]",
			remote: []ldapi.Token{tok("2", "old")}, action: planner.Update, remoteName: "old"},
		{name: "replaced pin shows the remote name", spec: "tokens: [{name: a, id: '2', role: writer}]",
			remote: []ldapi.Token{tok("2", "old")}, action: planner.Replace, remoteName: "old"},
		{name: "missing pin, one token has the name", spec: "tokens: [{name: a, id: '2', role: reader}]", remote: []ldapi.Token{tok("7", "a")},
			err: `t.yaml:1:24: token "a": id 2 does not exist (or is ignored): the token named "a" now has id 7: write id: "7", or remove the id`},
		{name: "missing pin, several tokens have the name", spec: "tokens: [{name: a, id: '2', role: reader}]", remote: []ldapi.Token{tok("7", "a"), tok("8", "a")},
			err: `t.yaml:1:24: token "a": id 2 does not exist (or is ignored): tokens named "a" now have ids 7, 8: write the id: of the one to manage`},
		{name: "pin of a retiring token", spec: "tokens: [{name: a, id: '2', role: reader}]",
			remote: []ldapi.Token{tok("2", planner.RetireMarker("a", now.Add(time.Hour))), tok("7", "a")},
			err:    `t.yaml:1:24: token "a": id 2 was replaced and is retiring (its old secret works until 2026-11-28T13:00:00Z): the token named "a" now has id 7: write id: "7", or remove the id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := planner.Make(planner.Input{Spec: mustSpec(t, tt.spec), Remote: tt.remote, Now: now, CallerMemberID: caller})
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			if tt.action == "" {
				assert.Empty(t, p.Changes)
				return
			}
			require.Len(t, p.Changes, 1)
			assert.Equal(t, tt.action, p.Changes[0].Action)
			assert.Equal(t, "2", p.Changes[0].ID)
			assert.Equal(t, tt.remoteName, p.Changes[0].RemoteName)
		})
	}
}

// TestOtherMembersPersonalTokens: another member's personal token is never
// paired or changed, whether or not caller-identity said who the caller is.
func TestOtherMembersPersonalTokens(t *testing.T) {
	personal := func(member string) func(*ldapi.Token) {
		return func(t *ldapi.Token) { t.ServiceToken, t.MemberID = false, member }
	}
	declared := "tokens: [{name: mine, role: reader, serviceToken: false}, {name: svc, role: reader}]\nprune: {enabled: true, match: ['*']}"
	tests := []struct {
		name       string
		caller     string
		allMembers bool
		remote     []ldapi.Token
		err        string
		unmanaged  []string
		changes    []string
	}{
		{name: "caller known: theirs is unmanaged", caller: caller,
			remote:    []ldapi.Token{tok("1", "mine", personal(caller)), tok("2", "svc"), tok("3", "mine", personal("other"))},
			unmanaged: []string{"3"}},
		{name: "caller unknown, one member: paired", remote: []ldapi.Token{tok("1", "mine", personal("m1")), tok("2", "svc")}},
		{name: "caller unknown, one member, a rename: patched", remote: []ldapi.Token{tok("1", "mine", personal("m1"), func(t *ldapi.Token) { t.Description = "x" }), tok("2", "svc")},
			changes: []string{"update 1"}},
		{name: "caller unknown, two members, declared name: refused",
			remote: []ldapi.Token{tok("1", "mine", personal("m1")), tok("2", "svc"), tok("3", "theirs", personal("m2"))},
			err:    `t.yaml:1:17: token "mine": personal token 1 has this name and ldtokens cannot tell whose it is: caller-identity did not say which member ldtokens runs as, and the personal tokens listed belong to 2 members; ldtokens pairs no personal token then`},
		{name: "caller unknown, two members, undeclared: unmanaged, never pruned",
			remote:    []ldapi.Token{tok("2", "svc"), tok("3", "theirs", personal("m2")), tok("4", "other", personal("m3"))},
			unmanaged: []string{"4", "3"}, changes: []string{"create "}},
		{name: "caller unknown, listed with showAll: one member is not enough", allMembers: true,
			remote: []ldapi.Token{tok("1", "mine", personal("m1")), tok("2", "svc")},
			err:    `t.yaml:1:17: token "mine": personal token 1 has this name and ldtokens cannot tell whose it is: caller-identity did not say which member ldtokens runs as, and the list holds every member's personal tokens (showAll); ldtokens pairs no personal token then`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := planner.Make(planner.Input{Spec: mustSpec(t, declared), Remote: tt.remote, Now: now, CallerMemberID: tt.caller, AllMembers: tt.allMembers})
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			var unmanaged, changes []string
			for _, u := range p.Unmanaged {
				unmanaged = append(unmanaged, u.ID)
			}
			for _, c := range p.Changes {
				changes = append(changes, string(c.Action)+" "+c.ID)
			}
			assert.Equal(t, tt.unmanaged, unmanaged)
			assert.Equal(t, tt.changes, changes, "no change to a personal token that is not the caller's")
		})
	}
}

func TestRetireMarker(t *testing.T) {
	until := time.Date(2026, 11, 28, 13, 0, 0, 0, time.FixedZone("CET", 3600))
	name := planner.RetireMarker("ci (deployer)", until)
	assert.Equal(t, "ci (deployer) (retiring until 2026-11-28T12:00:00Z)", name)
	orig, got, ok := planner.ParseRetiring(name)
	require.True(t, ok)
	assert.Equal(t, "ci (deployer)", orig)
	assert.True(t, until.Equal(got))
	for _, name := range []string{
		"ci", "ci (retiring until soon)", "ci (retiring until 2026-13-28T12:00:00Z)", "ci (retiring until 2026-11-28T12:00:00Z) ",
		"ci(retiring until 2026-11-28T12:00:00Z)", "ci (retiring until 2026-11-28T12:00:00+01:00)",
	} {
		_, _, ok := planner.ParseRetiring(name)
		assert.False(t, ok, name)
	}
}

func TestRetiring(t *testing.T) {
	soon, past := now.Add(30*time.Minute), now.Add(-time.Minute)
	s := mustSpec(t, "tokens: [{name: a, role: writer}]\nprune: {enabled: true, match: ['*'], maxDeletes: 0}")
	p := plan(t, s,
		tok("1", "a", func(t *ldapi.Token) { t.Role = "writer" }),
		tok("2", planner.RetireMarker("a", soon)),
		tok("3", planner.RetireMarker("a", past)),
		tok("4", planner.RetireMarker("gone", past)),
	)
	assert.Equal(t, 1, p.Unchanged, "the retiring tokens are never paired with the declared name")
	assert.Empty(t, p.Unmanaged, "never unmanaged")
	assert.Equal(t, []planner.Retiring{{Name: "a (retiring until 2026-11-28T12:30:00Z)", ID: "2", OriginalName: "a", Until: soon}}, p.Retiring)
	require.Len(t, p.Changes, 2, "retired once the grace ended, never pruned, whatever maxDeletes says")
	for i, id := range []string{"3", "4"} {
		c := p.Changes[i]
		assert.Equal(t, planner.Retire, c.Action)
		assert.Equal(t, id, c.ID)
		assert.Equal(t, planner.ReasonRetireGraceEnded, c.Reasons[0].Code)
		assert.NotEmpty(t, c.Fingerprint)
		assert.Equal(t, c.RemoteName, c.Before.Name)
	}
	assert.Equal(t, "a", p.Changes[0].Name, "named after the token it was")
	assert.Equal(t, planner.Summary{Retire: 2, Unchanged: 1}, p.Summary())
	_, _, destroy, _ := p.Summary().Totals()
	assert.Equal(t, 2, destroy, "a retire counts as a destroy")
	assert.Len(t, p.Observed, 4)
}

func TestReplaceCarriesItsGrace(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want time.Duration
	}{
		{"built-in default", "tokens: [{name: a, role: writer}]", spec.DefaultReplaceGrace},
		{"spec-wide default", "defaults: {replaceGrace: 30m}\ntokens: [{name: a, role: writer}]", 30 * time.Minute},
		{"the token's own", "defaults: {replaceGrace: 30m}\ntokens: [{name: a, role: writer, replace: {grace: 2h}}]", 2 * time.Hour},
		{"zero deletes at once", "tokens: [{name: a, role: writer, replace: {grace: 0}}]", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := plan(t, mustSpec(t, tt.spec), tok("1", "a"))
			require.Len(t, p.Changes, 1)
			assert.Equal(t, planner.Replace, p.Changes[0].Action)
			assert.Equal(t, tt.want, p.Changes[0].ReplaceGrace)
		})
	}
}

func TestChangesNameTheirSecret(t *testing.T) {
	s := mustSpec(t, "prune: {enabled: true, match: [\"old-*\"]}\ntokens: [{name: ci.deployer, role: reader}, {name: b, role: reader, secretName: CUSTOM_B}]")
	p := plan(t, s, tok("9", "old-x"))
	names := map[string]string{}
	for _, c := range p.Changes {
		names[c.Name] = c.SecretName
	}
	assert.Equal(t, map[string]string{"ci.deployer": "CI_DEPLOYER", "b": "CUSTOM_B", "old-x": "OLD_X"}, names)
}

func TestServiceTokenCallerCannotPlanPersonalTokens(t *testing.T) {
	s := mustSpec(t, "tokens: [{name: a, role: reader}, {name: p, role: reader, serviceToken: false}]")
	_, err := planner.Make(planner.Input{Spec: s, CallerServiceToken: true, Now: time.Now()})
	var errs spec.Errors
	require.ErrorAs(t, err, &errs)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), `token "p" is a personal token, and the access token in use is a service token`)
	assert.NotZero(t, errs[0].Pos.Line)

	_, err = planner.Make(planner.Input{Spec: mustSpec(t, "tokens: [{name: a, role: reader}]"), CallerServiceToken: true, Now: time.Now()})
	assert.NoError(t, err, "service tokens alone plan fine with a service token")
}
