package render

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/ldtokens/ldtokens/planner"
)

// Style says how text is drawn.
type Style struct {
	// Color turns on ANSI colours.
	Color bool
}

const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiMagenta = "\x1b[35m"
	ansiCyan    = "\x1b[36m"
)

func (s Style) paint(color, text string) string {
	if !s.Color {
		return text
	}
	return color + text + ansiReset
}

// Symbol is the text symbol of an action.
func Symbol(a planner.Action) string {
	switch a {
	case planner.Create:
		return "+"
	case planner.Update:
		return "~"
	case planner.Replace:
		return "-/+"
	case planner.Rotate:
		return "↻"
	case planner.Delete:
		return "-"
	case planner.Retire:
		return "x"
	}
	return "?"
}

func actionColor(a planner.Action) string {
	switch a {
	case planner.Create:
		return ansiGreen
	case planner.Update:
		return ansiYellow
	case planner.Replace:
		return ansiMagenta
	case planner.Rotate:
		return ansiCyan
	}
	return ansiRed
}

// Clean makes text from outside safe to print: control characters (newlines,
// escape sequences) are shown escaped, so they cannot move the cursor, start
// a new line, or forge a GitHub workflow command.
func Clean(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar }) < 0 {
		return s
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}

// label is `name (id)`, or just the name.
func label(name, id string) string {
	if name == "" {
		name = "(unnamed)"
	}
	if id == "" {
		return Clean(name)
	}
	return fmt.Sprintf("%s (%s)", Clean(name), Clean(id))
}
