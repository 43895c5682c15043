// Package ldapi is ldtokens' only HTTP code: a typed client for the
// LaunchDarkly access-token endpoints (and the caller-identity, custom-role
// and audit-log endpoints it needs), their wire types, and the pacing and
// retry rules that keep the client polite under rate limits and faults.
//
// Every request carries the raw access token in Authorization (no Bearer),
// LD-API-Version 20240415 and a User-Agent. Secrets that LaunchDarkly issues
// (in the responses to create and reset) leave this package only as
// secret.Secret values; the access token, and a secret being verified, are
// never logged or put in an error.
//
// What it must not do: believe an answer it has not checked (every 2xx body
// is validated, and a list's pages must add up, else it is an error naming
// the request, never a shorter list); repeat a write whose outcome is
// unknown (that is an *UncertainError for the caller to resolve); follow a
// redirect on a write, or on a read to another scheme, host or port; size
// an allocation by a number the server sent without bounding it first.
package ldapi
