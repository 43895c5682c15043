package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/secret"
)

// emulatorHost is the API host recorded for --emulator.
const emulatorHost = "http://emulator.ldtokens.invalid"

// connect builds the API client: to the embedded emulator with --emulator,
// else to the host of --api-host or the environment with the access token
// of --access-token-file or the environment. Under GitHub Actions the access
// token is masked before any request is made. onSecret, when not nil,
// receives every secret the server issues, as soon as it arrives.
func (ios *IO) connect(o ConnectOptions, onSecret func(secret.Secret)) (*ldapi.Client, error) {
	cfg := ldapi.Config{UserAgent: "ldtokens/" + version(), OnSecret: onSecret, HTTPClient: ios.HTTPClient}
	if d, err := ios.testOnlyDuration("LDTOKENS_TEST_ATTEMPT_TIMEOUT"); err != nil {
		return nil, err
	} else if d > 0 {
		cfg.AttemptTimeout = d
	}
	cfg.OnWait = func(d time.Duration, reason string) {
		fmt.Fprintf(ios.Err, "waiting %s: %s\n", d.Round(time.Second), reason)
	}
	if o.Emulator != "" {
		acct, err := loadSnapshot(o.Emulator)
		if err != nil {
			return nil, err
		}
		srv := emulator.New(acct, emulator.Options{OnChange: func(a emulator.Account) {
			if err := emulator.SaveAccount(o.Emulator, a); err != nil {
				fmt.Fprintf(ios.Err, "warning: %v\n", err)
			}
		}})
		cfg.Host = emulatorHost
		cfg.Token = secret.New("emulator")
		cfg.TokenSource = "--emulator"
		cfg.HTTPClient = &http.Client{Transport: emulator.Transport(srv)}
		return ldapi.New(cfg)
	}
	host, err := ios.apiHost(o)
	if err != nil {
		return nil, err
	}
	tok, src, err := ios.accessToken(o)
	if err != nil {
		return nil, err
	}
	ios.Actions.Mask(tok)
	cfg.Host, cfg.Token, cfg.TokenSource = host, tok, src
	return ldapi.New(cfg)
}

// apiHost is --api-host, else LAUNCHDARKLY_API_HOST, else LaunchDarkly's.
// It may only name a scheme, a host and a port (ldapi.ParseHost): a value
// with user info (a password, say), a path or a query is refused without
// being echoed, since the host is printed in every plan.
func (ios *IO) apiHost(o ConnectOptions) (string, error) {
	raw, source := o.APIHost, "--api-host"
	if raw == "" {
		raw, source = ios.Getenv("LAUNCHDARKLY_API_HOST"), "LAUNCHDARKLY_API_HOST"
	}
	if raw == "" {
		return ldapi.DefaultHost, nil
	}
	u, err := ldapi.ParseHost(raw)
	if err != nil {
		return "", withHint(fmt.Errorf("%s: %w (the value is not shown: it may hold credentials)", source, err),
			"give a scheme, a host and a port only, such as https://app.launchdarkly.com or http://127.0.0.1:8484")
	}
	return u.String(), nil
}

func loadSnapshot(file string) (emulator.Account, error) {
	if _, err := os.Stat(file); err != nil {
		return emulator.Account{}, withHint(fmt.Errorf("--emulator: %w", err), "give an account snapshot (JSON), such as examples/account.json")
	}
	return emulator.LoadAccount(file)
}

// accessToken finds the access token: --access-token-file, else
// LAUNCHDARKLY_ACCESS_TOKEN, else LD_ACCESS_TOKEN. It returns where it was
// read from, for a refusal's message.
func (ios *IO) accessToken(o ConnectOptions) (secret.Secret, string, error) {
	if path := o.AccessTokenFile; path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return secret.Secret{}, "", fmt.Errorf("--access-token-file: %w", err)
		}
		tok := strings.TrimSpace(string(data))
		if tok == "" {
			return secret.Secret{}, "", fmt.Errorf("--access-token-file %s is empty", path)
		}
		return secret.New(tok), "--access-token-file " + path, nil
	}
	for _, name := range []string{"LAUNCHDARKLY_ACCESS_TOKEN", "LD_ACCESS_TOKEN"} {
		if v := strings.TrimSpace(ios.Getenv(name)); v != "" {
			return secret.New(v), "$" + name, nil
		}
	}
	return secret.Secret{}, "", withHint(errors.New("no access token"),
		"set LAUNCHDARKLY_ACCESS_TOKEN (or LD_ACCESS_TOKEN), or pass --access-token-file FILE; to try ldtokens without an account, pass --emulator examples/account.json")
}

// settleWindow is how long a lost create is looked for before it is sent
// again: the applier's default, which suits the default attempt timeout,
// unless a test shortened the attempt timeout (then 5 s longer than it) or
// the window itself.
func (ios *IO) settleWindow() (time.Duration, error) {
	if d, err := ios.testOnlyDuration("LDTOKENS_TEST_SETTLE_WINDOW"); err != nil || d > 0 {
		return d, err
	}
	d, err := ios.testOnlyDuration("LDTOKENS_TEST_ATTEMPT_TIMEOUT")
	if err != nil || d == 0 {
		return 0, err
	}
	return d + 5*time.Second, nil
}

// testOnlyDuration reads a duration from an environment variable that only
// end-to-end tests set (LDTOKENS_TEST_ATTEMPT_TIMEOUT,
// LDTOKENS_TEST_SETTLE_WINDOW, LDTOKENS_TEST_VERIFY_WAIT), to shorten a
// wait; 0 when unset.
func (ios *IO) testOnlyDuration(name string) (time.Duration, error) {
	v := ios.Getenv(name)
	if v == "" {
		return 0, nil
	}
	d, err := parseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// withTimeout bounds ctx by o.Timeout.
func withTimeout(ctx context.Context, o ConnectOptions) (context.Context, context.CancelFunc) {
	if o.Timeout > 0 {
		return context.WithTimeout(ctx, o.Timeout)
	}
	return context.WithCancel(ctx)
}
