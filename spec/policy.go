package spec

import (
	"fmt"
	"slices"
	"strings"
)

// Policy is the rules every token must follow. The loader checks each rule's
// shape; it does not compile CEL or evaluate anything (the policy package
// does, and reports at the positions kept here).
type Policy struct {
	// Rules are the rules in file order; names are unique.
	Rules []Rule `json:"rules,omitempty" jsonschema:"description=Rules every token must follow"`

	// Pos is where the policy block starts; zero when no file sets one.
	Pos Position `json:"-"`
}

// Rule is one policy rule. Exactly one of Require, Forbid and CEL is set.
//
// A rule applies to the tokens in its Scope for which Match holds (all of
// them when Match is nil). A token it applies to violates it when Require
// does not hold, when Forbid holds, or when the CEL expression is false.
type Rule struct {
	// Name identifies the rule in reports; unique within the policy.
	Name string `json:"name" jsonschema:"required,minLength=1,description=Identifies the rule in reports; unique"`
	// Severity is SeverityError or SeverityWarning; Load sets SeverityError
	// where the spec leaves it out.
	Severity string `json:"severity,omitempty" jsonschema:"description=error (the default) fails validate and plan; warning is reported only"`
	// Require is what every token the rule applies to must satisfy.
	Require *Predicate `json:"require,omitempty" jsonschema:"description=What every token the rule applies to must satisfy"`
	// Forbid is what no token the rule applies to may satisfy.
	Forbid *Predicate `json:"forbid,omitempty" jsonschema:"description=What no token the rule applies to may satisfy"`
	// Match narrows the rule to the tokens for which it holds; nil means
	// every token in Scope.
	Match *Predicate `json:"match,omitempty" jsonschema:"description=Narrows the rule to the tokens that satisfy it"`
	// CEL is a CEL expression over `token` and `now` that must be true for
	// every token the rule applies to. Not empty when set.
	CEL string `json:"cel,omitempty" jsonschema:"description=A CEL expression over token and now; true means the token follows the rule"`
	// Message is what a violation says; empty means the policy package
	// words one from the rule.
	Message string `json:"message,omitempty" jsonschema:"description=What a violation says"`
	// Scope is ScopeDeclared, ScopeRemote or ScopeBoth; Load sets ScopeBoth
	// where the spec leaves it out.
	Scope string `json:"scope,omitempty" jsonschema:"description=Which tokens the rule checks: declared; remote or both (the default)"`

	// Pos is where the rule's entry starts.
	Pos Position `json:"-"`
	// CELPos is where the value of cel starts (for a block scalar, cel: >-,
	// the indicator; the expression begins on the next line). Zero when the
	// rule has no cel.
	CELPos Position `json:"-"`
	// ScopePos is where the value of scope starts; zero when the rule sets
	// none.
	ScopePos Position `json:"-"`
	keyPositions
}

// FieldPos returns where key (name, severity, require, forbid, match, cel,
// message or scope) was set, or the rule's position when it was not.
func (r Rule) FieldPos(key string) Position { return r.posOf(key, r.Pos) }

// Predicate is a set of conditions on a token. It holds when every condition
// that is set holds; at least one is set.
type Predicate struct {
	// Name holds when the token's name matches one of these globs (MatchAny).
	Name []string `json:"name,omitempty" spec:"glob" jsonschema:"description=Globs; holds when the token's name matches one"`
	// Role holds when the token has this built-in role, one of Roles.
	Role string `json:"role,omitempty" jsonschema:"description=Holds when the token has this built-in role"`
	// ServiceToken holds when the token's serviceToken equals it.
	ServiceToken *bool `json:"serviceToken,omitempty" jsonschema:"description=Holds when the token's serviceToken equals it"`
	// Description: true holds when the token has a non-empty description,
	// false when it has none.
	Description *bool `json:"description,omitempty" jsonschema:"description=true: holds when the token has a description; false: when it has none"`
	// RotateEvery holds when the token rotates (rotate.every is set) at an
	// interval within the range. A remote token has no rotation of its own:
	// for it, only the spec that declares it can say.
	RotateEvery *DurationRange `json:"rotateEvery,omitempty" jsonschema:"description=Holds when the token rotates at an interval within the range"`

	// Pos is where the predicate starts.
	Pos Position `json:"-"`
	keyPositions
}

