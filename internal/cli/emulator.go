package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/emulator"
)

// EmulatorOptions are the options of `ldtokens emulator`.
type EmulatorOptions struct {
	IO *IO
	// Listen is --listen: the address to serve on.
	Listen string
	// State is --state: the account snapshot file, created when missing.
	State string
	// Faults are the fault flags.
	Faults emulator.Faults
	// MaxPageSize is --max-page-size.
	MaxPageSize int
	// Seed is --seed; the Action sets it from the clock when not given.
	Seed uint64
}

func newEmulatorCommand(ios *IO) *ucli.Command {
	opts := &EmulatorOptions{IO: ios}
	f := &opts.Faults
	return &ucli.Command{
		Name:      "emulator",
		Usage:     "serve the LaunchDarkly tokens API locally",
		UsageText: "ldtokens emulator --state FILE [--listen ADDR] [fault flags]",
		Description: `Serves the access-token endpoints, GET /api/v2/roles,
GET /api/v2/caller-identity and GET /api/v2/auditlog from the account
snapshot FILE, writing every change back to it. It accepts the access token from LAUNCHDARKLY_ACCESS_TOKEN
(or LD_ACCESS_TOKEN), or any token when neither is set. Fault flags make it
misbehave the way a real network and a rate-limited account do. It runs
until interrupted.

Point ldtokens at it with --api-host http://ADDR.

Examples:
  ldtokens emulator --state account.json
  ldtokens emulator --state account.json --listen 127.0.0.1:9000 --rate-limit 20 --error-rate 0.05`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "listen", Value: "127.0.0.1:8484", Destination: &opts.Listen, Usage: "listen on `ADDR` (host:port)"},
			&ucli.StringFlag{Name: "state", Destination: &opts.State, Usage: "account snapshot `FILE` (created when missing); required"},
			&ucli.IntFlag{Name: "rate-limit", Destination: &f.RateLimit, Usage: "answer requests past `N` per --rate-window with 429"},
			&ucli.GenericFlag{Name: "rate-window", Value: newDurationValue(&f.Window, 10*time.Second), Usage: "rate-limit window `DURATION`"},
			&ucli.BoolFlag{Name: "retry-after", Destination: &f.RetryAfter, Usage: "send Retry-After with 429s"},
			&ucli.Float64Flag{Name: "error-rate", Destination: &f.ErrorRate, Usage: "answer this `FRACTION` of requests (0 to 1) with 502/503"},
			&ucli.GenericFlag{Name: "latency", Value: newDurationValue(&f.Latency, 0), Usage: "delay every response by `DURATION` (50ms, 1s)"},
			&ucli.IntFlag{Name: "lose-creates", Destination: &f.LoseCreates, Usage: "lose the responses of the first `N` creates (the tokens are made)"},
			&ucli.IntFlag{Name: "max-page-size", Value: 1000, Destination: &opts.MaxPageSize, Usage: "cap the limit of list requests at `N`"},
			&ucli.Uint64Flag{Name: "seed", Destination: &opts.Seed, DefaultText: "from the clock", Usage: "seed `N` for IDs and faults"},
		},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			if !c.IsSet("seed") {
				opts.Seed = uint64(ios.Now().UnixNano())
			}
			return runEmulator(c.Context, opts)
		},
	}
}

// runEmulator serves until ctx is cancelled.
func runEmulator(ctx context.Context, opts *EmulatorOptions) error {
	ios := opts.IO
	if opts.State == "" {
		return withHint(errors.New("no account snapshot given"), "pass --state FILE (created when missing)")
	}
	acct, err := emulator.LoadAccount(opts.State)
	if err != nil {
		return err
	}
	token := strings.TrimSpace(ios.Getenv("LAUNCHDARKLY_ACCESS_TOKEN"))
	if token == "" {
		token = strings.TrimSpace(ios.Getenv("LD_ACCESS_TOKEN"))
	}
	srv := emulator.New(acct, emulator.Options{
		AccessToken: token,
		MaxPageSize: opts.MaxPageSize,
		Seed:        opts.Seed,
		Faults:      opts.Faults,
		Now:         ios.Now,
		OnChange: func(a emulator.Account) {
			if err := emulator.SaveAccount(opts.State, a); err != nil {
				fmt.Fprintf(ios.Err, "warning: %v\n", err)
			}
		},
	})
	if err := emulator.SaveAccount(opts.State, srv.Snapshot()); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	auth := "any access token"
	if token != "" {
		auth = "the access token from the environment"
	}
	fmt.Fprintf(ios.Err, "Serving the LaunchDarkly tokens API on http://%s (state %s), accepting %s.\n", ln.Addr(), opts.State, auth)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		fmt.Fprintln(ios.Err, "Stopped.")
		return nil
	}
}
