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
	// value reads a field; it is called only for the fields a patch
	// touches, so that most tokens of a large account box no value.
	type field struct {
		path      string
		value     func(Fields) any
		haveEmpty bool
		wantEmpty bool
		same      bool
	}
	fields := []field{
		{"/name", func(f Fields) any { return f.Name }, have.Name == "", want.Name == "", have.Name == want.Name},
		{"/description", func(f Fields) any { return f.Description }, have.Description == "", want.Description == "", have.Description == want.Description},
		{"/role", func(f Fields) any { return f.Role }, have.Role == "", want.Role == "", have.Role == want.Role},
		{"/customRoleIds", func(f Fields) any { return f.CustomRoleIDs }, len(have.CustomRoleIDs) == 0, len(want.CustomRoleIDs) == 0, sameStrings(have.CustomRoleIDs, want.CustomRoleIDs)},
		{"/inlineRole", func(f Fields) any { return f.InlineRole }, len(have.InlineRole) == 0, len(want.InlineRole) == 0, sameStatements(have.InlineRole, want.InlineRole)},
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
			guard = append(guard, ldapi.PatchOp{Op: "test", Path: f.path, Value: f.value(have)})
		case f.haveEmpty:
			sets = append(sets, ldapi.PatchOp{Op: "add", Path: f.path, Value: f.value(want)})
		default:
			sets = append(sets, ldapi.PatchOp{Op: "replace", Path: f.path, Value: f.value(want)})
			guard = append(guard, ldapi.PatchOp{Op: "test", Path: f.path, Value: f.value(have)})
		}
	}
	return append(removes, sets...), guard
}

// changedPaths names the fields a patch touches: "role, inlineRole".
func changedPaths(ops []ldapi.PatchOp) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = strings.TrimPrefix(op.Path, "/")
	}
	return out
}
