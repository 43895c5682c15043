package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"
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

// usageError adds a hint to a flag parsing error of the command named cmd:
// the nearest flag for an unknown one, and where to read the usage.
func usageError(err error, flags []ucli.Flag, cmd string) error {
	hint := fmt.Sprintf("run '%s --help' for usage", cmd)
	const undefined = "flag provided but not defined: "
	if name, ok := strings.CutPrefix(err.Error(), undefined); ok {
		var names []string
		for _, f := range flags {
			names = append(names, f.Names()...)
		}
		if s := suggest(strings.TrimLeft(name, "-"), names); s != "" {
			dashes := "--"
			if len(s) == 1 {
				dashes = "-"
			}
			hint = fmt.Sprintf("did you mean %s%s? %s", dashes, s, hint)
		}
	}
	return withHint(err, hint)
}

// suggest returns the candidate nearest to typed, or "" when none is near:
// within an edit distance of a third of its length (at least 2, and less
// than all of it), or typed is a prefix of it.
func suggest(typed string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(typed), strings.ToLower(c))
		near := d <= max(2, len(c)/3) && d < len(c)
		if (near || (len(typed) >= 2 && strings.HasPrefix(c, typed))) && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
