package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/spec"
)

// Rule is one entry of the spec's policy.rules. A token the rule applies to
// (in its Scope, and satisfying Match when there is one) violates it when
// Require does not hold, when Forbid holds, or when CEL is false.
type Rule struct {
	// Name identifies the rule in reports; required, unique.
	Name string
	// Severity is SeverityError ("" means it too) or SeverityWarning.
	Severity string
	// Scope is ScopeDeclared, ScopeRemote or ScopeBoth ("" means both). A
	// rule whose CEL reads a field only remote tokens have (creationDate,
	// lastModified, lastUsed) checks remote tokens only; ScopeDeclared on it
	// is an error.
	Scope string
	// Message, when set, replaces the generated text of the rule's
	// violations.
	Message string
	// CEL is an expression over token (a Token) and now (a timestamp) that
	// is true when the token complies.
	CEL string
	// Require is what every token the rule applies to must satisfy.
	Require *Predicate
	// Forbid is what no token the rule applies to may satisfy.
	Forbid *Predicate
	// Match narrows the rule to the tokens that satisfy it; nil means all.
	Match *Predicate

	// Pos is where the rule's entry starts.
	Pos spec.Position
	// CELPos is where the value of cel starts; errors in the expression
	// are reported there.
	CELPos spec.Position
	// ScopePos is where the value of scope starts.
	ScopePos spec.Position
}

// Predicate is a set of conditions on a token; it holds when every
// condition that is set holds. At least one is set.
type Predicate struct {
	// Name holds when the token's name matches one of these globs
	// (spec.MatchAny).
	Name []string
	// Role holds when the token has this built-in role.
	Role string
	// ServiceToken holds when the token's serviceToken equals it.
	ServiceToken *bool
	// Description: true holds when the token has a (non-blank)
	// description, false when it has none.
	Description *bool
	// RotateEvery holds when the token rotates (rotate.every is set) at an
	// interval within the range. A remote token rotates as its declaration
	// says; an undeclared one does not rotate.
	RotateEvery *DurationRange

	// Pos is where the predicate starts.
	Pos spec.Position
}

// DurationRange bounds a duration; at least one bound is set.
type DurationRange struct {
	// Min is the least the duration may be; nil means no lower bound.
	Min *time.Duration
	// Max is the most the duration may be; nil means no upper bound.
	Max *time.Duration
}

// Severities of a rule.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Scopes of a rule.
const (
	ScopeDeclared = "declared"
	ScopeRemote   = "remote"
	ScopeBoth     = "both"
)

// problems collects compile errors.
type problems struct{ list spec.Errors }

func (p *problems) add(pos spec.Position, format string, args ...any) {
	p.list = append(p.list, &spec.Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// condition tests one thing about a token: whether it holds, and what the
// token is like in that respect ("has no description"), for messages.
type condition func(t *Token) (holds bool, what string)

// predicate is a compiled Predicate.
type predicate []condition

// eval reports whether every condition holds, and what each condition
// found: all of them, or only those that fail.
func (p predicate) eval(t *Token) (holds bool, all, failing []string) {
	holds = true
	for _, c := range p {
		ok, what := c(t)
		all = append(all, what)
		if !ok {
			holds = false
			failing = append(failing, what)
		}
	}
	return holds, all, failing
}

// predicate compiles p, reporting problems as label's.
func (pb *problems) predicate(label string, p *Predicate) predicate {
	if p == nil {
		return nil
	}
	var out predicate
	if len(p.Name) > 0 {
		for _, g := range p.Name {
			if err := spec.CheckGlob(g); err != nil {
				pb.add(p.Pos, "%s.name: bad glob %q: %v", label, g, err)
			}
		}
		globs := slices.Clone(p.Name)
		out = append(out, func(t *Token) (bool, string) {
			if spec.MatchAny(globs, t.Name) {
				return true, "its name matches " + strings.Join(globs, ", ")
			}
			return false, "its name matches none of " + strings.Join(globs, ", ")
		})
	}
	if r := p.Role; r != "" {
		if !slices.Contains(spec.Roles, r) {
			pb.add(p.Pos, "%s.role must be %s, not %q", label, strings.Join(spec.Roles, ", "), r)
		}
		out = append(out, func(t *Token) (bool, string) {
			switch {
			case t.Role == r:
				return true, "has the built-in role " + r
			case t.Role != "":
				return false, fmt.Sprintf("has the built-in role %s, not %s", t.Role, r)
			}
			return false, "has no built-in role"
		})
	}
	if want := p.ServiceToken; want != nil {
		w := *want
		out = append(out, func(t *Token) (bool, string) {
			if t.ServiceToken {
				return w, "is a service token"
			}
			return !w, "is a personal token"
		})
	}
	if want := p.Description; want != nil {
		w := *want
		out = append(out, func(t *Token) (bool, string) {
			if strings.TrimSpace(t.Description) != "" {
				return w, "has a description"
			}
			return !w, "has no description"
		})
	}
	if r := p.RotateEvery; r != nil {
		if c := pb.rotateEvery(label, p.Pos, *r); c != nil {
			out = append(out, c)
		}
	}
	if len(p.Name) == 0 && p.Role == "" && p.ServiceToken == nil && p.Description == nil && p.RotateEvery == nil {
		pb.add(p.Pos, "%s is empty: give at least one of name, role, serviceToken, description or rotateEvery", label)
	}
	return out
}

// rotateEvery compiles a rotateEvery range.
func (pb *problems) rotateEvery(label string, pos spec.Position, r DurationRange) condition {
	switch {
	case r.Min == nil && r.Max == nil:
		pb.add(pos, "%s.rotateEvery: give min, max or both, e.g. {max: 90d}", label)
		return nil
	case r.Min != nil && r.Max != nil && *r.Min > *r.Max:
		pb.add(pos, "%s.rotateEvery: min (%s) is more than max (%s)", label, dur(*r.Min), dur(*r.Max))
		return nil
	}
	return func(t *Token) (bool, string) {
		every := t.Rotate.Every
		switch {
		case every == 0:
			return false, "does not rotate" + r.describe()
		case r.Max != nil && every > *r.Max:
			return false, fmt.Sprintf("rotates every %s, more than the %s allowed", dur(every), dur(*r.Max))
		case r.Min != nil && every < *r.Min:
			return false, fmt.Sprintf("rotates every %s, less than the %s required", dur(every), dur(*r.Min))
		}
		return true, "rotates every " + dur(every)
	}
}

// describe says what a range asks of rotate.every, for a token that does
// not rotate.
func (r DurationRange) describe() string {
	switch {
	case r.Max != nil:
		return fmt.Sprintf(": declare rotate: {every: %s} or shorter", dur(*r.Max))
	case r.Min != nil:
		return fmt.Sprintf(": declare rotate: {every: %s} or longer", dur(*r.Min))
	}
	return ""
}

// dur writes a duration in the spec's units: 90d, 12h.
func dur(d time.Duration) string { return spec.Duration{Duration: d}.String() }
