// Package audit turns a plan and the remote tokens into read-only reports:
// the drift report (what was changed by hand and by whom, what is missing,
// what nobody declared, which rotations are due, which replaced tokens are
// retiring, and hygiene findings: stale and risky tokens) and the rotation
// calendar (Status). Building them is pure; the one function that reads the
// network, AttributeFromLog, reads LaunchDarkly's audit log through an
// interface it declares, best effort. The caller lists, plans and renders;
// nothing here changes a token or prints.
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
	// KindPolicy is a violation of a rule of the spec's policy.
	KindPolicy = "policy"
)

// Finding is a hygiene problem with a token, or a policy violation.
type Finding struct {
	Kind string
	Name string
	ID   string
	// Detail says what was found; Advice what to do about it.
	Detail string
	Advice string
	// Rule and Severity name the broken rule of a policy finding, and its
	// severity (error or warning); empty for the other kinds.
	Rule, Severity string
}

// Item is one drifted (or retiring) token.
type Item struct {
	Name string
	ID   string
	// Detail says what differs; Advice what to do about it.
	Detail string
	Advice string
	// Until is when a retiring token's old secret stops working; zero for
	// other items.
	Until time.Time
	// By, At and What say who last changed the token, when, and how, from
	// LaunchDarkly's audit log (see Attribute): set for changed and
	// unmanaged items once attributed, By "unknown" when the log could not
	// tell.
	By   string
	At   time.Time
	What string
	// Self is set when the last change was made by the access token
	// ldtokens runs as: its own change, not a hand edit.
	Self bool
	// Change is the change an apply would make, if any.
	Change *planner.Change
}

// Report is a drift audit.
type Report struct {
	Changed     []Item
	Missing     []Item
	Unmanaged   []Item
	RotationDue []Item
	// Retiring are the old tokens of earlier replaces: those within their
	// grace (no Change), and those whose grace ended, which apply deletes.
	Retiring []Item
	Findings []Finding
	// Notes say what the report could not find out (an audit log that did
	// not answer), once each.
	Notes []string
}

// InSync reports whether no drift was found (findings aside): nothing to
// change, and no retiring token whose grace ended.
func (r Report) InSync() bool {
	return len(r.Changed)+len(r.Missing)+len(r.Unmanaged)+len(r.RotationDue)+r.RetireDue() == 0
}

// RetireDue counts the retiring tokens whose grace ended.
func (r Report) RetireDue() int {
	n := 0
	for _, it := range r.Retiring {
		if it.Change != nil {
			n++
		}
	}
	return n
}

// Audit builds the report.
func Audit(p planner.Plan, remote []ldapi.Token, opts Options) Report {
	var r Report
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
		case planner.Retire:
			_, until, _ := planner.ParseRetiring(c.RemoteName)
			it.Until = until
			it.Detail = fmt.Sprintf("replaced earlier; its old secret stopped working at %s", until.Format(time.RFC3339))
			it.Advice = "apply to delete it"
			r.Retiring = append(r.Retiring, it)
		case planner.Delete:
			if len(c.Reasons) > 0 && c.Reasons[0].Code == planner.ReasonDeletePruned {
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
	for _, rt := range p.Retiring {
		r.Retiring = append(r.Retiring, Item{Name: rt.OriginalName, ID: rt.ID, Until: rt.Until,
			Detail: fmt.Sprintf("replaced; its old secret keeps working until %s", rt.Until.Format(time.RFC3339)),
			Advice: "move what still uses the old secret to the new one before then; the first apply after deletes it"})
	}
	slices.SortFunc(r.Retiring, func(a, b Item) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	for _, t := range remote {
		if spec.MatchAny(opts.Ignore, t.Name) {
			continue
		}
		if _, _, retiring := planner.ParseRetiring(t.Name); retiring {
			continue // listed as retiring; deleted soon
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
