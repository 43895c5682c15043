package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/observe"
	"github.com/ldtokens/ldtokens/planfile"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/render"
	"github.com/ldtokens/ldtokens/secret"
)

// ApplyOptions are the options of `ldtokens apply`.
type ApplyOptions struct {
	IO     *IO
	Spec   SpecOptions
	Conn   ConnectOptions
	Output OutputOptions
	Sinks  SinkOptions
	// PlanFile is the saved plan to apply (the positional argument); empty
	// plans the spec now.
	PlanFile string
	// AutoApprove is --auto-approve: apply -f without asking.
	AutoApprove bool
	// DryRun is --dry-run: print the requests, send none but the reads.
	DryRun bool
	// Parallelism is --parallelism: how many tokens are changed at once.
	Parallelism int
	// AllowEmpty is --allow-empty: a spec declaring no token may prune.
	AllowEmpty bool
}

func newApplyCommand(ios *IO) *ucli.Command {
	opts := &ApplyOptions{IO: ios}
	return &ucli.Command{
		Name:      "apply",
		Usage:     "plan, then make LaunchDarkly match the spec",
		ArgsUsage: "[PLANFILE]",
		UsageText: "ldtokens apply -f FILE [--auto-approve] [--dry-run] [--parallelism N] [--secrets-dir DIR] [--secret-command CMD] [-o FORMAT]\nldtokens apply PLANFILE [--secrets-dir DIR] [--secret-command CMD] [-o FORMAT]",
		Description: `With -f, plans and shows the plan, then asks for approval on a terminal
(--auto-approve skips the question; without a terminal apply refuses).
With a PLANFILE saved by 'plan --out', asks nothing — the saved plan was
the review — but refuses the whole plan if any token it touches changed
since it was made.

Every new secret (create, replace, rotate) goes only to a secret sink:
--secrets-dir, --secret-command, or both. Without one, apply refuses plans
that issue secrets before making any call.

Creates and updates run before deletes, up to --parallelism tokens at a
time; a failed change does not stop independent ones. Progress ([n/N] per
change) goes to stderr, the report to stdout. Exit 0 when all is done, 1
when anything failed. Interrupt (Ctrl-C) stops starting changes, lets those
under way finish, and reports what was and was not done.

Examples:
  ldtokens apply -f tokens.yaml --secrets-dir ./secrets
  ldtokens apply plan.json --secret-command 'vault kv put "secret/ld/$LDTOKENS_SECRET_NAME" token=-'
  ldtokens apply -f tokens/ --dry-run`,
		Flags: flagList(opts.Spec.flags(), opts.Conn.flags(), opts.Output.flags(reportFormats...), opts.Sinks.flags(), []ucli.Flag{
			&ucli.BoolFlag{Name: "auto-approve", Destination: &opts.AutoApprove, Usage: "apply without asking"},
			&ucli.BoolFlag{Name: "dry-run", Destination: &opts.DryRun, Usage: "print each request apply would send, and send none but the listing"},
			&ucli.IntFlag{Name: "parallelism", Value: 4, Destination: &opts.Parallelism, Usage: "change up to `N` tokens at once"},
			&ucli.BoolFlag{Name: "allow-empty", Destination: &opts.AllowEmpty, Usage: "let a spec that declares no token prune"},
		}),
		Action: func(c *ucli.Context) error {
			args, err := argsBetween(c, 0, 1)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				opts.PlanFile = args[0]
			}
			return runApply(c.Context, opts)
		},
	}
}

func runApply(ctx context.Context, opts *ApplyOptions) error {
	ios := opts.IO
	if err := opts.Output.check(reportFormats...); err != nil {
		return err
	}
	if opts.Parallelism < 1 {
		return errors.New("--parallelism must be at least 1")
	}
	if opts.PlanFile != "" && len(opts.Spec.Files) > 0 {
		return withHint(errors.New("give either a PLANFILE or -f, not both"), "a saved plan already holds what the spec asked for")
	}
	if opts.PlanFile == "" && len(opts.Spec.Files) == 0 {
		return withHint(errors.New("no spec and no saved plan given"), "pass -f FILE (or -f DIR), or a PLANFILE saved by 'ldtokens plan --out'")
	}
	ctx, cancel := withTimeout(ctx, opts.Conn)
	defer cancel()
	sink := opts.Sinks.sink(ios)
	saved := opts.PlanFile != ""
	var pl planned
	var err error
	if saved {
		pl, err = ios.loadSaved(ctx, opts, sink)
	} else {
		pl, err = ios.planSpec(ctx, planning{spec: opts.Spec, conn: opts.Conn, allowEmpty: opts.AllowEmpty, onSecret: ios.Actions.Mask, enforcePolicy: true})
	}
	if err != nil {
		return err
	}
	p := pl.plan
	if opts.DryRun {
		return ios.dryRun(opts.Output, p, saved)
	}
	if opts.Output.Format == "text" {
		if err := ios.writePlanText(opts.Output, p); err != nil {
			return err
		}
	}
	// A saved plan was the review, and was checked when loaded.
	if !saved {
		if !p.HasChanges() {
			return ios.finishApply(opts.Output, nil)
		}
		if err := applier.CheckSink(p, sink); err != nil {
			return err
		}
		if !opts.AutoApprove {
			if err := ios.approve(ctx, "apply", opts.Output, p, "review the plan and pass --auto-approve, or save it with 'plan --out FILE' and run 'apply FILE'"); err != nil {
				return err
			}
		}
	}
	// A saved plan's updates are guarded: a change since the plan fails.
	return ios.execute(ctx, execution{plan: p, client: pl.client, sink: sink, noVerify: opts.Sinks.NoVerify, parallelism: opts.Parallelism, guard: saved, output: opts.Output})
}

