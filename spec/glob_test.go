package spec_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ldtokens/ldtokens/spec"
)

func TestMatchAny(t *testing.T) {
	tests := []struct {
		glob, name string
		want       bool
	}{
		{"ci-*", "ci-x/y", true}, // token names are not paths
		{"ci-*", "ci-", true},
		{"ci-*", "ci", false},
		{"*", "", true},
		{"*", "a/b/c", true},
		{"*-prod", "svc/a-prod", true},
		{"*-prod", "svc-prod-old", false},
		{"a*b*c", "axxbyybzzc", true},
		{"a*b*c", "axxbyyb", false},
		{"svc-?", "svc-1", true},
		{"svc-?", "svc-12", false},
		{"svc-?", "svc-é", true}, // one character, not one byte
		{"svc-?", "svc-/", true},
		{"[a-c]x", "bx", true},
		{"[a-c]x", "dx", false},
		{"[!a-c]x", "dx", true},
		{"[^a-c]x", "ax", false},
		{"[abc-]", "-", true},
		{`[\]]`, "]", true},
		{`\*`, "*", true},
		{`\*`, "a", false},
		{"legacy-*", "LEGACY-x", false}, // case-sensitive
		{"é*", "éa", true},
		{"[", "[", false}, // malformed: matches nothing
	}
	for _, tt := range tests {
		t.Run(tt.glob+" "+tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, spec.MatchAny([]string{tt.glob}, tt.name))
		})
	}
	assert.True(t, spec.MatchAny([]string{"x", "ci-*"}, "ci-a"), "any of the globs")
	assert.False(t, spec.MatchAny(nil, "ci-a"))
}

func TestCheckGlob(t *testing.T) {
	for glob, want := range map[string]string{
		"ci-*":    "",
		"[a-z]?*": "",
		`\[x\]`:   "",
		"[":       "a [ is not closed: close the class with ], or write \\[ for a [",
		"ci-[a-z": "a [ is not closed: close the class with ], or write \\[ for a [",
		"[]":      "[] is an empty class: list characters inside, or write \\[\\] for the brackets",
		"[z-a]":   "a range in [ ] goes backwards: write it low to high, such as [a-z]",
		`ci-\`:    `it ends with \: escape a character, or drop the \`,
		`[a\`:     "a [ is not closed: close the class with ], or write \\[ for a [",
	} {
		err := spec.CheckGlob(glob)
		if want == "" {
			assert.NoError(t, err, glob)
			continue
		}
		assert.EqualError(t, err, want, glob)
	}
}

func TestGlobsAreCheckedAtLoad(t *testing.T) {
	got := parseErrors(t, "prune:\n  enabled: true\n  match:\n    - ci-*\n    - ci-[\nignore: [ok, '[z-a]']\npolicy:\n  rules:\n    - {name: r, forbid: {role: admin}, match: {name: ['[]']}}\n")
	assert.Equal(t, []string{
		`t.yaml:5:7: prune.match[1]: bad glob "ci-[": a [ is not closed: close the class with ], or write \[ for a [`,
		`t.yaml:6:14: ignore[1]: bad glob "[z-a]": a range in [ ] goes backwards: write it low to high, such as [a-z]`,
		`t.yaml:9:55: policy rule "r": match.name[0]: bad glob "[]": [] is an empty class: list characters inside, or write \[\] for the brackets`,
	}, got)
}
