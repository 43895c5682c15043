package ldapi_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
)

// wait is one call of Config.OnWait.
type wait struct {
	d      time.Duration
	reason string
}

// waits records OnWait calls; the first one cancels the run, so that a
// test of a long hold need not wait it out.
type waits struct {
	mu     sync.Mutex
	got    []wait
	cancel context.CancelFunc
}

func (w *waits) onWait(d time.Duration, reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, wait{d, reason})
	time.AfterFunc(100*time.Millisecond, w.cancel)
}

func (w *waits) all() []wait {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]wait(nil), w.got...)
}

func TestOnWait(t *testing.T) {
	in := func(d time.Duration) string { return strconv.FormatInt(time.Now().Add(d).UnixMilli(), 10) }
	tests := []struct {
		name  string
		steps []http.HandlerFunc
		// wantMin is the least hold announced; 0 for none.
		wantMin    time.Duration
		wantReason string
	}{
		{"a 429 asking for 5s", []http.HandlerFunc{status(429, "Retry-After", "5"), okToken},
			4 * time.Second, "the server answered 429 Too Many Requests: retrying at "},
		{"no requests left for 5s", []http.HandlerFunc{
			jsonBody(200, ldapi.Token{ID: "1", Name: "a"}, "X-Ratelimit-Route-Remaining", "0", "X-Ratelimit-Route-Limit", "100", "X-Ratelimit-Reset", in(5*time.Second)),
			okToken},
			4 * time.Second, "rate limit: 0 of 100 requests left until "},
		{"1 request left for 9s: the requests are spaced out", []http.HandlerFunc{
			jsonBody(200, ldapi.Token{ID: "1", Name: "a"}, "X-Ratelimit-Global-Remaining", "1", "X-Ratelimit-Reset", in(9*time.Second)),
			okToken},
			4 * time.Second, "rate limit: 1 request left until "},
		{"a 429 asking for 1s is not announced", []http.HandlerFunc{status(429, "Retry-After", "1"), okToken},
			0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &waits{cancel: cancel}
			s, c := scripted(t, tt.steps...)
			c = newClient(t, c.Host(), func(cfg *ldapi.Config) { cfg.OnWait = w.onWait })
			for range 3 {
				_, _ = c.GetToken(ctx, "1")
			}
			got := w.all()
			if tt.wantMin == 0 {
				assert.Empty(t, got)
				assert.Equal(t, 4, s.count(), "a 429, then three answers")
				return
			}
			require.Len(t, got, 1)
			assert.GreaterOrEqual(t, got[0].d, tt.wantMin)
			assert.LessOrEqual(t, got[0].d, 10*time.Second)
			assert.Contains(t, got[0].reason, tt.wantReason)
			assert.Regexp(t, `until \d\d:\d\d:\d\d$|at \d\d:\d\d:\d\d$`, got[0].reason)
		})
	}
}

func TestOnWaitOncePerHold(t *testing.T) {
	// Every request is answered 429 with 3s to wait; four workers wait out
	// the same hold, which is announced once.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &waits{cancel: cancel}
	_, c := scripted(t, status(429, "Retry-After", "3"))
	c = newClient(t, c.Host(), func(cfg *ldapi.Config) { cfg.OnWait = w.onWait })
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { _, _ = c.GetToken(ctx, "1") })
	}
	wg.Wait()
	assert.Len(t, w.all(), 1)
}
