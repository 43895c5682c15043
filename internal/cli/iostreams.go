package cli

import (
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/ldtokens/ldtokens/ghactions"
	"github.com/ldtokens/ldtokens/render"
)

// IO is everything a command may touch of the outside world. Run fills it
// from the process; tests fill it themselves and call a command's run
// function directly. Commands reach nothing else: no os.Stdout, os.Getenv,
// http.DefaultClient or time.Now.
type IO struct {
	// In is standard input, read only to ask for approval.
	In io.Reader
	// Out is stdout: the report and nothing else.
	Out io.Writer
	// Err is stderr: progress, warnings, errors, prompts and workflow
	// commands.
	Err io.Writer
	// InTerminal says In is a terminal a person can answer on.
	InTerminal bool
	// OutTerminal and ErrTerminal say Out and Err are terminals; colour is
	// only ever used on one.
	OutTerminal, ErrTerminal bool
	// Getenv looks up an environment variable; "" when unset.
	Getenv func(string) string
	// Environ is the whole environment, KEY=value, for a secret command.
	Environ []string
	// Now is the clock.
	Now func() time.Time
	// HTTPClient sends requests to LaunchDarkly.
	HTTPClient *http.Client
	// Actions writes workflow commands (to Err), the step summary and the
	// step outputs under GitHub Actions; it does nothing elsewhere.
	Actions *ghactions.Actions
	// Abort is closed on the second interrupt: deliveries under way are
	// cancelled and their tokens rolled back.
	Abort <-chan struct{}
}

// newIO is the IO of a process: its streams, its environment, the real clock
// and a new HTTP client.
func newIO(st Streams, environ []string, sig Signals) *IO {
	lookup := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			lookup[k] = v
		}
	}
	// Parallel changes, secret commands and masking all write: one lock a
	// stream keeps their lines whole.
	out, errOut := &syncWriter{w: st.Stdout}, &syncWriter{w: st.Stderr}
	getenv := func(k string) string { return lookup[k] }
	return &IO{
		In: st.Stdin, Out: out, Err: errOut,
		InTerminal: isTerminal(st.Stdin), OutTerminal: isTerminal(st.Stdout), ErrTerminal: isTerminal(st.Stderr),
		Getenv: getenv, Environ: environ, Now: time.Now,
		HTTPClient: &http.Client{},
		Actions:    ghactions.FromEnv(getenv, errOut),
		Abort:      sig.Abort,
	}
}

// isTerminal reports whether v is an *os.File open on a terminal. A file,
// a pipe or /dev/null is not one.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// colorAllowed reports whether the environment and noColor allow colour at
// all: not with --no-color, NO_COLOR set (to anything), CLICOLOR=0 or
// TERM=dumb.
func (ios *IO) colorAllowed(noColor bool) bool {
	return !noColor && ios.Getenv("NO_COLOR") == "" && ios.Getenv("CLICOLOR") != "0" && ios.Getenv("TERM") != "dumb"
}

// outStyle is how the report on Out is drawn.
func (ios *IO) outStyle(noColor bool) render.Style {
	return render.Style{Color: ios.OutTerminal && ios.colorAllowed(noColor)}
}

// errStyle is how progress on Err is drawn.
func (ios *IO) errStyle(noColor bool) render.Style {
	return render.Style{Color: ios.ErrTerminal && ios.colorAllowed(noColor)}
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
