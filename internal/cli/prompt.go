package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/render"
)

// approve asks a person to approve the plan p of cmd (see confirm). When the
// report is not text, the plan was not shown on stdout: it is shown on
// stderr first, so that the question is never asked blind.
func (ios *IO) approve(ctx context.Context, cmd string, o OutputOptions, p planner.Plan, hint string) error {
	if ios.InTerminal && o.Format != "text" {
		if err := render.PlanText(ios.Err, p, ios.errStyle(o.NoColor)); err != nil {
			return err
		}
	}
	return ios.confirm(ctx, cmd, hint)
}

// confirm asks on stderr whether to go on with cmd, and reads the answer
// from stdin: only "yes" goes on. Without a terminal on stdin (a pipe, a
// file, /dev/null) there is no one to ask, and it refuses with hint.
func (ios *IO) confirm(ctx context.Context, cmd, hint string) error {
	if !ios.InTerminal {
		return withHint(fmt.Errorf("%s needs approval and there is no terminal to ask on", cmd), hint)
	}
	fmt.Fprint(ios.Err, "\nDo you want to perform these actions? Only 'yes' is accepted: ")
	type answer struct {
		line string
		err  error
	}
	// The read blocks until a line comes; an interrupt must not wait for it.
	answers := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(ios.In).ReadString('\n')
		answers <- answer{line, err}
	}()
	var a answer
	select {
	case <-ctx.Done():
		fmt.Fprintln(ios.Err)
		return fmt.Errorf("%s cancelled: nothing was changed", cmd)
	case a = <-answers:
	}
	if a.err != nil && !errors.Is(a.err, io.EOF) {
		return fmt.Errorf("read the answer: %w", a.err)
	}
	if strings.TrimSpace(a.line) != "yes" {
		return fmt.Errorf("%s cancelled: nothing was changed", cmd)
	}
	return nil
}
