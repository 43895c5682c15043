package emulator

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
)

// The token fields the emulator reads by hand: which a patch may not
// change, which make up a token's permissions, and which an audit entry
// describes. They are kept here, together, for the one table of token
// fields to replace.

// immutableChange names a read-only field the patch changed, or "".
func immutableChange(a, b ldapi.Token) string {
	switch {
	case a.ID != b.ID, a.OwnerID != b.OwnerID, a.MemberID != b.MemberID,
		a.CreationDate != b.CreationDate, a.LastModified != b.LastModified,
		a.LastUsed != b.LastUsed, a.Hint != b.Hint:
		return "Fields starting with _, and ownerId, memberId, creationDate, lastModified, lastUsed and token, are read-only"
	case a.ServiceToken != b.ServiceToken:
		return "serviceToken cannot be changed after creation"
	case a.DefaultAPIVersion != b.DefaultAPIVersion:
		return "defaultApiVersion cannot be changed after creation"
	}
	return ""
}

// samePermissions reports whether two tokens have the same role, custom
// roles and inline role.
func samePermissions(a, b ldapi.Token) bool {
	ja, _ := json.Marshal([]any{a.Role, a.CustomRoleIDs, a.InlineRole})
	jb, _ := json.Marshal([]any{b.Role, b.CustomRoleIDs, b.InlineRole})
	return bytes.Equal(ja, jb)
}

// auditChanges describes what a patch changed, for its audit entry: a
// sentence per changed field, the changed fields' names, and the role
// actions they need.
func auditChanges(a, b ldapi.Token) (description, short string, actions []string) {
	js := func(v any) string {
		out, _ := json.Marshal(v)
		return string(out)
	}
	fields := []struct {
		name, action  string
		before, after string
	}{
		{"name", "updateAccessTokenName", js(a.Name), js(b.Name)},
		{"description", "updateAccessTokenDescription", js(a.Description), js(b.Description)},
		{"role", "updateAccessTokenPolicy", js(a.Role), js(b.Role)},
		{"customRoleIds", "updateAccessTokenPolicy", js(a.CustomRoleIDs), js(b.CustomRoleIDs)},
		{"inlineRole", "updateAccessTokenPolicy", js(a.InlineRole), js(b.InlineRole)},
	}
	var sentences, names []string
	for _, f := range fields {
		if f.before == f.after {
			continue
		}
		sentences = append(sentences, "Changed "+f.name+" from "+f.before+" to "+f.after+".")
		names = append(names, f.name)
		if !slices.Contains(actions, f.action) {
			actions = append(actions, f.action)
		}
	}
	if len(names) == 0 {
		return "Changed nothing.", "Changed nothing", []string{"updateAccessTokenName"}
	}
	return strings.Join(sentences, " "), "Changed " + strings.Join(names, ", "), actions
}
