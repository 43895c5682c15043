package spec_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/spec"
)

func TestDefaultSecretName(t *testing.T) {
	for name, want := range map[string]string{
		"ci-deployer":     "CI_DEPLOYER",
		"CI Deployer":     "CI_DEPLOYER",
		"ci--deployer..x": "CI_DEPLOYER_X",
		"data/export":     "DATA_EXPORT",
		"2fa bot":         "LD_2FA_BOT",
		"-lead":           "_LEAD",
		"été":             "_T_",
		"svc_metrics_v2":  "SVC_METRICS_V2",
		"github-sync":     "GITHUB_SYNC", // derived, then refused by Load
	} {
		assert.Equal(t, want, spec.DefaultSecretName(name), name)
	}
}

func TestSinkName(t *testing.T) {
	s, err := spec.Parse("t.yaml", []byte("tokens:\n  - {name: ci-deployer, role: reader}\n  - {name: data, role: reader, secretName: LD_DATA_EXPORT}\n"))
	require.NoError(t, err)
	assert.Equal(t, "CI_DEPLOYER", s.Tokens[0].SinkName())
	assert.Empty(t, s.Tokens[0].SecretName, "the default is derived, not written into the token")
	assert.Equal(t, "LD_DATA_EXPORT", s.Tokens[1].SinkName())
	assert.Equal(t, "X_Y", spec.Token{Name: "x.y"}.SinkName(), "a token built in code gets the default too")
}

func TestSecretNameErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"derived names clash",
			"tokens:\n  - {name: ci-x, role: reader}\n  - {name: ci_x, role: reader}\n",
			[]string{`t.yaml:3:12: token "ci_x": secret name CI_X is also the secret name of token "ci-x" (t.yaml:2:12): set secretName: on one of them`}},
		{"a set name clashes with a derived one, absent tokens included",
			"tokens:\n  - {name: old, state: absent}\n  - {name: new, role: reader, secretName: OLD}\n",
			[]string{`t.yaml:3:43: token "new": secret name OLD is also the secret name of token "old" (t.yaml:2:12): set secretName: on one of them`}},
		{"secretName resolves a clash",
			"tokens:\n  - {name: ci-x, role: reader}\n  - {name: ci_x, role: reader, secretName: CI_X_2}\n",
			nil},
		{"not valid for GitHub",
			"tokens:\n  - {name: a, role: reader, secretName: my-secret}\n  - {name: b, role: reader, secretName: 9LIVES}\n  - {name: c, role: reader, secretName: lower}\n",
			[]string{
				`t.yaml:2:41: token "a": secretName "my-secret" is not a valid GitHub secret name: use A-Z, 0-9 and _, not starting with a digit`,
				`t.yaml:3:41: token "b": secretName "9LIVES" is not a valid GitHub secret name: use A-Z, 0-9 and _, not starting with a digit`,
				`t.yaml:4:41: token "c": secretName "lower" is not a valid GitHub secret name: use A-Z, 0-9 and _, not starting with a digit`,
			}},
		{"GitHub reserves GITHUB_",
			"tokens:\n  - {name: github-sync, role: reader}\n  - {name: b, role: reader, secretName: GITHUB_TOKEN}\n",
			[]string{
				`t.yaml:2:12: token "github-sync": secret name GITHUB_SYNC (derived from the name) starts with GITHUB_, which GitHub reserves: set secretName: to another name`,
				`t.yaml:3:41: token "b": secretName GITHUB_TOKEN starts with GITHUB_, which GitHub reserves: set secretName: to another name`,
			}},
		{"empty",
			"tokens:\n  - {name: a, role: reader, secretName: ''}\n",
			[]string{`t.yaml:2:41: token "a": secretName is empty: leave it out for the default, A`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spec.Parse("t.yaml", []byte(tt.yaml))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			assert.Equal(t, tt.want, parseErrors(t, tt.yaml))
		})
	}
}
