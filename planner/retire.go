package planner

import (
	"regexp"
	"strings"
	"time"
)

// retiringName is the marker a retired token's name carries: the name it
// had, then " (retiring until <RFC 3339 UTC>)".
var retiringName = regexp.MustCompile(`^(.*) \(retiring until ([0-9TZ:-]+)\)$`)

// RetireMarker returns the name a replaced token is renamed to while it
// retires: its name, then when its grace ends, to the second, in UTC. The
// name is what carries the marker because it is the one field every token
// has, that a listing always returns, and that a hand edit in the UI shows
// to whoever makes it.
func RetireMarker(name string, until time.Time) string {
	return name + " (retiring until " + until.UTC().Truncate(time.Second).Format(time.RFC3339) + ")"
}

// ParseRetiring reads a name made by RetireMarker: the original name and
// the end of the grace. ok is false for any other name, including one whose
// time does not parse.
func ParseRetiring(name string) (orig string, until time.Time, ok bool) {
	if !strings.HasSuffix(name, ")") || !strings.Contains(name, " (retiring until ") {
		return "", time.Time{}, false // most names: no regexp
	}
	m := retiringName.FindStringSubmatch(name)
	if m == nil {
		return "", time.Time{}, false
	}
	until, err := time.Parse(time.RFC3339, m[2])
	if err != nil {
		return "", time.Time{}, false
	}
	return m[1], until.UTC(), true
}
