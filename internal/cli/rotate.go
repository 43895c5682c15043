package cli

import (
	"context"
	"errors"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/planner"
)

// RotateOptions are the options of `ldtokens rotate`.
type RotateOptions struct {
	IO     *IO
	Spec   SpecOptions
	Conn   ConnectOptions
	Output OutputOptions
	Sinks  SinkOptions
	// Names are the declared tokens to rotate (the positional arguments).
	Names []string
	// Grace is --grace: how long the old secrets keep working.
	Grace time.Duration
	// AutoApprove is --auto-approve: rotate without asking.
	AutoApprove bool
}

func newRotateCommand(ios *IO) *ucli.Command {
	opts := &RotateOptions{IO: ios}
	return &ucli.Command{
		Name:      "rotate",
		Usage:     "reset declared tokens' secrets now (a leaked secret)",
		ArgsUsage: "NAME...",
		UsageText: "ldtokens rotate NAME... -f FILE [--grace DURATION] [--auto-approve] [--secrets-dir DIR] [--secret-command CMD] [-o FORMAT]",
		Description: `Resets the secret of each named token and delivers the new one to the
secret sinks. The token keeps its ID; with --grace the old secret keeps
working that long (default 0: it dies at once, as a leak demands).

Shows what it will do and asks on a terminal (only 'yes' goes on); without
a terminal it refuses unless --auto-approve is given.

Examples:
  ldtokens rotate ci-deployer -f tokens.yaml --secrets-dir ./secrets
  ldtokens rotate ci-deployer data-export -f tokens/ --grace 1h --auto-approve --secret-command CMD`,
		Flags: flagList(opts.Spec.flags(), opts.Conn.flags(), opts.Output.flags(reportFormats...), opts.Sinks.flags(), []ucli.Flag{
			&ucli.GenericFlag{Name: "grace", Value: newDurationValue(&opts.Grace, 0),
				Usage: "let the old secret keep working for `DURATION` (24h, 30m; default 0: it dies at once)"},
			&ucli.BoolFlag{Name: "auto-approve", Destination: &opts.AutoApprove, Usage: "rotate without asking"},
		}),
		Action: func(c *ucli.Context) error {
			names, err := argsBetween(c, 0, -1)
			if err != nil {
				return err
			}
			opts.Names = names
			return runRotate(c.Context, opts)
		},
	}
}

func runRotate(ctx context.Context, opts *RotateOptions) error {
	ios := opts.IO
	if err := opts.Output.check(reportFormats...); err != nil {
		return err
	}
	if len(opts.Names) == 0 {
		return withHint(errors.New("name at least one token to rotate"), "ldtokens rotate ci-deployer -f tokens.yaml --secrets-dir ./secrets")
	}
	sink := opts.Sinks.sink(ios)
	if sink == nil {
		return applier.ErrNoSink
	}
	ctx, cancel := withTimeout(ctx, opts.Conn)
	defer cancel()
	pl, err := ios.planSpec(ctx, planning{spec: opts.Spec, conn: opts.Conn, allowEmpty: true, onSecret: ios.Actions.Mask,
		plan: func(in planner.Input) (planner.Plan, error) { return planner.RotateNow(in, opts.Names, opts.Grace) }})
	if err != nil {
		return err
	}
	p := pl.plan
	if err := applier.CheckSink(p, sink); err != nil {
		return err
	}
	if opts.Output.Format == "text" {
		if err := ios.writePlanText(opts.Output, p); err != nil {
			return err
		}
	}
	if !opts.AutoApprove {
		if err := ios.approve(ctx, "rotate", opts.Output, p, "review what it does and pass --auto-approve"); err != nil {
			return err
		}
	}
	return ios.execute(ctx, execution{plan: p, client: pl.client, sink: sink, noVerify: opts.Sinks.NoVerify, output: opts.Output})
}
