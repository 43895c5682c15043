package policy

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
)

// Set is a compiled policy: every rule checked, every CEL expression
// compiled to a program. A nil or empty Set finds no violations. A Set is
// safe for concurrent use.
type Set struct {
	rules []*rule
}

// Len is the number of rules; 0 for a nil Set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// rule is a compiled Rule.
type rule struct {
	name, severity, scope, message string
	match                          predicate
	require, forbid                predicate
	// expr is the CEL source and prg its program; prg is nil for a rule
	// with no CEL.
	expr string
	prg  cel.Program
}

// Violation is one token breaking one rule.
type Violation struct {
	// Rule is the rule's name.
	Rule string
	// Severity is the rule's severity: spec.SeverityError or spec.SeverityWarning.
	Severity string
	// Token is the token's name; TokenID its remote _id, when known.
	Token   string
	TokenID string
	// Message says what is wrong, without the token's or the rule's name.
	Message string
	// Pos is where the token is declared; zero for an undeclared token.
	Pos spec.Position
}

// String is the violation in one line: `token "ci": rule "no-admin": …`.
func (v Violation) String() string {
	s := fmt.Sprintf("token %q", v.Token)
	if v.TokenID != "" {
		s = fmt.Sprintf("token %q (%s)", v.Token, v.TokenID)
	}
	return fmt.Sprintf("%s: rule %q: %s", s, v.Rule, v.Message)
}

// HasErrors reports whether any violation has severity error.
func HasErrors(vs []Violation) bool {
	return slices.ContainsFunc(vs, func(v Violation) bool { return v.Severity == spec.SeverityError })
}

// Compile checks the rules and compiles their CEL expressions. On any
// problem it returns spec.Errors, every problem found (each at the position
// of what it is about), and no Set.
func Compile(rules []spec.Rule) (*Set, error) {
	var p problems
	env, err := newEnv()
	if err != nil {
		return nil, fmt.Errorf("policy: CEL environment: %w", err)
	}
	set := &Set{}
	names := map[string]bool{}
	for i, r := range rules {
		label := fmt.Sprintf("policy.rules[%d]", i)
		if r.Name == "" {
			p.add(r.Pos, "%s: name is required", label)
		} else {
			label = fmt.Sprintf("policy rule %q", r.Name)
			if names[r.Name] {
				p.add(r.Pos, "%s is declared twice: rule names are unique", label)
			}
			names[r.Name] = true
		}
		c := &rule{name: r.Name, severity: cmp.Or(r.Severity, spec.SeverityError), message: r.Message, expr: r.CEL}
		if c.severity != spec.SeverityError && c.severity != spec.SeverityWarning {
			p.add(r.Pos, "%s: severity must be error or warning, not %q", label, r.Severity)
		}
		c.match = p.predicate(label+": match", r.Match)
		c.require = p.predicate(label+": require", r.Require)
		c.forbid = p.predicate(label+": forbid", r.Forbid)
		if r.Require == nil && r.Forbid == nil && strings.TrimSpace(r.CEL) == "" {
			p.add(r.Pos, "%s: give it require, forbid or cel", label)
		}
		readsRemote := ""
		if strings.TrimSpace(r.CEL) != "" {
			c.prg, readsRemote = p.compileCEL(env, r, label)
		}
		c.scope = p.scope(r, label, readsRemote)
		set.rules = append(set.rules, c)
	}
	if len(p.list) > 0 {
		return nil, p.list
	}
	return set, nil
}

// scope decides where a rule applies. readsRemote names the first field
// only remote tokens have that the rule's CEL reads, or is "".
func (p *problems) scope(r spec.Rule, label, readsRemote string) string {
	switch r.Scope {
	case "", spec.ScopeBoth:
		if readsRemote != "" {
			return spec.ScopeRemote
		}
		return spec.ScopeBoth
	case spec.ScopeRemote:
		return spec.ScopeRemote
	case spec.ScopeDeclared:
		if readsRemote != "" {
			p.add(cmp.Or(r.ScopePos, r.Pos), "%s: scope is declared, but cel reads token.%s, which only remote tokens have: use scope: remote", label, readsRemote)
		}
		return spec.ScopeDeclared
	}
	p.add(cmp.Or(r.ScopePos, r.Pos), "%s: scope must be declared, remote or both, not %q", label, r.Scope)
	return ""
}

// newEnv declares token (a Token) and now (a timestamp) for CEL, with the
// standard library and the strings extension.
func newEnv() (*cel.Env, error) {
	return cel.NewEnv(
		ext.NativeTypes(reflect.TypeFor[Token](), reflect.TypeFor[Statement](), reflect.TypeFor[Rotate](), ext.ParseStructTags(true)),
		cel.Variable("token", cel.ObjectType("policy.Token")),
		cel.Variable("now", cel.TimestampType),
		ext.Strings(),
	)
}

// compileCEL compiles r.CEL. It returns the program and the first field
// only remote tokens have that the expression reads ("" for none).
func (p *problems) compileCEL(env *cel.Env, r spec.Rule, label string) (cel.Program, string) {
	pos := cmp.Or(r.CELPos, r.Pos)
	ast, iss := env.Compile(r.CEL)
	if iss.Err() != nil {
		for _, e := range iss.Errors() {
			p.add(pos, "%s: cel: %s (at line %d, column %d of the expression)", label, e.Message, e.Location.Line(), e.Location.Column()+1)
		}
		return nil, ""
	}
	if !ast.OutputType().IsExactType(types.BoolType) {
		p.add(pos, "%s: cel must return a bool (true when the token complies), not %s", label, ast.OutputType())
		return nil, ""
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		p.add(pos, "%s: cel: %v", label, err)
		return nil, ""
	}
	return prg, readsRemoteField(ast)
}

