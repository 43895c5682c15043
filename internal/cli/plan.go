package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planfile"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/render"
	"github.com/ldtokens/ldtokens/secret"
	"github.com/ldtokens/ldtokens/spec"
)

func validateCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "validate",
		Usage:     "check the spec offline",
		UsageText: "ldtokens validate -f tokens.yaml [-f more/]",
		Description: `Reads every spec file and reports every problem at once, each as
file:line:column. Exit 0 when valid, 1 when not. Makes no network call.`,
		Flags: specFlags(),
		Action: func(c *ucli.Context) error {
			s, err := loadSpec(c)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "The spec is valid: %d tokens in %d file(s).\n", len(s.Tokens), len(s.Files))
			return nil
		},
	}
}

// remote is what LaunchDarkly holds, read for a plan.
type remote struct {
	tokens []ldapi.Token
	input  planner.Input
}

// readRemote lists the tokens (and the custom roles, when the spec names
// any by key) and fills a planner input. It asks who the caller is while
// the list is read: one round trip less.
func readRemote(ctx context.Context, cn *conn, s *spec.Spec, showAll, allowEmpty bool) (remote, error) {
	var (
		caller ldapi.CallerIdentity
		idErr  error
		wg     sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Go(func() { caller, idErr = cn.client.CallerIdentity(ctx) })
	tokens, err := cn.client.ListTokens(ctx, ldapi.ListOptions{ShowAll: showAll})
	if err != nil {
		cancel()
		wg.Wait()
		return remote{}, listErr(err)
	}
	wg.Wait()
	in := planner.Input{Spec: s, Remote: tokens, APIHost: cn.host, Now: time.Now(), AllowEmpty: allowEmpty, AllMembers: showAll}
	if idErr == nil {
		in.CallerMemberID = caller.MemberID
	} else if ldapi.IsStatus(idErr, 401) || ctx.Err() != nil {
		return remote{}, idErr
	}
	if usesRoleKeys(s) {
		roles, err := cn.client.ListRoles(ctx)
		if err != nil {
			return remote{}, fmt.Errorf("list custom roles: %w", err)
		}
		in.RoleIDs = make(map[string]string, len(roles))
		for _, r := range roles {
			in.RoleIDs[r.Key] = r.ID
		}
	}
	return remote{tokens: tokens, input: in}, nil
}

// planSpec connects, reads LaunchDarkly and plans the spec.
func (e *env) planSpec(ctx context.Context, c *ucli.Context, s *spec.Spec, onSecret func(secret.Secret), showAll, allowEmpty bool) (*conn, remote, planner.Plan, error) {
	cn, err := e.connect(c, onSecret)
	if err != nil {
		return nil, remote{}, planner.Plan{}, err
	}
	rm, err := readRemote(ctx, cn, s, showAll, allowEmpty)
	if err != nil {
		return nil, remote{}, planner.Plan{}, err
	}
	p, err := planner.Make(rm.input)
	return cn, rm, p, err
}

func usesRoleKeys(s *spec.Spec) bool {
	for _, t := range s.Tokens {
		if len(t.CustomRoles) > 0 && !t.Absent() {
			return true
		}
	}
	return false
}

func planCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "plan",
		Usage:     "list remote tokens, diff them with the spec, print the plan",
		UsageText: "ldtokens plan -f tokens.yaml [-o text|json|markdown] [--out PLANFILE] [--detailed-exitcode]",
		Description: `Shows each action with its symbol (+ create, ~ update, -/+ replace,
↻ rotate, - delete), why, the fields that change and, for an update, the
JSON Patch that will be sent. Makes no change.

Exit 0 on success and 1 on error; with --detailed-exitcode, 0 means no
changes and 2 means changes.`,
		Flags: concat(specFlags(), connectFlags(), outputFlags("text", "json", "markdown"), []ucli.Flag{
			&ucli.StringFlag{Name: "out", Usage: "save the plan to `PLANFILE` (JSON, mode 0600) for `ldtokens apply PLANFILE`"},
			&ucli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 2 when there are changes"},
			&ucli.BoolFlag{Name: flagAllowEmpty, Usage: "let a spec that declares no token prune"},
		}),
		Action: func(c *ucli.Context) error {
			format, err := outputFormat(c, "text", "json", "markdown")
			if err != nil {
				return err
			}
			s, err := loadSpec(c)
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(c)
			defer cancel()
			_, _, p, err := e.planSpec(ctx, c, s, nil, false, c.Bool(flagAllowEmpty))
			if err != nil {
				return err
			}
			if out := c.String("out"); out != "" {
				if err := planfile.Write(out, p); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "Saved the plan to %s: apply it with `ldtokens apply %s`.\n", out, out)
			}
			if err := e.printPlan(c, format, p); err != nil {
				return err
			}
			if err := e.planToActions(p); err != nil {
				return err
			}
			if c.Bool("detailed-exitcode") && p.HasChanges() {
				return &exitErr{code: exitChanges}
			}
			return nil
		},
	}
}

