// Package audit turns a plan and the remote tokens into a drift report: what
// was changed by hand, what is missing, what nobody declared, which
// rotations are due, and hygiene findings (stale and risky tokens). It is
// pure and read-only; the caller lists, plans and renders.
package audit

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/spec"
)

// Options tune the hygiene checks.
type Options struct {
	// StaleAfter is how long unused makes a token stale.
	StaleAfter time.Duration
	// Now is the time ages are measured at.
	Now time.Time
	// Ignore are globs of names never reported.
	Ignore []string
}

// Finding kinds.
const (
	KindStale = "stale"
	KindRisky = "risky"
)

// Finding is a hygiene problem with a token.
type Finding struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	ID   string `json:"id"`
	// Detail says what was found; Advice what to do about it.
	Detail string `json:"detail"`
	Advice string `json:"advice"`
}

// Item is one drifted token.
type Item struct {
	Name string `json:"name"`
	ID   string `json:"id,omitempty"`
	// Detail says what differs; Advice what to do about it.
	Detail string `json:"detail"`
	Advice string `json:"advice"`
	// Change is the change an apply would make, if any.
	Change *planner.Change `json:"-"`
}

// Report is a drift audit.
type Report struct {
	Changed     []Item    `json:"changed"`
	Missing     []Item    `json:"missing"`
	Unmanaged   []Item    `json:"unmanaged"`
	RotationDue []Item    `json:"rotationDue"`
	Findings    []Finding `json:"findings"`
}

// InSync reports whether no drift was found (findings aside).
func (r Report) InSync() bool {
	return len(r.Changed)+len(r.Missing)+len(r.Unmanaged)+len(r.RotationDue) == 0
}

// Audit builds the report.
func Audit(p planner.Plan, remote []ldapi.Token, opts Options) Report {
	r := Report{Changed: []Item{}, Missing: []Item{}, Unmanaged: []Item{}, RotationDue: []Item{}, Findings: []Finding{}}
	for i := range p.Changes {
		c := &p.Changes[i]
		it := Item{Name: c.Name, ID: c.ID, Change: c, Detail: reasonText(*c)}
		switch c.Action {
		case planner.Create:
			it.Advice = "apply to create it, or remove it from the spec"
			r.Missing = append(r.Missing, it)
		case planner.Update, planner.Replace:
			it.Advice = "apply to restore the declared fields, or change the spec to keep the new ones"
			r.Changed = append(r.Changed, it)
		case planner.Rotate:
			it.Advice = "apply to rotate the secret"
			r.RotationDue = append(r.RotationDue, it)
		case planner.Delete:
			if c.Reasons[0].Code == planner.ReasonDeletePruned {
				it.Detail = "not declared; apply will delete it (prune)"
				it.Advice = "declare it to keep it, or apply to delete it"
				r.Unmanaged = append(r.Unmanaged, it)
			} else {
				it.Detail = "declared absent, but it exists"
				it.Advice = "apply to delete it"
				r.Changed = append(r.Changed, it)
			}
		}
	}
	for _, u := range p.Unmanaged {
		it := Item{Name: u.Name, ID: u.ID, Detail: "not declared", Advice: "declare it, delete it, or add its name to ignore"}
		if u.MemberID != "" {
			it.Detail = fmt.Sprintf("another member's personal token (member %s)", u.MemberID)
			it.Advice = "ask its owner whether it is still needed; ldtokens never changes it"
		}
		r.Unmanaged = append(r.Unmanaged, it)
	}
	for _, t := range remote {
		if spec.MatchAny(opts.Ignore, t.Name) {
			continue
		}
		r.Findings = append(r.Findings, hygiene(t, opts)...)
	}
	slices.SortFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Kind+a.ID, b.Kind+b.ID))
	})
	return r
}

func reasonText(c planner.Change) string {
	if len(c.Reasons) == 0 {
		return string(c.Action)
	}
	return c.Reasons[0].Text
}

// hygiene finds stale and risky tokens.
func hygiene(t ldapi.Token, opts Options) []Finding {
	var out []Finding
	if opts.StaleAfter > 0 {
		age := func(ms int64) string {
			return spec.Duration{Duration: opts.Now.Sub(time.UnixMilli(ms)).Truncate(24 * time.Hour)}.String()
		}
		switch {
		case t.LastUsed > 0 && opts.Now.Sub(time.UnixMilli(t.LastUsed)) > opts.StaleAfter:
			out = append(out, Finding{Kind: KindStale, Name: t.Name, ID: t.ID,
				Detail: fmt.Sprintf("last used %s ago", age(t.LastUsed)),
				Advice: "if nothing uses it any more, declare it state: absent"})
		case t.LastUsed == 0 && opts.Now.Sub(time.UnixMilli(t.CreationDate)) > opts.StaleAfter:
			out = append(out, Finding{Kind: KindStale, Name: t.Name, ID: t.ID,
				Detail: fmt.Sprintf("never used, created %s ago", age(t.CreationDate)),
				Advice: "if nothing uses it, declare it state: absent"})
		}
	}
	if t.Role == "admin" || t.Role == "owner" {
		out = append(out, Finding{Kind: KindRisky, Name: t.Name, ID: t.ID,
			Detail: "has the " + t.Role + " role", Advice: "give it the narrowest role that works: reader, writer, or a custom role"})
	}
	for _, st := range t.InlineRole {
		if st.Effect == "allow" && slices.Contains(st.Actions, "*") && slices.Contains(st.Resources, "*") {
			out = append(out, Finding{Kind: KindRisky, Name: t.Name, ID: t.ID,
				Detail: "its inline role allows every action (*) on every resource (*)", Advice: "scope the statement's actions and resources"})
			break
		}
	}
	return out
}
