package emulator

import (
	"bytes"
	"encoding/json"

	"github.com/ldtokens/ldtokens/ldapi"
)

// The token fields the emulator reads by hand: which a patch may not
// change, and which make up a token's permissions. They are kept here,
// together, for the one table of token fields to replace.

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
