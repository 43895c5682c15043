package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/render"
	"github.com/ldtokens/ldtokens/secret"
	"github.com/ldtokens/ldtokens/spec"
)

// Flag names shared by several commands.
const (
	flagFile        = "file"
	flagAPIHost     = "api-host"
	flagTokenFile   = "access-token-file"
	flagEmulator    = "emulator"
	flagNoColor     = "no-color"
	flagOutput      = "output"
	flagTimeout     = "timeout"
	flagSecretsDir  = "secrets-dir"
	flagSecretCmd   = "secret-command"
	flagAllowEmpty  = "allow-empty"
	flagParallelism = "parallelism"
)

func specFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringSliceFlag{Name: flagFile, Aliases: []string{"f"}, Usage: "spec `PATH` (a file, or a directory of *.yaml and *.yml); repeatable"},
	}
}

func connectFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: flagAPIHost, Usage: "LaunchDarkly API host `URL` (env LAUNCHDARKLY_API_HOST)", DefaultText: ldapi.DefaultHost},
		&ucli.StringFlag{Name: flagTokenFile, Usage: "read the access token from `PATH` (else env LAUNCHDARKLY_ACCESS_TOKEN or LD_ACCESS_TOKEN)"},
		&ucli.StringFlag{Name: flagEmulator, Usage: "no network: serve the API in-process from the account snapshot `FILE` (changes are written back)"},
		&ucli.DurationFlag{Name: flagTimeout, Value: 10 * time.Minute, Usage: "give up on the whole run after this long"},
	}
}

func outputFlags(formats ...string) []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: flagOutput, Aliases: []string{"o"}, Value: "text", Usage: "report format: " + strings.Join(formats, ", ")},
		&ucli.BoolFlag{Name: flagNoColor, Usage: "no colour (also NO_COLOR)"},
	}
}

func sinkFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: flagSecretsDir, Usage: "write each new secret to `DIR`/<name>.token (mode 0600)"},
		&ucli.StringFlag{Name: flagSecretCmd, Usage: "run `CMD` with sh -c once per new secret, the secret on stdin and LDTOKENS_TOKEN_NAME, LDTOKENS_TOKEN_ID, LDTOKENS_ACTION set"},
	}
}

func concat(groups ...[]ucli.Flag) []ucli.Flag {
	var out []ucli.Flag
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// outputFormat reads -o and checks it is one of formats.
func outputFormat(c *ucli.Context, formats ...string) (string, error) {
	o := c.String(flagOutput)
	for _, f := range formats {
		if o == f {
			return o, nil
		}
	}
	return "", withHint(fmt.Errorf("-o %s: unknown format", o), "use one of "+strings.Join(formats, ", "))
}

func (e *env) style(c *ucli.Context) render.Style {
	return render.Style{Color: isTerminal(e.stdout) && !c.Bool(flagNoColor) && e.getenv("NO_COLOR") == ""}
}

// loadSpec loads the -f files.
func loadSpec(c *ucli.Context) (*spec.Spec, error) {
	files := c.StringSlice(flagFile)
	if len(files) == 0 {
		return nil, withHint(errors.New("no spec given"), "pass -f FILE or -f DIR")
	}
	return spec.Load(files...)
}

// conn is a connection to LaunchDarkly or the embedded emulator.
type conn struct {
	client *ldapi.Client
	host   string
}

// emulatorHost is the API host recorded for --emulator.
const emulatorHost = "http://emulator.ldtokens.invalid"

// connect builds the API client from flags and environment.
func (e *env) connect(c *ucli.Context, onSecret func(secret.Secret)) (*conn, error) {
	cfg := ldapi.Config{UserAgent: "ldtokens/" + version(), OnSecret: onSecret, HTTPClient: &http.Client{}}
	if file := c.String(flagEmulator); file != "" {
		acct, err := loadSnapshot(file)
		if err != nil {
			return nil, err
		}
		srv := emulator.New(acct, emulator.Options{OnChange: func(a emulator.Account) {
			if err := emulator.SaveAccount(file, a); err != nil {
				fmt.Fprintf(e.stderr, "warning: %v\n", err)
			}
		}})
		cfg.Host = emulatorHost
		cfg.Token = secret.New("emulator")
		cfg.TokenSource = "--emulator"
		cfg.HTTPClient = &http.Client{Transport: emulator.Transport(srv)}
	} else {
		cfg.Host = firstNonEmpty(c.String(flagAPIHost), e.getenv("LAUNCHDARKLY_API_HOST"), ldapi.DefaultHost)
		tok, src, err := e.accessToken(c)
		if err != nil {
			return nil, err
		}
		cfg.Token, cfg.TokenSource = tok, src
		e.gha.Mask(tok)
	}
	client, err := ldapi.New(cfg)
	if err != nil {
		return nil, err
	}
	return &conn{client: client, host: client.Host()}, nil
}

func loadSnapshot(file string) (emulator.Account, error) {
	if _, err := os.Stat(file); err != nil {
		return emulator.Account{}, withHint(fmt.Errorf("--emulator: %w", err), "give an account snapshot (JSON), such as examples/account.json")
	}
	return emulator.LoadAccount(file)
}

// accessToken finds the access token: --access-token-file, else
// LAUNCHDARKLY_ACCESS_TOKEN, else LD_ACCESS_TOKEN.
func (e *env) accessToken(c *ucli.Context) (secret.Secret, string, error) {
	if path := c.String(flagTokenFile); path != "" {
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
		if v := strings.TrimSpace(e.getenv(name)); v != "" {
			return secret.New(v), "$" + name, nil
		}
	}
	return secret.Secret{}, "", withHint(errors.New("no access token"),
		"set LAUNCHDARKLY_ACCESS_TOKEN (or LD_ACCESS_TOKEN), or pass --access-token-file PATH; to try ldtokens without an account, pass --emulator examples/account.json")
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// sinks builds the secret sinks from flags; nil when none is given.
func (e *env) sinks(c *ucli.Context) secret.Sink {
	var s secret.Sinks
	if dir := c.String(flagSecretsDir); dir != "" {
		s = append(s, secret.DirSink{Dir: dir})
	}
	if cmd := c.String(flagSecretCmd); cmd != "" {
		s = append(s, secret.CommandSink{Command: cmd, Env: e.environ, Output: e.stderr})
	}
	if len(s) == 0 {
		return nil
	}
	return s
}

// withTimeout bounds the run by --timeout.
func withTimeout(c *ucli.Context) (context.Context, context.CancelFunc) {
	if d := c.Duration(flagTimeout); d > 0 {
		return context.WithTimeout(c.Context, d)
	}
	return context.WithCancel(c.Context)
}

// listErr names the listing in an error, except a refused access token,
// which says everything itself.
func listErr(err error) error {
	if ldapi.IsStatus(err, http.StatusUnauthorized) {
		return err
	}
	return fmt.Errorf("list tokens: %w", err)
}
