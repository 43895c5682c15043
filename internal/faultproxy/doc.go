// Package faultproxy is a reverse proxy that injects network faults between
// a client and an upstream server: a response lost after the upstream acted,
// a delay before forwarding, a cut connection, an injected status, a
// replaced or truncated body, a redirect. End-to-end tests put it in front
// of the emulator so that the real binary meets the faults a real network
// and a misbehaving server produce.
//
// A request that no rule matches is forwarded unchanged. The proxy forwards
// with a context of its own, not the client's, so that a request the client
// gave up on still reaches the upstream, as it would over a real network.
//
// It is test tooling: it must not be imported by the ldtokens binary, and it
// imports nothing of ldtokens.
package faultproxy
