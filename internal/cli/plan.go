package cli

import (
	"context"
	"fmt"
	"strconv"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/planfile"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/render"
)

// PlanOptions are the options of `ldtokens plan`.
type PlanOptions struct {
	IO     *IO
	Spec   SpecOptions
	Conn   ConnectOptions
	Output OutputOptions
	// Out is --out: save the plan to this file.
	Out string
	// DetailedExitcode is --detailed-exitcode: exit 2 when there are changes.
	DetailedExitcode bool
	// AllowEmpty is --allow-empty: a spec declaring no token may prune.
	AllowEmpty bool
}

// reportFormats are the formats of plan, apply, drift and rotate.
var reportFormats = []string{"text", "json", "markdown"}

func newPlanCommand(ios *IO) *ucli.Command {
	opts := &PlanOptions{IO: ios}
	return &ucli.Command{
		Name:      "plan",
		Usage:     "list remote tokens, diff them with the spec, print the plan",
		UsageText: "ldtokens plan -f FILE [-o text|json|markdown] [--out FILE] [--detailed-exitcode] [--allow-empty]",
		Description: `Shows each action with its symbol (+ create, ~ update, -/+ replace,
↻ rotate, - delete), why, the fields that change and, for an update, the
JSON Patch that will be sent. Makes no change.

Exit 0 on success and 1 on error; with --detailed-exitcode, 0 means no
changes and 2 means changes.

Examples:
  ldtokens plan -f tokens.yaml
  ldtokens plan -f tokens/ --out plan.json      # then: ldtokens apply plan.json
  ldtokens plan -f tokens/ -o markdown --detailed-exitcode`,
		Flags: flagList(opts.Spec.flags(), opts.Conn.flags(), opts.Output.flags(reportFormats...), []ucli.Flag{
			&ucli.StringFlag{Name: "out", Destination: &opts.Out, Usage: "save the plan to `FILE` (JSON, mode 0600) for `ldtokens apply FILE`"},
			&ucli.BoolFlag{Name: "detailed-exitcode", Destination: &opts.DetailedExitcode, Usage: "exit 2 when there are changes, 0 when none"},
			&ucli.BoolFlag{Name: "allow-empty", Destination: &opts.AllowEmpty, Usage: "let a spec that declares no token prune"},
		}),
		Action: noArgsAction(runPlan, opts),
	}
}

func runPlan(ctx context.Context, opts *PlanOptions) error {
	ios := opts.IO
	if err := opts.Output.check(reportFormats...); err != nil {
		return err
	}
	ctx, cancel := withTimeout(ctx, opts.Conn)
	defer cancel()
	pl, err := ios.planSpec(ctx, planning{spec: opts.Spec, conn: opts.Conn, allowEmpty: opts.AllowEmpty, enforcePolicy: true})
	if err != nil {
		return err
	}
	p := pl.plan
	if opts.Out != "" {
		if err := planfile.Write(opts.Out, p); err != nil {
			return err
		}
		fmt.Fprintf(ios.Err, "Saved the plan to %s: apply it with `ldtokens apply %s`.\n", opts.Out, opts.Out)
	}
	if err := ios.writePlan(opts.Output, p); err != nil {
		return err
	}
	if err := ios.publish(render.PlanReport(p), planOutputs(p)); err != nil {
		return err
	}
	if opts.DetailedExitcode && p.HasChanges() {
		return exitWith(exitChanges)
	}
	return nil
}

// writePlan writes the plan to stdout in the format asked for.
func (ios *IO) writePlan(o OutputOptions, p planner.Plan) error {
	switch o.Format {
	case "json":
		return planfile.Encode(ios.Out, p)
	case "markdown":
		return render.Markdown(ios.Out, render.PlanReport(p))
	}
	return ios.writePlanText(o, p)
}

// writePlanText writes the text plan to stdout. Under GitHub Actions it is
// folded into a log group: `::group::` and `::endgroup::` are workflow
// commands, so they go to stderr like every other, around the plan on
// stdout. The runner reads both streams into one log in the order the lines
// arrive, which is the order they are written here; a workflow that
// captures stdout as the report gets the plan alone.
func (ios *IO) writePlanText(o OutputOptions, p planner.Plan) error {
	ios.Actions.Group("ldtokens plan: " + render.PlanLine(p))
	defer ios.Actions.EndGroup()
	return render.PlanText(ios.Out, p, ios.outStyle(o.NoColor))
}

// planOutputs are plan's step outputs.
func planOutputs(p planner.Plan) map[string]string {
	s := p.Summary()
	return map[string]string{
		"has_changes": strconv.FormatBool(p.HasChanges()),
		"create":      strconv.Itoa(s.Create),
		"update":      strconv.Itoa(s.Update),
		"replace":     strconv.Itoa(s.Replace),
		"rotate":      strconv.Itoa(s.Rotate),
		"delete":      strconv.Itoa(s.Delete),
	}
}
