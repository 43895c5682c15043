package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/internal/cli"
)

// workflowCommand matches a GitHub Actions workflow command at the start of
// a line (::add-mask::…, ::error file=…::…, ::group::…).
var workflowCommand = regexp.MustCompile(`(?m)^::[a-z-]+[ :]`)

// TestNoSecretLeaks runs plan, apply, drift, rotate and import in every
// format, with and without GitHub Actions, plus validate, a saved plan, a
// dry run and a secret command that echoes the secret and fails, through the
// real entry point against the emulator over HTTP. Then:
//   - stdout never holds the access token, a secret the server issued, or
//     any workflow command (a mask on stdout publishes what it masks);
//   - stderr holds them only on ::add-mask:: lines;
//   - with -o json, stdout is one valid JSON document, in Actions too;
//   - in Actions, every secret issued in a run, and the access token, is
//     masked on stderr;
//   - no file written outside the sinks (the saved plan, $GITHUB_OUTPUT,
//     $GITHUB_STEP_SUMMARY, the emulator's snapshot) holds a secret.
func TestNoSecretLeaks(t *testing.T) {
	var mu sync.Mutex
	var issued []string
	srv := emulator.New(emulator.Account{Tokens: []emulator.StoredToken{
		storedToken("000000000000000000000001", "svc-replace", "reader"),
		storedToken("000000000000000000000002", "svc-rotate", "reader"),
		storedToken("000000000000000000000003", "svc-gone", "reader"),
	}}, emulator.Options{AccessToken: testAccessToken, Seed: 3, OnIssue: func(v string) {
		mu.Lock()
		issued = append(issued, v)
		mu.Unlock()
	}})
	srv.Mutate(func(a *emulator.Account) { a.Tokens[1].LastModified = 1600000000000 })
	hs := httptest.NewServer(srv)
	defer hs.Close()
	issuedSoFar := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string{testAccessToken}, issued...)
	}

	work := t.TempDir()
	t.Chdir(work)
	sinks := filepath.Join(work, "sinks")
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(work, name), []byte(text), 0o644))
	}
	write("tokens.yaml", `tokens:
  - {name: svc-new, role: reader}
  - {name: svc-replace, role: writer}
  - {name: svc-rotate, role: reader, rotate: {every: 30d, grace: 1h}}
  - {name: svc-gone, state: absent}
`)
	write("more.yaml", `tokens:
  - {name: svc-new, role: reader}
  - {name: svc-replace, role: writer}
  - {name: svc-rotate, role: reader, rotate: {every: 30d, grace: 1h}}
  - {name: svc-gone, state: absent}
  - {name: svc-echo, role: reader}
  - {name: svc-cmd, role: reader}
`)

	type result struct {
		stdout, stderr string
		code           int
	}
	// run runs ldtokens and checks the streams of that one run.
	run := func(gha bool, args ...string) result {
		t.Helper()
		var stdout, stderr bytes.Buffer
		environ := []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + work,
			"LAUNCHDARKLY_API_HOST=" + hs.URL, "LAUNCHDARKLY_ACCESS_TOKEN=" + testAccessToken,
		}
		if gha {
			environ = append(environ, "GITHUB_ACTIONS=true",
				"GITHUB_STEP_SUMMARY="+filepath.Join(work, "summary.md"), "GITHUB_OUTPUT="+filepath.Join(work, "output.txt"))
		}
		before := len(issuedSoFar())
		code := cli.Run(context.Background(), cli.Streams{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr},
			append([]string{"ldtokens"}, args...), environ, cli.Signals{})
		r := result{stdout: stdout.String(), stderr: stderr.String(), code: code}
		name := fmt.Sprintf("%s (GITHUB_ACTIONS=%v)", strings.Join(args, " "), gha)

		secrets := issuedSoFar()
		assert.NotRegexp(t, workflowCommand, r.stdout, "a workflow command on the stdout of: %s", name)
		for _, s := range secrets {
			assert.NotContains(t, r.stdout, s, "a secret leaked to the stdout of: %s", name)
			for _, line := range strings.Split(r.stderr, "\n") {
				if strings.Contains(line, s) {
					assert.Equal(t, "::add-mask::"+s, line, "a secret leaked to the stderr of: %s", name)
				}
			}
		}
		if slices.Contains(args, "json") {
			assert.True(t, json.Valid(stdout.Bytes()), "stdout of %s is not one JSON document:\n%s", name, r.stdout)
		}
		if gha && args[0] != "validate" {
			masked := secrets[before:]
			if code != 1 || len(masked) > 0 {
				masked = append(masked, testAccessToken)
			}
			for _, s := range masked {
				assert.Contains(t, r.stderr, "::add-mask::"+s+"\n", "a secret is not masked in: %s", name)
			}
		}
		return r
	}

	for _, gha := range []bool{false, true} {
		for _, o := range []string{"text", "json"} {
			assert.Equal(t, 0, run(gha, "validate", "-f", "tokens.yaml", "-o", o).code)
		}
		for _, o := range []string{"text", "json", "markdown"} {
			assert.Equal(t, 0, run(gha, "plan", "-f", "tokens.yaml", "-o", o).code)
		}
		assert.Equal(t, 0, run(gha, "apply", "--dry-run", "-f", "tokens.yaml").code)
	}
	assert.Equal(t, 0, run(true, "plan", "-f", "tokens.yaml", "--out", "plan.json").code)
	assert.Equal(t, 0, run(true, "apply", "plan.json", "--secrets-dir", sinks).code)
	// A sink command that echoes the secret and fails: the secret must not
	// come back through ldtokens' output.
	for _, gha := range []bool{false, true} {
		assert.Equal(t, 1, run(gha, "apply", "-f", "more.yaml", "--auto-approve", "--secret-command", `cat; cat >&2; echo; exit 1`).code)
	}
	assert.Equal(t, 0, run(false, "apply", "-f", "more.yaml", "--auto-approve", "--secrets-dir", sinks,
		"--secret-command", `cat > "$HOME/sinks/cmd-$LDTOKENS_TOKEN_NAME"`).code)
	// apply and rotate in every format, in Actions and not: each apply
	// creates a token of its own; each rotation resets svc-new and svc-cmd.
	for _, gha := range []bool{false, true} {
		for _, o := range []string{"text", "json", "markdown"} {
			name := fmt.Sprintf("svc-%s-%v", o, gha)
			write(name+".yaml", fmt.Sprintf("tokens:\n  - {name: %s, role: reader}\n", name))
			assert.Equal(t, 0, run(gha, "apply", "-f", name+".yaml", "--auto-approve", "-o", o, "--secrets-dir", sinks).code)
			assert.Equal(t, 0, run(gha, "rotate", "svc-new", "svc-cmd", "-f", "more.yaml", "--grace", "1h", "--auto-approve", "--secrets-dir", sinks, "-o", o).code)
		}
	}
	assert.Equal(t, 0, run(false, "plan", "-f", "more.yaml", "--detailed-exitcode").code)
	for _, gha := range []bool{false, true} {
		for _, o := range []string{"text", "json", "markdown"} {
			assert.Equal(t, exitDrift, run(gha, "drift", "-f", "more.yaml", "-o", o).code, "the tokens apply made for each format are unmanaged")
		}
		for _, o := range []string{"yaml", "json"} {
			assert.Equal(t, 0, run(gha, "import", "-o", o).code)
		}
		assert.Equal(t, 1, run(gha, "plan", "-f", "more.yaml", "--api-host", hs.URL, "--access-token-file", "nope").code)
	}

	secrets := issuedSoFar()
	require.GreaterOrEqual(t, len(secrets), 20, "the cycle issued secrets")
	var files []string
	require.NoError(t, filepath.WalkDir(work, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, sinks) {
			return err
		}
		data, err := os.ReadFile(path)
		files = append(files, path+"\n"+string(data))
		return err
	}))
	all := strings.Join(files, "")
	require.Contains(t, all, "summary.md", "the step summary was written and is scanned")
	require.Contains(t, all, "output.txt", "the step outputs were written and are scanned")
	for _, s := range secrets {
		for _, f := range files {
			assert.NotContains(t, f, s, "a secret leaked to %s", strings.SplitN(f, "\n", 2)[0])
		}
	}
	delivered, err := os.ReadDir(sinks)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(delivered), 11, "the sinks did receive the secrets")
}

// exitDrift is drift's exit code when it finds drift.
const exitDrift = 2

func storedToken(id, name, role string) emulator.StoredToken {
	var t emulator.StoredToken
	t.ID, t.Name, t.Role, t.ServiceToken = id, name, role, true
	return t
}
