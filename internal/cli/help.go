package cli

import (
	ucli "github.com/urfave/cli/v2"
)

// newHelpCommand is `ldtokens help [COMMAND]`. It replaces urfave/cli's own,
// which answers a misspelt command with "No help topic for 'aply'" and no
// suggestion.
func newHelpCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "show the commands, or one command's help",
		ArgsUsage: "[COMMAND]",
		UsageText: "ldtokens help [COMMAND]",
		Description: `Without a command, lists the commands; with one, shows its help, as
'ldtokens COMMAND --help' does.

Examples:
  ldtokens help
  ldtokens help apply`,
		Action: func(c *ucli.Context) error {
			args, err := argsBetween(c, 0, 1)
			switch {
			case err != nil:
				return err
			case len(args) == 0:
				return ucli.ShowAppHelp(c)
			case c.App.Command(args[0]) == nil:
				return unknownCommand(c.App, args[0])
			}
			return ucli.ShowCommandHelp(c.Lineage()[1], args[0])
		},
	}
}
