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
	var commands bytes.Buffer
	a := ghactions.FromEnv(func(k string) string { return env[k] }, &commands)

	a.Mask(secret.New("api-abc"))
	a.Error("specs/a,b:c.yaml", 3, 5, "bad\n::warning::forged 100%")
	a.Warning("w.yaml", 7, 0, "rule \"x\": no description")
	a.Group("Plan\n::warning::x")
	a.EndGroup()
	assert.Equal(t, "::add-mask::api-abc\n"+
		"::error file=specs/a%2Cb%3Ac.yaml,line=3,col=5::bad%0A::warning::forged 100%25\n"+
		"::warning file=w.yaml,line=7::rule \"x\": no description\n"+
		"::group::Plan%0A::warning::x\n"+
		"::endgroup::\n", commands.String())

	require.NoError(t, a.Publish("### one", map[string]string{"has_changes": "true", "create": "1"}))
	require.NoError(t, a.Publish("### two", map[string]string{"done": "2"}))
	out, err := os.ReadFile(env["GITHUB_OUTPUT"])
	require.NoError(t, err)
	assert.Equal(t, "create=1\nhas_changes=true\ndone=2\n", string(out))
	sum, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	require.NoError(t, err)
	assert.Equal(t, "### one\n### two\n", string(sum))

	assert.Error(t, a.Publish("### three", map[string]string{"x": "a\nevil=1"}), "a value cannot inject another output")
	out, err = os.ReadFile(env["GITHUB_OUTPUT"])
	require.NoError(t, err)
	assert.NotContains(t, string(out), "evil")
	sum, err = os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	require.NoError(t, err)
	assert.NotContains(t, string(sum), "three", "a refused publish writes nothing")
}

func TestOutsideActionsNothingIsWritten(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"GITHUB_OUTPUT": filepath.Join(dir, "out"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "sum")}
	var commands bytes.Buffer
	a := ghactions.FromEnv(func(k string) string { return env[k] }, &commands)
	a.Mask(secret.New("api-abc"))
	a.Error("f", 1, 1, "m")
	a.Warning("f", 1, 1, "m")
	a.Group("g")
	a.EndGroup()
	require.NoError(t, a.Publish("x", map[string]string{"a": "b"}))
	assert.Empty(t, commands.String())
	assert.NoFileExists(t, env["GITHUB_OUTPUT"])
	assert.NoFileExists(t, env["GITHUB_STEP_SUMMARY"])
}
