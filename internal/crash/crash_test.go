package crash_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/internal/crash"
)

func TestAPanicOnAWorkerIsRaisedOnTheWaiter(t *testing.T) {
	var slot crash.Slot
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			defer slot.Catch()
			if i == 1 {
				panic("boom")
			}
		})
	}
	wg.Wait()
	require.True(t, slot.Caught())
	defer func() {
		p, ok := recover().(*crash.Panic)
		require.True(t, ok, "Raise panics with a *crash.Panic")
		assert.Equal(t, "boom", p.String())
		assert.Contains(t, string(p.Stack), "crash_test.go", "the stack is the worker's")
	}()
	slot.Raise()
	t.Fatal("Raise returned")
}

func TestNoPanicRaisesNothing(t *testing.T) {
	var slot crash.Slot
	func() { defer slot.Catch() }()
	assert.False(t, slot.Caught())
	assert.NotPanics(t, slot.Raise)
}
