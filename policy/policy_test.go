package policy_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/policy"
	"github.com/ldtokens/ldtokens/spec"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// declared parses the tokens of a spec document (file t.yaml).
func declared(t *testing.T, doc string) []spec.Token {
	t.Helper()
	s, err := spec.Parse("t.yaml", []byte(doc))
	require.NoError(t, err)
	return s.Tokens
}

// at is a position in the policy file p.yaml.
func at(line, col int) spec.Position { return spec.Position{File: "p.yaml", Line: line, Column: col} }

// rule is a Rule at line 10 of p.yaml, with scope at line 12 and cel at
// line 13, and its predicates at lines 14 (require), 15 (forbid) and 16
// (match).
func rule(r spec.Rule) spec.Rule {
	r.Pos, r.ScopePos, r.CELPos = at(10, 7), at(12, 14), at(13, 12)
	for line, p := range map[int]*spec.Predicate{14: r.Require, 15: r.Forbid, 16: r.Match} {
		if p != nil {
			p.Pos = at(line, 16)
		}
	}
	return r
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// days is a duration of n days, as a pointer for a DurationRange.
func days(n int) *spec.Duration { return &spec.Duration{Duration: time.Duration(n) * 24 * time.Hour} }

func compile(t *testing.T, rules ...spec.Rule) *policy.Set {
	t.Helper()
	set, err := policy.Compile(rules)
	require.NoError(t, err)
	return set
}

// brief is each violation as "token/rule/severity: message".
func brief(vs []policy.Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Token+"/"+v.Rule+"/"+v.Severity+": "+v.Message)
	}
	return out
}

const tokensDoc = `
tokens:
  - name: ci-admin
    description: deploys
    role: admin
  - name: ci-reader
    role: reader
    rotate: {every: 30d}
  - name: data
    description: exports
    customRoles: [data-readers, data-admin]
    rotate: {every: 120d, grace: 1h}
  - name: wide
    description: everything
    serviceToken: false
    inlineRole:
      - effect: deny
        actions: ["*"]
        resources: ["proj/prod"]
      - effect: allow
        actions: ["*"]
        resources: ["*"]
  - name: pinned
    id: 000000000000000000000009
    description: pinned
    customRoleIds: [6234aa00bb11cc22dd33ee44]
  - name: gone
    state: absent
`

