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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once
	}()
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}
