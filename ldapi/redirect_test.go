package ldapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
)

// counting counts the requests h serves.
type counting struct {
	h     http.Handler
	calls atomic.Int32
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.calls.Add(1)
	c.h.ServeHTTP(w, r)
}

func TestRedirects(t *testing.T) {
	// elsewhere is another host (another port is another origin) that would
	// do whatever it is asked.
	elsewhere := &counting{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "POST":
			created(w, r)
		case "DELETE":
			w.WriteHeader(204)
		default:
			okToken(w, r)
		}
	})}
	other := httptest.NewServer(elsewhere)
	defer other.Close()

	redirect := func(code int, to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if to == "" {
				to = other.URL + r.URL.Path
			}
			http.Redirect(w, r, to, code)
		}
	}
	tests := []struct {
		name      string
		call      func(*ldapi.Client) error
		steps     []http.HandlerFunc
		wantErr   string
		wantCalls int
	}{
		{"patch 301", patch, []http.HandlerFunc{redirect(301, ""), okToken},
			"PATCH /api/v2/tokens/1: the server answered 301, a redirect to http://127.0.0.1:", 1},
		{"patch 307 to the same host", patch, []http.HandlerFunc{redirect(307, "/api/v2/tokens/1?again"), okToken},
			"ldtokens never follows a redirect on a write, and the server did not act on it, so nothing is known to have changed", 1},
		{"delete 302", del, []http.HandlerFunc{redirect(302, ""), status(404)},
			"DELETE /api/v2/tokens/1: the server answered 302", 1},
		{"create 308", create, []http.HandlerFunc{redirect(308, ""), created},
			"POST /api/v2/tokens: the server answered 308", 1},
		{"reset 303", reset, []http.HandlerFunc{redirect(303, ""), issued},
			"POST /api/v2/tokens/1/reset: the server answered 303", 1},
		{"get to another host", get, []http.HandlerFunc{redirect(302, ""), okToken},
			"GET /api/v2/tokens/1: the server redirected to http://127.0.0.1:", 1},
		{"get to another scheme", get, []http.HandlerFunc{redirect(301, "https://127.0.0.1/api/v2/tokens/1"), okToken},
			"GET /api/v2/tokens/1: the server redirected to https://127.0.0.1; ldtokens follows a redirect only to the same scheme, host and port", 1},
		{"get in a loop", get, []http.HandlerFunc{redirect(302, "/api/v2/tokens/1")},
			"ldtokens follows at most 10 redirects", 10},
		{"get to the same host is followed", get, []http.HandlerFunc{redirect(301, "/api/v2/tokens/1?moved"), okToken},
			"", 2},
		{"get 300 cannot be followed", get, []http.HandlerFunc{status(300)},
			"GET /api/v2/tokens/1: the server answered 300 (a redirect elsewhere) that cannot be followed", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := elsewhere.calls.Load()
			s, c := scripted(t, tt.steps...)
			err := tt.call(c)
			assert.Equal(t, before, elsewhere.calls.Load(), "nothing reached the other host")
			assert.Equal(t, tt.wantCalls, s.count())
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			var u *ldapi.UncertainError
			assert.False(t, errors.As(err, &u), "a redirect is an answer: the server did not act")
			assert.NotContains(t, err.Error(), "/api/v2/tokens/1?", "the target's path and query are not repeated")
		})
	}
}

func TestRedirectRulesLeaveTheCallersClientAlone(t *testing.T) {
	var asked atomic.Int32
	hc := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		asked.Add(1)
		return errors.New("the caller's rule says no")
	}}
	plain := &http.Client{}
	s := &script{steps: []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/v2/tokens/2", 302)
	}}}
	hs := httptest.NewServer(s)
	defer hs.Close()
	c := newClient(t, hs.URL, func(cfg *ldapi.Config) { cfg.HTTPClient = hc })
	_, err := c.GetToken(context.Background(), "1")
	require.ErrorContains(t, err, "the caller's rule says no", "the caller's own rule is still asked")
	assert.EqualValues(t, 1, asked.Load())

	c = newClient(t, hs.URL, func(cfg *ldapi.Config) { cfg.HTTPClient = plain })
	_, err = c.PatchToken(context.Background(), "1", nil)
	require.ErrorContains(t, err, "the server answered 302")
	assert.Nil(t, plain.CheckRedirect, "the caller's client is not changed")
}
