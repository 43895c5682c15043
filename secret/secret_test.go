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
}

func TestCommandSink(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	sink := secret.CommandSink{
		Command: `cat > "$OUT/$LDTOKENS_TOKEN_NAME"; echo "$LDTOKENS_TOKEN_ID $LDTOKENS_ACTION"`,
		Env:     []string{"OUT=" + dir, "PATH=" + os.Getenv("PATH")},
		Output:  &out,
	}
	require.NoError(t, sink.Deliver(context.Background(), secret.Delivery{Name: "ci", ID: "abc", Action: "rotate", Secret: secret.New(value)}))
	data, err := os.ReadFile(filepath.Join(dir, "ci"))
	require.NoError(t, err)
	assert.Equal(t, value, string(data), "the secret arrives on stdin, exactly")
	assert.Equal(t, "abc rotate\n", out.String())

	out.Reset()
	failing := secret.CommandSink{Command: `cat; echo; echo "no vault" >&2; exit 4`, Env: sink.Env, Output: &out}
	err = failing.Deliver(context.Background(), secret.Delivery{Name: "ci", Secret: secret.New(value)})
	require.Error(t, err)
	assert.Equal(t, "secret command: exit status 4: no vault", err.Error())
	assert.NotContains(t, out.String(), value, "output that echoes the secret is scrubbed")
	assert.True(t, strings.Contains(out.String(), "[redacted]"))

	both := secret.Sinks{secret.DirSink{Dir: filepath.Join(dir, "d")}, failing}
	err = both.Deliver(context.Background(), secret.Delivery{Name: "x", Secret: secret.New(value)})
	assert.ErrorContains(t, err, "exit status 4", "any failing sink fails the delivery")
}
