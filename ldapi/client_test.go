package ldapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/secret"
)

const accessToken = "api-0123456789-access-token"

func newClient(t *testing.T, url string, mut ...func(*ldapi.Config)) *ldapi.Client {
	t.Helper()
	cfg := ldapi.Config{Host: url, Token: secret.New(accessToken), TokenSource: "$LAUNCHDARKLY_ACCESS_TOKEN", UserAgent: "ldtokens/test",
		BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
	for _, m := range mut {
		m(&cfg)
	}
	c, err := ldapi.New(cfg)
	require.NoError(t, err)
	return c
}

// script answers requests in turn with the given handlers, then with the last.
type script struct {
	mu    sync.Mutex
	steps []http.HandlerFunc
	calls []*http.Request
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := min(len(s.calls), len(s.steps)-1)
	s.calls = append(s.calls, r.Clone(context.Background()))
	step := s.steps[i]
	s.mu.Unlock()
	step(w, r)
}

// scripted serves steps and returns a client of it that makes up to four
// attempts.
func scripted(t *testing.T, steps ...http.HandlerFunc) (*script, *ldapi.Client) {
	s := &script{steps: steps}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, newClient(t, hs.URL, func(cfg *ldapi.Config) { cfg.MaxAttempts = 4 })
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func status(code int, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"code":"c%d","message":"m%d"}`, code, code)
	}
}

func jsonBody(code int, v any, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
}

var okToken = jsonBody(200, ldapi.Token{ID: "1", Name: "a"})

func TestEveryRequestCarriesTheHeaders(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{jsonBody(201, ldapi.Token{ID: "1", Hint: "api-full-secret-value-1234"})}}
	hs := httptest.NewServer(s)
	defer hs.Close()
	var issued []secret.Secret
	c := newClient(t, hs.URL, func(cfg *ldapi.Config) { cfg.OnSecret = func(s secret.Secret) { issued = append(issued, s) } })
	tok, sec, err := c.CreateToken(context.Background(), ldapi.TokenPost{Name: "a", Role: "reader", ServiceToken: true})
	require.NoError(t, err)
	r := s.calls[0]
	assert.Equal(t, accessToken, r.Header.Get("Authorization"), "raw token, no Bearer")
	assert.Equal(t, "20240415", r.Header.Get("LD-API-Version"))
	assert.Equal(t, "ldtokens/test", r.Header.Get("User-Agent"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Equal(t, "api-full-secret-value-1234", sec.Reveal())
	assert.Equal(t, "1234", tok.Hint, "the token keeps only the last four characters")
	require.Len(t, issued, 1, "OnSecret sees the secret as it is read")
	assert.Equal(t, "[redacted]", fmt.Sprintf("%v %s %q %+v %#v", sec, sec, sec, sec, sec)[:10])
	b, _ := json.Marshal(map[string]any{"s": sec})
	assert.JSONEq(t, `{"s":"[redacted]"}`, string(b))
}

func TestPagination(t *testing.T) {
	srv := emulator.New(emulator.Account{}, emulator.Options{MaxPageSize: 7, Seed: 1})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	srv.Mutate(func(a *emulator.Account) {
		for i := range 40 {
			var t emulator.StoredToken
			t.ID, t.Name, t.ServiceToken = fmt.Sprintf("%024d", i), fmt.Sprintf("t%02d", i), true
			a.Tokens = append(a.Tokens, t)
		}
	})
	for _, concurrency := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency %d", concurrency), func(t *testing.T) {
			before := srv.Stats().Requests["GET /api/v2/tokens"]
			c := newClient(t, hs.URL, func(cfg *ldapi.Config) { cfg.Concurrency = concurrency })
			got, err := c.ListTokens(context.Background(), ldapi.ListOptions{})
			require.NoError(t, err)
			require.Len(t, got, 40)
			assert.Equal(t, "t00", got[0].Name)
			assert.Equal(t, "t39", got[39].Name)
			assert.Equal(t, 6, srv.Stats().Requests["GET /api/v2/tokens"]-before, "one request per page of 7")
		})
	}
}

func TestPaginationWithoutTotalsOrLinks(t *testing.T) {
	// A server that gives neither totalCount nor links, and caps pages at 3.
	items := make([]ldapi.Token, 8)
	for i := range items {
		items[i] = ldapi.Token{ID: strconv.Itoa(i), Name: "t" + strconv.Itoa(i)}
	}
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		page := items[min(off, len(items)):min(off+3, len(items))]
		_ = json.NewEncoder(w).Encode(map[string]any{"items": page})
	}))
	defer hs.Close()
	got, err := newClient(t, hs.URL).ListTokens(context.Background(), ldapi.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, got, 8)
	assert.EqualValues(t, 4, calls.Load(), "3+3+2, then an empty page to be sure")
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		steps     []http.HandlerFunc
		call      func(*ldapi.Client) error
		wantErr   string
		wantCalls int
		uncertain bool
	}{
		{"429 then ok", []http.HandlerFunc{status(429, "Retry-After", "0"), okToken},
			get, "", 2, false},
		{"429 with reset in the past is clamped", []http.HandlerFunc{status(429, "X-Ratelimit-Reset", "1000"), okToken},
			get, "", 2, false},
		{"502 503 504 are retried", []http.HandlerFunc{status(502), status(503), status(504), okToken},
			get, "", 4, false},
		{"409 is retried", []http.HandlerFunc{status(409), okToken},
			patch, "", 2, false},
		{"401 stops at once", []http.HandlerFunc{status(401)},
			get, "the access token was refused (401 c401: m401); it was read from $LAUNCHDARKLY_ACCESS_TOKEN", 1, false},
		{"400 is not retried", []http.HandlerFunc{status(400)},
			get, "GET /api/v2/tokens/1: 400 c400: m400", 1, false},
		{"422 is not retried", []http.HandlerFunc{status(422)},
			patch, "PATCH /api/v2/tokens/1: 422 c422: m422", 1, false},
		{"create 5xx is uncertain, never repeated", []http.HandlerFunc{status(502), okToken},
			create, "POST /api/v2/tokens: outcome unknown: the server answered 502 c502: m502", 1, true},
		{"create 429 is repeated: the server did nothing", []http.HandlerFunc{status(429, "Retry-After", "0"), jsonBody(201, ldapi.Token{ID: "1", Hint: "api-secret-abcdefgh"})},
			create, "", 2, false},
		{"delete 404 after a lost response succeeded", []http.HandlerFunc{status(503), status(404)},
			del, "", 2, false},
		{"gives up after MaxAttempts", []http.HandlerFunc{status(503)},
			get, "gave up after 4 attempts", 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := scripted(t, tt.steps...)
			err := tt.call(c)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
				assert.NotContains(t, err.Error(), accessToken)
			}
			var u *ldapi.UncertainError
			assert.Equal(t, tt.uncertain, errorsAs(err, &u))
			assert.Equal(t, tt.wantCalls, s.count())
		})
	}
}

func errorsAs(err error, u **ldapi.UncertainError) bool {
	if err == nil {
		return false
	}
	e, ok := err.(*ldapi.UncertainError)
	if ok {
		*u = e
	}
	return ok
}

func get(c *ldapi.Client) error { _, err := c.GetToken(context.Background(), "1"); return err }
func patch(c *ldapi.Client) error {
	_, err := c.PatchToken(context.Background(), "1", []ldapi.PatchOp{{Op: "replace", Path: "/name", Value: "x"}})
	return err
}
func create(c *ldapi.Client) error {
	_, _, err := c.CreateToken(context.Background(), ldapi.TokenPost{Name: "a"})
	return err
}
func del(c *ldapi.Client) error { return c.DeleteToken(context.Background(), "1") }

func raw(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

func TestResponseBodies(t *testing.T) {
	tests := []struct {
		name      string
		steps     []http.HandlerFunc
		want      ldapi.Token
		wantErr   string
		wantCalls int
	}{
		{"links, member and unknown fields are skipped",
			[]http.HandlerFunc{raw(200, `{"_id":"1","name":"a","_links":{"self":{"href":"/api/v2/tokens/1"}},`+
				`"_member":{"_id":"m","email":"e@example.com","_links":{}},"expiresAt":123,"role":"reader"}`)},
			ldapi.Token{ID: "1", Name: "a", Role: "reader"}, "", 1},
		{"a truncated body is retried, and nothing of it is kept",
			[]http.HandlerFunc{raw(200, `{"_id":"1","name":"a","description":"left over","role":"rea`), okToken},
			ldapi.Token{ID: "1", Name: "a"}, "", 2},
		{"an empty 200 is an error, retried like a broken connection",
			[]http.HandlerFunc{raw(200, ""), okToken},
			ldapi.Token{ID: "1", Name: "a"}, "", 2},
		{"a body that is not one JSON value is an error",
			[]http.HandlerFunc{raw(200, `{"_id":"1"} {"_id":"2"}`)},
			ldapi.Token{}, "read response", 4},
		{"a field of the wrong type is an error, not retried: the body came whole",
			[]http.HandlerFunc{raw(200, `{"_id":1}`), okToken},
			ldapi.Token{}, "GET /api/v2/tokens/1: unexpected response", 1},
		{"the error names where, never the value, which could be a secret",
			[]http.HandlerFunc{raw(200, `{"_id":"1","creationDate":"api-0000-secret-value"}`)},
			ldapi.Token{}, `within "/creationDate"`, 1},
		{"a token without an _id is an error, not retried",
			[]http.HandlerFunc{raw(200, `{"name":"a"}`), okToken},
			ldapi.Token{}, "GET /api/v2/tokens/1: unexpected response: the token has no _id", 1},
		{"null is not a token",
			[]http.HandlerFunc{raw(200, `null`), okToken},
			ldapi.Token{}, "GET /api/v2/tokens/1: unexpected response: the token has no _id", 1},
		{"another token than the one asked for is an error",
			[]http.HandlerFunc{raw(200, `{"_id":"2","name":"b"}`), okToken},
			ldapi.Token{}, `GET /api/v2/tokens/1: unexpected response: the token's _id is not "1"`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := scripted(t, tt.steps...)
			got, err := c.GetToken(context.Background(), "1")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				assert.NotContains(t, err.Error(), "secret-value")
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			}
			assert.Equal(t, tt.wantCalls, s.count())
		})
	}
}

