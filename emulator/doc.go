// Package emulator is a LaunchDarkly access-token API server: the six token
// endpoints, GET /api/v2/roles and GET /api/v2/caller-identity, backed by an
// account snapshot. It routes with http.ServeMux method patterns and answers
// unknown paths 404 and unknown methods 405, as LaunchDarkly's {code,
// message} JSON. It paginates, echoes LaunchDarkly's {code, message}
// errors and rate-limit headers, applies RFC 6902 patches, keeps
// serviceToken and defaultApiVersion immutable and service-token permissions
// fixed, and shows a token's full secret only in the responses to create
// and reset.
//
// It stores no secret in the clear: a snapshot holds SHA-256 hashes, so a
// snapshot file can be committed or scanned without leaking anything.
//
// Tests run it under httptest, `ldtokens emulator` serves it on a port, and
// `--emulator FILE` serves it in-process with no network at all. Faults
// (rate limits, 5xx, latency, lost create responses) are injected from a
// seeded source so that tests that use them are repeatable.
//
// Files by concern: server.go (options, ServeHTTP), routes.go (the endpoint
// table), store.go (the account and who may see or change what),
// controls.go (the test controls), faults.go (injected failures), rep.go
// (representations and errors), page.go (pagination), tokens.go (the
// handlers), fields.go (the token fields read by hand).
//
// It imports ldapi's wire types and nothing else of ldtokens.
package emulator
