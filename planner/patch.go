package planner

import (
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
)

// patchOps returns the minimal RFC 6902 patch from have to want, and test
// operations guarding the values it replaces or removes. Removes come first,
// so that switching from one kind of role to another reads naturally. An op
// is replace for a field present remotely, add for one absent, and remove
// only for one present.
func patchOps(have, want Fields) (ops, guard []ldapi.PatchOp) {
	type field struct {
		path      string
		haveEmpty bool
		wantEmpty bool
		same      bool
	}
	fields := []field{
		{"/name", have.Name == "", want.Name == "", have.Name == want.Name},
		{"/description", have.Description == "", want.Description == "", have.Description == want.Description},
		{"/role", have.Role == "", want.Role == "", have.Role == want.Role},
		{"/customRoleIds", len(have.CustomRoleIDs) == 0, len(want.CustomRoleIDs) == 0, sameStrings(have.CustomRoleIDs, want.CustomRoleIDs)},
		{"/inlineRole", len(have.InlineRole) == 0, len(want.InlineRole) == 0, sameStatements(have.InlineRole, want.InlineRole)},
	}
	var removes, sets []ldapi.PatchOp
	for _, f := range fields {
		if f.same {
			continue
		}
		switch {
		case f.wantEmpty && f.haveEmpty:
		case f.wantEmpty:
			removes = append(removes, ldapi.PatchOp{Op: "remove", Path: f.path})
			guard = append(guard, ldapi.PatchOp{Op: "test", Path: f.path, Value: have.at(f.path)})
		case f.haveEmpty:
			sets = append(sets, ldapi.PatchOp{Op: "add", Path: f.path, Value: want.at(f.path)})
		default:
			sets = append(sets, ldapi.PatchOp{Op: "replace", Path: f.path, Value: want.at(f.path)})
			guard = append(guard, ldapi.PatchOp{Op: "test", Path: f.path, Value: have.at(f.path)})
		}
	}
	return append(removes, sets...), guard
}

// at returns the value of the field at a patch path. Values are boxed only
// for the fields a patch touches: boxing every field of every token cost
// two allocations a token on a large account.
func (f Fields) at(path string) any {
	switch path {
	case "/name":
		return f.Name
	case "/description":
		return f.Description
	case "/role":
		return f.Role
	case "/customRoleIds":
		return f.CustomRoleIDs
	case "/inlineRole":
		return f.InlineRole
	}
	panic("planner: no field at " + path)
}

// changedPaths names the fields a patch touches: "role, inlineRole".
func changedPaths(ops []ldapi.PatchOp) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = strings.TrimPrefix(op.Path, "/")
	}
	return out
}
