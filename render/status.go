package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/audit"
)

// stateSymbol is the text symbol of a calendar state.
func stateSymbol(s audit.State) string {
	switch s {
	case audit.Overdue:
		return "!"
	case audit.Missing:
		return "+"
	case audit.Retiring:
		return "x"
	case audit.Scheduled:
		return "↻"
	}
	return "·"
}

// StatusText draws the rotation calendar for people: one token a line,
// what needs attention first, then its dates.
func StatusText(w io.Writer, r audit.StatusReport, st Style) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Rotation calendar at %s: %d declared token(s).\n", stamp(r.At), len(r.Tokens))
	for _, t := range r.Tokens {
		fmt.Fprintf(&b, "\n%s %s %s\n", st.paint(ansiBold, fmt.Sprintf("%2s", stateSymbol(t.State))), st.paint(ansiBold, fmt.Sprintf("%-11s", t.State)), label(t.Name, t.ID))
		for _, l := range statusLines(t, r.At) {
			fmt.Fprintf(&b, "      %s\n", l)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// statusLines say where a token stands: its rotation, its retiring old
// tokens, and its use.
func statusLines(t audit.TokenStatus, now time.Time) []string {
	if t.State == audit.Missing {
		return []string{"declared, but it does not exist: apply creates it"}
	}
	var out []string
	switch {
	case t.State == audit.Overdue:
		out = append(out, fmt.Sprintf("rotation due since %s (overdue by %s); rotates every %s", stamp(t.NextRotation), days(t.OverdueBy), days(t.RotateEvery)))
	case t.RotateEvery > 0:
		out = append(out, fmt.Sprintf("next rotation %s (in %s); rotates every %s", stamp(t.NextRotation), days(t.NextRotation.Sub(now)), days(t.RotateEvery)))
	default:
		out = append(out, "does not rotate (no rotate.every)")
	}
	out = append(out, "last changed "+stamp(t.LastChange))
	for _, rt := range t.Retiring {
		if rt.Ended {
			out = append(out, fmt.Sprintf("old token %s stopped working at %s: the next apply deletes it", Clean(rt.ID), stamp(rt.Until)))
		} else {
			out = append(out, fmt.Sprintf("old token %s (replaced) keeps working until %s", Clean(rt.ID), stamp(rt.Until)))
		}
	}
	if t.LastUsed.IsZero() {
		out = append(out, "never used")
	} else {
		out = append(out, "last used "+stamp(t.LastUsed))
	}
	return out
}

// days writes a duration as the spec does (90d, 12h), to the minute.
func days(d time.Duration) string { return graceText(d.Truncate(time.Minute)) }

// StatusReport builds the report model of a rotation calendar.
func StatusReport(r audit.StatusReport) Report {
	counts := map[audit.State]int{}
	for _, t := range r.Tokens {
		counts[t.State]++
	}
	rep := Report{Kind: "status", ActionColumn: "State", Headline: fmt.Sprintf("ldtokens status — %d declared token(s) at %s", len(r.Tokens), stamp(r.At))}
	for _, s := range []audit.State{audit.Overdue, audit.Missing, audit.Retiring, audit.Scheduled, audit.NotRotated} {
		rep.Counts = append(rep.Counts, Count{string(s), counts[s]})
	}
	for _, t := range r.Tokens {
		rep.Rows = append(rep.Rows, Row{Symbol: stateSymbol(t.State), Action: string(t.State), Name: t.Name, ID: t.ID, Detail: strings.Join(statusLines(t, r.At), "; ")})
	}
	return rep
}
