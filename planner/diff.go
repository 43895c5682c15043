package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
)

// specField is the spec side of a row of ldapi.TokenFields: how a declared
// token sets the field (desire, for plans) and how a remote token's value
// is declared (declare, for import). The two are inverses.
type specField struct {
	desire  func(want *Fields, d *spec.Token, roleIDs map[string]string) *spec.Error
	declare func(d *spec.Token, t *ldapi.Token, roleKeys map[string]string)
}

// specFields holds the spec side of every declarable field, by JSON member.
var specFields = map[string]specField{
	"name": {
		desire:  func(w *Fields, d *spec.Token, _ map[string]string) *spec.Error { w.Name = d.Name; return nil },
		declare: func(d *spec.Token, t *ldapi.Token, _ map[string]string) { d.Name = t.Name },
	},
	"description": {
		desire: func(w *Fields, d *spec.Token, _ map[string]string) *spec.Error {
			w.Description = d.Description
			return nil
		},
		declare: func(d *spec.Token, t *ldapi.Token, _ map[string]string) { d.Description = t.Description },
	},
	"role": {
		desire:  func(w *Fields, d *spec.Token, _ map[string]string) *spec.Error { w.Role = d.Role; return nil },
		declare: func(d *spec.Token, t *ldapi.Token, _ map[string]string) { d.Role = t.Role },
	},
	"customRoleIds": {
		desire: func(w *Fields, d *spec.Token, roleIDs map[string]string) *spec.Error {
			w.CustomRoleIDs = slices.Clone(d.CustomRoleIDs)
			var unknown []string
			for _, key := range d.CustomRoles {
				id, ok := roleIDs[key]
				if !ok {
					unknown = append(unknown, key)
					continue
				}
				w.CustomRoleIDs = append(w.CustomRoleIDs, id)
			}
			if len(unknown) > 0 {
				return &spec.Error{Pos: d.FieldPos("customRoles"), Msg: fmt.Sprintf("token %q: no custom role has the key %s: check the key in LaunchDarkly (Account settings, Roles)", d.Name, quoteList(unknown))}
			}
			return nil
		},
		// Custom roles are declared by key when every id has one.
		declare: func(d *spec.Token, t *ldapi.Token, roleKeys map[string]string) {
			keys := make([]string, 0, len(t.CustomRoleIDs))
			for _, id := range t.CustomRoleIDs {
				if key, ok := roleKeys[id]; ok {
					keys = append(keys, key)
				}
			}
			if len(keys) == len(t.CustomRoleIDs) && len(keys) > 0 {
				d.CustomRoles = keys
				return
			}
			d.CustomRoleIDs = slices.Clone(t.CustomRoleIDs)
		},
	},
	"inlineRole": {
		desire: func(w *Fields, d *spec.Token, _ map[string]string) *spec.Error {
			for _, st := range d.InlineRole {
				w.InlineRole = append(w.InlineRole, ldapi.Statement{
					Effect: st.Effect, Resources: st.Resources, NotResources: st.NotResources,
					Actions: st.Actions, NotActions: st.NotActions,
				})
			}
			return nil
		},
		declare: func(d *spec.Token, t *ldapi.Token, _ map[string]string) {
			for _, st := range t.InlineRole {
				d.InlineRole = append(d.InlineRole, spec.Statement{
					Effect: st.Effect, Resources: st.Resources, NotResources: st.NotResources,
					Actions: st.Actions, NotActions: st.NotActions,
				})
			}
		},
	},
	"serviceToken": {
		desire: func(w *Fields, d *spec.Token, _ map[string]string) *spec.Error {
			w.ServiceToken = d.IsService()
			return nil
		},
		declare: func(d *spec.Token, t *ldapi.Token, _ map[string]string) {
			if !t.ServiceToken {
				d.ServiceToken = new(bool)
			}
		},
	},
	"defaultApiVersion": {
		desire: func(w *Fields, d *spec.Token, _ map[string]string) *spec.Error {
			w.DefaultAPIVersion = d.DefaultAPIVersion
			return nil
		},
		declare: func(d *spec.Token, t *ldapi.Token, _ map[string]string) { d.DefaultAPIVersion = t.DefaultAPIVersion },
	},
}

// specSides are specFields in the order of ldapi.TokenFields, looked up
// once. A row without a spec side is a zero specField, which
// TestEveryFieldHasASpecSide catches.
var specSides = func() []specField {
	out := make([]specField, len(ldapi.TokenFields))
	for i, f := range ldapi.TokenFields {
		out[i] = specFields[f.JSON]
	}
	return out
}()

