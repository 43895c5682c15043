package cli

import (
	"context"
	"strconv"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/render"
)

// StatusOptions are the options of `ldtokens status`.
type StatusOptions struct {
	IO     *IO
	Spec   SpecOptions
	Conn   ConnectOptions
	Output OutputOptions
}

func newStatusCommand(ios *IO) *ucli.Command {
	opts := &StatusOptions{IO: ios}
	return &ucli.Command{
		Name:      "status",
		Usage:     "show the rotation calendar of the declared tokens, read-only",
		UsageText: "ldtokens status -f FILE [-o text|json|markdown]",
		Description: `Lists every declared token with its id, when it last changed, its
rotation interval, when its next rotation is due (or how long it is
overdue), the old tokens of earlier replaces still working and when their
old secret stops, and when it was last used. What needs attention first:
overdue, missing, retiring, scheduled, then tokens that do not rotate.

Makes no change. Exit 0 whatever the calendar says, 1 on error; use drift
to fail a scheduled job on due rotations.

Examples:
  ldtokens status -f tokens.yaml
  ldtokens status -f tokens/ -o json`,
		Flags: flagList(opts.Spec.flags(), opts.Conn.flags(), opts.Output.flags(reportFormats...)),
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runStatus(c.Context, opts)
		},
	}
}

func runStatus(ctx context.Context, opts *StatusOptions) error {
	ios := opts.IO
	if err := opts.Output.check(reportFormats...); err != nil {
		return err
	}
	ctx, cancel := withTimeout(ctx, opts.Conn)
	defer cancel()
	o, err := ios.observeSpec(ctx, planning{spec: opts.Spec, conn: opts.Conn})
	if err != nil {
		return err
	}
	cal, err := audit.Status(o.input)
	if err != nil {
		return err
	}
	switch opts.Output.Format {
	case "json":
		err = render.WriteJSON(ios.Out, jsonout.StatusOf(cal))
	case "markdown":
		err = render.Markdown(ios.Out, render.StatusReport(cal))
	default:
		err = render.StatusText(ios.Out, cal, ios.outStyle(opts.Output.NoColor))
	}
	if err != nil {
		return err
	}
	return ios.publish(render.StatusReport(cal), statusOutputs(cal))
}

// statusOutputs are status's step outputs: how many tokens are in each
// state that needs attention.
func statusOutputs(r audit.StatusReport) map[string]string {
	n := map[audit.State]int{}
	for _, t := range r.Tokens {
		n[t.State]++
	}
	return map[string]string{
		"overdue":  strconv.Itoa(n[audit.Overdue]),
		"missing":  strconv.Itoa(n[audit.Missing]),
		"retiring": strconv.Itoa(n[audit.Retiring]),
	}
}
