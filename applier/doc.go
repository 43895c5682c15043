// Package applier executes a Plan through a small Client interface it
// declares (*ldapi.Client satisfies it): creates and updates first, deletes
// and retires last, a replace creating before it retires or deletes, up to
// Parallelism tokens at once. It keeps going past a failed change and
// returns one Result per change, in plan order.
//
// It keeps every new secret in custody: a secret is proven (caller-identity
// answers its token) before any sink gets it; sinks take it one at a time;
// a token whose secret no sink holds is deleted again, and one whose secret
// some sink holds is kept, with a result that says which sink holds what.
// A write whose response was lost is checked by reading, never blindly
// repeated: a create is listed for over a settle window, a reset and a
// patch are read back. Cancelling the context starts nothing new; closing
// Options.Abort stops the work under way and rolls back what it obtained
// and did not deliver.
//
// The applier prints nothing itself: progress goes to a callback, and the
// caller renders results. It never reads a secret's value; only the sinks
// and the HTTP layer do.
package applier