// DurationRange bounds a duration; at least one bound is set, and Min is at
// most Max when both are.
type DurationRange struct {
	// Min is the least the duration may be; nil means no lower bound.
	Min *Duration `json:"min,omitempty"`
	// Max is the most the duration may be; nil means no upper bound.
	Max *Duration `json:"max,omitempty"`
}

// Contains reports whether d is within the range.
func (r DurationRange) Contains(d Duration) bool {
	return (r.Min == nil || d.Duration >= r.Min.Duration) && (r.Max == nil || d.Duration <= r.Max.Duration)
}

// validatePolicy checks the shape of every rule; it changes nothing.
func validatePolicy(p Policy, c *errs) {
	names := map[string]Position{}
	for i, r := range p.Rules {
		if r.invalid[wholeValue] {
			continue
		}
		label := fmt.Sprintf("policy.rules[%d]", i)
		if r.Name != "" {
			label = fmt.Sprintf("policy rule %q", r.Name)
			if first, dup := names[r.Name]; dup {
				c.add(r.FieldPos("name"), "policy rule %q is declared twice (first at %s): rule names are unique", r.Name, first)
			}
			names[r.Name] = r.FieldPos("name")
		} else if !r.invalid["name"] {
			c.add(r.Pos, "%s: name is required", label)
		}
		checkEnum(c, r.keyPositions, "severity", r.Severity, label+": severity", Severities)
		checkEnum(c, r.keyPositions, "scope", r.Scope, label+": scope", Scopes)
		var kinds []string
		for _, k := range []string{"require", "forbid", "cel"} {
			if r.has(k) {
				kinds = append(kinds, k)
			}
		}
		switch {
		case len(kinds) == 0:
			c.add(r.Pos, "%s: give it exactly one of require, forbid or cel", label)
		case len(kinds) > 1:
			c.add(r.FieldPos(kinds[1]), "%s: %s are exclusive: keep one", label, strings.Join(kinds, " and "))
		}
		if r.has("cel") && !r.invalid["cel"] && strings.TrimSpace(r.CEL) == "" {
			c.add(r.FieldPos("cel"), "%s: cel is empty: write an expression that is true when a token follows the rule", label)
		}
		for _, k := range []struct {
			key string
			p   *Predicate
		}{{"require", r.Require}, {"forbid", r.Forbid}, {"match", r.Match}} {
			if r.has(k.key) && !r.invalid[k.key] {
				validatePredicate(label+": "+k.key, r.FieldPos(k.key), k.p, c)
			}
		}
	}
}

// validatePredicate checks one predicate found at pos; it changes nothing.
func validatePredicate(label string, pos Position, p *Predicate, c *errs) {
	if p == nil || len(p.at) == 0 {
		c.add(pos, "%s is empty: give at least one of name, role, serviceToken, description or rotateEvery", label)
		return
	}
	if p.has("name") && !p.invalid["name"] && len(p.Name) == 0 {
		c.add(p.posOf("name", pos), "%s.name is empty: list at least one glob", label)
	}
	checkEnum(c, p.keyPositions, "role", p.Role, label+".role", Roles)
	if r := p.RotateEvery; r != nil && !p.invalid["rotateEvery"] {
		at := p.posOf("rotateEvery", pos)
		switch {
		case r.Min == nil && r.Max == nil:
			c.add(at, "%s.rotateEvery: give min, max or both, e.g. {max: 90d}", label)
		case r.Min != nil && r.Max != nil && r.Min.Duration > r.Max.Duration:
			c.add(at, "%s.rotateEvery: min (%s) is more than max (%s)", label, r.Min, r.Max)
		}
	}
}

// checkEnum reports the value of key when it was set, decoded, and is not one
// of allowed.
func checkEnum(c *errs, k keyPositions, key, value, label string, allowed []string) {
	if !k.has(key) || k.invalid[key] || slices.Contains(allowed, value) {
		return
	}
	msg := fmt.Sprintf("%s must be %s, not %q", label, orList(allowed), value)
	if s := suggest(value, allowed); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	c.add(k.posOf(key, Position{}), "%s", msg)
}
