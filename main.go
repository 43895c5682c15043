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
// Interrupts (Ctrl-C, SIGTERM) escalate as CI cancels a run: the first
// cancels the run's context (apply starts nothing new and lets what is
// under way finish), the second aborts (apply stops what is under way and
// rolls back tokens whose secrets reached no sink), the third exits at once.
func run() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	abort := make(chan struct{})
	sigs := make(chan os.Signal, 3)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		<-sigs
		cancel()
		<-sigs
		close(abort)
		<-sigs
		os.Exit(1)
	}()
	return cli.RunAbortable(ctx, abort, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Environ())
}
