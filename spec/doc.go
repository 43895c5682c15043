// Package spec loads the YAML files that declare LaunchDarkly access tokens.
//
// Loading is strict and offline: every problem in every file is reported at
// once, each as file:line:column with what to do about it, and a spec with any
// problem yields no Spec at all. Validation only reports; a separate step then
// fills in the defaults a valid spec leaves out. Aliases and merge keys are
// expanded within hard bounds, so a hostile file from a pull request fails
// fast. The package also holds what several packages share about the format:
// durations (ParseDuration), globs (MatchAny), secret names (SinkName), the
// enums, the positioned Error type, and the embedded JSON Schema.
//
// It knows nothing of the LaunchDarkly API (the planner maps its fields, which
// mirror the API's names) and never touches the network. It checks the shape
// of policy rules but does not compile or evaluate them (package policy does).
package spec
