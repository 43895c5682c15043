package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Interrupts escalate as CI sends them: the first cancels, the second
// aborts, the third exits 1 at once.
func TestHandleInterrupts(t *testing.T) {
	sigs := make(chan os.Signal)
	cancelled := make(chan struct{})
	abort := make(chan struct{})
	exited := make(chan int, 1)
	var stderr bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		handleInterrupts(sigs, func() { close(cancelled) }, abort, &stderr, func(code int) { exited <- code })
	}()

	sigs <- os.Interrupt
	<-cancelled
	select {
	case <-abort:
		t.Fatal("the first interrupt aborted")
	default:
	}

	sigs <- os.Interrupt
	<-abort
	assert.Empty(t, exited, "the second interrupt exited")

	sigs <- os.Interrupt
	<-done
	assert.Equal(t, 1, <-exited)
	assert.Equal(t, "Interrupted: starting nothing new and finishing what is under way; interrupt again to abort it.\n"+
		"Interrupted again: aborting what is under way, rolling back tokens whose secrets were not delivered; interrupt again to exit at once.\n"+
		"Interrupted a third time: exiting now.\n", stderr.String())
}
