package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/internal/cli"
)

// TestNoSecretLeaks runs a full cycle through the real CLI entry point —
// plans in every format, a saved plan, apply with creates, a replace and
// rotations, a sink that fails after echoing the secret, rotate, drift,
// import, a dry run, under GitHub Actions and not — and scans every byte of
// output and every file written outside the sinks for the access token and
// every secret the server issued.
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
	var outputs []string
	run := func(gha bool, args ...string) int {
		var stdout, stderr bytes.Buffer
		environ := []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + work,
			"LAUNCHDARKLY_API_HOST=" + hs.URL, "LAUNCHDARKLY_ACCESS_TOKEN=" + testAccessToken,
		}
		if gha {
			environ = append(environ, "GITHUB_ACTIONS=true",
				"GITHUB_STEP_SUMMARY="+filepath.Join(work, "summary.md"), "GITHUB_OUTPUT="+filepath.Join(work, "output.txt"))
		}
		code := cli.Run(context.Background(), append([]string{"ldtokens"}, args...), strings.NewReader(""), &stdout, &stderr, environ)
		out := stdout.String()
		if gha {
			// The runner needs the secret once to mask it: that line, and only
			// that line, may carry it.
			var kept []string
			for _, line := range strings.Split(out, "\n") {
				if !strings.HasPrefix(line, "::add-mask::") {
					kept = append(kept, line)
				}
			}
			out = strings.Join(kept, "\n")
		}
		outputs = append(outputs, strings.Join(args, " ")+"\n"+out+stderr.String())
		return code
	}

	assert.Equal(t, 0, run(false, "validate", "-f", "tokens.yaml"))
	for _, o := range []string{"text", "json", "markdown"} {
		assert.Equal(t, 0, run(false, "plan", "-f", "tokens.yaml", "-o", o))
	}
	assert.Equal(t, 0, run(true, "plan", "-f", "tokens.yaml", "--out", "plan.json"))
	assert.Equal(t, 0, run(false, "apply", "--dry-run", "-f", "tokens.yaml"))
	assert.Equal(t, 0, run(true, "apply", "plan.json", "--secrets-dir", sinks))
	// A sink command that echoes the secret and fails: the secret must not
	// come back through ldtokens' output.
	assert.Equal(t, 1, run(false, "apply", "-f", "more.yaml", "--auto-approve", "--secret-command", `cat; cat >&2; echo; exit 1`))
	assert.Equal(t, 0, run(false, "apply", "-f", "more.yaml", "--auto-approve", "-o", "json", "--secrets-dir", sinks,
		"--secret-command", `cat > "$HOME/sinks/cmd-$LDTOKENS_TOKEN_NAME"`))
	assert.Equal(t, 0, run(true, "rotate", "svc-new", "svc-cmd", "-f", "more.yaml", "--grace", "1h", "--secrets-dir", sinks, "-o", "markdown"))
	assert.Equal(t, 0, run(false, "plan", "-f", "more.yaml", "--detailed-exitcode"))
	assert.Equal(t, 0, run(true, "drift", "-f", "more.yaml"))
	assert.Equal(t, 0, run(false, "drift", "-f", "more.yaml", "-o", "json"))
	assert.Equal(t, 0, run(false, "import"))
	assert.Equal(t, 1, run(false, "plan", "-f", "more.yaml", "--api-host", hs.URL, "--access-token-file", "nope"))

	mu.Lock()
	secrets := append([]string{testAccessToken}, issued...)
	mu.Unlock()
	require.GreaterOrEqual(t, len(secrets), 8, "the cycle issued secrets")
	var files []string
	require.NoError(t, filepath.WalkDir(work, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, sinks) {
			return err
		}
		data, err := os.ReadFile(path)
		files = append(files, path+"\n"+string(data))
		return err
	}))
	require.Contains(t, strings.Join(files, ""), "summary.md", "the step summary was written and is scanned")
	for _, s := range secrets {
		for _, o := range outputs {
			assert.NotContains(t, o, s, "a secret leaked to the output of: %s", strings.SplitN(o, "\n", 2)[0])
		}
		for _, f := range files {
			assert.NotContains(t, f, s, "a secret leaked to %s", strings.SplitN(f, "\n", 2)[0])
		}
	}
	delivered, err := os.ReadDir(sinks)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(delivered), 5, "the sinks did receive the secrets")
}

func storedToken(id, name, role string) emulator.StoredToken {
	var t emulator.StoredToken
	t.ID, t.Name, t.Role, t.ServiceToken = id, name, role, true
	return t
}
