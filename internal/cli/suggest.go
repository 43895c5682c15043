package cli

import (
	"fmt"
	"regexp"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// unknownCommand refuses a command name, suggesting the nearest one.
func unknownCommand(app *ucli.App, name string) error {
	var names []string
	for _, c := range app.VisibleCommands() {
		names = append(names, c.Names()...)
	}
	hint := "run 'ldtokens --help' for the commands"
	if s := suggest(name, names); s != "" {
		hint = fmt.Sprintf("did you mean %q? %s", s, hint)
	}
	return withHint(fmt.Errorf("unknown command %q", name), hint)
}

// usageError rewrites a flag parsing error of the command named cmd in the
// words a user typed (Go's flag package names every flag with one dash:
// "flag provided but not defined: -detailed-exit-code") and adds a hint: the
// nearest flag for an unknown one, and where to read the usage.
func usageError(err error, flags []ucli.Flag, cmd string) error {
	hint := fmt.Sprintf("run '%s --help' for usage", cmd)
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		for _, f := range flags {
			names = append(names, f.Names()...)
		}
		if s := suggest(name, names); s != "" {
			hint = fmt.Sprintf("did you mean %s? %s", dashed(s), hint)
		}
		return withHint(fmt.Errorf("unknown flag %s", dashed(name)), hint)
	}
	if m := flagValueError.FindStringSubmatch(msg); m != nil {
		return withHint(fmt.Errorf("%s%s%s", m[1], dashed(m[2]), m[3]), hint)
	}
	return withHint(err, hint)
}

// flagValueError matches the flag package's errors about a flag's value,
// up to and after the flag's name: "invalid value \"x\" for flag -timeout: …",
// "flag needs an argument: -f".
var flagValueError = regexp.MustCompile(`^(invalid value ".*" for flag |invalid boolean value ".*" for |flag needs an argument: )-([^\s:]+)(.*)$`)

// suggest returns the candidate nearest to typed, or "" when none is near.
// Nearness is the Jaro-Winkler similarity urfave/cli suggests with, which
// favours a shared prefix; below minSimilarity a suggestion misleads more
// than it helps ("frobnicate" is not "rotate").
func suggest(typed string, candidates []string) string {
	best, bestScore := "", minSimilarity
	for _, c := range candidates {
		if score := smetrics.JaroWinkler(strings.ToLower(typed), strings.ToLower(c), 0.7, 4); score >= bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

// minSimilarity is the least similarity worth a suggestion.
const minSimilarity = 0.85
