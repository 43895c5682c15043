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

// ApplyJSON is the JSON form of apply results.
type ApplyJSON struct {
	FormatVersion string       `json:"formatVersion"`
	Kind          string       `json:"kind"`
	Done          int          `json:"done"`
	Failed        int          `json:"failed"`
	NotStarted    int          `json:"notStarted"`
	Results       []ResultJSON `json:"results"`
}

// ResultJSON is one apply result in JSON.
type ResultJSON struct {
	Action string   `json:"action"`
	Name   string   `json:"name"`
	ID     string   `json:"id,omitempty"`
	NewID  string   `json:"newId,omitempty"`
	Status string   `json:"status"`
	Error  string   `json:"error,omitempty"`
	Notes  []string `json:"notes,omitempty"`
}

// ApplyJSONOf converts results to JSON form.
func ApplyJSONOf(results []applier.Result) ApplyJSON {
	done, failed, skipped := Tally(results)
	out := ApplyJSON{FormatVersion: "1", Kind: "apply", Done: done, Failed: failed, NotStarted: skipped, Results: []ResultJSON{}}
	for _, r := range results {
		rj := ResultJSON{Action: string(r.Change.Action), Name: r.Change.Name, ID: r.Change.ID, NewID: r.NewID, Status: string(r.Status), Notes: r.Notes}
		if r.Err != nil {
			rj.Error = r.Err.Error()
		}
		out.Results = append(out.Results, rj)
	}
	return out
}

// DriftText draws a drift audit for people.
func DriftText(w io.Writer, d audit.Report, st Style) error {
	var b strings.Builder
	section := func(title, sym string, items []audit.Item) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", st.paint(ansiBold, title), len(items))
		for _, it := range items {
			fmt.Fprintf(&b, "  %s %s: %s\n      → %s\n", sym, label(it.Name, it.ID), Clean(it.Detail), it.Advice)
			if it.Change != nil {
				for _, l := range fieldLines(*it.Change) {
					fmt.Fprintf(&b, "      %s\n", l.text())
				}
			}
		}
	}
	if d.InSync() {
		b.WriteString("In sync: LaunchDarkly matches the spec.\n")
	} else {
		fmt.Fprintf(&b, "Drift: %d changed, %d missing, %d unmanaged, %d rotation due.\n", len(d.Changed), len(d.Missing), len(d.Unmanaged), len(d.RotationDue))
	}
	section("Changed outside ldtokens", "~", d.Changed)
	section("Missing", "+", d.Missing)
	section("Unmanaged", "?", d.Unmanaged)
	section("Rotation due", "↻", d.RotationDue)
	if len(d.Findings) > 0 {
		fmt.Fprintf(&b, "\n%s (%d):\n", st.paint(ansiBold, "Hygiene findings"), len(d.Findings))
		for _, f := range d.Findings {
			fmt.Fprintf(&b, "  ! %s %s: %s\n      → %s\n", f.Kind, label(f.Name, f.ID), Clean(f.Detail), f.Advice)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// DriftJSON is the JSON form of a drift audit.
type DriftJSON struct {
	FormatVersion string `json:"formatVersion"`
	Kind          string `json:"kind"`
	InSync        bool   `json:"inSync"`
	audit.Report
}

// WriteJSON writes v as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
