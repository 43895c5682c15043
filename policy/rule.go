package policy

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/ldtokens/ldtokens/spec"
)

// Rule is one entry of the spec's policy.rules, as written. Require, Forbid
// and Match hold the YAML values as decoded into Go (map[string]any, []any,
// string, bool, int); Compile checks them.
type Rule struct {
	// Name identifies the rule in reports; required, unique.
	Name string
	// Severity is "error" (the default) or "warning".
	Severity string
	// Scope is "declared", "remote", "both" or "" (the default: "remote"
	// for a CEL rule that reads a field only remote tokens have, else
	// "both").
	Scope string
	// Message, when set, replaces the generated text of every violation of
	// the rule.
	Message string
	// CEL is a custom rule: an expression over token and now that is true
	// when the token complies.
	CEL string
	// Require holds built-in requirements: rotateEvery: {max: D},
	// description: true, serviceToken: true.
	Require map[string]any
	// Forbid holds built-in prohibitions: role: R or [R…], customRoles:
	// [key or id…], inlineWildcard: true.
	Forbid map[string]any
	// Match narrows the rule to tokens whose fields match: name: GLOB or
	// [GLOB…], serviceToken: bool, role: R or [R…]. Empty matches all.
	Match map[string]any

	// Pos is where the rule's entry starts.
	Pos spec.Position
	// KeyPos holds where the value of each key that was set starts ("name",
	// "severity", "scope", "message", "cel", "require", "forbid", "match");
	// errors about a key are reported there, else at Pos.
	KeyPos map[string]spec.Position
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

// at returns where key was set, or the rule's position.
func (r Rule) at(key string) spec.Position {
	if p, ok := r.KeyPos[key]; ok {
		return p
	}
	return r.Pos
}

// problems collects compile errors.
type problems struct{ list spec.Errors }

func (p *problems) add(pos spec.Position, format string, args ...any) {
	p.list = append(p.list, &spec.Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// keys returns m's keys, sorted, so that messages are stable.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// unknownKey reports key, which is not one of known, with the closest known
// key when there is one.
func (p *problems) unknownKey(pos spec.Position, label, key string, known []string) {
	msg := fmt.Sprintf("%s: unknown key %q", label, key)
	if s := closest(key, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else {
		msg += "; known keys are " + strings.Join(known, ", ")
	}
	p.add(pos, "%s", msg)
}

// strings reads a string or a list of strings.
func stringList(v any) ([]string, bool) {
	switch v := v.(type) {
	case string:
		return []string{v}, v != ""
	case []string:
		return v, len(v) > 0
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok || s == "" {
				return nil, false
			}
			out[i] = s
		}
		return out, len(out) > 0
	}
	return nil, false
}

// roleList reads a built-in role or a list of them.
func (p *problems) roleList(pos spec.Position, label string, v any) []string {
	roles, ok := stringList(v)
	if !ok {
		p.add(pos, "%s must be a role or a list of roles (%s)", label, strings.Join(spec.Roles, ", "))
		return nil
	}
	for _, r := range roles {
		if !slices.Contains(spec.Roles, r) {
			msg := fmt.Sprintf("%s: %q is not a built-in role; use %s", label, r, strings.Join(spec.Roles, ", "))
			if s := closest(r, spec.Roles); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			p.add(pos, "%s", msg)
		}
	}
	return roles
}

// matcher narrows a rule to some tokens.
type matcher struct {
	names        []string
	serviceToken *bool
	roles        []string
}

func (m matcher) matches(t *Token) bool {
	if len(m.names) > 0 && !spec.MatchAny(m.names, t.Name) {
		return false
	}
	if m.serviceToken != nil && *m.serviceToken != t.ServiceToken {
		return false
	}
	if len(m.roles) > 0 && !slices.Contains(m.roles, t.Role) {
		return false
	}
	return true
}

var matchKeys = []string{"name", "serviceToken", "role"}

func (p *problems) matcher(r Rule, label string) matcher {
	var m matcher
	pos := r.at("match")
	for _, k := range keys(r.Match) {
		v := r.Match[k]
		switch k {
		case "name":
			globs, ok := stringList(v)
			if !ok {
				p.add(pos, "%s: match.name must be a glob or a list of globs", label)
			}
			for _, g := range globs {
				if _, err := path.Match(g, ""); err != nil {
					p.add(pos, "%s: match.name: bad glob %q", label, g)
				}
			}
			m.names = globs
		case "serviceToken":
			b, ok := v.(bool)
			if !ok {
				p.add(pos, "%s: match.serviceToken must be true or false", label)
			}
			m.serviceToken = &b
		case "role":
			m.roles = p.roleList(pos, label+": match.role", v)
		default:
			p.unknownKey(pos, label+": match", k, matchKeys)
		}
	}
	return m
}

// closest returns the candidate nearest to word, or "" when none is near.
func closest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if strings.EqualFold(c, word) {
			return c
		}
		if d := editDistance(strings.ToLower(word), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