func TestBuiltins(t *testing.T) {
	tokens := declared(t, tokensDoc)
	tests := []struct {
		name string
		rule spec.Rule
		want []string
	}{
		{"require rotateEvery max", spec.Rule{Require: &spec.Predicate{RotateEvery: &spec.DurationRange{Max: days(90)}}}, []string{
			"ci-admin/r/error: does not rotate: declare rotate: {every: 90d} or shorter",
			"data/r/error: rotates every 120d, more than the 90d allowed",
			"pinned/r/error: does not rotate: declare rotate: {every: 90d} or shorter",
			"wide/r/error: does not rotate: declare rotate: {every: 90d} or shorter",
		}},
		{"require rotateEvery min", spec.Rule{Require: &spec.Predicate{RotateEvery: &spec.DurationRange{Min: days(60)}}}, []string{
			"ci-admin/r/error: does not rotate: declare rotate: {every: 60d} or longer",
			"ci-reader/r/error: rotates every 30d, less than the 60d required",
			"pinned/r/error: does not rotate: declare rotate: {every: 60d} or longer",
			"wide/r/error: does not rotate: declare rotate: {every: 60d} or longer",
		}},
		{"require description", spec.Rule{Require: &spec.Predicate{Description: yes()}}, []string{
			"ci-reader/r/error: has no description",
		}},
		{"require serviceToken", spec.Rule{Require: &spec.Predicate{ServiceToken: yes()}}, []string{
			"wide/r/error: is a personal token",
		}},
		{"require a role", spec.Rule{Require: &spec.Predicate{Role: "reader"}}, []string{
			"ci-admin/r/error: has the built-in role admin, not reader",
			"data/r/error: has no built-in role",
			"pinned/r/error: has no built-in role",
			"wide/r/error: has no built-in role",
		}},
		{"require several: what fails is said", spec.Rule{Require: &spec.Predicate{Description: yes(), RotateEvery: &spec.DurationRange{Max: days(90)}}}, []string{
			"ci-admin/r/error: does not rotate: declare rotate: {every: 90d} or shorter",
			"ci-reader/r/error: has no description",
			"data/r/error: rotates every 120d, more than the 90d allowed",
			"pinned/r/error: does not rotate: declare rotate: {every: 90d} or shorter",
			"wide/r/error: does not rotate: declare rotate: {every: 90d} or shorter",
		}},
		{"forbid a role", spec.Rule{Forbid: &spec.Predicate{Role: "admin"}}, []string{
			"ci-admin/r/error: forbidden: has the built-in role admin",
		}},
		{"forbid holds only when every condition does", spec.Rule{Forbid: &spec.Predicate{ServiceToken: no(), Description: yes()}}, []string{
			"wide/r/error: forbidden: is a personal token, has a description",
		}},
		{"forbid no description", spec.Rule{Forbid: &spec.Predicate{Description: no()}}, []string{
			"ci-reader/r/error: forbidden: has no description",
		}},
		{"message replaces the text", spec.Rule{Forbid: &spec.Predicate{Role: "admin"}, Message: "ask security for admin"}, []string{
			"ci-admin/r/error: ask security for admin",
		}},
		{"warning", spec.Rule{Severity: "warning", Require: &spec.Predicate{Description: yes()}}, []string{
			"ci-reader/r/warning: has no description",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Name = "r"
			set := compile(t, rule(tt.rule))
			got := set.CheckDeclared(tokens, now)
			assert.Equal(t, tt.want, brief(got))
			for _, v := range got {
				assert.Equal(t, "t.yaml", v.Pos.File, "a declared violation is at its token")
				assert.NotZero(t, v.Pos.Line)
			}
		})
	}
}

func TestViolationPositionAndString(t *testing.T) {
	tokens := declared(t, tokensDoc)
	set := compile(t, rule(spec.Rule{Name: "no-admin", Forbid: &spec.Predicate{Role: "admin"}}))
	got := set.CheckDeclared(tokens, now)
	require.Len(t, got, 1)
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 3, Column: 5}, got[0].Pos)
	assert.Equal(t, `token "ci-admin": rule "no-admin": forbidden: has the built-in role admin`, got[0].String())
}

