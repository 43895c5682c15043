package audit

import (
	"cmp"
	"slices"
	"time"

	"github.com/ldtokens/ldtokens/planner"
)

// State is where a declared token stands in its rotation calendar.
type State string

// The states, in the order they need attention.
const (
	// Overdue: its rotation is due (or past due).
	Overdue State = "overdue"
	// Missing: it is declared but does not exist.
	Missing State = "missing"
	// Retiring: an old token of it, replaced, still works for a while.
	Retiring State = "retiring"
	// Scheduled: it rotates, and the next rotation is ahead.
	Scheduled State = "scheduled"
	// NotRotated: it declares no rotation.
	NotRotated State = "not rotated"
)

var attention = map[State]int{Overdue: 0, Missing: 1, Retiring: 2, Scheduled: 3, NotRotated: 4}

// StatusReport is the rotation calendar of the declared tokens.
type StatusReport struct {
	// At is the time the calendar is computed for.
	At time.Time
	// Tokens are the present declared tokens, what needs attention first.
	Tokens []TokenStatus
}

// TokenStatus is one declared token in the calendar.
type TokenStatus struct {
	Name string
	// ID is empty for a missing token.
	ID    string
	State State
	// LastChange is the token's lastModified (else creationDate): when its
	// rotation clock started. Zero for a missing token.
	LastChange time.Time
	// RotateEvery is the declared rotation period; 0 when it does not
	// rotate.
	RotateEvery time.Duration
	// NextRotation is when the next rotation is due; zero when it does not
	// rotate or is missing.
	NextRotation time.Time
	// OverdueBy is how long ago the rotation fell due; 0 unless Overdue.
	OverdueBy time.Duration
	// Retiring are old tokens of it, replaced, soonest end first.
	Retiring []RetiringToken
	// LastUsed is when the token was last used; zero for never.
	LastUsed time.Time
}

// RetiringToken is an old token of a declared one, replaced.
type RetiringToken struct {
	ID string
	// Until is when its old secret stops working.
	Until time.Time
	// Ended is set when that time has passed: the next apply deletes it.
	Ended bool
}

// Status computes the rotation calendar of in.Spec against in.Remote at
// in.Now. It pairs tokens as a plan does, and fails where a plan would
// fail to pair (an ambiguous name, a wrong id:).
func Status(in planner.Input) (StatusReport, error) {
	m, err := planner.Match(in)
	if err != nil {
		return StatusReport{}, err
	}
	retiring := map[string][]RetiringToken{}
	for _, r := range m.Retiring {
		retiring[r.OriginalName] = append(retiring[r.OriginalName], RetiringToken{ID: r.ID, Until: r.Until, Ended: !in.Now.Before(r.Until)})
	}
	rep := StatusReport{At: in.Now.UTC(), Tokens: []TokenStatus{}}
	for _, pr := range m.Pairs {
		d := pr.Declared
		if d.Absent() {
			continue
		}
		ts := TokenStatus{Name: d.Name, RotateEvery: d.RotateEvery(), Retiring: retiring[d.Name]}
		slices.SortFunc(ts.Retiring, func(a, b RetiringToken) int { return cmp.Or(a.Until.Compare(b.Until), cmp.Compare(a.ID, b.ID)) })
		if pr.Remote != nil {
			ts.ID = pr.Remote.ID
			ts.LastChange = millis(cmp.Or(pr.Remote.LastModified, pr.Remote.CreationDate))
			ts.LastUsed = millis(pr.Remote.LastUsed)
			if ts.RotateEvery > 0 {
				ts.NextRotation = ts.LastChange.Add(ts.RotateEvery)
			}
		}
		ts.State = state(ts, in.Now)
		if ts.State == Overdue {
			ts.OverdueBy = in.Now.Sub(ts.NextRotation)
		}
		rep.Tokens = append(rep.Tokens, ts)
	}
	slices.SortFunc(rep.Tokens, func(a, b TokenStatus) int {
		return cmp.Or(cmp.Compare(attention[a.State], attention[b.State]), dueKey(a).Compare(dueKey(b)), cmp.Compare(a.Name, b.Name))
	})
	return rep, nil
}

func state(ts TokenStatus, now time.Time) State {
	switch {
	case ts.ID == "":
		return Missing
	case ts.RotateEvery > 0 && !now.Before(ts.NextRotation):
		return Overdue
	case slices.ContainsFunc(ts.Retiring, func(r RetiringToken) bool { return !r.Ended }):
		return Retiring
	case ts.RotateEvery > 0:
		return Scheduled
	}
	return NotRotated
}

// dueKey orders tokens of one state: the earliest deadline first.
func dueKey(ts TokenStatus) time.Time {
	if ts.State == Retiring {
		for _, r := range ts.Retiring {
			if !r.Ended {
				return r.Until
			}
		}
	}
	return ts.NextRotation
}

// millis is an epoch-ms time in UTC; zero for 0.
func millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
