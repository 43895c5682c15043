// Package crash carries a panic from the goroutine it happened on to the
// goroutine that waits for that work, so that the CLI's one recover sees
// it: a panic left on another goroutine cannot be recovered, and the Go
// runtime exits 2, which CI reads as "changes" (ldtokens never exits 2 on
// an error). It does not decide what a panic means; the CLI reports it as a
// bug.
package crash

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// Panic is a panic caught on a worker goroutine, raised again on the
// goroutine that waited for it.
type Panic struct {
	// Value is what the goroutine panicked with.
	Value any
	// Stack is the panicking goroutine's stack.
	Stack []byte
}

// String is the panic's value, for the bug report's first line.
func (p *Panic) String() string { return fmt.Sprint(p.Value) }

// Slot holds the first panic of a group of goroutines. The zero value is
// empty and ready to use.
type Slot struct{ p atomic.Pointer[Panic] }

// Catch, deferred at the top of a worker goroutine, recovers its panic
// into s (the first one is kept).
func (s *Slot) Catch() {
	if v := recover(); v != nil {
		s.p.CompareAndSwap(nil, &Panic{Value: v, Stack: debug.Stack()})
	}
}

// Caught reports whether a worker has panicked.
func (s *Slot) Caught() bool { return s.p.Load() != nil }

// Raise panics with the caught *Panic, if any, on the calling goroutine:
// call it after the workers are done.
func (s *Slot) Raise() {
	if p := s.p.Load(); p != nil {
		panic(p)
	}
}
