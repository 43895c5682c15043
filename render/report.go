package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/planner"
)

// Report is the one model every markdown view is drawn from: a headline,
// counts, a table of rows and folded details.
type Report struct {
	// Kind is plan, apply or drift.
	Kind string
	// Headline is the report's first line.
	Headline string
	// Counts are shown under the headline, in order.
	Counts []Count
	// Rows are the table.
	Rows []Row
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
}

// PlanReport builds the report model of a plan.
func PlanReport(p planner.Plan) Report {
	s := p.Summary()
	r := Report{Kind: "plan", Headline: "ldtokens plan — " + PlanLine(p),
		Counts: []Count{{"create", s.Create}, {"update", s.Update}, {"replace", s.Replace}, {"rotate", s.Rotate}, {"delete", s.Delete}, {"unchanged", s.Unchanged}, {"unmanaged", len(p.Unmanaged)}}}
	for _, c := range p.Changes {
		r.Rows = append(r.Rows, Row{Symbol: Symbol(c.Action), Action: string(c.Action), Name: c.Name, ID: c.ID, Detail: reasons(c)})
	}
	var b strings.Builder
	_ = PlanText(&b, p, Style{})
	r.Details = b.String()
	if !p.HasChanges() {
		r.Notes = append(r.Notes, "No changes. LaunchDarkly matches the spec.")
	}
	return r
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
	r := Report{Kind: "drift", Counts: []Count{{"changed", len(d.Changed)}, {"missing", len(d.Missing)}, {"unmanaged", len(d.Unmanaged)}, {"rotation due", len(d.RotationDue)}, {"findings", len(d.Findings)}}}
	if d.InSync() {
		r.Headline = "ldtokens drift — in sync"
	} else {
		r.Headline = fmt.Sprintf("ldtokens drift — %d changed, %d missing, %d unmanaged, %d rotation due", len(d.Changed), len(d.Missing), len(d.Unmanaged), len(d.RotationDue))
	}
	for _, b := range []struct {
		sym, name string
		items     []audit.Item
	}{{"~", "changed", d.Changed}, {"+", "missing", d.Missing}, {"?", "unmanaged", d.Unmanaged}, {"↻", "rotation due", d.RotationDue}} {
		for _, it := range b.items {
			r.Rows = append(r.Rows, Row{Symbol: b.sym, Action: b.name, Name: it.Name, ID: it.ID, Detail: it.Detail + " → " + it.Advice})
		}
	}
	for _, f := range d.Findings {
		r.Rows = append(r.Rows, Row{Symbol: "!", Action: f.Kind, Name: f.Name, ID: f.ID, Detail: f.Detail + " → " + f.Advice})
	}
	return r
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
		table.WriteString("| | Action | Token | ID | Detail |\n|---|---|---|---|---|\n")
		for _, row := range r.Rows {
			line := fmt.Sprintf("| %s | %s | %s | %s | %s |\n", row.Symbol, row.Action, escapeMD(row.Name), escapeMD(row.ID), escapeMD(row.Detail))
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
