// Package ldapi is ldtokens' only HTTP code: a typed client for the
// LaunchDarkly access-token endpoints, their wire types, and the pacing and
// retry rules that keep the client polite under rate limits and faults.
//
// Every request carries the raw access token in Authorization (no Bearer),
// LD-API-Version 20240415 and a User-Agent. Secrets that LaunchDarkly issues
// (in the responses to create and reset) leave this package only as
// secret.Secret values; the access token is never logged or put in an error.
package ldapi
