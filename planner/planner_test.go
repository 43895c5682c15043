package planner_test

import (
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
