package cli

import (
	"context"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// CompletionOptions are the options of `ldtokens completion`.
type CompletionOptions struct {
	IO *IO
	// Shell is bash, zsh or fish (the positional argument).
	Shell string
	// Commands are the commands to complete; the Action sets them from the
	// app.
	Commands []*ucli.Command
}

// shells are the shells completion writes scripts for.
var shells = []string{"bash", "zsh", "fish"}

func newCompletionCommand(ios *IO) *ucli.Command {
	opts := &CompletionOptions{IO: ios}
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh, fish)",
		ArgsUsage: "bash|zsh|fish",
		UsageText: "ldtokens completion bash|zsh|fish",
		Description: `Prints a script that completes ldtokens' commands and flags, and file
names where a flag takes a file.

Examples:
  source <(ldtokens completion bash)          # in ~/.bashrc
  ldtokens completion zsh > "${fpath[1]}/_ldtokens"
  ldtokens completion fish > ~/.config/fish/completions/ldtokens.fish`,
		Action: func(c *ucli.Context) error {
			args, err := argsBetween(c, 1, 1)
			if err != nil {
				return err
			}
			opts.Shell, opts.Commands = args[0], c.App.VisibleCommands()
			return runCompletion(c.Context, opts)
		},
	}
}

func runCompletion(_ context.Context, opts *CompletionOptions) error {
	var script string
	switch opts.Shell {
	case "bash":
		script = bashCompletion(opts.Commands)
	case "zsh":
		script = zshCompletion(opts.Commands)
	case "fish":
		script = fishCompletion(opts.Commands)
	default:
		return withHint(fmt.Errorf("completion: unknown shell %q", opts.Shell), "use one of "+strings.Join(shells, ", "))
	}
	_, err := fmt.Fprint(opts.IO.Out, script)
	return err
}

// flagWords are a command's flags as typed: --file, -f, ….
func flagWords(cmd *ucli.Command) []string {
	var words []string
	for _, f := range cmd.VisibleFlags() {
		for _, n := range f.Names() {
			words = append(words, dashed(n))
		}
	}
	return words
}

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// valueFlag is a flag that takes a value: its names as typed and the
// values to complete (-o's formats), or none (then file names).
type valueFlag struct {
	names, values []string
}

// valueFlags are a command's flags that take a value.
func valueFlags(cmd *ucli.Command) []valueFlag {
	var out []valueFlag
	for _, f := range cmd.VisibleFlags() {
		df, ok := f.(ucli.DocGenerationFlag)
		if !ok || !df.TakesValue() {
			continue
		}
		vf := valueFlag{}
		for _, n := range f.Names() {
			vf.names = append(vf.names, dashed(n))
		}
		if ff, ok := f.(*formatsFlag); ok {
			vf.values = ff.formats
		}
		out = append(out, vf)
	}
	return out
}

// argWords are the words a command takes as arguments, where they are few.
func argWords(cmd *ucli.Command) []string {
	if cmd.Name == "completion" {
		return shells
	}
	return nil
}

func bashCompletion(cmds []*ucli.Command) string {
	var b strings.Builder
	b.WriteString(`# bash completion for ldtokens. Load it with:
#   source <(ldtokens completion bash)
_ldtokens() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd="" i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) ;;
      *) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done
  # After a flag that takes a value: its values (-o's formats), else file names.
  case $cmd:${COMP_WORDS[COMP_CWORD-1]} in
`)
	for _, c := range cmds {
		// patterns are cmd:flag for each of the command's names and the flag's.
		patterns := func(flags []string) string {
			var alts []string
			for _, n := range c.Names() {
				for _, f := range flags {
					alts = append(alts, n+":"+f)
				}
			}
			return strings.Join(alts, "|")
		}
		var files []string
		for _, vf := range valueFlags(c) {
			if len(vf.values) == 0 {
				files = append(files, vf.names...)
				continue
			}
			fmt.Fprintf(&b, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", patterns(vf.names), strings.Join(vf.values, " "))
		}
		if len(files) > 0 {
			fmt.Fprintf(&b, "    %s) COMPREPLY=(); return ;;\n", patterns(files))
		}
	}
	b.WriteString(`  esac
  case $cmd in
`)
	var names []string
	for _, c := range cmds {
		names = append(names, c.Names()...)
		fmt.Fprintf(&b, "    %s) words=%q ;;\n", strings.Join(c.Names(), "|"), strings.Join(append(flagWords(c), argWords(c)...), " "))
	}
	fmt.Fprintf(&b, "    *) words=%q ;;\n", strings.Join(append(names, "--help", "--version"), " "))
	b.WriteString(`  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _ldtokens ldtokens
`)
	return b.String()
}

func zshCompletion(cmds []*ucli.Command) string {
	var b strings.Builder
	b.WriteString(`#compdef ldtokens
# zsh completion for ldtokens. Save it as _ldtokens in a directory of $fpath,
# or load it with: source <(ldtokens completion zsh)
_ldtokens() {
  local -a commands words
  commands=(
`)
	for _, c := range cmds {
		for _, n := range c.Names() {
			fmt.Fprintf(&b, "    %s\n", shellQuote(n+":"+c.Usage))
		}
	}
	b.WriteString(`  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'ldtokens command' commands
    return
  fi
  case ${words[2]} in
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "    %s) words=(%s) ;;\n", strings.Join(c.Names(), "|"), strings.Join(append(flagWords(c), argWords(c)...), " "))
	}
	b.WriteString(`  esac
  compadd -a words
  _files
}
if [[ $funcstack[1] == _ldtokens ]]; then
  _ldtokens "$@"
else
  compdef _ldtokens ldtokens
fi
`)
	return b.String()
}

func fishCompletion(cmds []*ucli.Command) string {
	var b strings.Builder
	b.WriteString(`# fish completion for ldtokens. Load it with:
#   ldtokens completion fish | source
`)
	for _, c := range cmds {
		for _, n := range c.Names() {
			fmt.Fprintf(&b, "complete -c ldtokens -n __fish_use_subcommand -f -a %s -d %s\n", n, shellQuote(c.Usage))
		}
	}
	for _, c := range cmds {
		cond := shellQuote("__fish_seen_subcommand_from " + strings.Join(c.Names(), " "))
		for _, f := range c.VisibleFlags() {
			line := "complete -c ldtokens -n " + cond
			for _, n := range f.Names() {
				if len(n) == 1 {
					line += " -s " + n
				} else {
					line += " -l " + n
				}
			}
			if df, ok := f.(ucli.DocGenerationFlag); ok {
				if df.TakesValue() {
					line += " -r"
				}
				line += " -d " + shellQuote(firstLine(df.GetUsage()))
			}
			if ff, ok := f.(*formatsFlag); ok {
				line += " -f -a " + shellQuote(strings.Join(ff.formats, " "))
			}
			b.WriteString(line + "\n")
		}
		if words := argWords(c); len(words) > 0 {
			fmt.Fprintf(&b, "complete -c ldtokens -n %s -f -a %s\n", cond, shellQuote(strings.Join(words, " ")))
		}
	}
	return b.String()
}

// shellQuote quotes s in single quotes for sh, zsh and fish.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.ReplaceAll(line, "`", "")
}
