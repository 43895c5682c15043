package planner

import (
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
)

// patchOps returns the minimal RFC 6902 patch from have to want over the
// fields of ldapi.TokenFields that a patch may change, and test operations
// guarding the values it replaces or removes. Removes come first, so that
// switching from one kind of role to another reads naturally. An op is
// replace for a field present remotely, add for one absent, and remove
// only for one present.
func patchOps(have, want *Fields) (ops, guard []ldapi.PatchOp) {
	var removes, sets []ldapi.PatchOp
	for _, f := range ldapi.TokenFields {
		if f.Mutability == ldapi.Fixed || f.Equal(have, want) {
			continue
		}
		haveZero, wantZero := f.IsZero(have), f.IsZero(want)
		switch {
		case wantZero && haveZero:
		case wantZero:
			removes = append(removes, ldapi.PatchOp{Op: "remove", Path: f.Path})
			guard = append(guard, ldapi.PatchOp{Op: "test", Path: f.Path, Value: f.Value(have)})
		case haveZero:
			sets = append(sets, ldapi.PatchOp{Op: "add", Path: f.Path, Value: f.Value(want)})
		default:
			sets = append(sets, ldapi.PatchOp{Op: "replace", Path: f.Path, Value: f.Value(want)})
			guard = append(guard, ldapi.PatchOp{Op: "test", Path: f.Path, Value: f.Value(have)})
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