func (e *env) printPlan(c *ucli.Context, format string, p planner.Plan) error {
	switch format {
	case "json":
		return planfile.Encode(e.stdout, p)
	case "markdown":
		return render.Markdown(e.stdout, render.PlanReport(p))
	}
	return render.PlanText(e.stdout, p, e.style(c))
}

// planToActions writes the plan to the GitHub step summary and outputs.
func (e *env) planToActions(p planner.Plan) error {
	if !e.gha.Enabled {
		return nil
	}
	var md strings.Builder
	if err := render.Markdown(&md, render.PlanReport(p)); err != nil {
		return err
	}
	if err := e.gha.AppendSummary(md.String()); err != nil {
		return err
	}
	s := p.Summary()
	return e.gha.SetOutputs(map[string]string{
		"has_changes": strconv.FormatBool(p.HasChanges()),
		"create":      strconv.Itoa(s.Create),
		"update":      strconv.Itoa(s.Update),
		"replace":     strconv.Itoa(s.Replace),
		"rotate":      strconv.Itoa(s.Rotate),
		"delete":      strconv.Itoa(s.Delete),
	})
}

func applyCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "apply",
		Usage:     "plan, then make LaunchDarkly match the spec",
		UsageText: "ldtokens apply -f tokens.yaml [--auto-approve] [--dry-run] [--parallelism N] [secret sinks]\nldtokens apply PLANFILE [secret sinks]",
		Description: `With -f, plans and shows the plan, then asks for approval on a terminal
(--auto-approve skips the question; without a terminal apply refuses).
With a PLANFILE saved by 'plan --out', asks nothing — the saved plan was
the review — but refuses the whole plan if any token it touches changed
since it was made.

Every new secret (create, replace, rotate) goes only to a secret sink:
--secrets-dir, --secret-command, or both. Without one, apply refuses plans
that issue secrets before making any call.

Creates and updates run before deletes, up to --parallelism tokens at a
time; a failed change does not stop independent ones. Exit 0 when all is
done, 1 when anything failed. Interrupt (Ctrl-C) stops starting changes,
lets those under way finish, and reports what was and was not done.`,
		Flags: concat(specFlags(), connectFlags(), outputFlags("text", "json", "markdown"), sinkFlags(), []ucli.Flag{
			&ucli.BoolFlag{Name: "auto-approve", Usage: "apply without asking"},
			&ucli.BoolFlag{Name: "dry-run", Usage: "print each request apply would send, and send none but the listing"},
			&ucli.IntFlag{Name: flagParallelism, Value: 4, Usage: "how many tokens to change at once"},
			&ucli.BoolFlag{Name: flagAllowEmpty, Usage: "let a spec that declares no token prune"},
		}),
		Action: func(c *ucli.Context) error {
			format, err := outputFormat(c, "text", "json", "markdown")
			if err != nil {
				return err
			}
			if c.Int(flagParallelism) < 1 {
				return errors.New("--parallelism must be at least 1")
			}
			switch {
			case c.NArg() > 1:
				return withHint(errors.New("apply takes at most one PLANFILE"), "ldtokens apply PLANFILE, or ldtokens apply -f tokens.yaml")
			case c.NArg() == 1 && len(c.StringSlice(flagFile)) > 0:
				return withHint(errors.New("give either a PLANFILE or -f, not both"), "a saved plan already holds what the spec asked for")
			case c.NArg() == 1:
				return e.applySaved(c, format, c.Args().First())
			}
			return e.applySpec(c, format)
		},
	}
}

func (e *env) applySpec(c *ucli.Context, format string) error {
	s, err := loadSpec(c)
	if err != nil {
		return err
	}
	ctx, cancel := withTimeout(c)
	defer cancel()
	sink := e.sinks(c)
	cn, _, p, err := e.planSpec(ctx, c, s, e.gha.Mask, false, c.Bool(flagAllowEmpty))
	if err != nil {
		return err
	}
	if c.Bool("dry-run") {
		return e.dryRun(c, p, false)
	}
	if format == "text" {
		if err := render.PlanText(e.stdout, p, e.style(c)); err != nil {
			return err
		}
	}
	if !p.HasChanges() {
		return e.finishApply(c, format, nil)
	}
	if err := applier.CheckSink(p, sink); err != nil {
		return err
	}
	if !c.Bool("auto-approve") {
		if err := e.confirm(); err != nil {
			return err
		}
	}
	return e.execute(ctx, c, format, p, cn, sink, false)
}

func (e *env) applySaved(c *ucli.Context, format, path string) error {
	p, err := planfile.Read(path)
	if err != nil {
		return err
	}
	ctx, cancel := withTimeout(c)
	defer cancel()
	sink := e.sinks(c)
	if err := applier.CheckSink(p, sink); err != nil {
		return err
	}
	cn, err := e.connect(c, e.gha.Mask)
	if err != nil {
		return err
	}
	if err := applier.CheckHost(p, cn.host); err != nil {
		return err
	}
	tokens, err := cn.client.ListTokens(ctx, ldapi.ListOptions{})
	if err != nil {
		return listErr(err)
	}
	if err := applier.CheckStale(p, cn.host, tokens); err != nil {
		return err
	}
	if c.Bool("dry-run") {
		return e.dryRun(c, p, true)
	}
	if format == "text" {
		if err := render.PlanText(e.stdout, p, e.style(c)); err != nil {
			return err
		}
	}
	return e.execute(ctx, c, format, p, cn, sink, true)
}

