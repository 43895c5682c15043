package emulator_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/secret"
)

// validating serves the emulator and checks every request and response it
// handles against LaunchDarkly's OpenAPI (testdata holds an unchanged copy of
// shared/reference/launchdarkly-tokens-openapi.json).
type validating struct {
	t      *testing.T
	h      http.Handler
	router routers.Router

	mu       sync.Mutex
	problems []string
	checked  map[string]bool // "operationId status"
}

func newValidating(t *testing.T, h http.Handler, serverURL func() string) *validating {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("testdata/launchdarkly-tokens-openapi.json")
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	v := &validating{t: t, h: h, checked: map[string]bool{}}
	v.router = nil
	doc.Servers = openapi3.Servers{{URL: "http://emulator.test"}}
	v.router, err = gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return v
}

func (v *validating) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := httptest.NewRecorder()
	r.Body = io.NopCloser(bytes.NewReader(body))
	v.h.ServeHTTP(rec, r)

	vr := r.Clone(context.Background())
	vr.Body = io.NopCloser(bytes.NewReader(body))
	vr.URL.Scheme, vr.URL.Host, vr.Host = "http", "emulator.test", "emulator.test"
	route, params, err := v.router.FindRoute(vr)
	if err == nil {
		in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}}
		resp := rec.Result()
		respBody, _ := io.ReadAll(resp.Body)
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
			Body: io.NopCloser(bytes.NewReader(respBody)), Options: in.Options}
		v.mu.Lock()
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			v.problems = append(v.problems, r.Method+" "+r.URL.Path+": "+err.Error())
		}
		v.checked[route.Operation.OperationID+" "+http.StatusText(resp.StatusCode)] = true
		v.mu.Unlock()
	}
	for k, vals := range rec.Header() {
		w.Header()[k] = vals
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// TestResponsesMatchOpenAPI drives every endpoint through its success and
// error statuses and validates each response against the official schema.
func TestResponsesMatchOpenAPI(t *testing.T) {
	srv := emulator.New(emulator.Account{Roles: []ldapi.Role{{ID: "6234aa00bb11cc22dd33ee44", Key: "readers"}}}, emulator.Options{AccessToken: "good", Seed: 7})
	v := newValidating(t, srv, nil)
	hs := httptest.NewServer(v)
	defer hs.Close()
	ctx := context.Background()
	c, err := ldapi.New(ldapi.Config{Host: hs.URL, Token: secret.New("good"), PageSize: 2, MaxAttempts: 1})
	require.NoError(t, err)

	for i := range 5 {
		_, _, err := c.CreateToken(ctx, ldapi.TokenPost{Name: "t" + string(rune('a'+i)), Role: "reader", ServiceToken: true})
		require.NoError(t, err)
	}
	created, s, err := c.CreateToken(ctx, ldapi.TokenPost{Name: "custom", Description: "d", CustomRoleIDs: []string{"readers"},
		InlineRole: nil, ServiceToken: false, DefaultAPIVersion: 20220603})
	require.NoError(t, err)
	assert.False(t, s.IsZero())
	list, err := c.ListTokens(ctx, ldapi.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, list, 6)
	_, err = c.GetToken(ctx, created.ID)
	require.NoError(t, err)
	_, err = c.PatchToken(ctx, created.ID, []ldapi.PatchOp{{Op: "replace", Path: "/name", Value: "renamed"}})
	require.NoError(t, err)
	_, s2, err := c.ResetToken(ctx, created.ID, time.Now().Add(time.Hour))
	require.NoError(t, err)

	// Caller identity, for the configured token and for a token's current
	// and previous secret; the audit log, filtered and paged.
	raw := func(auth, path string) int {
		req, _ := http.NewRequest("GET", hs.URL+path, nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, auth := range []string{"good", s2.Reveal(), s.Reveal()} {
		assert.Equal(t, 200, raw(auth, "/api/v2/caller-identity"))
	}
	assert.Equal(t, 401, raw("api-unknown", "/api/v2/caller-identity"))
	assert.Equal(t, 200, raw("good", "/api/v2/auditlog"))
	assert.Equal(t, 200, raw("good", "/api/v2/auditlog?q=renamed&limit=1&spec=member/*:token/*&after=1"))
	assert.Equal(t, 400, raw("good", "/api/v2/auditlog?limit=21"))
	assert.Equal(t, 401, raw("bad", "/api/v2/auditlog"))
	require.NoError(t, c.DeleteToken(ctx, created.ID))

	// Error statuses.
	_, err = c.GetToken(ctx, "nope")
	assert.True(t, ldapi.IsStatus(err, 404))
	_, err = c.PatchToken(ctx, list[0].ID, []ldapi.PatchOp{{Op: "remove", Path: "/description"}})
	assert.True(t, ldapi.IsStatus(err, 422), "remove of an absent path: %v", err)
	_, err = c.PatchToken(ctx, list[0].ID, []ldapi.PatchOp{{Op: "replace", Path: "/role", Value: "admin"}})
	assert.True(t, ldapi.IsStatus(err, 400), "service token permissions are fixed: %v", err)
	_, err = c.PatchToken(ctx, list[0].ID, []ldapi.PatchOp{{Op: "replace", Path: "/serviceToken", Value: false}})
	assert.True(t, ldapi.IsStatus(err, 400), "serviceToken is immutable: %v", err)
	_, _, err = c.CreateToken(ctx, ldapi.TokenPost{Role: "owner"})
	assert.True(t, ldapi.IsStatus(err, 400))
	_, _, err = c.ResetToken(ctx, "nope", time.Time{})
	assert.True(t, ldapi.IsStatus(err, 404))
	assert.NoError(t, c.DeleteToken(ctx, "nope"), "a token already gone counts as deleted")

	bad, err := ldapi.New(ldapi.Config{Host: hs.URL, Token: secret.New("bad"), MaxAttempts: 1})
	require.NoError(t, err)
	_, err = bad.ListTokens(ctx, ldapi.ListOptions{})
	assert.True(t, ldapi.IsStatus(err, 401))

	// A raw client, so that no pacer waits for the window to reset.
	srv.SetFaults(emulator.Faults{RateLimit: 1, Window: time.Hour, RetryAfter: true})
	var statuses []int
	for range 2 {
		req, _ := http.NewRequest("GET", hs.URL+ldapi.TokenPath(list[0].ID), nil)
		req.Header.Set("Authorization", "good")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == 429 {
			assert.Equal(t, "0", resp.Header.Get("X-Ratelimit-Global-Remaining"))
			assert.NotEmpty(t, resp.Header.Get("X-Ratelimit-Reset"))
			assert.NotEmpty(t, resp.Header.Get("Retry-After"))
		}
	}
	assert.Equal(t, []int{200, 429}, statuses)

	assert.Empty(t, v.problems, "responses that do not match the OpenAPI:\n%s", strings.Join(v.problems, "\n"))
	for _, op := range []string{"getCallerIdentity OK", "getCallerIdentity Unauthorized", "getAuditLogEntries OK",
		"getAuditLogEntries Bad Request", "getAuditLogEntries Unauthorized"} {
		assert.True(t, v.checked[op], "%s not checked", op)
	}
	assert.GreaterOrEqual(t, len(v.checked), 19, "statuses checked: %v", v.checked)
}
