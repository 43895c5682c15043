// Package tfimport reads the launchdarkly_access_token resources of a
// Terraform state — the output of `terraform show -json`, or a raw state
// file of version 4 — and turns them into spec tokens, the `terraform state
// rm` commands that hand them over to ldtokens, and the warnings a move
// needs (the state holds every secret in plaintext).
//
// It must never hold a token's secret: the state's token attribute is not a
// field of any type here, so decoding skips it, and the bytes read are
// cleared once decoded. Nothing it returns (tokens, commands, warnings,
// errors) can carry the secret. It does no I/O beyond the reader it is
// given, and no network; the caller reconciles with the account
// (Import.Reconcile) and writes the spec.
package tfimport
