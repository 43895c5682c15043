// Package render draws plans, apply results, drift reports and the
// rotation calendar as text and markdown (their JSON documents are
// package jsonout's). It makes no decisions.
//
// Its rules:
//   - Reports go to the writer given (stdout); the caller sends progress and
//     errors to stderr.
//   - Text is for people: symbols (+ ~ -/+ ↻ - x), colour only when Style.Color
//     is set (a terminal, no NO_COLOR, no --no-color), one line per action.
//   - Markdown is for pull-request comments and step summaries: counts
//     first, a table, details folded in <details>, kept under GitHub's
//     65,536-character limit by summarising.
//   - Text that came from LaunchDarkly (names, descriptions) is escaped:
//     control characters cannot reach a terminal or forge a workflow
//     command, and markdown cannot be injected.
//   - Nothing here ever sees a secret.
package render
