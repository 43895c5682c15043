package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/spec"
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
func (pb *problems) predicate(label string, p *spec.Predicate) predicate {
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
func (pb *problems) rotateEvery(label string, pos spec.Position, r spec.DurationRange) condition {
	lo, hi := bound(r.Min), bound(r.Max)
	switch {
	case lo == nil && hi == nil:
		pb.add(pos, "%s.rotateEvery: give min, max or both, e.g. {max: 90d}", label)
		return nil
	case lo != nil && hi != nil && *lo > *hi:
		pb.add(pos, "%s.rotateEvery: min (%s) is more than max (%s)", label, dur(*lo), dur(*hi))
		return nil
	}
	return func(t *Token) (bool, string) {
		every := t.Rotate.Every
		switch {
		case every == 0:
			return false, "does not rotate" + describeRange(lo, hi)
		case hi != nil && every > *hi:
			return false, fmt.Sprintf("rotates every %s, more than the %s allowed", dur(every), dur(*hi))
		case lo != nil && every < *lo:
			return false, fmt.Sprintf("rotates every %s, less than the %s required", dur(every), dur(*lo))
		}
		return true, "rotates every " + dur(every)
	}
}

// bound is a range's bound as a plain duration; nil when there is none.
func bound(d *spec.Duration) *time.Duration {
	if d == nil {
		return nil
	}
	return &d.Duration
}

// describeRange says what a range asks of rotate.every, for a token that
// does not rotate.
func describeRange(lo, hi *time.Duration) string {
	switch {
	case hi != nil:
		return fmt.Sprintf(": declare rotate: {every: %s} or shorter", dur(*hi))
	case lo != nil:
		return fmt.Sprintf(": declare rotate: {every: %s} or longer", dur(*lo))
	}
	return ""
}

// dur writes a duration in the spec's units: 90d, 12h.
func dur(d time.Duration) string { return spec.Duration{Duration: d}.String() }
