package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/audit"
)

// ResultLine is the line printed as a change finishes.
func ResultLine(r applier.Result, st Style) string {
	c := r.Change
	id := c.ID
	if r.NewID != "" {
		id = r.NewID
	}
	line := fmt.Sprintf("%s %s %s", statusSymbol(r.Status), c.Action, label(c.Name, id))
	switch {
	case r.Status == applier.Failed:
		return st.paint(ansiRed, line) + ": " + Clean(r.Err.Error())
	case r.Status == applier.Skipped:
		return line + ": " + Clean(r.Err.Error())
	case len(r.Notes) > 0:
		return st.paint(ansiGreen, line) + ": " + Clean(strings.Join(r.Notes, "; "))
	}
	return st.paint(ansiGreen, line)
}

// ApplyText draws the end of an apply: what was done and what was not.
func ApplyText(w io.Writer, results []applier.Result, st Style) error {
	var b strings.Builder
	done, failed, skipped := Tally(results)
	if skipped > 0 {
		b.WriteString("\nNot started:\n")
		for _, r := range results {
			if r.Status == applier.Skipped {
				fmt.Fprintf(&b, "  %s %s\n", r.Change.Action, label(r.Change.Name, r.Change.ID))
			}
		}
	}
	if failed > 0 {
		b.WriteString("\nFailed:\n")
		for _, r := range results {
			if r.Status == applier.Failed {
				fmt.Fprintf(&b, "  %s\n", Clean(r.Err.Error()))
			}
		}
	}
	summary := fmt.Sprintf("Apply complete: %d done, %d failed, %d not started.", done, failed, skipped)
	if failed+skipped > 0 {
		next := "Run apply again: it converges."
		if !applier.Converges(results) {
			next = "Applying again does not finish it: do what the failures above say."
		}
		summary = fmt.Sprintf("Apply incomplete: %d done, %d failed, %d not started. %s", done, failed, skipped, next)
	}
	fmt.Fprintf(&b, "\n%s\n", st.paint(ansiBold, summary))
	_, err := io.WriteString(w, b.String())
	return err
}

// DriftText draws a drift audit for people.
func DriftText(w io.Writer, d audit.Report, st Style) error {
	var b strings.Builder
	if d.InSync() {
		b.WriteString("In sync: LaunchDarkly matches the spec.\n")
	} else {
		fmt.Fprintf(&b, "Drift: %s.\n", driftLine(d))
	}
	for _, sec := range driftSections(d) {
		if len(sec.items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", st.paint(ansiBold, sec.title), len(sec.items))
		for _, it := range sec.items {
			fmt.Fprintf(&b, "  %s %s: %s\n      → %s\n", sec.sym, label(it.Name, it.ID), Clean(it.Detail), it.Advice)
			switch by := byText(it); {
			case it.By == audit.Unknown:
				b.WriteString("      who: unknown\n")
			case by != "" && it.What != "":
				fmt.Fprintf(&b, "      by %s: %s\n", Clean(by), Clean(it.What))
			case by != "":
				fmt.Fprintf(&b, "      by %s\n", Clean(by))
			}
			if it.Change != nil {
				for _, l := range fieldLines(*it.Change) {
					fmt.Fprintf(&b, "      %s\n", l.text())
				}
			}
		}
	}
	if len(d.Findings) > 0 {
		fmt.Fprintf(&b, "\n%s (%d):\n", st.paint(ansiBold, "Hygiene findings"), len(d.Findings))
		for _, f := range d.Findings {
			fmt.Fprintf(&b, "  ! %s %s: %s\n      → %s\n", f.Kind, label(f.Name, f.ID), Clean(f.Detail), f.Advice)
		}
	}
	for _, n := range d.Notes {
		fmt.Fprintf(&b, "\nNote: %s\n", Clean(n))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes v as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
