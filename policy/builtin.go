package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ldtokens/ldtokens/spec"
)

// check is one built-in requirement or prohibition: it returns what is
// wrong with t, or "" when t complies.
type check func(t *Token) string

// The built-in rules, by key. Each is documented in the README's Policy
// section; keep the two in step.
var (
	requireKeys = []string{"rotateEvery", "description", "serviceToken"}
	forbidKeys  = []string{"role", "customRoles", "inlineWildcard"}
)

// builtins compiles the require and forbid maps of r.
func (p *problems) builtins(r Rule, label string) []check {
	var checks []check
	pos := r.at("require")
	for _, k := range keys(r.Require) {
		v := r.Require[k]
		switch k {
		case "rotateEvery":
			if c := p.rotateEvery(pos, label, v); c != nil {
				checks = append(checks, c)
			}
		case "description":
			if p.mustBeTrue(pos, label+": require.description", v) {
				checks = append(checks, requireDescription)
			}
		case "serviceToken":
			if p.mustBeTrue(pos, label+": require.serviceToken", v) {
				checks = append(checks, requireServiceToken)
			}
		default:
			p.unknownKey(pos, label+": require", k, requireKeys)
		}
	}
	pos = r.at("forbid")
	for _, k := range keys(r.Forbid) {
		v := r.Forbid[k]
		switch k {
		case "role":
			if roles := p.roleList(pos, label+": forbid.role", v); roles != nil {
				checks = append(checks, forbidRoles(roles))
			}
		case "customRoles":
			list, ok := stringList(v)
			if !ok {
				p.add(pos, "%s: forbid.customRoles must be a list of custom role keys or IDs", label)
				continue
			}
			checks = append(checks, forbidCustomRoles(list))
		case "inlineWildcard":
			if p.mustBeTrue(pos, label+": forbid.inlineWildcard", v) {
				checks = append(checks, forbidInlineWildcard)
			}
		default:
			p.unknownKey(pos, label+": forbid", k, forbidKeys)
		}
	}
	return checks
}

// mustBeTrue checks a built-in that is switched on with true.
func (p *problems) mustBeTrue(pos spec.Position, label string, v any) bool {
	if b, ok := v.(bool); !ok || !b {
		p.add(pos, "%s must be true (remove it to require nothing)", label)
		return false
	}
	return true
}

// rotateEvery compiles require: {rotateEvery: {max: D}}.
func (p *problems) rotateEvery(pos spec.Position, label string, v any) check {
	label += ": require.rotateEvery"
	m, ok := v.(map[string]any)
	if !ok {
		p.add(pos, "%s must be a mapping such as {max: 90d}", label)
		return nil
	}
	var limit spec.Duration
	for _, k := range keys(m) {
		if k != "max" {
			p.unknownKey(pos, label, k, []string{"max"})
			continue
		}
		s, ok := m[k].(string)
		if !ok {
			p.add(pos, "%s.max must be a duration such as 90d", label)
			continue
		}
		d, err := spec.ParseDuration(s)
		if err != nil {
			p.add(pos, "%s.max: %v", label, err)
			continue
		}
		if d.Duration <= 0 {
			p.add(pos, "%s.max must be more than 0", label)
			continue
		}
		limit = d
	}
	if _, ok := m["max"]; !ok {
		p.add(pos, "%s needs max, e.g. {max: 90d}", label)
	}
	if limit.Duration == 0 {
		return nil
	}
	return func(t *Token) string {
		switch {
		case t.Rotate.Every == 0:
			return fmt.Sprintf("does not rotate: declare rotate: {every: %s} or shorter", limit)
		case t.Rotate.Every > limit.Duration:
			return fmt.Sprintf("rotates every %s, longer than the %s allowed", spec.Duration{Duration: t.Rotate.Every}, limit)
		}
		return ""
	}
}

func requireDescription(t *Token) string {
	if strings.TrimSpace(t.Description) == "" {
		return "has no description"
	}
	return ""
}

func requireServiceToken(t *Token) string {
	if !t.ServiceToken {
		return "is a personal token: only service tokens are allowed"
	}
	return ""
}

func forbidRoles(roles []string) check {
	return func(t *Token) string {
		if t.Role != "" && slices.Contains(roles, t.Role) {
			return fmt.Sprintf("has the built-in role %s, which is forbidden", t.Role)
		}
		return ""
	}
}

// forbidCustomRoles matches the listed entries against both the keys and
// the IDs of a token's custom roles.
func forbidCustomRoles(list []string) check {
	return func(t *Token) string {
		for _, have := range [][]string{t.CustomRoles, t.CustomRoleIDs} {
			for _, r := range have {
				if slices.Contains(list, r) {
					return fmt.Sprintf("has the custom role %s, which is forbidden", r)
				}
			}
		}
		return ""
	}
}

// forbidInlineWildcard finds an inline statement that allows every action
// (`*`) on every resource (`*`).
func forbidInlineWildcard(t *Token) string {
	for i, s := range t.InlineRole {
		if s.Effect == "allow" && slices.Contains(s.Actions, "*") && slices.Contains(s.Resources, "*") {
			return fmt.Sprintf("inlineRole[%d] allows every action (*) on every resource (*)", i)
		}
	}
	return ""
}
