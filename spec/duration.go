package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a length of time written as whole numbers with units d, h, m,
// s and ms, largest first or combined: 90d, 12h, 1h30m, 1d12h, 45s, 0.
type Duration struct {
	time.Duration
}

// MaxDuration is the longest duration a spec or a flag may give: 10 years.
// Longer values are mistakes (or attempts to overflow), never intended.
const MaxDuration = 3650 * 24 * time.Hour

// durationUnits are the units of a duration, longest name first where one
// name is a prefix of another (ms before m).
var durationUnits = []struct {
	name string
	unit time.Duration
}{
	{"d", 24 * time.Hour},
	{"h", time.Hour},
	{"ms", time.Millisecond},
	{"m", time.Minute},
	{"s", time.Second},
}

const durationHint = "write whole numbers with a unit, d, h, m, s or ms (90d, 12h, 1h30m, 45s)"

// ParseDuration parses a duration such as 90d, 12h, 1h30m, 1d12h, 45s or 0.
// It is the one parser for durations in specs and in flags. Negative values
// and values longer than MaxDuration are errors; 0 is allowed (where 0 means
// nothing, the caller says so).
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Duration{}, fmt.Errorf("empty duration: %s", durationHint)
	case s == "0":
		return Duration{}, nil
	case strings.HasPrefix(s, "-"):
		return Duration{}, fmt.Errorf("bad duration %q: must not be negative", s)
	}
	var total time.Duration
	for rest := s; rest != ""; {
		digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
		if digits == 0 {
			return Duration{}, badDuration(s)
		}
		num := rest[:digits]
		rest = rest[digits:]
		var unit time.Duration
		for _, u := range durationUnits {
			if strings.HasPrefix(rest, u.name) {
				unit = u.unit
				rest = rest[len(u.name):]
				break
			}
		}
		if unit == 0 {
			return Duration{}, badDuration(s)
		}
		n, err := strconv.ParseUint(num, 10, 64)
		// Each part, and the running total, stays at most MaxDuration, so
		// the sum of the two never overflows.
		if err != nil || n > uint64(MaxDuration/unit) {
			return Duration{}, tooLong(s)
		}
		total += time.Duration(n) * unit
		if total > MaxDuration {
			return Duration{}, tooLong(s)
		}
	}
	return Duration{total}, nil
}

func badDuration(s string) error {
	if strings.ContainsAny(s, ".,") {
		return fmt.Errorf("bad duration %q: whole numbers only, such as 1h30m for an hour and a half", s)
	}
	return fmt.Errorf("bad duration %q: %s", s, durationHint)
}

func tooLong(s string) error {
	return fmt.Errorf("bad duration %q: longer than the maximum, %s (10 years)", s, Duration{MaxDuration})
}

// String formats d in the spec's units, largest first: 1d12h, 30m, 0s.
func (d Duration) String() string {
	rest, sign := d.Duration, ""
	if rest < 0 {
		rest, sign = -rest, "-"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if n := rest / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			rest -= n * u.unit
		}
	}
	if b.Len() == 0 {
		// Zero, or less than a millisecond, which the spec cannot write.
		return d.Duration.String()
	}
	return sign + b.String()
}

// MarshalJSON writes the duration in the spec's units.
func (d Duration) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(d.String())), nil }

// UnmarshalJSON reads a duration in the spec's units.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("duration must be a string such as 90d")
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