func TestCEL(t *testing.T) {
	tokens := declared(t, tokensDoc)
	tests := []struct {
		name string
		rule spec.Rule
		want []string
	}{
		{"the issue's wildcard rule", spec.Rule{Severity: "warning", Message: "no allow-* statement on production",
			CEL: `!token.inlineRole.exists(s, s.effect == "allow" && s.actions.exists(a, a == "*")
  && s.resources.exists(r, r.startsWith("*")))`}, []string{
			"wide/r/warning: no allow-* statement on production",
		}},
		{"without a message, the expression", spec.Rule{CEL: "token.name.startsWith('ci-')\n  || token.declared && token.id != ''"}, []string{
			"data/r/error: does not satisfy token.name.startsWith('ci-') || token.declared && token.id != ''",
			"wide/r/error: does not satisfy token.name.startsWith('ci-') || token.declared && token.id != ''",
		}},
		{"rotate durations, zero when unset", spec.Rule{CEL: `token.rotate.every > duration("0s") && token.rotate.grace < duration("1h")`}, []string{
			"ci-admin/r/error: does not satisfy token.rotate.every > duration(\"0s\") && token.rotate.grace < duration(\"1h\")",
			"data/r/error: does not satisfy token.rotate.every > duration(\"0s\") && token.rotate.grace < duration(\"1h\")",
			"pinned/r/error: does not satisfy token.rotate.every > duration(\"0s\") && token.rotate.grace < duration(\"1h\")",
			"wide/r/error: does not satisfy token.rotate.every > duration(\"0s\") && token.rotate.grace < duration(\"1h\")",
		}},
		{"fields mirror the spec", spec.Rule{Message: "m", CEL: `token.serviceToken && token.defaultApiVersion == 0 && token.customRoleIds.size() == 0 && token.customRoles.all(k, k.lowerAscii() != "data-admin")`}, []string{
			"data/r/error: m",
			"pinned/r/error: m",
			"wide/r/error: m",
		}},
		{"an evaluation error is reported for its token only", spec.Rule{CEL: `token.customRoles[0] != "data-readers"`}, []string{
			"ci-admin/r/error: could not be checked: index out of bounds: 0",
			"ci-reader/r/error: could not be checked: index out of bounds: 0",
			"data/r/error: does not satisfy token.customRoles[0] != \"data-readers\"",
			"pinned/r/error: could not be checked: index out of bounds: 0",
			"wide/r/error: could not be checked: index out of bounds: 0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Name = "r"
			set := compile(t, rule(tt.rule))
			assert.Equal(t, tt.want, brief(set.CheckDeclared(tokens, now)))
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		rule spec.Rule
		want []string
	}{
		{"cel does not parse", spec.Rule{Name: "r", CEL: "token.name =="},
			[]string{`p.yaml:13:12: policy rule "r": cel: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER} (at line 1, column 14 of the expression)`}},
		{"unknown field", spec.Rule{Name: "r", CEL: "token.lastUsd == null"},
			[]string{`p.yaml:13:12: policy rule "r": cel: undefined field 'lastUsd' (at line 1, column 6 of the expression)`}},
		{"unknown variable", spec.Rule{Name: "r", CEL: "tokn.name == ''"},
			[]string{`p.yaml:13:12: policy rule "r": cel: undeclared reference to 'tokn' (did you mean 'token'?) (at line 1, column 1 of the expression)`}},
		{"an error on a later line", spec.Rule{Name: "r", CEL: "token.name == ''\n  && token.rol == ''"},
			[]string{`p.yaml:13:12: policy rule "r": cel: undefined field 'rol' (at line 2, column 11 of the expression)`}},
		{"not a bool", spec.Rule{Name: "r", CEL: "token.name"},
			[]string{`p.yaml:13:12: policy rule "r": cel must return a bool (true when the token complies), not string`}},
		{"dyn is not a bool", spec.Rule{Name: "r", CEL: "token.lastUsed", Scope: "remote"},
			[]string{`p.yaml:13:12: policy rule "r": cel must return a bool (true when the token complies), not dyn`}},
		{"remote field in declared scope", spec.Rule{Name: "r", CEL: "token.lastUsed == null", Scope: "declared"},
			[]string{`p.yaml:12:14: policy rule "r": scope is declared, but cel reads token.lastUsed, which only remote tokens have: use scope: remote`}},
		{"remote field in has()", spec.Rule{Name: "r", CEL: "has(token.creationDate)", Scope: "declared"},
			[]string{`p.yaml:12:14: policy rule "r": scope is declared, but cel reads token.creationDate, which only remote tokens have: use scope: remote`}},
		{"bad scope", spec.Rule{Name: "r", CEL: "true", Scope: "remotes"},
			[]string{`p.yaml:12:14: policy rule "r": scope must be declared, remote or both, not "remotes"`}},
		{"bad severity", spec.Rule{Name: "r", CEL: "true", Severity: "fatal"},
			[]string{`p.yaml:10:7: policy rule "r": severity must be error or warning, not "fatal"`}},
		{"no name", spec.Rule{CEL: "true"},
			[]string{`p.yaml:10:7: policy.rules[0]: name is required`}},
		{"nothing to check", spec.Rule{Name: "r"},
			[]string{`p.yaml:10:7: policy rule "r": give it require, forbid or cel`}},
		{"an empty predicate", spec.Rule{Name: "r", Require: &spec.Predicate{}},
			[]string{`p.yaml:14:16: policy rule "r": require is empty: give at least one of name, role, serviceToken, description or rotateEvery`}},
		{"bad role", spec.Rule{Name: "r", Forbid: &spec.Predicate{Role: "admn"}},
			[]string{`p.yaml:15:16: policy rule "r": forbid.role must be reader, writer, admin, not "admn"`}},
		{"rotateEvery without bounds", spec.Rule{Name: "r", Require: &spec.Predicate{RotateEvery: &spec.DurationRange{}}},
			[]string{`p.yaml:14:16: policy rule "r": require.rotateEvery: give min, max or both, e.g. {max: 90d}`}},
		{"rotateEvery min over max", spec.Rule{Name: "r", Require: &spec.Predicate{RotateEvery: &spec.DurationRange{Min: days(2), Max: days(1)}}},
			[]string{`p.yaml:14:16: policy rule "r": require.rotateEvery: min (2d) is more than max (1d)`}},
		{"bad match glob", spec.Rule{Name: "r", CEL: "true", Match: &spec.Predicate{Name: []string{"["}}},
			[]string{`p.yaml:16:16: policy rule "r": match.name: bad glob "[": a [ is not closed: close the class with ], or write \[ for a [`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := policy.Compile([]spec.Rule{rule(tt.rule)})
			require.Error(t, err)
			assert.Nil(t, set)
			var errs spec.Errors
			require.ErrorAs(t, err, &errs)
			got := []string{}
			for _, e := range errs {
				got = append(got, e.Error())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCompileReportsEveryRule(t *testing.T) {
	a := rule(spec.Rule{Name: "a", CEL: "1"})
	b := rule(spec.Rule{Name: "a", CEL: "true"})
	b.Pos = at(20, 7)
	_, err := policy.Compile([]spec.Rule{a, b})
	require.Error(t, err)
	assert.Equal(t, `p.yaml:13:12: policy rule "a": cel must return a bool (true when the token complies), not int
p.yaml:20:7: policy rule "a" is declared twice: rule names are unique`, err.Error())
}

func TestMatch(t *testing.T) {
	tokens := declared(t, tokensDoc)
	tests := []struct {
		name  string
		match *spec.Predicate
		want  []string
	}{
		{"everything", nil, []string{"ci-admin", "ci-reader", "data", "pinned", "wide"}},
		{"a name glob", &spec.Predicate{Name: []string{"ci-*"}}, []string{"ci-admin", "ci-reader"}},
		{"a list of globs", &spec.Predicate{Name: []string{"d*", "w*"}}, []string{"data", "wide"}},
		{"service tokens", &spec.Predicate{ServiceToken: yes()}, []string{"ci-admin", "ci-reader", "data", "pinned"}},
		{"personal tokens", &spec.Predicate{ServiceToken: no()}, []string{"wide"}},
		{"a role", &spec.Predicate{Role: "reader"}, []string{"ci-reader"}},
		{"rotating tokens", &spec.Predicate{RotateEvery: &spec.DurationRange{Min: days(1)}}, []string{"ci-reader", "data"}},
		{"all conditions must hold", &spec.Predicate{Name: []string{"ci-*"}, Role: "admin"}, []string{"ci-admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := compile(t, rule(spec.Rule{Name: "r", CEL: "false", Match: tt.match}))
			got := []string{}
			for _, v := range set.CheckDeclared(tokens, now) {
				got = append(got, v.Token)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// remote is an account: a declared token, an undeclared one never used, an
// undeclared one used long ago, and two tokens sharing a name.
var remote = []ldapi.Token{
	{ID: "id-data", Name: "data", ServiceToken: true, CustomRoleIDs: []string{"r1", "r9"}, CreationDate: ms(now.AddDate(-1, 0, 0)), LastModified: ms(now.AddDate(0, -1, 0)), LastUsed: ms(now.Add(-time.Hour))},
	{ID: "id-old", Name: "old", ServiceToken: true, Role: "admin", CreationDate: ms(now.AddDate(-2, 0, 0)), LastModified: ms(now.AddDate(-2, 0, 0)), LastUsed: ms(now.AddDate(0, -6, 0))},
	{ID: "id-new", Name: "never", ServiceToken: false, Role: "reader", Description: "d", CreationDate: ms(now.AddDate(0, 0, -1)), LastModified: ms(now.AddDate(0, 0, -1))},
	{ID: "id-twin1", Name: "twin", ServiceToken: true, Role: "reader", CreationDate: ms(now.AddDate(0, 0, -3)), LastModified: ms(now.AddDate(0, 0, -3))},
	{ID: "id-twin2", Name: "twin", ServiceToken: true, Role: "reader", CreationDate: ms(now.AddDate(0, 0, -3)), LastModified: ms(now.AddDate(0, 0, -1))},
}

func ms(t time.Time) int64 { return t.UnixMilli() }

const remoteDoc = `
tokens:
  - name: data
    customRoles: [data-readers]
    rotate: {every: 30d}
  - name: twin
    role: reader
    rotate: {every: 30d}
  - name: other-twin
    id: id-twin2
    role: reader
    rotate: {every: 60d}
`

func TestCheckRemote(t *testing.T) {
	decl := declared(t, remoteDoc)
	roleKeys := map[string]string{"r1": "data-readers"}
	tests := []struct {
		name string
		rule spec.Rule
		want []string
	}{
		{"a null timestamp cannot be compared: not checked, never a crash", spec.Rule{Scope: "remote", CEL: `token.lastUsed > now - duration("24h")`}, []string{
			"never/r/error: could not be checked: no such overload: _>_",
			"old/r/error: does not satisfy token.lastUsed > now - duration(\"24h\")",
			"twin/r/error: could not be checked: no such overload: _>_",
			"twin/r/error: could not be checked: no such overload: _>_",
		}},
		{"the issue's unused rule", spec.Rule{Scope: "remote", CEL: `token.lastUsed == null || now - token.lastUsed < duration("2160h")`}, []string{
			"old/r/error: does not satisfy token.lastUsed == null || now - token.lastUsed < duration(\"2160h\")",
		}},
		{"timestamps", spec.Rule{Message: "m", CEL: `token.creationDate < token.lastModified && token.lastModified > now - duration("48h")`}, []string{
			"data/r/error: m",
			"never/r/error: m",
			"old/r/error: m",
			"twin/r/error: m",
		}},
		{"rotate and declared come from the pairing", spec.Rule{Message: "m", CEL: `token.declared && token.rotate.every <= duration("1440h")`}, []string{
			"never/r/error: m",
			"old/r/error: m",
			"twin/r/error: m",
		}},
		{"custom role keys resolved", spec.Rule{Message: "m", CEL: `token.customRoles == ["data-readers"] && token.customRoleIds == ["r1", "r9"]`}, []string{
			"never/r/error: m", "old/r/error: m", "twin/r/error: m", "twin/r/error: m",
		}},
		{"built-ins see remote tokens", spec.Rule{Forbid: &spec.Predicate{Role: "admin"}, Require: &spec.Predicate{ServiceToken: yes()}}, []string{
			"never/r/error: is a personal token",
			"old/r/error: forbidden: has the built-in role admin",
		}},
		{"an undeclared token does not rotate", spec.Rule{Require: &spec.Predicate{RotateEvery: &spec.DurationRange{Max: days(30)}}}, []string{
			"never/r/error: does not rotate: declare rotate: {every: 30d} or shorter",
			"old/r/error: does not rotate: declare rotate: {every: 30d} or shorter",
			"twin/r/error: does not rotate: declare rotate: {every: 30d} or shorter",
			"twin/r/error: rotates every 60d, more than the 30d allowed",
		}},
		{"declared scope is not checked remotely", spec.Rule{Scope: "declared", Forbid: &spec.Predicate{Role: "admin"}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Name = "r"
			set := compile(t, rule(tt.rule))
			got := set.CheckRemote(remote, decl, roleKeys, now)
			assert.Equal(t, tt.want, brief(got))
		})
	}
}

func TestCheckRemotePositionsAndIDs(t *testing.T) {
	decl := declared(t, remoteDoc)
	set := compile(t, rule(spec.Rule{Name: "r", CEL: "false"}))
	got := set.CheckRemote(remote, decl, nil, now)
	byID := map[string]policy.Violation{}
	for _, v := range got {
		byID[v.TokenID] = v
	}
	require.Len(t, byID, len(remote))
	assert.Equal(t, 3, byID["id-data"].Pos.Line, "paired by name")
	assert.Equal(t, 9, byID["id-twin2"].Pos.Line, "paired by its id pin")
	assert.Zero(t, byID["id-twin1"].Pos, "a shared name pairs with nothing")
	assert.Zero(t, byID["id-old"].Pos, "undeclared")
}

func TestScopeDefaults(t *testing.T) {
	decl := declared(t, remoteDoc)
	tests := []struct {
		name             string
		rule             spec.Rule
		declared, remote int
	}{
		{"a rule reading remote-only fields is remote", spec.Rule{CEL: "token.lastUsed != null && false"}, 0, 5},
		{"even when its scope says both", spec.Rule{Scope: "both", CEL: "token.lastModified != null && false"}, 0, 5},
		{"any other rule is both", spec.Rule{CEL: "false"}, 3, 5},
		{"built-ins are both", spec.Rule{Require: &spec.Predicate{Description: yes()}}, 3, 4},
		{"declared", spec.Rule{Scope: "declared", CEL: "false"}, 3, 0},
		{"remote", spec.Rule{Scope: "remote", CEL: "false"}, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Name = "r"
			set := compile(t, rule(tt.rule))
			assert.Len(t, set.CheckDeclared(decl, now), tt.declared)
			assert.Len(t, set.CheckRemote(remote, decl, nil, now), tt.remote)
		})
	}
}

func TestSeverities(t *testing.T) {
	tokens := declared(t, tokensDoc)
	warn := compile(t, rule(spec.Rule{Name: "w", Severity: "warning", Forbid: &spec.Predicate{Role: "admin"}}))
	vs := warn.CheckDeclared(tokens, now)
	require.Len(t, vs, 1)
	assert.False(t, policy.HasErrors(vs), "warnings alone are not errors")

	both := compile(t,
		rule(spec.Rule{Name: "w", Severity: "warning", Forbid: &spec.Predicate{Role: "admin"}}),
		rule(spec.Rule{Name: "e", Forbid: &spec.Predicate{Role: "reader"}}))
	vs = both.CheckDeclared(tokens, now)
	assert.Equal(t, []string{
		"ci-admin/w/warning: forbidden: has the built-in role admin",
		"ci-reader/e/error: forbidden: has the built-in role reader",
	}, brief(vs))
	assert.True(t, policy.HasErrors(vs))
}

func TestEmptySet(t *testing.T) {
	tokens := declared(t, tokensDoc)
	set, err := policy.Compile(nil)
	require.NoError(t, err)
	assert.Zero(t, set.Len())
	assert.Empty(t, set.CheckDeclared(tokens, now))
	assert.Empty(t, set.CheckRemote(remote, tokens, nil, now))
	var none *policy.Set
	assert.Zero(t, none.Len())
	assert.Empty(t, none.CheckDeclared(tokens, now))
	assert.Equal(t, 2, compile(t, rule(spec.Rule{Name: "a", CEL: "true"}), rule(spec.Rule{Name: "b", CEL: "true"})).Len())
}
