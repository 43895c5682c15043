package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/internal/crash"
	"github.com/ldtokens/ldtokens/spec"
)

// Exit codes: the only three ldtokens has.
const (
	exitOK    = 0
	exitError = 1
	// exitChanges is for plan --detailed-exitcode with changes, and drift
	// with drift. Nothing else exits 2, a panic included.
	exitChanges = 2
)

// Streams are the process's standard streams.
type Streams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Signals carry the interrupts after the first, which cancels Run's
// context (nothing new is started).
type Signals struct {
	// Abort is closed on the second interrupt: deliveries under way are
	// cancelled and their tokens rolled back. Nil never closes.
	Abort <-chan struct{}
}

// Run runs ldtokens with args (args[0] is the program name) and returns the
// exit code. Cancelling ctx stops the run from starting anything new. environ
// is the process's environment, KEY=value. Run writes only to st, reads only
// environ, and never exits: a panic is reported as a bug and exits 1.
func Run(ctx context.Context, st Streams, args, environ []string, sig Signals) (code int) {
	ios := newIO(st, environ, sig)
	defer func() {
		if v := recover(); v != nil {
			stack := debug.Stack()
			if p, ok := v.(*crash.Panic); ok {
				stack = p.Stack // the worker's goroutine, where it panicked
			}
			fmt.Fprintf(ios.Err, "error: ldtokens crashed (%v); this is a bug: please report it at %s with the stack below\n%s", v, issuesURL, stack)
			code = exitError
		}
	}()
	app := newApp(ios)
	return ios.report(app.RunContext(ctx, interspersed(app, args)))
}

// issuesURL is where bugs are reported.
const issuesURL = "https://github.com/ldtokens/ldtokens/issues"

// testOnlyBeforeCommand, when set by a test, runs before every command; the
// panic test makes it panic.
var testOnlyBeforeCommand func(name string)

// commands lists every command's constructor, in help order. A new command
// is a file with an XOptions struct, a newXCommand(io) and a runX(ctx,
// opts), and one line here.
var commands = []func(*IO) *ucli.Command{
	newValidateCommand,
	newPlanCommand,
	newApplyCommand,
	newDriftCommand,
	newStatusCommand,
	newRotateCommand,
	newImportCommand,
	newEmulatorCommand,
	newSchemaCommand,
	newVersionCommand,
	newCompletionCommand,
}

func newApp(ios *IO) *ucli.App {
	var showVersion bool
	app := &ucli.App{
		Name:  "ldtokens",
		Usage: "keep LaunchDarkly API access tokens declared in Git",
		UsageText: `ldtokens COMMAND [flags] [arguments]
ldtokens COMMAND --help`,
		Description: `ldtokens plans and applies LaunchDarkly access tokens from YAML. A plan
shows the exact API calls (JSON Patch included) a change will make; apply
makes LaunchDarkly match, delivering each new secret only to a secret sink;
drift audits the account for changes made by hand.

Connect with LAUNCHDARKLY_ACCESS_TOKEN (or LD_ACCESS_TOKEN, or
--access-token-file FILE), or try everything offline with --emulator FILE.

Examples:
  ldtokens plan -f tokens.yaml --emulator examples/account.json
  ldtokens apply -f tokens/ --secrets-dir ./secrets
  ldtokens drift -f tokens/ -o json
  ldtokens status -f tokens/
  ldtokens help apply                  # or: ldtokens apply --help`,
		Reader:      ios.In,
		Writer:      ios.Out,
		ErrWriter:   ios.Err,
		HideVersion: true,
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "version", Usage: "print the version and commit", Destination: &showVersion},
			ucli.HelpFlag, // urfave/cli adds it only with its own help command
		},
		ExitErrHandler: func(*ucli.Context, error) {}, // errors are mapped to exit codes in report
		OnUsageError: func(c *ucli.Context, err error, _ bool) error {
			return usageError(err, c.App.VisibleFlags(), "ldtokens")
		},
		Action: func(c *ucli.Context) error {
			switch {
			case showVersion:
				return runVersion(c.Context, &VersionOptions{IO: ios})
			case c.NArg() > 0:
				return unknownCommand(c.App, c.Args().First())
			}
			return ucli.ShowAppHelp(c)
		},
	}
	for _, newCommand := range commands {
		cmd := newCommand(ios)
		cmd.OnUsageError = func(c *ucli.Context, err error, _ bool) error {
			return usageError(err, c.Command.VisibleFlags(), "ldtokens "+c.Command.Name)
		}
		if action, name := cmd.Action, cmd.Name; action != nil {
			cmd.Action = func(c *ucli.Context) error {
				if testOnlyBeforeCommand != nil {
					testOnlyBeforeCommand(name)
				}
				return action(c)
			}
		}
		app.Commands = append(app.Commands, cmd)
	}
	app.Commands = append(app.Commands, newHelpCommand())
	return app
}

// exitCodeError ends a run with a code; err, when not nil, is printed first.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitCodeError) Unwrap() error { return e.err }

// exitWith returns an error that ends the run with code, printing nothing
// more: what happened was reported already.
func exitWith(code int) error { return &exitCodeError{code: code} }

// hintError is an error with a line of advice.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

func withHint(err error, hint string) error { return &hintError{err: err, hint: hint} }

// report prints err on stderr and maps it to an exit code: the one place
// that does either.
func (ios *IO) report(err error) int {
	if err == nil {
		return exitOK
	}
	var ex *exitCodeError
	if errors.As(err, &ex) {
		if ex.err != nil {
			ios.printError(ex.err)
		}
		return ex.code
	}
	ios.printError(err)
	return exitError
}

// printError writes err as "error: …" lines, a spec problem also as a
// GitHub annotation, and the hint, if any, as "hint: …".
func (ios *IO) printError(err error) {
	var specErrs spec.Errors
	if errors.As(err, &specErrs) {
		for _, se := range specErrs {
			fmt.Fprintf(ios.Err, "error: %s\n", se)
			ios.Actions.Error(se.Pos.File, se.Pos.Line, se.Pos.Column, se.Msg)
		}
		fmt.Fprintf(ios.Err, "%d problem(s) in the spec; nothing was changed\n", len(specErrs))
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(ios.Err, "error: %s\n", line)
	}
	var se *spec.Error
	if errors.As(err, &se) && se.Pos.File != "" {
		ios.Actions.Error(se.Pos.File, se.Pos.Line, se.Pos.Column, se.Msg)
	}
	var h *hintError
	if errors.As(err, &h) {
		fmt.Fprintf(ios.Err, "hint: %s\n", h.hint)
	}
}
