package spec

import (
	"fmt"
	"slices"
	"strings"
)

// merge combines parsed files into one Spec and validates it. Validation
// only reports; normalise then fills in defaults.
func merge(files []parsedFile, c *errs) *Spec {
	s := &Spec{}
	var prunePos, defaultsPos, policyPos Position
	for _, f := range files {
		s.Ignore = append(s.Ignore, f.file.Ignore...)
		if p := f.file.Prune; p != nil && once(c, "prune", p.Pos, &prunePos) {
			s.Prune = *p
			validatePrune(*p, c)
		}
		if d := f.file.Defaults; d != nil && once(c, "defaults", d.Pos, &defaultsPos) {
			s.Defaults = *d
		}
		if p := f.file.Policy; p != nil && once(c, "policy", p.Pos, &policyPos) {
			s.Policy = *p
			validatePolicy(*p, c)
		}
	}
	n := 0
	for _, f := range files {
		n += len(f.file.Tokens)
	}
	s.Tokens = make([]Token, 0, n)
	names := map[string]Position{}
	ids := map[string]Position{}
	for _, f := range files {
		for _, t := range f.file.Tokens {
			validateToken(t, c)
			if t.Name != "" {
				if first, dup := names[t.Name]; dup {
					c.add(t.FieldPos("name"), "token %q is declared twice (first at %s): names are unique across all files", t.Name, first)
				}
				names[t.Name] = t.FieldPos("name")
			}
			if t.ID != "" {
				if first, dup := ids[t.ID]; dup {
					c.add(t.FieldPos("id"), "token %q: id %s is pinned twice (first at %s)", t.Name, t.ID, first)
				}
				ids[t.ID] = t.FieldPos("id")
			}
			if t.Name != "" && MatchAny(s.Ignore, t.Name) {
				c.add(t.FieldPos("name"), "token %q is declared but matches an ignore glob: remove one or the other", t.Name)
			}
			s.Tokens = append(s.Tokens, t)
		}
	}
	validateSecretNames(s.Tokens, c)
	return s
}

// once reports whether the block named key, at pos, is the first of its kind,
// recording its position in first; a second is a problem.
func once(c *errs, key string, pos Position, first *Position) bool {
	if !first.IsZero() {
		c.add(pos, "%s is set here and at %s: keep one %s block", key, *first, key)
		return false
	}
	*first = pos
	return true
}

// normalise fills in the defaults that a valid spec leaves out, so that
// readers of a loaded Spec see them: a token's state, a rule's severity,
// scope and cel position.
func normalise(s *Spec) {
	for i := range s.Tokens {
		if s.Tokens[i].State == "" {
			s.Tokens[i].State = StatePresent
		}
	}
	for i := range s.Policy.Rules {
		r := &s.Policy.Rules[i]
		if r.Severity == "" {
			r.Severity = SeverityError
		}
		if r.Scope == "" {
			r.Scope = ScopeBoth
		}
		if r.has("cel") {
			r.CELPos = r.FieldPos("cel")
		}
		if r.has("scope") {
			r.ScopePos = r.FieldPos("scope")
		}
	}
}

func validatePrune(p Prune, c *errs) {
	if p.Enabled && len(p.Match) == 0 {
		c.add(p.Pos, "prune: enabled without match: list the globs of names that may be deleted, e.g. match: [\"ci-*\"]")
	}
	if p.MaxDeletes != nil && *p.MaxDeletes < 0 {
		c.add(p.Pos, "prune.maxDeletes must be 0 or more")
	}
}

// validateToken checks one token; it changes nothing.
func validateToken(t Token, c *errs) {
	if t.invalid[wholeValue] {
		return
	}
	label := fmt.Sprintf("token %q", t.Name)
	if t.Name == "" {
		label = "token"
		c.add(t.Pos, "token: name is required")
	} else if strings.TrimSpace(t.Name) != t.Name {
		c.add(t.FieldPos("name"), "%s: name has leading or trailing spaces", label)
	}
	if t.has("state") && !t.invalid["state"] && !slices.Contains(States, t.State) {
		c.add(t.FieldPos("state"), "%s: state must be %s, not %q", label, orList(States), t.State)
		return
	}
	if r := t.Replace; r != nil && !t.invalid["replace"] && !r.has("grace") {
		c.add(t.FieldPos("replace"), "%s: replace.grace is required, e.g. replace: {grace: 1h} (0 deletes the old token at once)", label)
	}
	if t.Absent() {
		return
	}
	kinds := 0
	for _, k := range []string{"role", "customRoles", "customRoleIds", "inlineRole"} {
		if t.has(k) {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		c.add(t.Pos, "%s: give it exactly one of role, customRoles, customRoleIds or inlineRole", label)
	case kinds > 1:
		c.add(t.Pos, "%s: role, customRoles, customRoleIds and inlineRole are exclusive: keep one", label)
	}
	checkEnum(c, t.keyPositions, "role", t.Role, label+": role", Roles)
	for k, list := range map[string][]string{"customRoles": t.CustomRoles, "customRoleIds": t.CustomRoleIDs} {
		if t.has(k) && len(list) == 0 {
			c.add(t.FieldPos(k), "%s: %s is empty: list at least one", label, k)
		}
		for _, v := range list {
			if v == "" {
				c.add(t.FieldPos(k), "%s: %s has an empty entry", label, k)
			}
		}
	}
	if t.has("inlineRole") && len(t.InlineRole) == 0 {
		c.add(t.FieldPos("inlineRole"), "%s: inlineRole is empty: list at least one statement", label)
	}
	for i, st := range t.InlineRole {
		validateStatement(fmt.Sprintf("%s: inlineRole[%d]", label, i), st, c)
	}
	if t.DefaultAPIVersion != 0 && !slices.Contains(APIVersions, t.DefaultAPIVersion) {
		c.add(t.FieldPos("defaultApiVersion"), "%s: defaultApiVersion %d is not a LaunchDarkly API version; use one of %v", label, t.DefaultAPIVersion, APIVersions)
	}
	if r := t.Rotate; r != nil && !t.invalid["rotate"] {
		if r.Every.Duration <= 0 {
			c.add(t.FieldPos("rotate"), "%s: rotate.every is required and must be more than 0, e.g. 90d", label)
		} else if r.Grace.Duration >= r.Every.Duration {
			c.add(t.FieldPos("rotate"), "%s: rotate.grace (%s) must be shorter than rotate.every (%s)", label, r.Grace, r.Every)
		}
	}
}

func validateStatement(label string, st Statement, c *errs) {
	pos := st.Pos
	if !slices.Contains(Effects, st.Effect) {
		c.add(pos, "%s: effect must be %s, not %q", label, orList(Effects), st.Effect)
	}
	switch {
	case len(st.Resources) > 0 && len(st.NotResources) > 0:
		c.add(pos, "%s: resources and notResources are exclusive: keep one", label)
	case len(st.Resources) == 0 && len(st.NotResources) == 0:
		c.add(pos, "%s: give resources or notResources", label)
	}
	switch {
	case len(st.Actions) > 0 && len(st.NotActions) > 0:
		c.add(pos, "%s: actions and notActions are exclusive: keep one", label)
	case len(st.Actions) == 0 && len(st.NotActions) == 0:
		c.add(pos, "%s: give actions or notActions", label)
	}
}
