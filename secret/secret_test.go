package secret_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/secret"
)

const value = "api-11111111-2222-3333-4444-555555555555"

func TestSecretNeverPrints(t *testing.T) {
	s := secret.New(value)
	for _, format := range []string{"%v", "%s", "%q", "%x", "%X", "%+v", "%#v", "%d", "%10s"} {
		out := fmt.Sprintf(format, s)
		assert.NotContains(t, out, value, format)
		assert.Contains(t, out, "[redacted]", format)
	}
	for _, v := range []any{s, &s, []secret.Secret{s}, struct{ S secret.Secret }{s}} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.NotContains(t, string(b), value)
		assert.NotContains(t, fmt.Sprintf("%+v", v), value)
	}
	assert.Equal(t, value, s.Reveal())
	assert.Equal(t, "5555", s.Last4())
	assert.Equal(t, "log: [redacted] end", secret.Scrub("log: "+value+" end", s))
}

func TestDirSink(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secrets")
	sink := secret.DirSink{Dir: dir}
	require.NoError(t, sink.Check(), "a missing directory is made at the first delivery")
	require.NoError(t, sink.Deliver(context.Background(), secret.Delivery{Name: "ci", ID: "1", Action: "create", Secret: secret.New(value)}))
	data, err := os.ReadFile(filepath.Join(dir, "ci.token"))
	require.NoError(t, err)
	assert.Equal(t, value, string(data))
	info, err := os.Stat(filepath.Join(dir, "ci.token"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	info, err = os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())

	// A second delivery replaces the file whole; no temporary file is left.
	require.NoError(t, sink.Deliver(context.Background(), secret.Delivery{Name: "ci", Secret: secret.New("api-new")}))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)

	for _, bad := range []string{"", ".", "..", "a/b", `a\b`} {
		err := sink.Deliver(context.Background(), secret.Delivery{Name: bad, Secret: secret.New(value)})
		assert.ErrorContains(t, err, "cannot be a file name", bad)
	}

	// A retired token's delete leaves the file: it holds the replacement's
	// secret. A delete removes it, and deleting what is gone is no error.
	require.NoError(t, sink.Deliver(context.Background(), secret.Delivery{Name: "ci", ID: "old", Action: secret.ActionDelete, Retired: true}))
	assert.FileExists(t, filepath.Join(dir, "ci.token"))
	for range 2 {
		require.NoError(t, sink.Deliver(context.Background(), secret.Delivery{Name: "ci", ID: "1", Action: secret.ActionDelete}))
		assert.NoFileExists(t, filepath.Join(dir, "ci.token"))
	}
}

// TestDirSinkNeverChangesAnExistingMode: a directory that group or others
// may read or write is refused, before and at delivery, and left as it is.
func TestDirSinkNeverChangesAnExistingMode(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		ok   bool
	}{{0o700, true}, {0o711, true}, {0o750, false}, {0o705, false}, {0o720, false}, {0o777, false}} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "s")
			require.NoError(t, os.Mkdir(dir, 0o700))
			require.NoError(t, os.Chmod(dir, tc.mode))
			sink := secret.DirSink{Dir: dir}
			err := sink.Deliver(context.Background(), secret.Delivery{Name: "ci", Action: "create", Secret: secret.New(value)})
			info, serr := os.Stat(dir)
			require.NoError(t, serr)
			assert.Equal(t, tc.mode, info.Mode().Perm(), "the mode is never changed")
			if tc.ok {
				assert.NoError(t, sink.Check())
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, sink.Check(), "lets group or others read or write it: run chmod 700")
			assert.ErrorContains(t, err, "lets group or others read or write it")
			assert.NoFileExists(t, filepath.Join(dir, "ci.token"))
		})
	}
	file := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	assert.ErrorContains(t, secret.DirSink{Dir: file}.Check(), "not a directory")
}

