package ldapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
)

// lose lets the server finish, then drops the connection without an answer.
func lose(w http.ResponseWriter, r *http.Request) {
	conn, _, _ := w.(http.Hijacker).Hijack()
	conn.Close()
}

// stall answers only when the request is given up (the server sees the
// connection close once it has read the body), or after a while.
func stall(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

const fullSecret = "api-01234567-89ab-cdef-0123-456789abcdef"

var (
	issued   = jsonBody(200, ldapi.Token{ID: "1", Name: "a", Hint: fullSecret})
	created  = jsonBody(201, ldapi.Token{ID: "1", Name: "a", Hint: fullSecret})
	noAnswer = http.StatusNoContent
)

func reset(c *ldapi.Client) error {
	_, _, err := c.ResetToken(context.Background(), "1", time.Time{})
	return err
}

func TestWritesAreNeverRepeatedBlindly(t *testing.T) {
	tests := []struct {
		name      string
		call      func(*ldapi.Client) error
		steps     []http.HandlerFunc
		wantErr   string
		wantCalls int
		// uncertain is nil for a plain error or success, else InFlight.
		uncertain *bool
	}{
		// PATCH
		{"patch: a lost response", patch, []http.HandlerFunc{lose, okToken},
			"PATCH /api/v2/tokens/1: outcome unknown (the request may still be under way on the server)", 1, yes},
		{"patch: 504 from a gateway that gave up waiting", patch, []http.HandlerFunc{status(504), okToken},
			"PATCH /api/v2/tokens/1: outcome unknown (the request may still be under way on the server): the server answered 504 c504: m504", 1, yes},
		{"patch: 502 from a gateway", patch, []http.HandlerFunc{status(502), okToken},
			"PATCH /api/v2/tokens/1: outcome unknown: the server answered 502 c502: m502", 1, no},
		{"patch: 500", patch, []http.HandlerFunc{status(500), okToken},
			"PATCH /api/v2/tokens/1: outcome unknown: the server answered 500 c500: m500", 1, no},
		{"patch: 503", patch, []http.HandlerFunc{status(503), okToken}, "outcome unknown", 1, no},
		{"patch: a 200 that is not a token", patch, []http.HandlerFunc{raw(200, `{}`), okToken},
			"PATCH /api/v2/tokens/1: outcome unknown: the 200 answer is not a whole, valid token: the token has no _id", 1, no},
		{"patch: a 200 cut short", patch, []http.HandlerFunc{raw(200, `{"_id":"1","na`), okToken},
			"PATCH /api/v2/tokens/1: outcome unknown: read response", 1, no},
		{"patch: a 200 for another token", patch, []http.HandlerFunc{raw(200, `{"_id":"2","name":"b"}`), okToken},
			`the token's _id is not "1"`, 1, no},
		{"patch: 409 says not applied, and is retried", patch, []http.HandlerFunc{status(409), okToken}, "", 2, nil},
		{"patch: 429 is retried", patch, []http.HandlerFunc{status(429, "Retry-After", "0"), okToken}, "", 2, nil},
		{"patch: 422 is refused", patch, []http.HandlerFunc{status(422)}, "PATCH /api/v2/tokens/1: 422 c422: m422", 1, nil},

		// reset
		{"reset: a lost response", reset, []http.HandlerFunc{lose, issued},
			"POST /api/v2/tokens/1/reset: outcome unknown (the request may still be under way on the server)", 1, yes},
		{"reset: 503", reset, []http.HandlerFunc{status(503), issued}, "POST /api/v2/tokens/1/reset: outcome unknown: the server answered 503", 1, no},
		{"reset: a 200 without the full secret", reset, []http.HandlerFunc{raw(200, `{"_id":"1","token":"cdef"}`), issued},
			"POST /api/v2/tokens/1/reset: outcome unknown: the 200 answer is not a whole, valid token: the token carries no full secret", 1, no},
		{"reset: a 200 without _id", reset, []http.HandlerFunc{raw(200, `{"token":"`+fullSecret+`"}`), issued},
			"the token has no _id", 1, no},
		{"reset: a secret with a control character", reset, []http.HandlerFunc{raw(200, `{"_id":"1","token":"api-0123456789abcdef\n"}`), issued},
			"the token's secret has a character that is not printable ASCII", 1, no},
		{"reset: 429 is retried", reset, []http.HandlerFunc{status(429, "Retry-After", "0"), issued}, "", 2, nil},
		{"reset: 409 is refused, not retried", reset, []http.HandlerFunc{status(409), issued}, "POST /api/v2/tokens/1/reset: 409 c409: m409", 1, nil},

		// create
		{"create: a lost response", create, []http.HandlerFunc{lose, created},
			"POST /api/v2/tokens: outcome unknown (the request may still be under way on the server)", 1, yes},
		{"create: a 201 without _id", create, []http.HandlerFunc{raw(201, `{"name":"a","token":"`+fullSecret+`"}`), created},
			"POST /api/v2/tokens: outcome unknown: the 201 answer is not a whole, valid token: the token has no _id", 1, no},
		{"create: a 201 with only the last four characters", create, []http.HandlerFunc{raw(201, `{"_id":"1","token":"cdef"}`), created},
			"the token carries no full secret", 1, no},
		{"create: a 201 without a secret", create, []http.HandlerFunc{raw(201, `{"_id":"1"}`), created},
			"the token carries no full secret", 1, no},
		{"create: an empty 201", create, []http.HandlerFunc{raw(201, ``), created}, "outcome unknown: read response", 1, no},
		{"create: null", create, []http.HandlerFunc{raw(201, `null`), created}, "the token has no _id", 1, no},
		{"create: 409 is refused, not retried", create, []http.HandlerFunc{status(409), created}, "POST /api/v2/tokens: 409 c409: m409", 1, nil},

		// DELETE is idempotent
		{"delete: a lost response, then 404, is done", del, []http.HandlerFunc{lose, status(404)}, "", 2, nil},
		{"delete: 503, then 204", del, []http.HandlerFunc{status(503), raw(noAnswer, "")}, "", 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := scripted(t, tt.steps...)
			err := tt.call(c)
			assert.Equal(t, tt.wantCalls, s.count())
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			assert.NotContains(t, err.Error(), fullSecret)
			assert.NotContains(t, err.Error(), accessToken)
			var u *ldapi.UncertainError
			if tt.uncertain == nil {
				assert.False(t, errors.As(err, &u), "a plain error: the server did not act")
				return
			}
			require.ErrorAs(t, err, &u)
			assert.Equal(t, *tt.uncertain, u.InFlight, "InFlight")
		})
	}
}

