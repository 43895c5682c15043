package spec_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/spec"
)

func TestReplaceGrace(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want time.Duration
	}{
		{"built-in default", "tokens: [{name: a, role: reader}]\n", spec.DefaultReplaceGrace},
		{"spec default", "defaults: {replaceGrace: 30m}\ntokens: [{name: a, role: reader}]\n", 30 * time.Minute},
		{"token wins", "defaults: {replaceGrace: 30m}\ntokens: [{name: a, role: reader, replace: {grace: 2d}}]\n", 48 * time.Hour},
		{"token 0 deletes at once", "defaults: {replaceGrace: 30m}\ntokens: [{name: a, role: reader, replace: {grace: 0}}]\n", 0},
		{"spec default 0", "defaults: {replaceGrace: 0s}\ntokens: [{name: a, role: reader}]\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := spec.Parse("t.yaml", []byte(tt.yaml))
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.Tokens[0].ReplaceGrace(s.Defaults))
		})
	}
	assert.Equal(t, time.Hour, spec.DefaultReplaceGrace)
}

func TestReplaceErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"grace is required", "tokens:\n  - {name: a, role: reader, replace: {}}\n",
			[]string{`t.yaml:2:38: token "a": replace.grace is required, e.g. replace: {grace: 1h} (0 deletes the old token at once)`}},
		{"unknown key", "tokens:\n  - {name: a, role: reader, replace: {grce: 1h}}\n",
			[]string{`t.yaml:2:39: token "a": replace: unknown key "grce"; did you mean "grace"?`}},
		{"bad default", "defaults: {replaceGrace: 1y}\n",
			[]string{`t.yaml:1:26: defaults.replaceGrace: bad duration "1y": write whole numbers with a unit, d, h, m, s or ms (90d, 12h, 1h30m, 45s)`}},
		{"unknown default", "defaults: {rotateEvery: 1d}\n",
			[]string{`t.yaml:1:12: defaults: unknown key "rotateEvery"; known keys are replaceGrace`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseErrors(t, tt.yaml))
		})
	}
}

func TestDefaultsAndPolicyAreSetOnce(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"a.yaml": "defaults: {replaceGrace: 1h}\npolicy: {rules: [{name: r, forbid: {role: admin}}]}\n",
		"b.yaml": "defaults: {replaceGrace: 2h}\npolicy: {rules: []}\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	_, err := spec.Load(dir)
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	assert.EqualError(t, err, b+":1:11: defaults is set here and at "+a+":1:11: keep one defaults block\n"+
		b+":2:9: policy is set here and at "+a+":2:9: keep one policy block")
}
