// Package spec loads the YAML files that declare LaunchDarkly access tokens.
//
// Loading is strict and offline: every problem in every file is reported at
// once, each as file:line:column with what to do about it, and a spec with any
// problem yields no Spec at all. The package knows nothing of the LaunchDarkly
// API; the planner maps its fields, which mirror the API's names, onto it.
package spec
