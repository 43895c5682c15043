package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
)

const testToken = "api-test"

// call sends one request to the server over HTTP with the test token.
func call(t *testing.T, base, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	return callAs(t, base, testToken, method, path, body)
}

// callAs sends one request with auth as its Authorization.
func callAs(t *testing.T, base, auth, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, data
}

func serve(t *testing.T, acct emulator.Account, opts emulator.Options) (*emulator.Server, string) {
	t.Helper()
	if opts.AccessToken == "" {
		opts.AccessToken = testToken
	}
	srv := emulator.New(acct, opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

func TestRouting(t *testing.T) {
	var tok emulator.StoredToken
	tok.ID, tok.Name, tok.ServiceToken, tok.Role = "0123456789abcdef01234567", "svc", true, "reader"
	srv, base := serve(t, emulator.Account{Tokens: []emulator.StoredToken{tok}}, emulator.Options{})
	tests := []struct {
		method, path string
		status       int
		code         string // the error body's code; "" for a success
		allow        string
		stat         string // the Stats key it is counted under
	}{
		{"GET", "/api/v2/tokens", 200, "", "", "GET /api/v2/tokens"},
		{"GET", "/api/v2/tokens/", 200, "", "", "GET /api/v2/tokens"},
		{"GET", "/api/v2/tokens/" + tok.ID, 200, "", "", "GET /api/v2/tokens/{id}"},
		{"GET", "/api/v2/tokens/nope", 404, "not_found", "", "GET /api/v2/tokens/{id}"},
		{"GET", "/api/v2/roles", 200, "", "", "GET /api/v2/roles"},
		{"GET", "/api/v2/caller-identity", 200, "", "", "GET /api/v2/caller-identity"},
		{"GET", "/api/v2/nothing", 404, "not_found", "", "GET /api/v2/nothing"},
		{"GET", "/", 404, "not_found", "", "GET /"},
		{"GET", "/api/v2/tokens/" + tok.ID + "/secrets", 404, "not_found", "", "GET /api/v2/tokens/" + tok.ID + "/secrets"},
		{"PUT", "/api/v2/tokens", 405, "method_not_allowed", "GET, POST", "PUT /api/v2/tokens"},
		{"DELETE", "/api/v2/tokens/", 405, "method_not_allowed", "GET, POST", "DELETE /api/v2/tokens"},
		{"PUT", "/api/v2/tokens/" + tok.ID, 405, "method_not_allowed", "GET, PATCH, DELETE", "PUT /api/v2/tokens/" + tok.ID},
		{"GET", "/api/v2/tokens/" + tok.ID + "/reset", 405, "method_not_allowed", "POST", "GET /api/v2/tokens/" + tok.ID + "/reset"},
		{"POST", "/api/v2/roles", 405, "method_not_allowed", "GET", "POST /api/v2/roles"},
		{"DELETE", "/api/v2/caller-identity", 405, "method_not_allowed", "GET", "DELETE /api/v2/caller-identity"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			before := srv.Stats().Requests[tt.stat]
			status, h, body := call(t, base, tt.method, tt.path, "")
			assert.Equal(t, tt.status, status)
			assert.Equal(t, "application/json", h.Get("Content-Type"))
			assert.Equal(t, tt.allow, h.Get("Allow"))
			assert.Equal(t, before+1, srv.Stats().Requests[tt.stat], "counted under %q", tt.stat)
			if tt.code == "" {
				return
			}
			var e ldapi.ErrorRep
			require.NoError(t, json.Unmarshal(body, &e), "body %s", body)
			assert.Equal(t, tt.code, e.Code)
			assert.NotEmpty(t, e.Message)
		})
	}
}

// Authentication comes before routing: an unknown path with a bad token
// is a 401, as a request that never reached a route.
func TestUnauthenticatedBeforeRouting(t *testing.T) {
	_, base := serve(t, emulator.Account{}, emulator.Options{})
	status, _, body := callAs(t, base, "wrong", "GET", "/api/v2/nothing", "")
	assert.Equal(t, 401, status)
	assert.Contains(t, string(body), `"code":"unauthorized"`)
}
