// Package emulator is a LaunchDarkly access-token API server: the six token
// endpoints, GET /api/v2/roles, GET /api/v2/caller-identity and GET
// /api/v2/auditlog, backed by an account snapshot. It routes with
// http.ServeMux method patterns (unknown paths answer 404, other methods
// 405), paginates, answers errors as LaunchDarkly's {code, message} JSON,
// sends rate-limit headers, applies RFC 6902 patches, keeps serviceToken
// and defaultApiVersion immutable and service-token permissions fixed, and
// shows a token's full secret only in the responses to create and reset.
//
// A request authenticates with the configured access token (it acts as the
// account's caller member) or with the secret of any token in the account,
// current or previous within its reset expiry (it acts as that token and
// its member). Caller-identity answers for whichever was used. Every
// create, update, reset and delete through the API writes an audit-log
// entry naming its caller: the member, or the service token.
//
// It stores no secret in the clear: a snapshot holds SHA-256 hashes, so a
// snapshot file can be committed or scanned without leaking anything.
//
// Tests run it under httptest, `ldtokens emulator` serves it on a port, and
// `--emulator FILE` serves it in-process with no network at all. Faults
// (rate limits, 5xx, latency, lost create responses) are injected from a
// seeded source so that tests that use them are repeatable; Options.Now is
// its clock.
//
// Files by concern: server.go (options, ServeHTTP), routes.go (the endpoint
// table), store.go (the account and who may see or change what),
// identity.go (who a request is from; caller-identity), auditlog.go (the
// audit log), controls.go (the test controls), faults.go (injected
// failures), rep.go (representations and errors), page.go (pagination),
// tokens.go (the token handlers), fields.go (the token fields read by hand).
//
// It imports ldapi's wire types and nothing else of ldtokens. It does not
// enforce role-based permissions beyond LaunchDarkly's personal-token rules.
package emulator
