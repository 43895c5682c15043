package planner_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/spec"
)

// account is a varied set of remote tokens: every field, every kind of
// permissions, names shared, a personal token of the caller and one of
// someone else, a retiring token, one without a usable name.
func account() []ldapi.Token {
	personal := func(member string) func(*ldapi.Token) {
		return func(t *ldapi.Token) { t.ServiceToken, t.MemberID = false, member }
	}
	return []ldapi.Token{
		tok("1", "svc-inline", func(t *ldapi.Token) {
			t.Role, t.Description = "", "inline: with a colon"
			t.InlineRole = []ldapi.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*"}}, {Effect: "deny", NotActions: []string{"x"}, NotResources: []string{"proj/y"}}}
		}),
		tok("2", "svc-custom", func(t *ldapi.Token) {
			t.Role, t.CustomRoleIDs, t.DefaultAPIVersion = "", []string{"role-1", "role-2"}, 20220603
		}),
		tok("3", "svc-unkeyed", func(t *ldapi.Token) { t.Role, t.CustomRoleIDs = "", []string{"role-1", "role-9"} }),
		tok("5", "dup", func(t *ldapi.Token) { t.Role = "writer" }),
		tok("4", "dup"),
		tok("6", "mine", personal(caller)),
		tok("7", "theirs", personal("someone-else")),
		tok("8", planner.RetireMarker("svc-custom", now.Add(time.Hour))),
		tok("9", " padded "),
		tok("10", "no-role", func(t *ldapi.Token) { t.Role = "" }),
		tok("11", "123"),
	}
}

var roleKeys = map[string]string{"role-1": "readers", "role-2": "writers"}

// TestImportRoundTrip: a plan of the imported spec against the same
// tokens has no changes.
func TestImportRoundTrip(t *testing.T) {
	remote := account()
	im, err := planner.Import(remote, roleKeys, planner.ImportOptions{Personal: true, CallerMemberID: caller})
	require.NoError(t, err)
	s, err := spec.Parse("imported.yaml", im.YAML)
	require.NoError(t, err, string(im.YAML))
	roleIDs := map[string]string{}
	for id, key := range roleKeys {
		roleIDs[key] = id
	}
	p, err := planner.Make(planner.Input{Spec: s, Remote: remote, RoleIDs: roleIDs, Now: now, CallerMemberID: caller})
	require.NoError(t, err)
	assert.Empty(t, p.Changes, string(im.YAML))
	assert.Equal(t, len(s.Tokens), p.Unchanged)

	var names []string
	for _, d := range im.File.Tokens {
		names = append(names, d.Name)
	}
	assert.Equal(t, []string{"123", "dup", "mine", "svc-custom", "svc-inline", "svc-unkeyed"}, names, "sorted, unique")
	assert.Equal(t, []string{"11", "4", "6", "2", "1", "3"}, im.IDs)
	assert.Equal(t, "4", im.File.Tokens[1].ID, "of a shared name, the first id is pinned")
	assert.Equal(t, []string{"readers", "writers"}, im.File.Tokens[3].CustomRoles, "custom roles by key when every id has one")
	assert.Equal(t, []string{"role-1", "role-9"}, im.File.Tokens[5].CustomRoleIDs, "else by id")

	var skipped []string
	for _, sk := range im.Skipped {
		skipped = append(skipped, sk.String())
	}
	assert.Equal(t, []string{
		`token "svc-custom (retiring until 2026-11-28T13:00:00Z)" (8) is the old token of a replace, retiring until 2026-11-28T13:00:00Z: apply deletes it then`,
		`token " padded " (9) has no usable name: name it in LaunchDarkly and import again`,
		`token "no-role" (10) has no role, custom role or inline role`,
		`token "dup" (5) shares its name with 4, which is pinned with id:; it stays unmanaged: rename it in LaunchDarkly to manage it too`,
	}, skipped, "another member's personal token is left out silently")
}

func TestImportYAMLKeepsTheSpecsFieldOrder(t *testing.T) {
	im, err := planner.Import([]ldapi.Token{tok("1", "a", func(t *ldapi.Token) { t.Description = "d"; t.ServiceToken = false })}, nil,
		planner.ImportOptions{Personal: true, CallerMemberID: caller})
	require.NoError(t, err)
	assert.Equal(t, `tokens:
  - name: a
    description: d
    role: reader
    serviceToken: false
    defaultApiVersion: 20240415
`, string(im.YAML))
}

func TestImportOptions(t *testing.T) {
	tests := []struct {
		name  string
		opts  planner.ImportOptions
		names string
	}{
		{"service tokens by default", planner.ImportOptions{}, "123 dup svc-custom svc-inline svc-unkeyed"},
		{"match", planner.ImportOptions{Match: []string{"svc-*"}}, "svc-custom svc-inline svc-unkeyed"},
		{"personal: the caller's only", planner.ImportOptions{Personal: true, CallerMemberID: caller, Match: []string{"mine", "theirs"}}, "mine"},
		{"personal, caller unknown, two members: none", planner.ImportOptions{Personal: true, Match: []string{"mine", "theirs"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := planner.Import(account(), roleKeys, tt.opts)
			require.NoError(t, err)
			var names []string
			for _, d := range im.File.Tokens {
				names = append(names, d.Name)
			}
			assert.Equal(t, tt.names, strings.Join(names, " "))
		})
	}
}
