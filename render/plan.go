package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/spec"
)

// PlanLine is the last line of a text plan.
func PlanLine(p planner.Plan) string {
	add, change, destroy, rotate := p.Summary().Totals()
	return fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy, %d to rotate.", add, change, destroy, rotate)
}

// PlanText draws a plan for people.
func PlanText(w io.Writer, p planner.Plan, st Style) error {
	var b strings.Builder
	sum := p.Summary()
	fmt.Fprintf(&b, "LaunchDarkly tokens at %s: %d declared unchanged, %d unmanaged.\n", Clean(p.APIHost), sum.Unchanged, len(p.Unmanaged))
	if !p.HasChanges() {
		b.WriteString("\nNo changes. LaunchDarkly matches the spec.\n")
	} else {
		b.WriteString("\nldtokens will perform these actions:\n")
		for _, c := range p.Changes {
			b.WriteString("\n")
			writeChange(&b, c, st)
		}
	}
	if len(p.Retiring) > 0 {
		b.WriteString("\nRetiring tokens (replaced; the old secret works until the time shown, then the next apply deletes them):\n")
		for _, r := range p.Retiring {
			fmt.Fprintf(&b, "    %s until %s\n", label(r.OriginalName, r.ID), stamp(r.Until))
		}
	}
	if len(p.Unmanaged) > 0 {
		b.WriteString("\nUnmanaged tokens (not declared, never changed):\n")
		for _, u := range p.Unmanaged {
			kind := "service"
			if !u.ServiceToken {
				kind = "personal"
			}
			if u.MemberID != "" {
				kind = "personal, member " + Clean(u.MemberID)
			}
			fmt.Fprintf(&b, "    %s [%s]\n", label(u.Name, u.ID), kind)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", st.paint(ansiBold, PlanLine(p)))
	_, err := io.WriteString(w, b.String())
	return err
}

func writeChange(b *strings.Builder, c planner.Change, st Style) {
	sym := fmt.Sprintf("%3s", Symbol(c.Action))
	fmt.Fprintf(b, "%s %s %s\n", st.paint(actionColor(c.Action), sym), st.paint(ansiBold, fmt.Sprintf("%-7s", c.Action)), changeLabel(c))
	for _, r := range c.Reasons {
		fmt.Fprintf(b, "        # %s\n", Clean(r.Text))
	}
	for _, l := range fieldLines(c) {
		fmt.Fprintf(b, "        %s\n", l.text())
	}
	switch c.Action {
	case planner.Rotate:
		if c.Grace > 0 {
			fmt.Fprintf(b, "        old secret keeps working for %s after the reset\n", graceText(c.Grace))
		} else {
			b.WriteString("        old secret stops working at once\n")
		}
	case planner.Replace:
		if c.ReplaceGrace > 0 {
			fmt.Fprintf(b, "        old token keeps working for %s (retiring), then a later apply deletes it\n", graceText(c.ReplaceGrace))
		} else {
			b.WriteString("        old token is deleted at once\n")
		}
	}
	if len(c.Patch) > 0 {
		fmt.Fprintf(b, "        PATCH %s\n", Clean(compactJSON(c.Patch)))
	}
}

// changeLabel is `name (id)`, with the remote name when it differs.
func changeLabel(c planner.Change) string {
	if c.RemoteName == "" {
		return label(c.Name, c.ID)
	}
	return fmt.Sprintf("%s, remote name %s", label(c.Name, c.ID), Clean(fmt.Sprintf("%q", c.RemoteName)))
}

// graceText writes a grace as the spec does: 1d, 1h30m.
func graceText(d time.Duration) string { return spec.Duration{Duration: d}.String() }

// stamp is a time in UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
