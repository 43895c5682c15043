package cli

import (
	"context"
	"slices"
	"strconv"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/render"
	"github.com/ldtokens/ldtokens/spec"
)

// DriftOptions are the options of `ldtokens drift`.
type DriftOptions struct {
	IO     *IO
	Spec   SpecOptions
	Conn   ConnectOptions
	Output OutputOptions
	// StaleAfter is --stale-after: a token unused this long is stale.
	StaleAfter time.Duration
	// Strict is --strict: hygiene findings count as drift.
	Strict bool
	// AllMembers is --all-members: list other members' personal tokens too.
	AllMembers bool
}

func newDriftCommand(ios *IO) *ucli.Command {
	opts := &DriftOptions{IO: ios}
	return &ucli.Command{
		Name:      "drift",
		Usage:     "audit LaunchDarkly against the spec, read-only",
		UsageText: "ldtokens drift -f FILE [-o text|json|markdown] [--stale-after DURATION] [--strict] [--all-members]",
		Description: `Reports tokens changed by hand (field by field), declared tokens that are
missing, tokens nobody declared, and rotations that are due; and hygiene
findings: stale tokens (unused for --stale-after) and risky ones (admin
role, or an inline statement allowing * on *). Every remote token,
declared or not, is checked against the spec's policy: each violation is
a finding. Each says what to do.

For every changed or unmanaged token, LaunchDarkly's audit log says who
last changed it, when and how (one request a token; ldtokens' own changes
are named as its own). When the log cannot tell (403, 404, no entry) the
token says "who: unknown", a note says why, and the exit code is the same.

Exit 0 in sync, 2 on drift (and on a violation of an error rule; with
--strict, on any finding), 1 on error.

Examples:
  ldtokens drift -f tokens.yaml
  ldtokens drift -f tokens/ -o json --stale-after 30d --strict`,
		Flags: flagList(opts.Spec.flags(), opts.Conn.flags(), opts.Output.flags(reportFormats...), []ucli.Flag{
			&ucli.GenericFlag{Name: "stale-after", Value: newDurationValue(&opts.StaleAfter, 90*24*time.Hour),
				Usage: "call a token unused for `DURATION` stale"},
			&ucli.BoolFlag{Name: "strict", Destination: &opts.Strict, Usage: "exit 2 on hygiene findings too"},
			&ucli.BoolFlag{Name: "all-members", Destination: &opts.AllMembers, Usage: "list other members' personal tokens too (admin only); they are reported, never changed"},
		}),
		Action: noArgsAction(runDrift, opts),
	}
}

func runDrift(ctx context.Context, opts *DriftOptions) error {
	ios := opts.IO
	if err := opts.Output.check(reportFormats...); err != nil {
		return err
	}
	ctx, cancel := withTimeout(ctx, opts.Conn)
	defer cancel()
	pl, err := ios.planSpec(ctx, planning{spec: opts.Spec, conn: opts.Conn, showAll: opts.AllMembers, allowEmpty: true})
	if err != nil {
		return err
	}
	report := audit.Audit(pl.plan, pl.obs.Tokens, audit.Options{StaleAfter: opts.StaleAfter, Now: ios.Now(), Ignore: pl.spec.Ignore})
	violations, err := policyFindings(ctx, pl.client, pl.policy, pl.spec, pl.obs.Tokens, ios.Now())
	if err != nil {
		return err
	}
	report.Findings = append(report.Findings, violations...)
	// Who changed what: best effort, one audit-log request per changed or
	// unmanaged token, none when there are none.
	audit.AttributeFromLog(ctx, &report, pl.client, pl.obs.Tokens, pl.obs.Caller.TokenID)
	switch opts.Output.Format {
	case "json":
		err = render.WriteJSON(ios.Out, jsonout.DriftOf(report))
	case "markdown":
		err = render.Markdown(ios.Out, render.DriftReport(report))
	default:
		err = render.DriftText(ios.Out, report, ios.outStyle(opts.Output.NoColor))
	}
	if err != nil {
		return err
	}
	drifted := !report.InSync() || (opts.Strict && len(report.Findings) > 0) ||
		slices.ContainsFunc(violations, func(f audit.Finding) bool { return f.Severity == spec.SeverityError })
	if err := ios.publish(render.DriftReport(report), driftOutputs(report, drifted)); err != nil {
		return err
	}
	if drifted {
		return exitWith(exitChanges)
	}
	return nil
}

// driftOutputs are drift's step outputs.
func driftOutputs(r audit.Report, drifted bool) map[string]string {
	return map[string]string{
		"drift":     strconv.FormatBool(drifted),
		"changed":   strconv.Itoa(len(r.Changed)),
		"missing":   strconv.Itoa(len(r.Missing)),
		"unmanaged": strconv.Itoa(len(r.Unmanaged)),
		"findings":  strconv.Itoa(len(r.Findings)),
	}
}