var yes, no = ptr(true), ptr(false)

func ptr[T any](v T) *T { return &v }

func TestAWriteThatTimesOutMayStillLand(t *testing.T) {
	s, c := scripted(t, stall, okToken)
	c2 := newClient(t, c.Host(), func(cfg *ldapi.Config) { cfg.AttemptTimeout = 300 * time.Millisecond })
	_, err := c2.PatchToken(context.Background(), "1", []ldapi.PatchOp{{Op: "replace", Path: "/name", Value: "x"}})
	var u *ldapi.UncertainError
	require.ErrorAs(t, err, &u)
	assert.True(t, u.InFlight)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, s.count())

	// So may one whose caller gave up once the server had it.
	ctx, cancel := context.WithCancel(context.Background())
	s, c = scripted(t, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		stall(w, r)
	}, created)
	_, _, err = c.CreateToken(ctx, ldapi.TokenPost{Name: "a"})
	require.ErrorAs(t, err, &u)
	assert.True(t, u.InFlight)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, s.count())
}

func TestAWriteThatNeverConnectedIsRetried(t *testing.T) {
	hs := httptest.NewServer(created)
	url := hs.URL
	hs.Close() // nothing listens there now
	c := newClient(t, url)
	_, _, err := c.CreateToken(context.Background(), ldapi.TokenPost{Name: "a"})
	require.Error(t, err)
	var u *ldapi.UncertainError
	assert.False(t, errors.As(err, &u), "a connection never made cannot have created anything: %v", err)
	assert.ErrorContains(t, err, "connection refused")
}

func TestRetryBudget(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1", func(cfg *ldapi.Config) {
		cfg.MaxAttempts, cfg.BaseBackoff, cfg.MaxBackoff = 7, 100*time.Millisecond, time.Second
	})
	assert.Equal(t, 7, c.MaxAttempts())
	for attempt, want := range map[int]time.Duration{0: 100 * time.Millisecond, 1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 100: time.Second} {
		got := c.Backoff(attempt)
		assert.GreaterOrEqual(t, got, want/2, "attempt %d", attempt)
		assert.Less(t, got, want, "attempt %d", attempt)
	}
	d := newClient(t, "http://127.0.0.1:1", func(cfg *ldapi.Config) { cfg.MaxAttempts = 0 })
	assert.Equal(t, 10, d.MaxAttempts(), "the default")
}
