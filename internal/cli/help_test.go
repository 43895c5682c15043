package cli

import (
	"context"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command's help has an example, and no placeholder reads "value".
func TestHelp(t *testing.T) {
	e := newTestEnv(t)
	for _, cmd := range newApp(&IO{}).Commands {
		t.Run(cmd.Name, func(t *testing.T) {
			r := e.run(context.Background(), nil, cmd.Name, "--help")
			require.Equal(t, 0, r.code, r.stderr)
			assert.Empty(t, r.stderr)
			assert.Regexp(t, `(?s)\n   Examples:\n     .*ldtokens `+cmd.Name, r.stdout)
			assert.NotRegexp(t, `\bvalue\b`, r.stdout)
			assert.NotRegexp(t, `\(default: [^)]*\) \(default: `, r.stdout, "one default per flag")
		})
	}
}

func TestSuggest(t *testing.T) {
	commands := []string{"validate", "plan", "apply", "drift", "status", "rotate", "import", "emulator", "schema", "version", "completion"}
	planFlags := []string{"file", "f", "api-host", "access-token-file", "emulator", "timeout", "output", "o", "no-color", "out", "detailed-exitcode", "allow-empty", "help", "h"}
	tests := []struct {
		typed      string
		candidates []string
		want       string
	}{
		{"aply", commands, "apply"},
		{"plna", commands, "plan"},
		{"valdiate", commands, "validate"},
		{"rotat", commands, "rotate"},
		{"emu", commands, "emulator"},
		{"frobnicate", commands, ""},
		{"x", commands, ""},
		{"detailed-exit-code", planFlags, "detailed-exitcode"},
		{"no-colour", planFlags, "no-color"},
		{"ouput", planFlags, "output"},
		{"nope", planFlags, ""},
		{"x", planFlags, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, suggest(tt.typed, tt.candidates), tt.typed)
	}
}

// The completion scripts name every command; the bash one is valid bash
// and completes commands and a command's flags.
func TestCompletion(t *testing.T) {
	e := newTestEnv(t)
	scripts := map[string]string{}
	for _, sh := range shells {
		r := e.run(context.Background(), nil, "completion", sh)
		require.Equal(t, 0, r.code, r.stderr)
		require.NotEmpty(t, r.stdout)
		for _, cmd := range newApp(&IO{}).Commands {
			assert.Contains(t, r.stdout, cmd.Name, "%s completion names %s", sh, cmd.Name)
		}
		scripts[sh] = e.write("completion."+sh, r.stdout)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to check the script with")
	}
	out, err := exec.Command(bash, "-n", scripts["bash"]).CombinedOutput()
	require.NoError(t, err, "bash -n: %s", out)

	complete := func(words ...string) string {
		t.Helper()
		script := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ldtokens; printf '%s\n' "${COMPREPLY[@]}"`
		out, err := exec.Command(bash, append([]string{"-c", script, "bash", scripts["bash"]}, words...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	assert.Equal(t, "plan\n", complete("ldtokens", "pl"))
	assert.Equal(t, "--detailed-exitcode\n", complete("ldtokens", "plan", "-f", "x.yaml", "--det"))
	assert.Equal(t, "--grace\n", complete("ldtokens", "rotate", "svc", "--gr"))
	assert.Equal(t, "bash\n", complete("ldtokens", "completion", "ba"))
	assert.Equal(t, "--version\n", complete("ldtokens", "--vers"))
	assert.Equal(t, "json\n", complete("ldtokens", "plan", "-o", "j"), "-o completes the command's formats")
	assert.Equal(t, "yaml\njson\n", complete("ldtokens", "import", "--output", ""))
	assert.Equal(t, "\n", complete("ldtokens", "plan", "-f", ""), "no words after -f: bash completes file names")
	assert.Equal(t, "\n", complete("ldtokens", "apply", "--secrets-dir", "s"))

	for sh, check := range map[string][]string{"zsh": {"-n"}, "fish": {"--no-execute"}} {
		if path, err := exec.LookPath(sh); err == nil {
			out, err := exec.Command(path, append(check, scripts[sh])...).CombinedOutput()
			assert.NoError(t, err, "%s: %s", sh, out)
		}
	}
}

// The version carries the stamped version and commit.
func TestVersionStamped(t *testing.T) {
	Version, Commit = "v1.2.3", "0123abc"
	defer func() { Version, Commit = "", "" }()
	e := newTestEnv(t)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := e.run(context.Background(), nil, args...)
		assert.Equal(t, 0, r.code)
		assert.Equal(t, "ldtokens v1.2.3 (commit 0123abc)\n", r.stdout)
	}
}
