package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ghactions"
)

// testToken is the access token the tests' emulator accepts.
const testToken = "api-cli-test-access-token"

// testEnv is an emulator served over HTTP and a working directory to run
// ldtokens in, through Run or through a command's run function.
type testEnv struct {
	t   *testing.T
	srv *emulator.Server
	url string
	dir string
	// env is the environment every run gets, KEY=value.
	env []string
}

// storedToken is a service token as the emulator stores it, changed just now.
func storedToken(id, name, role string) emulator.StoredToken {
	var t emulator.StoredToken
	t.ID, t.Name, t.Role, t.ServiceToken = id, name, role, true
	t.CreationDate, t.LastModified = time.Now().UnixMilli(), time.Now().UnixMilli()
	return t
}

// newTestEnv serves tokens and writes the usual spec files: good.yaml (one
// token to create), insync.yaml (no change) and bad.yaml (invalid).
func newTestEnv(t *testing.T, tokens ...emulator.StoredToken) *testEnv {
	t.Helper()
	if tokens == nil {
		tokens = []emulator.StoredToken{storedToken("000000000000000000000001", "svc", "reader")}
	}
	srv := emulator.New(emulator.Account{Tokens: tokens}, emulator.Options{AccessToken: testToken, Seed: 1})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	e := &testEnv{t: t, srv: srv, url: hs.URL, dir: t.TempDir()}
	e.env = []string{"LAUNCHDARKLY_API_HOST=" + hs.URL, "LAUNCHDARKLY_ACCESS_TOKEN=" + testToken, "PATH=" + os.Getenv("PATH")}
	e.write("good.yaml", "tokens:\n  - {name: svc, role: reader}\n  - {name: svc-new, role: reader}\n")
	e.write("insync.yaml", "tokens:\n  - {name: svc, role: reader}\n")
	e.write("bad.yaml", "tokens:\n  - {name: svc, rol: reader}\n")
	return e
}

// path is name in the working directory.
func (e *testEnv) path(name string) string { return filepath.Join(e.dir, name) }

// write writes a file in the working directory and returns its path.
func (e *testEnv) write(name, text string) string {
	e.t.Helper()
	require.NoError(e.t, os.WriteFile(e.path(name), []byte(text), 0o644))
	return e.path(name)
}

// read reads a file of the working directory; "" when it does not exist.
func (e *testEnv) read(name string) string {
	data, err := os.ReadFile(e.path(name))
	if os.IsNotExist(err) {
		return ""
	}
	require.NoError(e.t, err)
	return string(data)
}

// result is what a run left.
type result struct {
	code           int
	stdout, stderr string
}

// run runs ldtokens through Run, the real entry point, in the working
// directory, with stdin empty and env added to the environment.
func (e *testEnv) run(ctx context.Context, env []string, args ...string) result {
	e.t.Helper()
	e.t.Chdir(e.dir)
	var stdout, stderr bytes.Buffer
	code := Run(ctx, Streams{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr},
		append([]string{"ldtokens"}, args...), append(append([]string{}, e.env...), env...), Signals{})
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// io is an IO for calling a command's run function directly: env over the
// test environment, the streams in buffers.
func (e *testEnv) io(env map[string]string) (*IO, *bytes.Buffer, *bytes.Buffer) {
	lookup := map[string]string{}
	for _, kv := range e.env {
		k, v, _ := strings.Cut(kv, "=")
		lookup[k] = v
	}
	for k, v := range env {
		lookup[k] = v
	}
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return lookup[k] }
	return &IO{
		In: strings.NewReader(""), Out: &stdout, Err: &stderr,
		Getenv: getenv, Now: time.Now, HTTPClient: &http.Client{},
		Actions: ghactions.FromEnv(getenv, &stderr),
	}, &stdout, &stderr
}