// readsRemoteField returns the first field of token that only remote tokens
// have and that the expression reads (has() included), or "".
func readsRemoteField(a *cel.Ast) string {
	for _, e := range celast.MatchDescendants(celast.NavigateAST(a.NativeRep()), func(e celast.NavigableExpr) bool {
		return e.Kind() == celast.SelectKind
	}) {
		sel := e.AsSelect()
		op := sel.Operand()
		if op.Kind() == celast.IdentKind && op.AsIdent() == "token" && slices.Contains(remoteOnly, sel.FieldName()) {
			return sel.FieldName()
		}
	}
	return ""
}

// activation gives a program its two variables without a map.
type activation struct {
	token *Token
	now   types.Timestamp
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "token":
		return a.token, true
	case "now":
		return a.now, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// CheckDeclared checks the declared tokens that are present (state: absent
// ones are going away) against the rules of scope declared and both.
// Violations come sorted by token name, then in rule order.
func (s *Set) CheckDeclared(tokens []spec.Token, now time.Time) []Violation {
	if s == nil || len(s.rules) == 0 {
		return nil
	}
	var out []Violation
	act := &activation{now: types.Timestamp{Time: now}}
	for i := range tokens {
		t := &tokens[i]
		if t.Absent() {
			continue
		}
		obj := declaredToken(*t)
		act.token = &obj
		out = s.check(out, act, spec.ScopeDeclared, t.Pos, "")
	}
	sortViolations(out)
	return out
}

// CheckRemote checks remote tokens, declared or not, against the rules of
// scope remote and both. A remote token is paired with the declared token
// that pins its id, else with the declared token of its name when no other
// remote token has that name; its Rotate comes from that declaration.
// roleKeys maps custom role IDs to keys (from GET /api/v2/roles; nil when
// unknown). The caller leaves out the tokens the spec ignores.
func (s *Set) CheckRemote(remote []ldapi.Token, declared []spec.Token, roleKeys map[string]string, now time.Time) []Violation {
	if s == nil || len(s.rules) == 0 {
		return nil
	}
	pair := pairing(remote, declared)
	var out []Violation
	act := &activation{now: types.Timestamp{Time: now}}
	for _, t := range remote {
		decl := pair[t.ID]
		obj := remoteToken(t, decl, roleKeys)
		act.token = &obj
		var pos spec.Position
		if decl != nil {
			pos = decl.Pos
		}
		out = s.check(out, act, spec.ScopeRemote, pos, t.ID)
	}
	sortViolations(out)
	return out
}

// pairing maps remote IDs to their declarations.
func pairing(remote []ldapi.Token, declared []spec.Token) map[string]*spec.Token {
	byName := make(map[string]*spec.Token, len(declared))
	byID := map[string]*spec.Token{}
	for i := range declared {
		d := &declared[i]
		if d.ID != "" {
			byID[d.ID] = d
		} else {
			byName[d.Name] = d
		}
	}
	count := make(map[string]int, len(remote))
	for _, t := range remote {
		count[t.Name]++
	}
	pair := make(map[string]*spec.Token, len(declared))
	for _, t := range remote {
		if d, ok := byID[t.ID]; ok {
			pair[t.ID] = d
		} else if d, ok := byName[t.Name]; ok && count[t.Name] == 1 {
			pair[t.ID] = d
		}
	}
	return pair
}

// check appends the violations of act.token against the rules that apply
// in scope.
func (s *Set) check(out []Violation, act *activation, scope string, pos spec.Position, id string) []Violation {
	t := act.token
	for _, r := range s.rules {
		if r.scope != spec.ScopeBoth && r.scope != scope {
			continue
		}
		if holds, _, _ := r.match.eval(t); !holds {
			continue
		}
		v := Violation{Rule: r.name, Severity: r.severity, Token: t.Name, TokenID: id, Pos: pos}
		if holds, _, failing := r.require.eval(t); !holds {
			v.Message = cmp.Or(r.message, strings.Join(failing, "; "))
			out = append(out, v)
		}
		if holds, all, _ := r.forbid.eval(t); holds && len(r.forbid) > 0 {
			v.Message = cmp.Or(r.message, "forbidden: "+strings.Join(all, ", "))
			out = append(out, v)
		}
		if r.prg == nil {
			continue
		}
		val, _, err := r.prg.Eval(act)
		switch {
		case err != nil:
			// Fail closed: a rule that cannot be checked does not pass.
			v.Message = fmt.Sprintf("could not be checked: %v", err)
			out = append(out, v)
		case val != types.True:
			v.Message = cmp.Or(r.message, "does not satisfy "+oneLine(r.expr))
			out = append(out, v)
		}
	}
	return out
}

// oneLine folds an expression written over several lines into one.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func sortViolations(vs []Violation) {
	slices.SortStableFunc(vs, func(a, b Violation) int {
		return cmp.Or(strings.Compare(a.Token, b.Token), strings.Compare(a.TokenID, b.TokenID))
	})
}
