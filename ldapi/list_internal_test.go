package ldapi

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/internal/crash"
)

// A panic while a page is fetched reaches fetchConcurrently's caller once
// the other pages are done, where the CLI recovers it (exit 1), instead of
// crashing the process on errgroup's goroutine (exit 2).
func TestAPanicFetchingAPageReachesTheCaller(t *testing.T) {
	defer func() {
		p, ok := recover().(*crash.Panic)
		require.True(t, ok, "the page's panic is raised on the caller's goroutine")
		assert.Equal(t, "decoding bug", p.String())
	}()
	_, _ = fetchConcurrently(context.Background(), 2, 4, func(_ context.Context, i int) (page[Token], error) {
		if i == 2 {
			panic("decoding bug")
		}
		return page[Token]{}, nil
	})
	t.Fatal("fetchConcurrently returned")
}