func TestConnectionErrorsAndTimeouts(t *testing.T) {
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1: // drop the connection
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case 2: // answer too late for the attempt
			time.Sleep(200 * time.Millisecond)
			okToken(w, r)
		default:
			okToken(w, r)
		}
	}))
	defer hs.Close()
	c := newClient(t, hs.URL, func(cfg *ldapi.Config) { cfg.AttemptTimeout = 50 * time.Millisecond })
	_, err := c.GetToken(context.Background(), "1")
	require.NoError(t, err)
	assert.EqualValues(t, 3, calls.Load())

	// A create whose connection drops is uncertain.
	calls.Store(0)
	_, _, err = c.CreateToken(context.Background(), ldapi.TokenPost{Name: "a"})
	var u *ldapi.UncertainError
	require.ErrorAs(t, err, &u)

	// The overall deadline stops the retries.
	stuck := httptest.NewServer(status(503))
	defer stuck.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	c = newClient(t, stuck.URL, func(cfg *ldapi.Config) {
		cfg.BaseBackoff, cfg.MaxBackoff, cfg.MaxAttempts = 20*time.Millisecond, 20*time.Millisecond, 1000
	})
	_, err = c.GetToken(ctx, "1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestRetryAfter(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	ms := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).UnixMilli(), 10) }
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"Retry-After seconds", h("Retry-After", "3"), 3 * time.Second},
		{"Retry-After wins over reset", h("Retry-After", "2", "X-Ratelimit-Reset", ms(9*time.Second)), 2 * time.Second},
		{"latest of the reset headers", h("X-Ratelimit-Reset", ms(2*time.Second), "X-Ratelimit-Auth-Token-Reset", ms(5*time.Second)), 5 * time.Second},
		{"reset in the past is clamped up", h("X-Ratelimit-Reset", ms(-time.Hour)), 250 * time.Millisecond},
		{"absurd reset is clamped down", h("X-Ratelimit-Reset", ms(1000*time.Hour)), time.Minute},
		{"absurd Retry-After is clamped down", h("Retry-After", "99999"), time.Minute},
		{"nothing", h(), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ldapi.RetryAfter(tt.h, now))
		})
	}
}

func TestPacerSharesTheLimit(t *testing.T) {
	now := time.Now()
	p := ldapi.NewPacer(func() time.Time { return now })
	h := http.Header{}
	h.Set("X-Ratelimit-Route-Remaining", "0")
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(now.Add(time.Hour).UnixMilli(), 10))
	p.Observe(h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, p.Wait(ctx), context.DeadlineExceeded, "a remaining of 0 holds every request until the reset")

	q := ldapi.NewPacer(nil)
	h.Set("X-Ratelimit-Route-Remaining", "50")
	q.Observe(h)
	require.NoError(t, q.Wait(context.Background()), "plenty left: no wait")
}
