// Package applier executes a Plan through a small Client interface it
// declares (*ldapi.Client satisfies it): creates and updates first, deletes
// last, a replace creating before it deletes, up to Parallelism tokens at
// once. It keeps going past a failed change and returns one Result per
// change, in plan order.
//
// Every new secret goes to the Sink before anything else is done with the
// token; a secret that cannot be delivered is never silently lost. The
// applier prints nothing itself: progress goes to a callback, and the
// caller renders results.
package applier
