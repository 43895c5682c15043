package planner

// TEMPORARY(applier): the retiring marker of BRIEF §5, which the model
// branch implements; the applier codes against it. Delete this file when
// merging that branch.

import (
	"regexp"
	"time"
)

// Retire deletes a token replaced earlier whose grace has passed: DELETE.
const Retire Action = "retire"

// ReasonRetireGraceEnded is the reason of a retire.
const ReasonRetireGraceEnded = "retire_because_grace_ended"

var retiring = regexp.MustCompile(`^(.*) \(retiring until ([0-9TZ:-]+)\)$`)

// RetireMarker is the name a retired token carries until its grace ends.
func RetireMarker(name string, until time.Time) string {
	return name + " (retiring until " + until.UTC().Format(time.RFC3339) + ")"
}

// ParseRetiring reads a name made by RetireMarker.
func ParseRetiring(name string) (orig string, until time.Time, ok bool) {
	m := retiring.FindStringSubmatch(name)
	if m == nil {
		return "", time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, m[2])
	if err != nil {
		return "", time.Time{}, false
	}
	return m[1], t, true
}
