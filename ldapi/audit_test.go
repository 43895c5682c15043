package ldapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/secret"
)

// auditServer serves the audit log from pages keyed by the "page" query
// parameter ("" for the first), and records the queries it was asked.
type auditServer struct {
	mu      sync.Mutex
	pages   map[string]string
	queries []url.Values
}

func (s *auditServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path != ldapi.AuditLogPath {
		http.NotFound(w, r)
		return
	}
	s.queries = append(s.queries, r.URL.Query())
	body, ok := s.pages[r.URL.Query().Get("page")]
	if !ok {
		status(404)(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, body)
}

const (
	memberEntry = `{"_id":"e1","_accountId":"acc","date":1700000002000,"accesses":[{"action":"updateAccessTokenName","resource":"member/m1:token/ci"}],` +
		`"kind":"token","name":"ci","description":"renamed","shortDescription":"renamed","title":"Ariel renamed the token ci",` +
		`"member":{"_links":{},"_id":"m1","email":"ariel@example.com","firstName":"Ariel","lastName":"Flores"},` +
		`"target":{"name":"ci","resources":["member/m1:token/t1"]},"_links":{}}`
	tokenEntry = `{"_id":"e2","_accountId":"acc","date":1700000001000,"accesses":[],"kind":"token","name":"ci","description":"created",` +
		`"shortDescription":"created","token":{"_id":"t0","name":"ldtokens","ending":"abcd","serviceToken":true},"target":{"name":"ci"},"_links":{}}`
)

func TestAuditLog(t *testing.T) {
	srv := &auditServer{pages: map[string]string{
		"":  `{"items":[` + memberEntry + `],"_links":{"next":{"href":"/api/v2/auditlog?page=2&q=ci"}}}`,
		"2": `{"items":[` + tokenEntry + `],"_links":{"self":{"href":"/api/v2/auditlog?page=2"}}}`,
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := newClient(t, hs.URL)
	after, before := time.UnixMilli(1_700_000_000_000), time.UnixMilli(1_700_000_100_000)

	got, err := c.AuditLog(context.Background(), ldapi.AuditQuery{Q: "ci", Spec: "member/*:token/*", After: after, Before: before, Limit: 50, MaxPages: 5})
	require.NoError(t, err)
	assert.Equal(t, []ldapi.AuditEntry{
		{ID: "e1", Date: 1700000002000, Kind: "token", Name: "ci", Title: "Ariel renamed the token ci", Description: "renamed",
			Member: &ldapi.AuditMember{ID: "m1", Email: "ariel@example.com", FirstName: "Ariel", LastName: "Flores"},
			Target: ldapi.AuditTarget{Name: "ci", Resources: []string{"member/m1:token/t1"}}},
		{ID: "e2", Date: 1700000001000, Kind: "token", Name: "ci", Description: "created",
			Token:  &ldapi.AuditToken{ID: "t0", Name: "ldtokens"},
			Target: ldapi.AuditTarget{Name: "ci"}},
	}, got)
	require.Len(t, srv.queries, 2)
	assert.Equal(t, url.Values{"q": {"ci"}, "spec": {"member/*:token/*"}, "after": {"1700000000000"}, "before": {"1700000100000"}, "limit": {"20"}}, srv.queries[0],
		"limit is at most 20")
	assert.Equal(t, url.Values{"page": {"2"}, "q": {"ci"}}, srv.queries[1], "the next link is followed as given")

	// One page unless asked for more.
	srv.queries = nil
	got, err = c.AuditLog(context.Background(), ldapi.AuditQuery{Q: "ci"})
	require.NoError(t, err)
	assert.Len(t, got, 1)
	assert.Len(t, srv.queries, 1)
	assert.Equal(t, "20", srv.queries[0].Get("limit"))
	assert.False(t, srv.queries[0].Has("after"), "no bound when zero")
}

func TestAuditLogRefusesWhatDoesNotAddUp(t *testing.T) {
	tests := []struct {
		name    string
		pages   map[string]string
		wantErr string
	}{
		{"no items", map[string]string{"": `{"_links":{}}`},
			"GET /api/v2/auditlog?limit=20: unexpected response: not a page of audit-log entries: it has no items array"},
		{"an entry without _id", map[string]string{"": `{"items":[{"date":1}],"_links":{}}`},
			"unexpected response: audit-log entry 0 has no _id"},
		{"a next link to another host", map[string]string{"": `{"items":[` + memberEntry + `],"_links":{"next":{"href":"https://elsewhere.example/api/v2/auditlog?page=2"}}}`},
			"GET /api/v2/auditlog?limit=20: unexpected response: its next link goes to another host"},
		{"a next link to another path", map[string]string{"": `{"items":[` + memberEntry + `],"_links":{"next":{"href":"/api/v2/tokens?page=2"}}}`},
			"unexpected response: its next link goes to another path"},
		{"a next link in a loop", map[string]string{
			"":  `{"items":[` + memberEntry + `],"_links":{"next":{"href":"/api/v2/auditlog?page=2"}}}`,
			"2": `{"items":[` + tokenEntry + `],"_links":{"next":{"href":"/api/v2/auditlog?page=2"}}}`},
			"GET /api/v2/auditlog?page=2: unexpected response: its next link goes back to a page already read, a loop"},
		{"no audit log here", map[string]string{}, "GET /api/v2/auditlog: 404 c404: m404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := httptest.NewServer(&auditServer{pages: tt.pages})
			defer hs.Close()
			got, err := newClient(t, hs.URL).AuditLog(context.Background(), ldapi.AuditQuery{MaxPages: 10})
			require.ErrorContains(t, err, tt.wantErr)
			assert.Nil(t, got)
		})
	}
	hs := httptest.NewServer(&auditServer{})
	defer hs.Close()
	_, err := newClient(t, hs.URL).AuditLog(context.Background(), ldapi.AuditQuery{})
	assert.True(t, ldapi.IsStatus(err, 404), "a server without an audit log answers 404, for the caller to decide")
}

func TestVerifySecret(t *testing.T) {
	const issuedSecret = "api-99999999-8888-7777-6666-555555555555"
	s := &script{steps: []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case issuedSecret:
			fmt.Fprint(w, `{"accountId":"acc-1","tokenId":"t-new","tokenName":"ci","memberId":"m1","serviceToken":true,"authKind":"token"}`)
		default:
			// A careless server that repeats what it was given.
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"code":"unauthorized","message":"Invalid access token %s"}`, r.Header.Get("Authorization"))
		}
	}}}
	hs := httptest.NewServer(s)
	defer hs.Close()
	c := newClient(t, hs.URL)

	id, err := c.VerifySecret(context.Background(), secret.New(issuedSecret))
	require.NoError(t, err)
	assert.Equal(t, ldapi.CallerIdentity{AccountID: "acc-1", TokenID: "t-new", TokenName: "ci", MemberID: "m1", ServiceToken: true}, id)
	assert.Equal(t, issuedSecret, s.calls[0].Header.Get("Authorization"), "the secret, not the access token")

	const wrongSecret = "api-00000000-1111-2222-3333-444444444444"
	_, err = c.VerifySecret(context.Background(), secret.New(wrongSecret))
	require.EqualError(t, err, "GET /api/v2/caller-identity with the secret being verified: 401 unauthorized: Invalid access token [redacted]: the secret does not work (yet)")
	assert.True(t, ldapi.IsStatus(err, 401))
	assert.NotContains(t, err.Error(), wrongSecret)

	_, err = c.VerifySecret(context.Background(), secret.Secret{})
	require.EqualError(t, err, "verify secret: the secret is empty")
}

func TestVerifySecretMakesOneAttempt(t *testing.T) {
	s, c := scripted(t, status(503), okToken)
	_, err := c.VerifySecret(context.Background(), secret.New(fullSecret))
	require.EqualError(t, err, "GET /api/v2/caller-identity: 503 c503: m503")
	assert.Equal(t, 1, s.count(), "the caller retries, allowing for propagation")

	s, c = scripted(t, lose, okToken)
	_, err = c.VerifySecret(context.Background(), secret.New(fullSecret))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), fullSecret)
	assert.Equal(t, 1, s.count())
	assert.False(t, strings.Contains(err.Error(), "gave up"), err.Error())
}
