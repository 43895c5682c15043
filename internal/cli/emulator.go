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

func emulatorCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "emulator",
		Usage:     "serve the LaunchDarkly tokens API locally",
		UsageText: "ldtokens emulator --listen 127.0.0.1:8484 --state account.json",
		Description: `Serves the access-token endpoints, GET /api/v2/roles and
GET /api/v2/caller-identity from the account snapshot FILE, writing every
change back to it. It accepts the access token from LAUNCHDARKLY_ACCESS_TOKEN
(or LD_ACCESS_TOKEN), or any token when neither is set. Fault flags make it
misbehave the way a real network and a rate-limited account do.

Point ldtokens at it with --api-host http://ADDR.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "listen", Value: "127.0.0.1:8484", Usage: "`ADDR` to listen on"},
			&ucli.StringFlag{Name: "state", Required: true, Usage: "account snapshot `FILE` (created when missing)"},
			&ucli.IntFlag{Name: "rate-limit", Usage: "answer requests past `N` per --rate-window with 429"},
			&ucli.DurationFlag{Name: "rate-window", Value: 10 * time.Second, Usage: "rate-limit window"},
			&ucli.BoolFlag{Name: "retry-after", Usage: "send Retry-After with 429s"},
			&ucli.Float64Flag{Name: "error-rate", Usage: "fraction of requests answered 502/503"},
			&ucli.DurationFlag{Name: "latency", Usage: "delay every response"},
			&ucli.IntFlag{Name: "lose-creates", Usage: "lose the responses of the first `N` creates (the tokens are made)"},
			&ucli.IntFlag{Name: "max-page-size", Value: 1000, Usage: "cap the limit of list requests"},
			&ucli.Uint64Flag{Name: "seed", Usage: "seed for IDs and faults (default: from the clock)"},
		},
		Action: func(c *ucli.Context) error {
			state := c.String("state")
			acct, err := emulator.LoadAccount(state)
			if err != nil {
				return err
			}
			seed := c.Uint64("seed")
			if !c.IsSet("seed") {
				seed = uint64(time.Now().UnixNano())
			}
			token := strings.TrimSpace(firstNonEmpty(e.getenv("LAUNCHDARKLY_ACCESS_TOKEN"), e.getenv("LD_ACCESS_TOKEN")))
			srv := emulator.New(acct, emulator.Options{
				AccessToken: token,
				MaxPageSize: c.Int("max-page-size"),
				Seed:        seed,
				Faults: emulator.Faults{
					RateLimit: c.Int("rate-limit"), Window: c.Duration("rate-window"), RetryAfter: c.Bool("retry-after"),
					ErrorRate: c.Float64("error-rate"), Latency: c.Duration("latency"), LoseCreates: c.Int("lose-creates"),
				},
				OnChange: func(a emulator.Account) {
					if err := emulator.SaveAccount(state, a); err != nil {
						fmt.Fprintf(e.stderr, "warning: %v\n", err)
					}
				},
			})
			if err := emulator.SaveAccount(state, srv.Snapshot()); err != nil {
				return err
			}
			ln, err := net.Listen("tcp", c.String("listen"))
			if err != nil {
				return err
			}
			hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
			auth := "any access token"
			if token != "" {
				auth = "the access token from the environment"
			}
			fmt.Fprintf(e.stderr, "Serving the LaunchDarkly tokens API on http://%s (state %s), accepting %s.\n", ln.Addr(), state, auth)
			errc := make(chan error, 1)
			go func() { errc <- hs.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-c.Context.Done():
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := hs.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				fmt.Fprintln(e.stderr, "Stopped.")
				return nil
			}
		},
	}
}
