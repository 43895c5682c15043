package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/spec"
)

// The option groups several commands share. Each command's XOptions holds
// the groups it takes; each group lists its own flags, bound to its fields,
// so that a flag is one field and one line.

// SpecOptions name the spec.
type SpecOptions struct {
	// Files are spec files and directories (-f, repeatable).
	Files []string
}

func (o *SpecOptions) flags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.GenericFlag{Name: "file", Aliases: []string{"f"}, Value: (*stringsValue)(&o.Files),
			Usage: "read the spec from `FILE`, or from every *.yaml and *.yml in a DIR; repeatable"},
	}
}

// load loads the spec.
func (o SpecOptions) load() (*spec.Spec, error) {
	if len(o.Files) == 0 {
		return nil, withHint(errors.New("no spec given"), "pass -f FILE or -f DIR")
	}
	return spec.Load(o.Files...)
}

// ConnectOptions say how to reach LaunchDarkly.
type ConnectOptions struct {
	// APIHost is --api-host; empty: env LAUNCHDARKLY_API_HOST, else
	// LaunchDarkly's.
	APIHost string
	// AccessTokenFile is --access-token-file; empty: the environment.
	AccessTokenFile string
	// Emulator is --emulator: serve the API in-process from this snapshot.
	Emulator string
	// Timeout bounds the whole run; 0 is no bound.
	Timeout time.Duration
}

// defaultTimeout is --timeout's default.
const defaultTimeout = 10 * time.Minute

func (o *ConnectOptions) flags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "api-host", Destination: &o.APIHost, DefaultText: "https://app.launchdarkly.com",
			Usage: "LaunchDarkly API host `URL`: scheme, host and port only (env LAUNCHDARKLY_API_HOST)"},
		&ucli.StringFlag{Name: "access-token-file", Destination: &o.AccessTokenFile,
			Usage: "read the access token from `FILE` (else env LAUNCHDARKLY_ACCESS_TOKEN or LD_ACCESS_TOKEN)"},
		&ucli.StringFlag{Name: "emulator", Destination: &o.Emulator,
			Usage: "no network: serve the API in-process from the account snapshot `FILE` (changes are written back)"},
		&ucli.GenericFlag{Name: "timeout", Value: newDurationValue(&o.Timeout, defaultTimeout),
			Usage: "give up on the whole run after `DURATION` (90s, 10m, 1h30m)"},
	}
}

// OutputOptions say how the report is written.
type OutputOptions struct {
	// Format is -o: one of the command's formats.
	Format string
	// NoColor is --no-color.
	NoColor bool
}

func (o *OutputOptions) flags(formats ...string) []ucli.Flag {
	return []ucli.Flag{
		formatFlag(&o.Format, formats...),
		&ucli.BoolFlag{Name: "no-color", Destination: &o.NoColor,
			Usage: "no colour (also NO_COLOR, CLICOLOR=0, TERM=dumb; never when stdout is not a terminal)"},
	}
}

// check fails unless Format is one of formats.
func (o OutputOptions) check(formats ...string) error { return checkFormat(o.Format, formats...) }

// formatFlag is -o, bound to dest: one of formats, the first by default.
func formatFlag(dest *string, formats ...string) ucli.Flag {
	return &formatsFlag{StringFlag: &ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: formats[0], Destination: dest,
		Usage: "report `FORMAT`: " + strings.Join(formats, ", ")}, formats: formats}
}

// formatsFlag is -o: a string flag that knows its values, for completion.
type formatsFlag struct {
	*ucli.StringFlag
	formats []string
}

// checkFormat fails unless format is one of formats.
func checkFormat(format string, formats ...string) error {
	if slices.Contains(formats, format) {
		return nil
	}
	return withHint(fmt.Errorf("-o %s: unknown format", format), "use one of "+strings.Join(formats, ", "))
}

// SinkOptions say where new secrets go.
type SinkOptions struct {
	// SecretsDir is --secrets-dir.
	SecretsDir string
	// SecretCommand is --secret-command.
	SecretCommand string
	// NoVerify is --no-verify: deliver new secrets without first proving
	// them with GET /api/v2/caller-identity.
	NoVerify bool
}

func (o *SinkOptions) flags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "secrets-dir", Destination: &o.SecretsDir,
			Usage: "write each new secret to `DIR`/<name>.token (mode 0600)"},
		&ucli.StringFlag{Name: "secret-command", Destination: &o.SecretCommand,
			Usage: "run `CMD` with sh -c once per new secret (the secret on stdin) and once per deleted token (LDTOKENS_ACTION=delete, empty stdin), with LDTOKENS_TOKEN_NAME, LDTOKENS_TOKEN_ID, LDTOKENS_SECRET_NAME and LDTOKENS_ACTION set (and LDTOKENS_RETIRED=true when a retired token is deleted)"},
		&ucli.BoolFlag{Name: "no-verify", Destination: &o.NoVerify,
			Usage: "deliver new secrets without proving them first with GET /api/v2/caller-identity (for hosts without it)"},
	}
}

// flagList joins flag groups.
func flagList(groups ...[]ucli.Flag) []ucli.Flag {
	var out []ucli.Flag
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// stringsValue is a repeatable string flag. Unlike urfave's StringSlice, it
// never splits a value at commas: a path may hold one.
type stringsValue []string

// aliasCopy is what Serialize gives urfave/cli to copy from one of a flag's
// names to the others (-f to --file): they share the value, so there is
// nothing to copy, and Set ignores it.
const aliasCopy = "\x00ldtokens:alias-copy"

func (v *stringsValue) Set(s string) error {
	if s != aliasCopy {
		*v = append(*v, s)
	}
	return nil
}

func (v *stringsValue) String() string    { return "" }
func (v *stringsValue) Serialize() string { return aliasCopy }

// durationValue is a duration flag in the one syntax of the spec and every
// flag: 90d, 12h, 30m, 1h30m, 45s.
type durationValue struct{ d *time.Duration }

// newDurationValue binds a duration flag to d, set to def.
func newDurationValue(d *time.Duration, def time.Duration) *durationValue {
	*d = def
	return &durationValue{d: d}
}

func (v *durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

func (v *durationValue) String() string {
	if v.d == nil || *v.d == 0 {
		return ""
	}
	if *v.d%time.Second != 0 {
		return v.d.String()
	}
	return spec.Duration{Duration: *v.d}.String()
}

// parseDuration reads a flag's duration with spec.ParseDuration, the one
// parser of the spec's durations and every flag's: 90d, 12h, 1h30m, 50ms.
func parseDuration(s string) (time.Duration, error) {
	d, err := spec.ParseDuration(s)
	return d.Duration, err
}