func (e *env) dryRun(c *ucli.Context, p planner.Plan, guard bool) error {
	if err := render.PlanText(e.stdout, p, e.style(c)); err != nil {
		return err
	}
	calls := applier.Calls(p, guard, time.Now())
	fmt.Fprintf(e.stdout, "\nDry run: apply would send these %d requests (and sent none but the listing):\n", len(calls))
	return applier.WriteCalls(e.stdout, calls)
}

// confirm asks on a terminal; without one it refuses.
func (e *env) confirm() error {
	if !isTerminal(e.stdin) {
		return withHint(errors.New("apply needs approval and there is no terminal to ask on"),
			"review the plan and pass --auto-approve, or save it with 'plan --out PLANFILE' and run 'apply PLANFILE'")
	}
	fmt.Fprint(e.stdout, "\nDo you want to perform these actions? Only 'yes' is accepted: ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if strings.TrimSpace(line) != "yes" {
		return &exitErr{code: exitError, err: errors.New("apply cancelled: nothing was changed")}
	}
	return nil
}

// execute applies a plan, printing a line per change as it finishes.
func (e *env) execute(ctx context.Context, c *ucli.Context, format string, p planner.Plan, cn *conn, sink secret.Sink, guard bool) error {
	progress := e.stdout
	if format != "text" {
		progress = e.stderr
	}
	st := e.style(c)
	if format == "text" {
		fmt.Fprintln(progress)
	}
	results := applier.Apply(ctx, p, applier.Options{
		Client: cn.client, Sink: sink, Parallelism: c.Int(flagParallelism), Guard: guard,
		Progress: func(r applier.Result) { fmt.Fprintln(progress, render.ResultLine(r, st)) },
	})
	return e.finishApply(c, format, results)
}

func (e *env) finishApply(c *ucli.Context, format string, results []applier.Result) error {
	switch format {
	case "json":
		if err := render.WriteJSON(e.stdout, jsonout.ApplyOf(results)); err != nil {
			return err
		}
	case "markdown":
		if err := render.Markdown(e.stdout, render.ApplyReport(results)); err != nil {
			return err
		}
	default:
		if len(results) > 0 {
			if err := render.ApplyText(e.stdout, results, e.style(c)); err != nil {
				return err
			}
		}
	}
	if e.gha.Enabled {
		var md strings.Builder
		if err := render.Markdown(&md, render.ApplyReport(results)); err != nil {
			return err
		}
		if err := e.gha.AppendSummary(md.String()); err != nil {
			return err
		}
		done, failed, skipped := render.Tally(results)
		if err := e.gha.SetOutputs(map[string]string{"done": strconv.Itoa(done), "failed": strconv.Itoa(failed), "not_started": strconv.Itoa(skipped)}); err != nil {
			return err
		}
	}
	if applier.AnyFailed(results) {
		return &exitErr{code: exitError}
	}
	return nil
}

func rotateCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "rotate",
		Usage:     "reset declared tokens' secrets now (a leaked secret)",
		UsageText: "ldtokens rotate NAME... -f tokens.yaml [--grace 24h] [secret sinks]",
		Description: `Resets the secret of each named token and delivers the new one to the
secret sinks. The token keeps its ID; with --grace the old secret keeps
working that long (default 0: it dies at once, as a leak demands).`,
		Flags: concat(specFlags(), connectFlags(), outputFlags("text", "json", "markdown"), sinkFlags(), []ucli.Flag{
			&ucli.StringFlag{Name: "grace", Value: "0s", Usage: "how long the old secret keeps working (90d, 12h, 30m)"},
		}),
		Action: func(c *ucli.Context) error {
			format, err := outputFormat(c, "text", "json", "markdown")
			if err != nil {
				return err
			}
			if c.NArg() == 0 {
				return withHint(errors.New("name at least one token to rotate"), "ldtokens rotate ci-deployer -f tokens.yaml --secrets-dir ./secrets")
			}
			grace := spec.Duration{}
			if g := c.String("grace"); g != "0s" && g != "0" {
				if grace, err = spec.ParseDuration(g); err != nil {
					return fmt.Errorf("--grace: %w", err)
				}
			}
			s, err := loadSpec(c)
			if err != nil {
				return err
			}
			sink := e.sinks(c)
			if sink == nil {
				return applier.ErrNoSink
			}
			ctx, cancel := withTimeout(c)
			defer cancel()
			cn, err := e.connect(c, e.gha.Mask)
			if err != nil {
				return err
			}
			rm, err := readRemote(ctx, cn, s, false, true)
			if err != nil {
				return err
			}
			p, err := planner.RotateNow(rm.input, c.Args().Slice(), grace.Duration)
			if err != nil {
				return err
			}
			if format == "text" {
				if err := render.PlanText(e.stdout, p, e.style(c)); err != nil {
					return err
				}
			}
			return e.execute(ctx, c, format, p, cn, sink, false)
		},
	}
}
