package render

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/planner"
)

// Report is the one model every markdown view is drawn from: a headline,
// counts, a table of rows and folded details.
type Report struct {
	// Kind is plan, apply, drift or status.
	Kind string
	// Headline is the report's first line.
	Headline string
	// Counts are shown under the headline, in order.
	Counts []Count
	// Rows are the table.
	Rows []Row
	// ByColumn adds the column of Row.By (who changed a token).
	ByColumn bool
	// ActionColumn heads the column of Row.Action; "" means "Action".
	ActionColumn string
	// Details is plain text shown folded, e.g. the text plan.
	Details string
	// Notes are lines after the table.
	Notes []string
}

// Count is a labelled number.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

// Row is one line of the table.
type Row struct {
	Symbol string
	Action string
	Name   string
	ID     string
	Detail string
	// By is who changed the token, when Report.ByColumn is set.
	By string
}

// PlanReport builds the report model of a plan.
func PlanReport(p planner.Plan) Report {
	s := p.Summary()
	r := Report{Kind: "plan", Headline: "ldtokens plan — " + PlanLine(p),
		Counts: nonZero([]Count{{"create", s.Create}, {"update", s.Update}, {"replace", s.Replace}, {"rotate", s.Rotate}, {"delete", s.Delete}, {"retire", s.Retire},
			{"unchanged", s.Unchanged}, {"unmanaged", len(p.Unmanaged)}, {"retiring", len(p.Retiring)}}, "retire", "retiring")}
	for _, c := range p.Changes {
		name := c.Name
		if c.RemoteName != "" {
			name = fmt.Sprintf("%s (remote name %q)", c.Name, c.RemoteName)
		}
		r.Rows = append(r.Rows, Row{Symbol: Symbol(c.Action), Action: string(c.Action), Name: name, ID: c.ID, Detail: reasons(c)})
	}
	for _, rt := range p.Retiring {
		r.Rows = append(r.Rows, Row{Symbol: "·", Action: "retiring", Name: rt.OriginalName, ID: rt.ID, Detail: "old secret works until " + stamp(rt.Until) + "; the first apply after deletes it"})
	}
	var b strings.Builder
	_ = PlanText(&b, p, Style{})
	r.Details = b.String()
	if !p.HasChanges() {
		r.Notes = append(r.Notes, "No changes. LaunchDarkly matches the spec.")
	}
	return r
}

// nonZero drops the counts of the labels given when they are 0: the rarer
// ones, shown only when there is something to count.
func nonZero(counts []Count, labels ...string) []Count {
	return slices.DeleteFunc(counts, func(c Count) bool { return c.N == 0 && slices.Contains(labels, c.Label) })
}

func reasons(c planner.Change) string {
	var l []string
	for _, r := range c.Reasons {
		l = append(l, r.Text)
	}
	return strings.Join(l, "; ")
}

// ApplyReport builds the report model of apply results.
func ApplyReport(results []applier.Result) Report {
	done, failed, skipped := Tally(results)
	r := Report{Kind: "apply", Headline: fmt.Sprintf("ldtokens apply — %d done, %d failed, %d not started", done, failed, skipped),
		Counts: []Count{{"done", done}, {"failed", failed}, {"not started", skipped}}}
	for _, res := range results {
		detail := strings.Join(res.Notes, "; ")
		if res.Err != nil {
			detail = res.Err.Error()
		}
		id := res.Change.ID
		if res.NewID != "" {
			id = res.NewID
		}
		r.Rows = append(r.Rows, Row{Symbol: statusSymbol(res.Status), Action: string(res.Change.Action), Name: res.Change.Name, ID: id, Detail: detail})
	}
	if len(results) == 0 {
		r.Notes = append(r.Notes, "No changes. LaunchDarkly matches the spec.")
	}
	return r
}

// Tally counts results by status.
func Tally(results []applier.Result) (done, failed, skipped int) {
	for _, r := range results {
		switch r.Status {
		case applier.Done:
			done++
		case applier.Failed:
			failed++
		default:
			skipped++
		}
	}
	return done, failed, skipped
}

func statusSymbol(s applier.Status) string {
	switch s {
	case applier.Done:
		return "✓"
	case applier.Failed:
		return "✗"
	}
	return "·"
}

