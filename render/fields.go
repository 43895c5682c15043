package render

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ldtokens/ldtokens/planner"
)

// fieldLine is one field of a token, before and after.
type fieldLine struct {
	Name          string
	Before, After string // JSON values; "" when absent
	// New is set for a token being created: there is no before.
	New bool
}

// fieldValues lists a token's fields as JSON values, in a fixed order.
func fieldValues(f *planner.Fields) map[string]string {
	out := map[string]string{}
	if f == nil {
		return out
	}
	set := func(k string, v any, present bool) {
		if present {
			out[k] = compactJSON(v)
		}
	}
	set("name", f.Name, f.Name != "")
	set("description", f.Description, f.Description != "")
	set("role", f.Role, f.Role != "")
	set("customRoleIds", f.CustomRoleIDs, len(f.CustomRoleIDs) > 0)
	set("inlineRole", f.InlineRole, len(f.InlineRole) > 0)
	set("serviceToken", f.ServiceToken, true)
	set("defaultApiVersion", f.DefaultAPIVersion, f.DefaultAPIVersion != 0)
	return out
}

// compactJSON encodes v on one line, leaving <, > and & as they are.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

var fieldOrder = []string{"name", "description", "role", "customRoleIds", "inlineRole", "serviceToken", "defaultApiVersion"}

// fieldLines lists what a change does to each field: every set field for a
// create, the differing ones otherwise.
func fieldLines(c planner.Change) []fieldLine {
	before, after := fieldValues(c.Before), fieldValues(c.After)
	var out []fieldLine
	for _, k := range fieldOrder {
		b, a := before[k], after[k]
		switch c.Action {
		case planner.Create:
			if a != "" {
				out = append(out, fieldLine{Name: k, After: a, New: true})
			}
		case planner.Update, planner.Replace:
			if b != a && !sameJSON(c, k) {
				out = append(out, fieldLine{Name: k, Before: b, After: a})
			}
		}
	}
	return out
}

// sameJSON reports whether a field differs only in ways LaunchDarkly
// ignores (order of lists).
func sameJSON(c planner.Change, k string) bool {
	if c.Before == nil || c.After == nil {
		return false
	}
	switch k {
	case "customRoleIds":
		return planner.Equal(c.Before.CustomRoleIDs, c.After.CustomRoleIDs)
	case "inlineRole":
		return planner.Equal(c.Before.InlineRole, c.After.InlineRole)
	}
	return false
}

func (l fieldLine) text() string {
	show := func(v string) string {
		if v == "" {
			return "(none)"
		}
		return Clean(v)
	}
	if l.New {
		return fmt.Sprintf("%s: %s", l.Name, show(l.After))
	}
	return fmt.Sprintf("%s: %s → %s", l.Name, show(l.Before), show(l.After))
}
