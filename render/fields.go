package render

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
)

// fieldLine is one field of a token, before and after.
type fieldLine struct {
	Name          string
	Before, After string // JSON values; "" when absent
	// New is set for a token being created: there is no before.
	New bool
}

// fieldValue is a field of t as a JSON value, or "" when t does not show
// it.
func fieldValue(f ldapi.TokenField, t *planner.Fields) string {
	if t == nil || !f.Shown(t) {
		return ""
	}
	return compactJSON(f.Value(t))
}

// compactJSON encodes v on one line, leaving <, > and & as they are.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// fieldLines lists what a change does to each field of ldapi.TokenFields,
// in its order: every set field for a create, the differing ones (as
// LaunchDarkly compares them) for an update or replace.
func fieldLines(c planner.Change) []fieldLine {
	var out []fieldLine
	for _, f := range ldapi.TokenFields {
		b, a := fieldValue(f, c.Before), fieldValue(f, c.After)
		switch c.Action {
		case planner.Create:
			if a != "" {
				out = append(out, fieldLine{Name: f.JSON, After: a, New: true})
			}
		case planner.Update, planner.Replace:
			if b != a && (c.Before == nil || c.After == nil || !f.Equal(c.Before, c.After)) {
				out = append(out, fieldLine{Name: f.JSON, Before: b, After: a})
			}
		}
	}
	return out
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