// DriftReport builds the report model of a drift audit.
func DriftReport(d audit.Report) Report {
	r := Report{Kind: "drift", ByColumn: true, Notes: d.Notes,
		Counts: nonZero([]Count{{"changed", len(d.Changed)}, {"missing", len(d.Missing)}, {"unmanaged", len(d.Unmanaged)}, {"rotation due", len(d.RotationDue)}, {"retiring", len(d.Retiring)}, {"findings", len(d.Findings)}}, "retiring")}
	r.Headline = "ldtokens drift — " + driftLine(d)
	for _, b := range driftSections(d) {
		for _, it := range b.items {
			r.Rows = append(r.Rows, Row{Symbol: b.sym, Action: b.action, Name: it.Name, ID: it.ID, Detail: it.Detail + " → " + it.Advice, By: byText(it)})
		}
	}
	for _, f := range d.Findings {
		r.Rows = append(r.Rows, Row{Symbol: "!", Action: f.Kind, Name: f.Name, ID: f.ID, Detail: f.Detail + " → " + f.Advice})
	}
	return r
}

// driftLine counts a drift report in words.
func driftLine(d audit.Report) string {
	if d.InSync() {
		return "in sync"
	}
	line := fmt.Sprintf("%d changed, %d missing, %d unmanaged, %d rotation due", len(d.Changed), len(d.Missing), len(d.Unmanaged), len(d.RotationDue))
	if n := d.RetireDue(); n > 0 {
		line += fmt.Sprintf(", %d to retire", n)
	}
	return line
}

// driftSection is a kind of drift item: its title, symbol and table name.
type driftSection struct {
	title, sym, action string
	items              []audit.Item
}

func driftSections(d audit.Report) []driftSection {
	return []driftSection{
		{"Changed outside ldtokens", "~", "changed", d.Changed},
		{"Missing", "+", "missing", d.Missing},
		{"Unmanaged", "?", "unmanaged", d.Unmanaged},
		{"Rotation due", "↻", "rotation due", d.RotationDue},
		{"Retiring", "x", "retiring", d.Retiring},
	}
}

// byText says who last changed an item, "" when not attributed.
func byText(it audit.Item) string {
	switch {
	case it.By == "":
		return ""
	}
	who := it.By
	if it.Self {
		who = "ldtokens (its own change)"
	}
	if it.At.IsZero() {
		return who
	}
	return who + " at " + stamp(it.At)
}

// MaxMarkdown is GitHub's limit on a comment's length.
const MaxMarkdown = 65536

// Markdown draws a report for a pull-request comment or step summary,
// summarising to stay under MaxMarkdown.
func Markdown(w io.Writer, r Report) error {
	var head strings.Builder
	fmt.Fprintf(&head, "### %s\n\n", escapeMD(r.Headline))
	var counts []string
	for _, c := range r.Counts {
		counts = append(counts, fmt.Sprintf("**%d** %s", c.N, c.Label))
	}
	head.WriteString(strings.Join(counts, " · ") + "\n\n")
	for _, n := range r.Notes {
		head.WriteString(escapeMD(n) + "\n\n")
	}
	budget := MaxMarkdown - 2000 - head.Len()
	var table strings.Builder
	shown := 0
	if len(r.Rows) > 0 {
		action := cmp.Or(r.ActionColumn, "Action")
		if r.ByColumn {
			fmt.Fprintf(&table, "| | %s | Token | ID | Detail | By |\n|---|---|---|---|---|---|\n", action)
		} else {
			fmt.Fprintf(&table, "| | %s | Token | ID | Detail |\n|---|---|---|---|---|\n", action)
		}
		for _, row := range r.Rows {
			line := fmt.Sprintf("| %s | %s | %s | %s | %s |", row.Symbol, row.Action, escapeMD(row.Name), escapeMD(row.ID), escapeMD(row.Detail))
			if r.ByColumn {
				line += " " + escapeMD(row.By) + " |"
			}
			line += "\n"
			if table.Len()+len(line) > budget {
				break
			}
			table.WriteString(line)
			shown++
		}
		if shown < len(r.Rows) {
			fmt.Fprintf(&table, "\n…and %d more rows, left out to fit GitHub's comment limit: see the job's log or `-o json`.\n", len(r.Rows)-shown)
		}
		table.WriteString("\n")
	}
	var details string
	if r.Details != "" {
		d := "<details><summary>Full " + r.Kind + "</summary>\n\n```\n" + strings.ReplaceAll(r.Details, "```", "ʼʼʼ") + "```\n\n</details>\n"
		if head.Len()+table.Len()+len(d) <= MaxMarkdown-100 {
			details = d
		} else {
			details = "<details><summary>Full " + r.Kind + "</summary>\n\nToo long for a comment: see the job's log.\n\n</details>\n"
		}
	}
	_, err := io.WriteString(w, head.String()+table.String()+details)
	return err
}

// escapeMD makes text inert in markdown and HTML: no tags, no table breaks,
// no emphasis, links or mentions.
func escapeMD(s string) string {
	return mdEscaper.Replace(Clean(s))
}

var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"|", "\\|", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
	"@", "&#64;", "#", "&#35;",
)
