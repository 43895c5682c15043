package cli

import (
	"context"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/render"
)

// ValidateOptions are the options of `ldtokens validate`.
type ValidateOptions struct {
	IO   *IO
	Spec SpecOptions
	// Format is -o: text or json.
	Format string
}

// validateFormats are validate's formats.
var validateFormats = []string{"text", "json"}

func newValidateCommand(ios *IO) *ucli.Command {
	opts := &ValidateOptions{IO: ios}
	return &ucli.Command{
		Name:      "validate",
		Usage:     "check the spec offline",
		UsageText: "ldtokens validate -f FILE [-f DIR] [-o text|json]",
		Description: `Reads every spec file and reports every problem at once, each as
file:line:column, and checks the declared tokens against the spec's
policy: a token that breaks an error rule is a problem at the token, a
warning rule is reported only. Exit 0 when valid, 1 when not. Makes no
network call.

Examples:
  ldtokens validate -f tokens.yaml
  ldtokens validate -f tokens/ -o json`,
		Flags:  flagList(opts.Spec.flags(), []ucli.Flag{formatFlag(&opts.Format, validateFormats...)}),
		Action: noArgsAction(runValidate, opts),
	}
}

func runValidate(_ context.Context, opts *ValidateOptions) error {
	ios := opts.IO
	if err := checkFormat(opts.Format, validateFormats...); err != nil {
		return err
	}
	s, err := opts.Spec.load()
	if err == nil {
		err = ios.checkPolicy(s)
	}
	if opts.Format == "json" {
		if werr := render.WriteJSON(ios.Out, jsonout.ValidateOf(s, err)); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if opts.Format == "text" {
		fmt.Fprintf(ios.Out, "The spec is valid: %d tokens in %d file(s).\n", len(s.Tokens), len(s.Files))
	}
	return nil
}
