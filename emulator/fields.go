package emulator

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
)

// The emulator reads ldapi.TokenFields, the one table of token fields, for
// what a patch may change, what makes up a token's permissions and what an
// audit entry describes.

// immutableChange names a read-only field the patch changed, or "".
func immutableChange(a, b ldapi.Token) string {
	switch {
	case a.ID != b.ID, a.OwnerID != b.OwnerID, a.MemberID != b.MemberID,
		a.CreationDate != b.CreationDate, a.LastModified != b.LastModified,
		a.LastUsed != b.LastUsed, a.Hint != b.Hint:
		return "Fields starting with _, and ownerId, memberId, creationDate, lastModified, lastUsed and token, are read-only"
	}
	if field, changed := ldapi.FixedFieldChanged(a, b); changed {
		return field + " cannot be changed after creation"
	}
	return ""
}

// samePermissions reports whether two tokens have the same role, custom
// roles and inline role.
func samePermissions(a, b ldapi.Token) bool {
	_, changed := ldapi.PermissionsChanged(a, b)
	return !changed
}

// auditAction is the role action that changing a field needs.
func auditAction(f ldapi.TokenField) string {
	if f.Mutability == ldapi.PersonalOnly {
		return "updateAccessTokenPolicy"
	}
	return "updateAccessToken" + f.Name
}

// auditChanges describes what a patch changed, for its audit entry: a
// sentence per changed field, the changed fields' names, and the role
// actions they need.
func auditChanges(a, b ldapi.Token) (description, short string, actions []string) {
	var sentences, names []string
	for _, f := range ldapi.TokenFields {
		if f.Mutability == ldapi.Fixed || f.Equal(&a, &b) {
			continue
		}
		before, _ := json.Marshal(f.Value(&a))
		after, _ := json.Marshal(f.Value(&b))
		sentences = append(sentences, "Changed "+f.JSON+" from "+string(before)+" to "+string(after)+".")
		names = append(names, f.JSON)
		if action := auditAction(f); !slices.Contains(actions, action) {
			actions = append(actions, action)
		}
	}
	if len(names) == 0 {
		return "Changed nothing.", "Changed nothing", []string{"updateAccessTokenName"}
	}
	return strings.Join(sentences, " "), "Changed " + strings.Join(names, ", "), actions
}
