package cli

import (
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/render"
	"github.com/ldtokens/ldtokens/spec"
)

func driftCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "drift",
		Usage:     "audit LaunchDarkly against the spec, read-only",
		UsageText: "ldtokens drift -f tokens.yaml [-o text|json|markdown] [--stale-after 90d] [--strict] [--all-members]",
		Description: `Reports tokens changed by hand (field by field), declared tokens that are
missing, tokens nobody declared, and rotations that are due; and hygiene
findings: stale tokens (unused for --stale-after) and risky ones (admin
role, or an inline statement allowing * on *). Each says what to do.

Exit 0 in sync, 2 on drift (and, with --strict, on findings), 1 on error.`,
		Flags: concat(specFlags(), connectFlags(), outputFlags("text", "json", "markdown"), []ucli.Flag{
			&ucli.StringFlag{Name: "stale-after", Value: "90d", Usage: "a token unused this long is stale"},
			&ucli.BoolFlag{Name: "strict", Usage: "exit 2 on hygiene findings too"},
			&ucli.BoolFlag{Name: "all-members", Usage: "list other members' personal tokens too (admin only); they are reported, never changed"},
		}),
		Action: func(c *ucli.Context) error {
			format, err := outputFormat(c, "text", "json", "markdown")
			if err != nil {
				return err
			}
			staleAfter, err := spec.ParseDuration(c.String("stale-after"))
			if err != nil {
				return err
			}
			s, err := loadSpec(c)
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(c)
			defer cancel()
			_, rm, p, err := e.planSpec(ctx, c, s, nil, c.Bool("all-members"), true)
			if err != nil {
				return err
			}
			report := audit.Audit(p, rm.tokens, audit.Options{StaleAfter: staleAfter.Duration, Now: time.Now(), Ignore: s.Ignore})
			switch format {
			case "json":
				err = render.WriteJSON(e.stdout, jsonout.DriftOf(report))
			case "markdown":
				err = render.Markdown(e.stdout, render.DriftReport(report))
			default:
				err = render.DriftText(e.stdout, report, e.style(c))
			}
			if err != nil {
				return err
			}
			drifted := !report.InSync() || (c.Bool("strict") && len(report.Findings) > 0)
			if e.gha.Enabled {
				var md strings.Builder
				if err := render.Markdown(&md, render.DriftReport(report)); err != nil {
					return err
				}
				if err := e.gha.AppendSummary(md.String()); err != nil {
					return err
				}
				if err := e.gha.SetOutputs(map[string]string{
					"drift":     strconv.FormatBool(drifted),
					"changed":   strconv.Itoa(len(report.Changed)),
					"missing":   strconv.Itoa(len(report.Missing)),
					"unmanaged": strconv.Itoa(len(report.Unmanaged)),
					"findings":  strconv.Itoa(len(report.Findings)),
				}); err != nil {
					return err
				}
			}
			if drifted {
				return &exitErr{code: exitChanges}
			}
			return nil
		},
	}
}
