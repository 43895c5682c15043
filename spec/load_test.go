package spec_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/spec"
)

func TestParseValid(t *testing.T) {
	s, err := spec.Parse("t.yaml", []byte(`
tokens:
  - name: ci
    role: writer
  - name: personal
    serviceToken: false
    defaultApiVersion: 20240415
    customRoles: [readers]
    rotate: {every: 90d, grace: 12h}
  - name: gone
    state: absent
prune: {enabled: true, match: ["ci-*"]}
ignore: ["legacy-*"]
`))
	require.NoError(t, err)
	require.Len(t, s.Tokens, 3)
	assert.True(t, s.Tokens[0].IsService(), "serviceToken defaults to true")
	assert.Equal(t, "present", s.Tokens[0].State)
	assert.False(t, s.Tokens[1].IsService())
	assert.Equal(t, 90*24*time.Hour, s.Tokens[1].RotateEvery())
	assert.Equal(t, 12*time.Hour, s.Tokens[1].Rotate.Grace.Duration)
	assert.True(t, s.Tokens[2].Absent())
	assert.Equal(t, spec.DefaultMaxDeletes, s.Prune.MaxDeletesOrDefault())
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 3, Column: 5}, s.Tokens[0].Pos)
	assert.Equal(t, spec.Position{File: "t.yaml", Line: 4, Column: 11}, s.Tokens[0].FieldPos("role"))
	assert.Len(t, s.Present(), 2)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each error, in order
	}{
		{"misspelt key", "tokens:\n  - name: a\n    role: reader\n    descripton: x\n",
			[]string{`t.yaml:4:5: token "a": unknown key "descripton"; did you mean "description"?`}},
		{"unknown top-level key", "token: []\n",
			[]string{`t.yaml:1:1: unknown key "token"; did you mean "tokens"?`}},
		{"far-off key lists the known ones", "tokens:\n  - name: a\n    role: reader\n    zzzzzzzz: 1\n",
			[]string{`t.yaml:4:5: token "a": unknown key "zzzzzzzz"; known keys are name, id, state, description, role, customRoles, customRoleIds, inlineRole, serviceToken, defaultApiVersion, rotate, replace, secretName`}},
		{"duplicate names", "tokens:\n  - name: a\n    role: reader\n  - name: a\n    role: reader\n",
			[]string{`t.yaml:4:11: token "a" is declared twice (first at t.yaml:2:11): names are unique across all files`}},
		{"bad role with suggestion", "tokens:\n  - name: a\n    role: writter\n",
			[]string{`t.yaml:3:11: token "a": role must be reader, writer or admin, not "writter"; did you mean "writer"?`}},
		{"two kinds of role", "tokens:\n  - name: a\n    role: reader\n    customRoleIds: [x]\n",
			[]string{`t.yaml:2:5: token "a": role, customRoles, customRoleIds and inlineRole are exclusive: keep one`}},
		{"no role", "tokens:\n  - name: a\n",
			[]string{`t.yaml:2:5: token "a": give it exactly one of role, customRoles, customRoleIds or inlineRole`}},
		{"resources and notResources", "tokens:\n  - name: a\n    inlineRole:\n      - effect: allow\n        actions: ['*']\n        resources: ['*']\n        notResources: ['x']\n",
			[]string{`t.yaml:4:9: token "a": inlineRole[0]: resources and notResources are exclusive: keep one`}},
		{"bad duration", "tokens:\n  - name: a\n    role: reader\n    rotate: {every: 3w}\n",
			[]string{`t.yaml:4:21: token "a": rotate.every: bad duration "3w": write whole numbers with a unit, d, h, m, s or ms (90d, 12h, 1h30m, 45s)`}},
		{"grace not shorter", "tokens:\n  - name: a\n    role: reader\n    rotate: {every: 1d, grace: 24h}\n",
			[]string{`t.yaml:4:13: token "a": rotate.grace (1d) must be shorter than rotate.every (1d)`}},
		{"bad state", "tokens:\n  - name: a\n    state: gone\n",
			[]string{`t.yaml:3:12: token "a": state must be present or absent, not "gone"`}},
		{"empty state", "tokens:\n  - name: a\n    role: reader\n    state: ''\n",
			[]string{`t.yaml:4:12: token "a": state must be present or absent, not ""`}},
		{"repeated key", "tokens:\n  - name: a\n    role: reader\n    role: writer\n",
			[]string{`t.yaml:4:5: token "a": key "role" is repeated (first at line 3)`}},
		{"wrong type", "tokens:\n  - name: a\n    role: reader\n    serviceToken: 1\n",
			[]string{`t.yaml:4:19: token "a": serviceToken must be true or false, not "1"`}},
		{"tokens not a list", "tokens: {a: b}\n",
			[]string{`t.yaml:1:9: tokens must be a list`}},
		{"prune without match", "prune:\n  enabled: true\n",
			[]string{`t.yaml:2:3: prune: enabled without match: list the globs of names that may be deleted, e.g. match: ["ci-*"]`}},
		{"declared and ignored", "tokens:\n  - name: legacy-a\n    role: reader\nignore: ['legacy-*']\n",
			[]string{`t.yaml:2:11: token "legacy-a" is declared but matches an ignore glob: remove one or the other`}},
		{"bad glob", "prune: {enabled: true, match: ['[']}\n",
			[]string{`t.yaml:1:32: prune.match[0]: bad glob "[": a [ is not closed: close the class with ], or write \[ for a [`}},
		{"two documents", "tokens: []\n---\ntokens: []\n",
			[]string{`t.yaml:2:1: more than one YAML document: put each spec in its own file`}},
		{"pinned twice", "tokens:\n  - {name: a, id: x, role: reader}\n  - {name: b, id: x, role: reader}\n",
			[]string{`t.yaml:3:19: token "b": id x is pinned twice (first at t.yaml:2:19)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spec.Parse("t.yaml", []byte(tt.yaml))
			require.Error(t, err)
			var errs spec.Errors
			require.ErrorAs(t, err, &errs)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLoadDirectoryAndFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("b.yml", "tokens:\n  - {name: b, role: reader}\n")
	write("a.yaml", "tokens:\n  - {name: a, role: reader}\nprune: {enabled: true, match: ['x-*']}\n")
	write("notes.txt", "not a spec")
	s, err := spec.Load(dir)
	require.NoError(t, err)
	require.Len(t, s.Tokens, 2)
	assert.Equal(t, "a", s.Tokens[0].Name, "files are read in name order")
	assert.True(t, s.Prune.Enabled)

	write("c.yaml", "prune: {enabled: false}\n")
	_, err = spec.Load(dir)
	require.ErrorContains(t, err, "prune is set here and at")

	_, err = spec.Load(filepath.Join(dir, "missing.yaml"))
	require.ErrorContains(t, err, "no such file")
	_, err = spec.Load(t.TempDir())
	require.ErrorContains(t, err, "has no *.yaml or *.yml file")
}

// FuzzParse checks that the loader never panics, and that whatever it
// accepts keeps the spec's invariants.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"tokens:\n  - name: a\n    role: reader\n",
		"tokens:\n  - name: a\n    inlineRole: [{effect: allow, actions: ['*'], resources: ['*']}]\n    rotate: {every: 90d, grace: 1h}\n",
		"prune: {enabled: true, match: ['ci-*'], maxDeletes: 2}\nignore: ['x']\n",
		"tokens: [{name: a, state: absent}, {name: b, customRoles: [k], serviceToken: false}]\n",
		"tokens:\n  - &x {name: a, role: reader}\n  - *x\n",
		"{",
		"x-base: &base {role: reader, rotate: {every: 90d}}\ntokens:\n  - {name: a, <<: *base}\n  - {name: b, <<: [*base, {description: x}], role: writer}\n",
		"x-a: &a [x, x]\nx-b: &b [*a, *a]\nignore: *b\ntokens: [&t {name: a, <<: *t}]\n",
		"x-s: &s {effect: allow, actions: &acts ['*'], resources: *acts}\ntokens: [{name: a, inlineRole: [*s, *s]}]\n",
		"tokens: [{name: ci-x, role: reader}, {name: ci_x, role: reader, secretName: CI_X_2, replace: {grace: 0}}]\ndefaults: {replaceGrace: 1h30m}\n",
		"policy:\n  rules:\n    - {name: r, forbid: {role: admin}, match: {name: ['ci-*']}}\n    - {name: c, cel: 'true', severity: warning, scope: remote}\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := spec.Parse("f.yaml", []byte(text))
		if err != nil {
			var errs spec.Errors
			if assert.ErrorAs(t, err, &errs) {
				for _, e := range errs {
					assert.True(t, strings.HasPrefix(e.Error(), "f.yaml:"), "every error names the file: %q", e)
				}
			}
			return
		}
		names := map[string]bool{}
		sinkNames := map[string]bool{}
		for _, tok := range s.Tokens {
			require.NotEmpty(t, tok.Name)
			require.False(t, names[tok.Name], "duplicate name %q accepted", tok.Name)
			names[tok.Name] = true
			require.Regexp(t, `^[A-Z_][A-Z0-9_]*$`, tok.SinkName())
			require.False(t, strings.HasPrefix(tok.SinkName(), "GITHUB_"))
			require.False(t, sinkNames[tok.SinkName()], "duplicate secret name %q accepted", tok.SinkName())
			sinkNames[tok.SinkName()] = true
			require.Contains(t, spec.States, tok.State)
			require.GreaterOrEqual(t, tok.ReplaceGrace(s.Defaults), time.Duration(0))
			if tok.Absent() {
				continue
			}
			kinds := 0
			for _, set := range []bool{tok.Role != "", len(tok.CustomRoles) > 0, len(tok.CustomRoleIDs) > 0, len(tok.InlineRole) > 0} {
				if set {
					kinds++
				}
			}
			require.Equal(t, 1, kinds, "token %q: exactly one kind of role", tok.Name)
		}
		if s.Prune.Enabled {
			require.NotEmpty(t, s.Prune.Match)
		}
		for _, r := range s.Policy.Rules {
			require.NotEmpty(t, r.Name)
			require.Contains(t, spec.Severities, r.Severity)
			require.Contains(t, spec.Scopes, r.Scope)
			kinds := 0
			for _, set := range []bool{r.Require != nil, r.Forbid != nil, r.CEL != ""} {
				if set {
					kinds++
				}
			}
			require.Equal(t, 1, kinds, "rule %q: exactly one of require, forbid, cel", r.Name)
		}
	})
}
