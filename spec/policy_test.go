package spec_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/spec"
)

func TestParsePolicy(t *testing.T) {
	s, err := spec.Parse("t.yaml", []byte(`policy:
  rules:
    - name: service-tokens-rotate
      require: {rotateEvery: {max: 90d}}
      match: {serviceToken: true, name: ["svc-*"]}
    - name: no-admin
      forbid: {role: admin}
    - name: described
      require: {description: true}
      scope: declared
    - name: no-wildcard-production
      severity: warning
      cel: >-
        !token.inlineRole.exists(s, s.effect == "allow")
      message: "no allow-* statement on production"
`))
	require.NoError(t, err)
	rules := s.Policy.Rules
	require.Len(t, rules, 4)
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 2, Column: 3}, s.Policy.Pos)

	rotate := rules[0]
	assert.Equal(t, "service-tokens-rotate", rotate.Name)
	assert.Equal(t, spec.SeverityError, rotate.Severity, "severity defaults to error")
	assert.Equal(t, spec.ScopeBoth, rotate.Scope, "scope defaults to both")
	require.NotNil(t, rotate.Require)
	require.NotNil(t, rotate.Require.RotateEvery)
	assert.Nil(t, rotate.Require.RotateEvery.Min)
	assert.Equal(t, 90*24*time.Hour, rotate.Require.RotateEvery.Max.Duration)
	assert.True(t, rotate.Require.RotateEvery.Contains(spec.Duration{Duration: 30 * 24 * time.Hour}))
	assert.False(t, rotate.Require.RotateEvery.Contains(spec.Duration{Duration: 91 * 24 * time.Hour}))
	require.NotNil(t, rotate.Match)
	assert.Equal(t, []string{"svc-*"}, rotate.Match.Name)
	assert.True(t, *rotate.Match.ServiceToken)
	assert.Nil(t, rotate.Forbid)
	assert.Empty(t, rotate.CEL)
	assert.True(t, rotate.CELPos.IsZero())
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 3, Column: 7}, rotate.Pos)
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 4, Column: 16}, rotate.FieldPos("require"))
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 4, Column: 16}, rotate.Require.Pos)
	assert.Equal(t, rotate.Pos, rotate.FieldPos("cel"), "a key not set is at the rule")

	assert.Equal(t, "admin", rules[1].Forbid.Role)
	assert.True(t, *rules[2].Require.Description)
	assert.Equal(t, spec.ScopeDeclared, rules[2].Scope)

	cel := rules[3]
	assert.Equal(t, spec.SeverityWarning, cel.Severity)
	assert.Equal(t, `!token.inlineRole.exists(s, s.effect == "allow")`, cel.CEL)
	assert.Equal(t, "no allow-* statement on production", cel.Message)
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 13, Column: 12}, cel.CELPos, "the block scalar's indicator")
	assert.Equal(t, cel.FieldPos("cel"), cel.CELPos)
}

func TestPolicyErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown key", "policy:\n  rules:\n    - {name: r, forbid: {role: admin}, severty: warning}\n",
			[]string{`t.yaml:3:40: policy rule "r": unknown key "severty"; did you mean "severity"?`}},
		{"bad severity and scope", "policy:\n  rules:\n    - {name: r, forbid: {role: admin}, severity: fatal, scope: remot}\n",
			[]string{
				`t.yaml:3:50: policy rule "r": severity must be error or warning, not "fatal"`,
				`t.yaml:3:64: policy rule "r": scope must be declared, remote or both, not "remot"; did you mean "remote"?`,
			}},
		{"none of require, forbid, cel", "policy:\n  rules:\n    - {name: r, match: {role: admin}}\n",
			[]string{`t.yaml:3:7: policy rule "r": give it exactly one of require, forbid or cel`}},
		{"two of them", "policy:\n  rules:\n    - {name: r, forbid: {role: admin}, cel: 'true'}\n",
			[]string{`t.yaml:3:45: policy rule "r": forbid and cel are exclusive: keep one`}},
		{"duplicate names", "policy:\n  rules:\n    - {name: r, forbid: {role: admin}}\n    - {name: r, cel: 'true'}\n",
			[]string{`t.yaml:4:14: policy rule "r" is declared twice (first at t.yaml:3:14): rule names are unique`}},
		{"no name", "policy:\n  rules:\n    - {forbid: {role: admin}}\n",
			[]string{`t.yaml:3:7: policy.rules[0]: name is required`}},
		{"empty predicate", "policy:\n  rules:\n    - {name: r, require: {}}\n",
			[]string{`t.yaml:3:26: policy rule "r": require is empty: give at least one of name, role, serviceToken, description or rotateEvery`}},
		{"unknown condition", "policy:\n  rules:\n    - {name: r, forbid: {rol: admin}}\n",
			[]string{`t.yaml:3:26: policy rule "r": forbid: unknown key "rol"; did you mean "role"?`}},
		{"bad role in a condition", "policy:\n  rules:\n    - {name: r, forbid: {role: root}}\n",
			[]string{`t.yaml:3:32: policy rule "r": forbid.role must be reader, writer or admin, not "root"`}},
		{"no globs", "policy:\n  rules:\n    - {name: r, forbid: {role: admin}, match: {name: []}}\n",
			[]string{`t.yaml:3:54: policy rule "r": match.name is empty: list at least one glob`}},
		{"empty range", "policy:\n  rules:\n    - {name: r, require: {rotateEvery: {}}}\n",
			[]string{`t.yaml:3:40: policy rule "r": require.rotateEvery: give min, max or both, e.g. {max: 90d}`}},
		{"range backwards", "policy:\n  rules:\n    - {name: r, require: {rotateEvery: {min: 90d, max: 30d}}}\n",
			[]string{`t.yaml:3:40: policy rule "r": require.rotateEvery: min (90d) is more than max (30d)`}},
		{"empty cel", "policy:\n  rules:\n    - {name: r, cel: ' '}\n",
			[]string{`t.yaml:3:22: policy rule "r": cel is empty: write an expression that is true when a token follows the rule`}},
		{"rule not a mapping", "policy:\n  rules: [no-admin]\n",
			[]string{`t.yaml:2:11: policy.rules[0] must be a mapping of keys to values`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseErrors(t, tt.yaml))
		})
	}
}
