package spec_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/spec"
)

func TestParseDuration(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		in   string
		want time.Duration
		err  string // part of the error; "" for none
	}{
		{"90d", 90 * day, ""},
		{"12h", 12 * time.Hour, ""},
		{"30m", 30 * time.Minute, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"45s", 45 * time.Second, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"500ms", 500 * time.Millisecond, ""},
		{"1m30s250ms", 90*time.Second + 250*time.Millisecond, ""},
		{"0", 0, ""},
		{"0s", 0, ""},
		{"3650d", 3650 * day, ""},
		{" 2h ", 2 * time.Hour, ""},
		{"100000d100000d", 0, `bad duration "100000d100000d": longer than the maximum, 3650d (10 years)`},
		{"3650d1s", 0, "longer than the maximum"},
		{"3651d", 0, "longer than the maximum"},
		{"99999999999999999999d", 0, "longer than the maximum"},
		{"9223372036854775807ms", 0, "longer than the maximum"},
		{"-1d", 0, `bad duration "-1d": must not be negative`},
		{"1.5h", 0, `bad duration "1.5h": whole numbers only, such as 1h30m for an hour and a half`},
		{"90", 0, `bad duration "90": write whole numbers with a unit, d, h, m, s or ms (90d, 12h, 1h30m, 45s)`},
		{"d", 0, "write whole numbers with a unit"},
		{"3w", 0, "write whole numbers with a unit"},
		{"90days", 0, "write whole numbers with a unit"},
		{"1h 30m", 0, "write whole numbers with a unit"},
		{"", 0, "empty duration"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := spec.ParseDuration(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.Duration)
			back, err := spec.ParseDuration(d.String())
			require.NoError(t, err)
			assert.Equal(t, d, back, "String round-trips")
		})
	}
}

func TestDurationString(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0s",
		36 * time.Hour:                        "1d12h",
		90*time.Minute + 500*time.Millisecond: "1h30m500ms",
		-48 * time.Hour:                       "-2d",
		time.Microsecond:                      "1µs",
	} {
		assert.Equal(t, want, spec.Duration{Duration: d}.String())
	}
}

func TestDurationsInTheSpec(t *testing.T) {
	got := parseErrors(t, "tokens:\n  - name: a\n    role: reader\n    rotate: {every: 100000d100000d}\n    replace: {grace: -1h}\n")
	assert.Equal(t, []string{
		`t.yaml:4:21: token "a": rotate.every: bad duration "100000d100000d": longer than the maximum, 3650d (10 years)`,
		`t.yaml:5:22: token "a": replace.grace: bad duration "-1h": must not be negative`,
	}, got)
}
