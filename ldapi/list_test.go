package ldapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
)

// tok is a list item.
func tok(id string) string { return fmt.Sprintf(`{"_id":%q,"name":"n-%s"}`, id, id) }

func TestPagesFailFast(t *testing.T) {
	// The first page says there are 20 pages of one; every other page is
	// refused. The first failure stops the rest, and is the one error.
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Query().Get("offset") == "0" {
			fmt.Fprint(w, `{"items":[`+tok("1")+`],"totalCount":20}`)
			return
		}
		status(400)(w, r)
	}))
	defer hs.Close()
	c := newClient(t, hs.URL, func(cfg *ldapi.Config) { cfg.Concurrency = 2 })
	_, err := c.ListTokens(context.Background(), ldapi.ListOptions{})
	require.ErrorContains(t, err, ": 400 c400: m400")
	assert.Equal(t, 1, strings.Count(err.Error(), "m400"), "one error, not one a page: %v", err)
	assert.LessOrEqual(t, calls.Load(), int32(1+2+1), "the first page, the two in flight, at most one more")
}
