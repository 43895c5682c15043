// Package cli is the ldtokens command line: it parses flags into an options
// struct per command, wires the packages below it together, renders, and
// maps every error to an exit code in one place.
//
// It does its I/O only through the streams and environment handed to Run,
// never through os.Stdout, os.Getenv or os.Exit, so the whole CLI runs
// inside tests. What goes where: reports (plans, results, audits) to
// stdout; progress of a JSON or markdown apply, warnings and errors to
// stderr, errors as "error: …" with a "hint: …" line where one helps.
package cli