// fixedReasons are the reason codes of a replace, by the fixed field that
// differs.
var fixedReasons = map[string]string{
	"serviceToken":      ReasonReplaceServiceToken,
	"defaultApiVersion": ReasonReplaceAPIVersion,
}

// desiredFields resolves a declared token to the fields it should have,
// into f.
func desiredFields(f *Fields, d *spec.Token, roleIDs map[string]string) *spec.Error {
	*f = Fields{}
	for _, side := range specSides {
		if err := side.desire(f, d, roleIDs); err != nil {
			return err
		}
	}
	return nil
}

// ptr returns a pointer to a copy of f. diff takes the address of its
// fields only for a token that changes; taking it in place would move them
// to the heap for every token.
func ptr(f Fields) *Fields { return &f }

// remoteName is the paired remote token's name when it is not the
// declared one.
func remoteName(pr Pair) string {
	if pr.Remote == nil || pr.Remote.Name == pr.Declared.Name {
		return ""
	}
	return pr.Remote.Name
}

// replaceGrace is how long the old token of a replace of d keeps working.
func replaceGrace(d *spec.Token, s *spec.Spec) time.Duration {
	return d.ReplaceGrace(s.Defaults)
}

// diff yields the changes of one pair, in the order they run. want is
// scratch space for the desired fields, reused from pair to pair: the
// table's accessors take pointers, and a fresh value per pair would be a
// heap allocation per token.
func diff(pr Pair, in Input, want *Fields) ([]Change, *spec.Error) {
	d, r := pr.Declared, pr.Remote
	if d.Absent() {
		if r == nil {
			return nil, nil
		}
		return []Change{{Action: Delete, Name: d.Name, ID: r.ID, RemoteName: remoteName(pr), Before: ptr(ldapi.Declared(*r)), Fingerprint: Fingerprint(*r),
			Reasons: []Reason{{ReasonDeleteAbsent, "declared with state: absent"}}}}, nil
	}
	if err := desiredFields(want, d, in.RoleIDs); err != nil {
		return nil, err
	}
	if r == nil {
		return []Change{{Action: Create, Name: d.Name, After: ptr(*want),
			Reasons: []Reason{{ReasonCreateMissing, "declared, and no remote token has this name"}}}}, nil
	}
	var replace []Reason
	permissions := false
	for _, f := range ldapi.TokenFields {
		if f.KeepUndeclared && f.IsZero(want) {
			f.Copy(want, r) // not declared: not managed
		}
		if f.Equal(r, want) {
			continue
		}
		switch f.Mutability {
		case ldapi.Fixed:
			replace = append(replace, Reason{fixedReasons[f.JSON], fmt.Sprintf("%s %v → %v is fixed at creation", f.JSON, f.Value(r), f.Value(want))})
		case ldapi.PersonalOnly:
			permissions = permissions || (r.ServiceToken && want.ServiceToken)
		}
	}
	if permissions {
		replace = append(replace, Reason{ReasonReplacePermissions, "a service token's permissions are fixed at creation"})
	}
	var changes []Change
	if len(replace) > 0 {
		changes = []Change{{Action: Replace, Name: d.Name, Before: ptr(ldapi.Declared(*r)), After: ptr(*want), Reasons: replace, ReplaceGrace: replaceGrace(d, in.Spec)}}
	} else {
		if ops, guard := patchOps(r, want); len(ops) > 0 {
			changes = append(changes, Change{Action: Update, Name: d.Name, Before: ptr(ldapi.Declared(*r)), After: ptr(*want), Patch: ops, Guard: guard,
				Reasons: []Reason{{ReasonUpdateFields, "changed: " + strings.Join(changedPaths(ops), ", ")}}})
		}
		if every := d.RotateEvery(); every > 0 {
			last := time.UnixMilli(cmp.Or(r.LastModified, r.CreationDate))
			if in.Now.Sub(last) >= every {
				have := ldapi.Declared(*r)
				changes = append(changes, Change{Action: Rotate, Name: d.Name, Before: &have, After: &have, Grace: d.Rotate.Grace.Duration,
					Reasons: []Reason{{ReasonRotateDue, fmt.Sprintf("last changed %s and rotates every %s: due since %s", day(last), d.Rotate.Every, day(last.Add(every)))}}})
			}
		}
	}
	if len(changes) > 0 {
		// Hashed only for a token that changes: most of a large account
		// does not.
		fp, name := Fingerprint(*r), remoteName(pr)
		for i := range changes {
			changes[i].ID, changes[i].RemoteName, changes[i].Fingerprint = r.ID, name, fp
		}
	}
	return changes, nil
}
