package spec

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Position is a place in a spec file. Line and Column count from 1.
type Position struct {
	File   string
	Line   int
	Column int
}

// String returns file:line:column.
func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// IsZero reports whether p is no position at all.
func (p Position) IsZero() bool { return p == Position{} }

// Error is one problem in a spec, at a position. It is the one type for every
// positioned problem, whoever finds it (the loader, the planner, policy): the
// CLI prints each as file:line:col and, in GitHub Actions, annotates the line.
type Error struct {
	// Pos is where the problem is; the zero Position when it is nowhere in
	// particular (the message then stands alone).
	Pos Position
	// Msg says what is wrong and, where it can, what to do. It does not
	// repeat the position.
	Msg string
}

// Errorf returns the problem at pos with the message format and args make.
func Errorf(pos Position, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Error implements error as "file:line:col: message", or the message alone
// when e has no position.
func (e *Error) Error() string {
	if e.Pos.IsZero() {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// Errors is a list of problems, in file order: Load and Parse return every
// problem they find as one Errors.
type Errors []*Error

// Unwrap returns the problems, so that errors.As finds an *Error in Errors.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Error implements error, one problem a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// errs collects problems while loading.
type errs struct{ list Errors }

func (c *errs) add(pos Position, format string, args ...any) {
	c.list = append(c.list, Errorf(pos, format, args...))
}

// sort orders problems by file (in the order given), line and column.
func (c *errs) sort(files []string) {
	order := map[string]int{}
	for i, f := range files {
		order[f] = i
	}
	slices.SortStableFunc(c.list, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(order[a.Pos.File], order[b.Pos.File]), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
}

func (c *errs) err() error {
	if len(c.list) == 0 {
		return nil
	}
	return c.list
}

// suggest returns the candidate closest to word, or "" when none is close.
func suggest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if strings.EqualFold(c, word) {
			return c
		}
		// Close means at most 2 edits, and no more than half the word.
		if d := editDistance(strings.ToLower(word), strings.ToLower(c)); d < bestDist && 2*d <= len(word) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
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
