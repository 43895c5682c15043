package cli

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every duration flag takes the spec's syntax and only it: Go's fractions
// and a bare number are refused as the spec refuses them, before any call.
func TestFlagDurations(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{name: "days and combinations", args: []string{"drift", "-f", "insync.yaml", "--stale-after", "1d12h", "--timeout", "1h30m"}, code: 0},
		{name: "milliseconds", args: []string{"plan", "-f", "insync.yaml", "--timeout", "90000ms"}, code: 0},
		{name: "a fraction", args: []string{"plan", "-f", "insync.yaml", "--timeout", "1.5h"}, code: 1,
			err: `bad duration "1.5h": whole numbers only`},
		{name: "a fraction of a grace", args: []string{"rotate", "svc", "-f", "insync.yaml", "--grace", "0.5h", "--auto-approve", "--secrets-dir", "s"}, code: 1,
			err: `bad duration "0.5h"`},
		{name: "a bare number", args: []string{"drift", "-f", "insync.yaml", "--stale-after", "90"}, code: 1,
			err: `bad duration "90"`},
		{name: "Go's microseconds", args: []string{"plan", "-f", "insync.yaml", "--timeout", "5us"}, code: 1,
			err: `bad duration "5us"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			before := e.srv.Snapshot().Tokens
			r := e.run(context.Background(), nil, tt.args...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			if tt.err != "" {
				assert.Contains(t, r.stderr, tt.err)
				assert.Empty(t, r.stdout)
			}
			assert.Equal(t, before, e.srv.Snapshot().Tokens, "nothing changed")
		})
	}
}
