// Package planner turns a spec and the remote tokens into a Plan: plain,
// documented data saying which API calls will bring LaunchDarkly to match
// the spec, and why.
//
// It is pure: no I/O, no clock of its own (Now comes in the Input), and the
// same input always gives the same plan, with changes sorted by name. It
// pairs declared and remote tokens in one pass over maps, then each pair
// yields its changes. It never decides anything about rendering or
// execution.
package planner
