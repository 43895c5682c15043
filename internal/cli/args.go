package cli

import (
	"context"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// interspersed moves a command's flags ahead of its positional arguments,
// so that `ldtokens rotate NAME -f spec.yaml` and `ldtokens apply PLANFILE
// --secrets-dir DIR` parse as they read: urfave/cli v2 stops parsing flags
// at the first positional argument. Arguments after "--" stay positional.
func interspersed(app *ucli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmd := app.Command(args[1])
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*ucli.BoolFlag)
		for _, name := range f.Names() {
			takesValue[name] = !isBool
		}
	}
	var flags, positional []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		default:
			positional = append(positional, a)
		}
	}
	out := append([]string{args[0], args[1]}, flags...)
	if len(positional) > 0 {
		out = append(append(out, "--"), positional...)
	}
	return out
}

// noArgsAction is the Action of a command that takes no positional
// argument: it refuses any, then runs the command with its options.
func noArgsAction[O any](run func(context.Context, *O) error, opts *O) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		if err := noArgs(c); err != nil {
			return err
		}
		return run(c.Context, opts)
	}
}

// noArgs refuses positional arguments.
func noArgs(c *ucli.Context) error {
	_, err := argsBetween(c, 0, 0)
	return err
}

// argsBetween returns the positional arguments, refusing fewer than least
// or more than most (most < 0: no limit).
func argsBetween(c *ucli.Context, least, most int) ([]string, error) {
	args := c.Args().Slice()
	usage := fmt.Sprintf("usage: %s; run 'ldtokens %s --help' for more", strings.SplitN(c.Command.UsageText, "\n", 2)[0], c.Command.Name)
	switch {
	case most >= 0 && len(args) > most:
		return nil, withHint(fmt.Errorf("unexpected argument %q", args[most]), usage)
	case len(args) < least:
		return nil, withHint(fmt.Errorf("ldtokens %s: missing %s", c.Command.Name, c.Command.ArgsUsage), usage)
	}
	return args, nil
}
