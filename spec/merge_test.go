package spec_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/spec"
)

func TestMergeKeysAndAliases(t *testing.T) {
	s, err := spec.Parse("t.yaml", []byte(`x-base: &base
  role: reader
  description: shared
  rotate: {every: 90d, grace: 1h}
x-writer: &writer {role: writer, serviceToken: false}
x-roles: &roles [data-readers]
tokens:
  - name: plain
    <<: *base
  - name: override
    <<: *base
    description: mine
  - name: first-wins
    <<: [*writer, *base]
  - name: aliased
    customRoles: *roles
  - name: inline
    <<: {role: admin}
`))
	require.NoError(t, err)
	require.Len(t, s.Tokens, 5)
	byName := map[string]spec.Token{}
	for _, tok := range s.Tokens {
		byName[tok.Name] = tok
	}

	plain := byName["plain"]
	assert.Equal(t, "reader", plain.Role)
	assert.Equal(t, "shared", plain.Description)
	assert.Equal(t, "90d", plain.Rotate.Every.String())
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 2, Column: 9}, plain.FieldPos("role"), "a merged value's position is where it is written")
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 8, Column: 5}, plain.Pos)

	override := byName["override"]
	assert.Equal(t, "mine", override.Description, "a key of the mapping wins over a merged one")
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 12, Column: 18}, override.FieldPos("description"))
	assert.Equal(t, "reader", override.Role)

	first := byName["first-wins"]
	assert.Equal(t, "writer", first.Role, "of several merged mappings, the earlier wins")
	assert.False(t, first.IsService())
	assert.Equal(t, "shared", first.Description)

	assert.Equal(t, []string{"data-readers"}, byName["aliased"].CustomRoles)
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 6, Column: 10}, byName["aliased"].FieldPos("customRoles"))
	assert.Equal(t, "admin", byName["inline"].Role)
}

func TestMergeKeyErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"a problem in a merged block is at the block",
			"x-base: &base {role: writter}\ntokens:\n  - {name: a, <<: *base}\n",
			[]string{`t.yaml:1:22: token "a": role must be reader, writer or admin, not "writter"; did you mean "writer"?`}},
		{"an unknown key in a merged block",
			"x-base: &base {rol: reader}\ntokens:\n  - {name: a, role: reader, <<: *base}\n",
			[]string{`t.yaml:1:16: token "a": unknown key "rol"; did you mean "role"?`}},
		{"a decoding problem in a block shared by several tokens is reported once",
			"x-base: &base {rol: reader, role: reader}\ntokens:\n  - {name: a, <<: *base}\n  - {name: b, <<: *base}\n",
			[]string{`t.yaml:1:16: token "a": unknown key "rol"; did you mean "role"?`}},
		{"merging a scalar",
			"tokens:\n  - {name: a, role: reader, <<: 5}\n",
			[]string{`t.yaml:2:33: << merges mappings: give it an alias of a mapping (<<: *base), a mapping, or a list of aliases (<<: [*a, *b])`}},
		{"merging a list of scalars",
			"x-a: &a [1]\ntokens:\n  - {name: a, role: reader, <<: [*a]}\n",
			[]string{`t.yaml:3:34: << merges mappings: give it an alias of a mapping (<<: *base), a mapping, or a list of aliases (<<: [*a, *b])`}},
		{"a mapping that merges itself",
			"tokens:\n  - &a {name: a, role: reader, <<: *a}\n",
			[]string{`t.yaml:2:36: this merge key pulls in a mapping it is part of: merge a block defined outside it`}},
		{"a quoted << is a key like any other",
			"tokens:\n  - {name: a, role: reader, '<<': {}}\n",
			[]string{`t.yaml:2:29: token "a": unknown key "<<"; known keys are name, id, state, description, role, customRoles, customRoleIds, inlineRole, serviceToken, defaultApiVersion, rotate, replace, secretName`}},
		{"x- keys are ignored only at the top",
			"tokens:\n  - {name: a, role: reader, x-note: hi}\n",
			[]string{`t.yaml:2:29: token "a": unknown key "x-note"; known keys are name, id, state, description, role, customRoles, customRoleIds, inlineRole, serviceToken, defaultApiVersion, rotate, replace, secretName`}},
		{"a repeated key is still repeated",
			"x-base: &base {role: reader}\ntokens:\n  - {name: a, <<: *base, role: writer, role: admin}\n",
			[]string{`t.yaml:3:40: token "a": key "role" is repeated (first at line 3)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseErrors(t, tt.yaml))
		})
	}
}

// parseErrors parses text as t.yaml and returns each problem as a string.
func parseErrors(t *testing.T, text string) []string {
	t.Helper()
	_, err := spec.Parse("t.yaml", []byte(text))
	require.Error(t, err)
	var errs spec.Errors
	require.ErrorAs(t, err, &errs)
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	return got
}
