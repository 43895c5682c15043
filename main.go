// Command ldtokens keeps LaunchDarkly API access tokens declared in Git.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ldtokens/ldtokens/internal/cli"
)

func main() {
	os.Exit(run())
}

// run runs the CLI with the process's arguments, streams and environment.
// The first interrupt (Ctrl-C, SIGTERM) cancels the run's context: apply
// stops starting changes and lets those under way finish. A second one
// kills at once.
func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	return cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Environ())
}
