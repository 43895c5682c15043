package ghactions_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ghactions"
	"github.com/ldtokens/ldtokens/secret"
)

func TestActions(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": filepath.Join(dir, "out"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "sum")}
	var stdout bytes.Buffer
	a := ghactions.FromEnv(func(k string) string { return env[k] }, &stdout)

	a.Mask(secret.New("api-abc"))
	a.Error("specs/a,b:c.yaml", 3, 5, "bad\n::warning::forged 100%")
	assert.Equal(t, "::add-mask::api-abc\n::error file=specs/a%2Cb%3Ac.yaml,line=3,col=5::bad%0A::warning::forged 100%25\n", stdout.String())

	require.NoError(t, a.SetOutputs(map[string]string{"has_changes": "true", "create": "1"}))
	require.NoError(t, a.SetOutputs(map[string]string{"done": "2"}))
	out, err := os.ReadFile(env["GITHUB_OUTPUT"])
	require.NoError(t, err)
	assert.Equal(t, "create=1\nhas_changes=true\ndone=2\n", string(out))
	assert.Error(t, a.SetOutputs(map[string]string{"x": "a\nevil=1"}), "a value cannot inject another output")

	require.NoError(t, a.AppendSummary("### one"))
	require.NoError(t, a.AppendSummary("### two"))
	sum, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	require.NoError(t, err)
	assert.Equal(t, "### one\n### two\n", string(sum))
}

func TestOutsideActionsNothingIsWritten(t *testing.T) {
	var stdout bytes.Buffer
	a := ghactions.FromEnv(func(string) string { return "" }, &stdout)
	a.Mask(secret.New("api-abc"))
	a.Error("f", 1, 1, "m")
	require.NoError(t, a.SetOutputs(map[string]string{"a": "b"}))
	require.NoError(t, a.AppendSummary("x"))
	assert.Empty(t, stdout.String())
}
