// Package observe reads what LaunchDarkly holds before a plan: the access
// token's own identity, every token, and, when the spec names custom roles by
// key, the custom roles, all at once. It decides what a failure of each read
// means: a refused access token or a failed listing stops the run; a server
// that does not say who the caller is leaves the caller unknown.
//
// It only reads. It must not plan, render or print: it hands back an
// Observation and an error.
package observe
