//go:build unix

package secret_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/secret"
)

// TestCommandSinkStopsAtTheDeadline: a command that hangs, and a process it
// started that holds its output open, are killed when ctx ends; Deliver
// returns and says why.
func TestCommandSinkStopsAtTheDeadline(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	sink := secret.CommandSink{
		Command: `sleep 600 & echo $! > "$PIDFILE"; wait`,
		Env:     []string{"PATH=" + os.Getenv("PATH"), "PIDFILE=" + pidFile},
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if data, err := os.ReadFile(pidFile); err == nil && len(data) > 0 && data[len(data)-1] == '\n' {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	err := sink.Deliver(ctx, secret.Delivery{Name: "ci", Action: "create", Secret: secret.New(value)})
	require.Error(t, err)
	assert.ErrorContains(t, err, "secret command: stopped: context canceled")
	data, rerr := os.ReadFile(pidFile)
	require.NoError(t, rerr)
	pid, perr := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NoError(t, perr)
	// The grandchild is gone: the whole group was killed. (Signal 0 only
	// tests for the process; a zombie of a killed process is reaped by init.)
	require.Eventually(t, func() bool { return syscall.Kill(pid, 0) != nil }, 10*time.Second, 20*time.Millisecond,
		"the command's own child was killed with it")
}
