package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Duration is a length of time written with units d, h, m and s: 90d, 12h,
// 30m, 1d12h.
type Duration struct {
	time.Duration
}

var durationRE = regexp.MustCompile(`^([0-9]+[dhms])+$`)
var durationPartRE = regexp.MustCompile(`([0-9]+)([dhms])`)

var units = map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}

// ParseDuration parses a duration such as 90d, 12h, 30m or 1d12h.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if !durationRE.MatchString(s) {
		return Duration{}, fmt.Errorf("bad duration %q: write a number and a unit, d, h, m or s (90d, 12h, 30m)", s)
	}
	var total time.Duration
	for _, m := range durationPartRE.FindAllStringSubmatch(s, -1) {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > 100000 {
			return Duration{}, fmt.Errorf("bad duration %q: too long", s)
		}
		total += time.Duration(n) * units[m[2]]
	}
	return Duration{total}, nil
}

// String formats d in the spec's units, largest first.
func (d Duration) String() string {
	if d.Duration == 0 {
		return "0s"
	}
	var b strings.Builder
	rest := d.Duration
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := rest / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			rest -= n * u.unit
		}
	}
	return b.String()
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
