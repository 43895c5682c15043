package jsonout

import (
	"time"

	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/spec"
)

// Status is the rotation calendar of the declared tokens, what needs
// attention first.
type Status struct {
	Header
	At     time.Time     `json:"at"`
	Tokens []TokenStatus `json:"tokens"`
}

// TokenStatus is one declared token in the calendar.
type TokenStatus struct {
	Name string `json:"name"`
	ID   string `json:"id,omitempty"`
	// State is overdue, missing, retiring, scheduled or "not rotated".
	State      string     `json:"state"`
	LastChange *time.Time `json:"lastChange,omitempty"`
	// RotateEvery is the declared period ("90d"); absent when the token
	// does not rotate.
	RotateEvery        string          `json:"rotateEvery,omitempty"`
	RotateEverySeconds int64           `json:"rotateEverySeconds,omitempty"`
	NextRotation       *time.Time      `json:"nextRotation,omitempty"`
	OverdueBySeconds   int64           `json:"overdueBySeconds,omitempty"`
	Retiring           []RetiringToken `json:"retiring,omitempty"`
	// LastUsed is absent for a token never used.
	LastUsed *time.Time `json:"lastUsed,omitempty"`
}

// RetiringToken is an old token of a declared one, replaced.
type RetiringToken struct {
	ID string `json:"id"`
	// Until is when its old secret stops working.
	Until time.Time `json:"until"`
	// Ended is set once that time passed: the next apply deletes it.
	Ended bool `json:"ended"`
}

// StatusOf builds the document of a rotation calendar.
func StatusOf(r audit.StatusReport) Status {
	out := Status{Header: header(KindStatus), At: r.At, Tokens: []TokenStatus{}}
	for _, t := range r.Tokens {
		ts := TokenStatus{
			Name: t.Name, ID: t.ID, State: string(t.State), LastChange: timeOrNil(t.LastChange),
			NextRotation: timeOrNil(t.NextRotation), OverdueBySeconds: int64(t.OverdueBy / time.Second), LastUsed: timeOrNil(t.LastUsed),
		}
		if t.RotateEvery > 0 {
			ts.RotateEvery, ts.RotateEverySeconds = spec.Duration{Duration: t.RotateEvery}.String(), int64(t.RotateEvery/time.Second)
		}
		for _, rt := range t.Retiring {
			ts.Retiring = append(ts.Retiring, RetiringToken{ID: rt.ID, Until: rt.Until.UTC(), Ended: rt.Ended})
		}
		out.Tokens = append(out.Tokens, ts)
	}
	return out
}
