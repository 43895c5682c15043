// Package cli is the ldtokens command line: one file per command, each with
// an XOptions struct that its urfave/cli Action fills from flags and
// arguments, and a runX(ctx, opts) that does the work and that tests call
// directly. Dependencies (streams, environment, clock, HTTP client, the
// terminal checks, GitHub Actions) arrive in the IO the options carry; the
// package reads no global state. Every error is mapped to an exit code in one
// place (IO.report): 0 ok, 1 any error, 2 only for plan --detailed-exitcode
// with changes and drift with drift.
//
// What goes where:
//   - stdout is the report and only the report (plan, results, audit,
//     imported spec, schema, version, help): what a workflow captures and
//     posts as a comment. With -o json it is one valid JSON document.
//   - stderr is everything else: progress ([n/N] per change), prompts,
//     warnings, errors as "error: …" with a "hint: …" line where one helps,
//     and every GitHub Actions workflow command (::add-mask::, ::error,
//     ::group::), since a workflow command on stdout would be posted too.
//   - under GitHub Actions, secrets are masked on stderr before any request
//     that could return them; the markdown report goes to the step summary
//     and the counts to the step outputs through IO.publish, the one writer
//     of both.
//
// It must not make decisions that belong below it (planning, applying,
// rendering), and never calls os.Exit.
package cli
