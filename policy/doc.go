// Package policy checks access tokens against the rules of a spec's policy
// section: built-in rules, which require or forbid a Predicate (a rotation
// period within a range, a description, a service token, a built-in role,
// name globs), and custom rules written in CEL over a documented token
// object (Token) and the time now.
//
// Compile turns the rules into a Set once, when the spec is loaded: a CEL
// expression that does not compile or does not return a bool, or a rule
// that cannot hold, is a spec error at its file:line:column. The Set then
// checks declared tokens (offline: validate and plan) and remote tokens,
// declared or not (drift), and returns one Violation per token and broken
// rule. A rule that fails at run time on one token is reported as a
// violation of that token; it never stops the others.
//
// The package is pure: no I/O, no clock of its own (now comes in), no
// network. It reads the spec's and ldapi's types and must not decide
// anything about plans, exit codes or rendering.
package policy
