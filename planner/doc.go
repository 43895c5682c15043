// Package planner turns a spec and the remote tokens into a Plan: plain,
// documented data saying which API calls will bring LaunchDarkly to match
// the spec, and why. Import is the inverse of its mapping: remote tokens
// into a spec that plans no change.
//
// It is pure: no I/O, no clock of its own (Now comes in the Input), and the
// same input always gives the same plan, with changes sorted by name. It
// pairs declared and remote tokens in one pass over maps (retiring tokens,
// marked by RetireMarker, are set aside first, and personal tokens are
// paired only when they are the caller's), then each pair yields its
// changes. Every token field it compares, patches, hashes or declares
// comes from the one table, ldapi.TokenFields. It never decides anything
// about rendering or execution.
package planner
