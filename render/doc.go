// Package render draws plans, apply results and drift reports as text,
// JSON and markdown. It makes no decisions.
//
// Its rules:
//   - Reports go to the writer given (stdout); the caller sends progress and
//     errors to stderr.
//   - Text is for people: symbols (+ ~ -/+ ↻ -), colour only when Style.Color
//     is set (a terminal, no NO_COLOR, no --no-color), one line per action.
//   - JSON is for programs: versioned with formatVersion, camelCase names.
//   - Markdown is for pull-request comments and step summaries: counts
//     first, a table, details folded in <details>, kept under GitHub's
//     65,536-character limit by summarising.
//   - Text that came from LaunchDarkly (names, descriptions) is escaped:
//     control characters cannot reach a terminal or forge a workflow
//     command, and markdown cannot be injected.
//   - Nothing here ever sees a secret.
package render