// loadSaved reads a saved plan and checks, before anything is changed, that
// it can go to sink and that nothing it touches moved since it was made.
func (ios *IO) loadSaved(ctx context.Context, opts *ApplyOptions, sink secret.Sink) (planned, error) {
	p, err := planfile.Read(opts.PlanFile)
	if err != nil {
		return planned{}, err
	}
	if err := applier.CheckSink(p, sink); err != nil {
		return planned{}, err
	}
	client, err := ios.connect(opts.Conn, ios.Actions.Mask)
	if err != nil {
		return planned{}, err
	}
	if err := applier.CheckHost(p, client.Host()); err != nil {
		return planned{}, err
	}
	obs, err := observe.Observe(ctx, client, observe.Request{})
	if err != nil {
		return planned{}, err
	}
	if err := applier.CheckStale(p, client.Host(), cmp.Or(obs.Caller.AccountID, planner.AccountOf(obs.Tokens)), obs.Tokens); err != nil {
		return planned{}, err
	}
	return planned{client: client, obs: obs, plan: p}, nil
}

// dryRun prints the plan and the requests applying it would send.
func (ios *IO) dryRun(o OutputOptions, p planner.Plan, guard bool) error {
	if err := ios.writePlanText(o, p); err != nil {
		return err
	}
	calls := applier.Calls(p, guard, ios.Now())
	fmt.Fprintf(ios.Out, "\nDry run: apply would send these %d requests (and sent none but the listing):\n", len(calls))
	return applier.WriteCalls(ios.Out, calls)
}

// sink builds the secret sinks; nil when none is given.
func (o SinkOptions) sink(ios *IO) secret.Sink {
	var s secret.Sinks
	if o.SecretsDir != "" {
		s = append(s, secret.DirSink{Dir: o.SecretsDir})
	}
	if o.SecretCommand != "" {
		s = append(s, secret.CommandSink{Command: o.SecretCommand, Env: ios.Environ, Output: ios.Err})
	}
	if len(s) == 0 {
		return nil
	}
	return s
}

// execution is a plan about to be applied, and how.
type execution struct {
	plan        planner.Plan
	client      applier.Client
	sink        secret.Sink
	noVerify    bool
	parallelism int
	// guard sends each update's test operations first (a saved plan).
	guard  bool
	output OutputOptions
}

// execute applies a plan: a progress line per change on stderr as it
// finishes, then the report on stdout.
func (ios *IO) execute(ctx context.Context, x execution) error {
	st := ios.errStyle(x.output.NoColor)
	settle, err := ios.settleWindow()
	if err != nil {
		return err
	}
	// How long a new secret is given to prove itself: the applier's
	// default, shortened only by end-to-end tests.
	verifyWait, err := ios.testOnlyDuration("LDTOKENS_TEST_VERIFY_WAIT")
	if err != nil {
		return err
	}
	results := applier.Apply(ctx, x.plan, applier.Options{
		Client: x.client, Sink: x.sink, Parallelism: x.parallelism, Guard: x.guard, Now: ios.Now,
		Abort: ios.Abort, NoVerify: x.noVerify, SettleWindow: settle, VerifyWait: verifyWait,
		// Progress is never called concurrently.
		Progress: func(r applier.Result, n, total int) {
			fmt.Fprintf(ios.Err, "[%d/%d] %s\n", n, total, render.ResultLine(r, st))
		},
	})
	return ios.finishApply(x.output, results)
}

// finishApply reports the results on stdout and to GitHub Actions; any
// change not done makes the run exit 1.
func (ios *IO) finishApply(o OutputOptions, results []applier.Result) error {
	var err error
	switch o.Format {
	case "json":
		err = render.WriteJSON(ios.Out, jsonout.ApplyOf(results))
	case "markdown":
		err = render.Markdown(ios.Out, render.ApplyReport(results))
	default:
		err = ios.writeResultsText(o, results)
	}
	if err != nil {
		return err
	}
	if err := ios.publish(render.ApplyReport(results), applyOutputs(results)); err != nil {
		return err
	}
	if applier.AnyFailed(results) {
		return exitWith(exitError)
	}
	return nil
}

// writeResultsText writes the text report of an apply: a line per change
// that ran, in plan order, then what was not done and the tally.
func (ios *IO) writeResultsText(o OutputOptions, results []applier.Result) error {
	if len(results) == 0 {
		return nil
	}
	st := ios.outStyle(o.NoColor)
	fmt.Fprintln(ios.Out)
	for _, r := range results {
		if r.Status != applier.Skipped {
			fmt.Fprintln(ios.Out, render.ResultLine(r, st))
		}
	}
	return render.ApplyText(ios.Out, results, st)
}

// applyOutputs are apply's and rotate's step outputs.
func applyOutputs(results []applier.Result) map[string]string {
	done, failed, skipped := render.Tally(results)
	return map[string]string{"done": strconv.Itoa(done), "failed": strconv.Itoa(failed), "not_started": strconv.Itoa(skipped)}
}
