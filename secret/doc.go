// Package secret holds the one type that may carry a LaunchDarkly secret —
// the access token ldtokens authenticates with, or a token secret issued by
// create or reset — and the sinks that deliver issued secrets to their owners.
//
// A Secret prints as [redacted] through every formatting path (fmt verbs,
// JSON, text marshalling), so a secret that strays into a log line, an error
// or a report shows nothing. Only Reveal returns the value, and only the HTTP
// layer (to authenticate) and the sinks (to deliver) call it.
package secret
