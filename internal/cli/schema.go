package cli

import (
	"context"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/spec"
)

// SchemaOptions are the options of `ldtokens schema`.
type SchemaOptions struct {
	IO *IO
}

func newSchemaCommand(ios *IO) *ucli.Command {
	opts := &SchemaOptions{IO: ios}
	return &ucli.Command{
		Name:      "schema",
		Usage:     "print the spec's JSON Schema (for editors: yaml-language-server)",
		UsageText: "ldtokens schema > spec.schema.json",
		Description: `Prints the JSON Schema of a spec file, for editors that complete and check
YAML as it is typed.

Examples:
  ldtokens schema > spec.schema.json
  # then, on the first line of tokens.yaml:
  # yaml-language-server: $schema=./spec.schema.json`,
		Action: noArgsAction(runSchema, opts),
	}
}

func runSchema(_ context.Context, opts *SchemaOptions) error {
	_, err := fmt.Fprintln(opts.IO.Out, string(spec.JSONSchema()))
	return err
}
