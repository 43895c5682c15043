package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/ghactions"
	"github.com/ldtokens/ldtokens/spec"
)

// Version is the ldtokens version, set at build time with
// -ldflags "-X github.com/ldtokens/ldtokens/internal/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Exit codes.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // plan --detailed-exitcode with changes; drift found
)

// exitErr carries an exit code; its error, if any, has been reported.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// hintErr is an error with a line of advice.
type hintErr struct {
	err  error
	hint string
}

func (e *hintErr) Error() string { return e.err.Error() }
func (e *hintErr) Unwrap() error { return e.err }

func withHint(err error, hint string) error { return &hintErr{err: err, hint: hint} }

// env is what a command may touch of the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string
	getenv         func(string) string
	gha            *ghactions.Actions
	// abort is closed on the second interrupt (applier.Options.Abort).
	abort <-chan struct{}
	// failed is set by handlers that report an error themselves.
	failed bool
}

// Run runs ldtokens with args (args[0] is the program name) and returns the
// exit code. ctx is cancelled on interrupt.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	return RunAbortable(ctx, nil, args, stdin, stdout, stderr, environ)
}

// RunAbortable is Run with abort, closed on the second interrupt: apply
// then stops the changes under way and rolls back tokens whose secrets
// reached no sink (applier.Options.Abort).
func RunAbortable(ctx context.Context, abort <-chan struct{}, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	lookup := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			lookup[k] = v
		}
	}
	// Parallel changes, secret commands and masking all write: one lock a
	// stream keeps their lines whole.
	stdout, stderr = &syncWriter{w: stdout}, &syncWriter{w: stderr}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ, getenv: func(k string) string { return lookup[k] }, abort: abort}
	e.gha = ghactions.FromEnv(e.getenv, stdout)
	app := newApp(e)
	err := app.RunContext(ctx, interspersed(app, args))
	if err == nil && e.failed {
		return exitError
	}
	return e.report(err)
}

// report prints err and maps it to an exit code: the one place that does.
func (e *env) report(err error) int {
	if err == nil {
		return exitOK
	}
	var ex *exitErr
	if errors.As(err, &ex) {
		if ex.err != nil {
			e.printError(ex.err)
		}
		return ex.code
	}
	e.printError(err)
	return exitError
}

func (e *env) printError(err error) {
	var specErrs spec.Errors
	if errors.As(err, &specErrs) {
		for _, se := range specErrs {
			fmt.Fprintf(e.stderr, "error: %s\n", se)
			e.gha.Error(se.Pos.File, se.Pos.Line, se.Pos.Column, se.Msg)
		}
		fmt.Fprintf(e.stderr, "%d problem(s) in the spec; nothing was changed\n", len(specErrs))
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(e.stderr, "error: %s\n", line)
	}
	var h *hintErr
	if errors.As(err, &h) {
		fmt.Fprintf(e.stderr, "hint: %s\n", h.hint)
	}
}

func newApp(e *env) *ucli.App {
	app := &ucli.App{
		Name:    "ldtokens",
		Usage:   "keep LaunchDarkly API access tokens declared in Git",
		Version: version(),
		Description: `ldtokens plans and applies LaunchDarkly access tokens from YAML. A plan
shows the exact API calls (JSON Patch included) a change will make; apply
makes LaunchDarkly match, delivering each new secret only to a secret sink;
drift audits the account for changes made by hand.

Connect with LAUNCHDARKLY_ACCESS_TOKEN (or LD_ACCESS_TOKEN, or
--access-token-file), or try everything offline with --emulator FILE.`,
		Reader:               e.stdin,
		Writer:               e.stdout,
		ErrWriter:            e.stderr,
		HideVersion:          true,
		EnableBashCompletion: true,
		ExitErrHandler:       func(*ucli.Context, error) {}, // errors are mapped to exit codes in report
		OnUsageError: func(c *ucli.Context, err error, _ bool) error {
			return withHint(err, "run 'ldtokens --help' for usage")
		},
		Commands: []*ucli.Command{
			validateCommand(e),
			planCommand(e),
			applyCommand(e),
			driftCommand(e),
			rotateCommand(e),
			importCommand(e),
			emulatorCommand(e),
			schemaCommand(e),
			versionCommand(e),
		},
		CommandNotFound: func(c *ucli.Context, name string) {
			fmt.Fprintf(e.stderr, "error: unknown command %q\nhint: run 'ldtokens --help' for the commands\n", name)
			e.failed = true
		},
	}
	for _, cmd := range app.Commands {
		cmd.OnUsageError = func(c *ucli.Context, err error, _ bool) error {
			return withHint(err, fmt.Sprintf("run 'ldtokens %s --help' for usage", c.Command.Name))
		}
	}
	return app
}

func schemaCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "schema",
		Usage: "print the spec's JSON Schema (for editors: yaml-language-server)",
		Action: func(c *ucli.Context) error {
			b, err := spec.JSONSchema()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(e.stdout, string(b))
			return err
		},
	}
}

func versionCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "version",
		Usage: "print the version",
		Action: func(c *ucli.Context) error {
			_, err := fmt.Fprintf(e.stdout, "ldtokens %s\n", version())
			return err
		},
	}
}

// syncWriter serializes writes to a stream.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// isTerminal reports whether f, or the stream a syncWriter wraps, is a
// terminal.
func isTerminal(f any) bool {
	if s, ok := f.(*syncWriter); ok {
		f = s.w
	}
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