func TestCommandSink(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	sink := secret.CommandSink{
		Command: `cat > "$OUT/$LDTOKENS_TOKEN_NAME"; echo "$LDTOKENS_TOKEN_ID $LDTOKENS_ACTION $LDTOKENS_SECRET_NAME retired=$LDTOKENS_RETIRED"`,
		Env:     []string{"OUT=" + dir, "PATH=" + os.Getenv("PATH")},
		Output:  &out,
	}
	require.NoError(t, sink.Deliver(context.Background(), secret.Delivery{Name: "ci", SecretName: "LD_CI", ID: "abc", Action: "rotate", Secret: secret.New(value)}))
	data, err := os.ReadFile(filepath.Join(dir, "ci"))
	require.NoError(t, err)
	assert.Equal(t, value, string(data), "the secret arrives on stdin, exactly")
	assert.Equal(t, "abc rotate LD_CI retired=\n", out.String())

	// A delete runs the command with empty stdin.
	out.Reset()
	require.NoError(t, sink.Deliver(context.Background(), secret.Delivery{Name: "ci", SecretName: "LD_CI", ID: "abc", Action: secret.ActionDelete, Retired: true}))
	data, err = os.ReadFile(filepath.Join(dir, "ci"))
	require.NoError(t, err)
	assert.Empty(t, data)
	assert.Equal(t, "abc delete LD_CI retired=true\n", out.String())

	out.Reset()
	failing := secret.CommandSink{Command: `cat; echo; echo "no vault" >&2; exit 4`, Env: sink.Env, Output: &out}
	err = failing.Deliver(context.Background(), secret.Delivery{Name: "ci", Secret: secret.New(value)})
	require.Error(t, err)
	assert.Equal(t, "secret command: exit status 4: no vault", err.Error())
	assert.NotContains(t, out.String(), value, "output that echoes the secret is scrubbed")
	assert.True(t, strings.Contains(out.String(), "[redacted]"))
}

// TestSinksDeliverOneAtATime: a secret goes to the sinks in order and stops
// at the first failure, and the error says which sinks hold it; a delete
// goes to every sink.
func TestSinksDeliverOneAtATime(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH")}
	failing := secret.CommandSink{Command: `cat >/dev/null; exit 4`, Env: env}
	for _, tc := range []struct {
		name          string
		first, second func(dir string) secret.Sink
		failed        []string
		fileWritten   bool
	}{
		{
			name:   "dir then failing command",
			first:  func(dir string) secret.Sink { return secret.DirSink{Dir: dir} },
			second: func(string) secret.Sink { return failing },
			failed: []string{"secret command"}, fileWritten: true,
		},
		{
			name:   "failing command then dir",
			first:  func(string) secret.Sink { return failing },
			second: func(dir string) secret.Sink { return secret.DirSink{Dir: dir} },
			failed: []string{"secret command"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			sinks := secret.Sinks{tc.first(dir), tc.second(dir)}
			err := sinks.Deliver(context.Background(), secret.Delivery{Name: "x", Action: "create", Secret: secret.New(value)})
			var de *secret.DeliveryError
			require.ErrorAs(t, err, &de)
			assert.ErrorContains(t, err, "exit status 4")
			assert.Equal(t, tc.failed, de.Failed)
			if tc.fileWritten {
				assert.Equal(t, []string{"secrets dir " + dir}, de.Delivered, "the error says which sink holds the secret")
				assert.FileExists(t, filepath.Join(dir, "x.token"))
			} else {
				assert.Empty(t, de.Delivered)
				assert.NoFileExists(t, filepath.Join(dir, "x.token"), "a failure stops the delivery: no later sink gets the secret")
			}

			// A delete goes to every sink, even past a failure.
			require.NoError(t, os.MkdirAll(dir, 0o700))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "x.token"), []byte(value), 0o600))
			err = sinks.Deliver(context.Background(), secret.Delivery{Name: "x", Action: secret.ActionDelete})
			require.ErrorAs(t, err, &de)
			assert.NoFileExists(t, filepath.Join(dir, "x.token"))
			assert.Len(t, de.Delivered, 1)
		})
	}
}
