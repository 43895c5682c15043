// Command ldtokens keeps LaunchDarkly API access tokens declared in Git.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ldtokens/ldtokens/internal/cli"
)

func main() {
	os.Exit(run())
}

// run runs the CLI with the process's arguments, streams and environment,
// and its interrupts (Ctrl-C, SIGTERM) as handleInterrupts says.
func run() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	abort := make(chan struct{})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go handleInterrupts(sigs, cancel, abort, os.Stderr, os.Exit)
	return cli.Run(ctx, cli.Streams{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args, os.Environ(), cli.Signals{Abort: abort})
}

// handleInterrupts escalates, the way CI cancels a run (SIGINT, then
// SIGTERM, then SIGKILL seconds later): the first interrupt cancels the run
// (nothing new starts, what is under way finishes), the second closes abort
// (deliveries under way are cancelled and their tokens rolled back), the
// third exits at once with code 1. Each says so on stderr.
func handleInterrupts(sigs <-chan os.Signal, cancel func(), abort chan<- struct{}, stderr io.Writer, exit func(int)) {
	n := 0
	for range sigs {
		n++
		switch n {
		case 1:
			fmt.Fprintln(stderr, "Interrupted: starting nothing new and finishing what is under way; interrupt again to abort it.")
			cancel()
		case 2:
			fmt.Fprintln(stderr, "Interrupted again: aborting what is under way, rolling back tokens whose secrets were not delivered; interrupt again to exit at once.")
			close(abort)
		default:
			fmt.Fprintln(stderr, "Interrupted a third time: exiting now.")
			exit(1)
			return
		}
	}
}
