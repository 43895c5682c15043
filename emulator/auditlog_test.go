package emulator_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
)

type auditPage struct {
	Items []emulator.AuditEntry `json:"items"`
	Links map[string]ldapi.Link `json:"_links"`
}

func auditLog(t *testing.T, base, path string) (int, auditPage) {
	t.Helper()
	status, _, body := call(t, base, "GET", path, "")
	var page auditPage
	if status == 200 {
		require.NoError(t, json.Unmarshal(body, &page), "%s", body)
	}
	return status, page
}

func titles(entries []emulator.AuditEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Title)
	}
	return out
}

// auditScenario makes five changes to one token through the API, each by
// a different caller, on a frozen clock: create (configured token), update
// (alice's personal token), rename (alice), reset (the service token ci),
// delete (configured token).
func auditScenario(t *testing.T) (string, string) {
	t.Helper()
	_, base := serve(t, identityAccount(), emulator.Options{Now: newClock().Now})
	status, _, body := call(t, base, "POST", ldapi.TokensPath, `{"name":"app","role":"reader","serviceToken":true}`)
	require.Equal(t, 201, status)
	var app ldapi.Token
	require.NoError(t, json.Unmarshal(body, &app))
	steps := []struct{ auth, method, path, body string }{
		{aliceKey, "PATCH", ldapi.TokenPath(app.ID), `[{"op":"add","path":"/description","value":"by hand"}]`},
		{aliceKey, "PATCH", ldapi.TokenPath(app.ID), `[{"op":"replace","path":"/name","value":"app-renamed"}]`},
		{svcSecret, "POST", ldapi.TokenPath(app.ID) + "/reset?expiry=" + strconv.FormatInt(newClock().Now().Add(time.Hour).UnixMilli(), 10), ""},
		{testToken, "DELETE", ldapi.TokenPath(app.ID), ""},
	}
	for _, st := range steps {
		status, _, body := callAs(t, base, st.auth, st.method, st.path, st.body)
		require.Less(t, status, 300, "%s %s: %s", st.method, st.path, body)
	}
	return base, app.ID
}

func TestAuditEntries(t *testing.T) {
	base, id := auditScenario(t)
	status, page := auditLog(t, base, "/api/v2/auditlog")
	require.Equal(t, 200, status)
	require.Len(t, page.Items, 5)
	assert.Equal(t, []string{
		"owner@example.com deleted the access token app-renamed",
		"ci reset the access token app-renamed",
		"Alice Example updated the access token app-renamed",
		"Alice Example updated the access token app",
		"owner@example.com created the access token app",
	}, titles(page.Items), "newest first")

	resource := "member/" + ownerID + ":token/" + id
	for i, e := range page.Items {
		assert.Equal(t, "token", e.Kind)
		assert.Equal(t, emulator.DefaultAccountID, e.AccountID)
		assert.Equal(t, e.Name, e.Target.Name)
		assert.Equal(t, []string{resource}, e.Target.Resources)
		assert.Len(t, e.ID, 24)
		assert.True(t, (e.Member == nil) != (e.Token == nil), "entry %d names a member or a token", i)
		if i > 0 {
			assert.Less(t, e.Date, page.Items[i-1].Date, "dates strictly decrease, even on a frozen clock")
		}
	}

	byAlice := page.Items[3]
	require.NotNil(t, byAlice.Member)
	assert.Equal(t, emulator.AuditMember{ID: aliceID, Email: "alice@example.com", FirstName: "Alice", LastName: "Example"}, *byAlice.Member)
	assert.Equal(t, `Changed description from "" to "by hand".`, byAlice.Description)
	assert.Equal(t, "Changed description", byAlice.ShortDescription)
	assert.Equal(t, []emulator.AuditAccess{{Action: "updateAccessTokenDescription", Resource: resource}}, byAlice.Accesses)
	assert.Equal(t, `Changed name from "app" to "app-renamed".`, page.Items[2].Description)
	assert.Equal(t, []emulator.AuditAccess{{Action: "updateAccessTokenName", Resource: resource}}, page.Items[2].Accesses)

	byToken := page.Items[1]
	require.NotNil(t, byToken.Token)
	assert.Equal(t, emulator.AuditToken{ID: svcID, Name: "ci", Ending: "cret", ServiceToken: true}, *byToken.Token)
	assert.Contains(t, byToken.Description, "the previous secret works until 2025-06-15T16:06:40Z")

	created := page.Items[4]
	require.NotNil(t, created.Member)
	assert.Equal(t, ownerID, created.Member.ID)
	assert.Equal(t, []emulator.AuditAccess{{Action: "createAccessToken", Resource: resource}}, created.Accesses)
}

func TestAuditLogFilters(t *testing.T) {
	base, _ := auditScenario(t)
	_, all := auditLog(t, base, "/api/v2/auditlog")
	require.Len(t, all.Items, 5)
	date := func(i int) string { return strconv.FormatInt(all.Items[i].Date, 10) }
	tests := []struct {
		query string
		want  []int // indexes into all.Items (newest first)
	}{
		{"", []int{0, 1, 2, 3, 4}},
		{"q=APP-RENAMED", []int{0, 1, 2}},                // name, case-insensitive
		{"q=by+hand", []int{3}},                          // description
		{"q=" + url.QueryEscape(`from "app"`), []int{2}}, // the old name, in the rename's description
		{"q=Alice", []int{2, 3}},                         // title
		{"q=nothing-like-it", nil},
		{"after=" + date(3), []int{0, 1, 2}}, // strictly after
		{"before=" + date(1), []int{2, 3, 4}},
		{"after=" + date(4) + "&before=" + date(0), []int{1, 2, 3}},
		{"spec=" + url.QueryEscape("member/*:token/*"), []int{0, 1, 2, 3, 4}},
		{"spec=" + url.QueryEscape("member/"+aliceID+":token/*"), nil},
		{"limit=2", []int{0, 1}},
		{"limit=20&q=app", []int{0, 1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			status, page := auditLog(t, base, "/api/v2/auditlog?"+tt.query)
			require.Equal(t, 200, status)
			var want []string
			for _, i := range tt.want {
				want = append(want, all.Items[i].Title)
			}
			assert.Equal(t, want, titles(page.Items))
		})
	}
}

func TestAuditLogBadQuery(t *testing.T) {
	base, _ := auditScenario(t)
	for _, q := range []string{"limit=0", "limit=21", "limit=ten", "after=yesterday", "before=-5"} {
		t.Run(q, func(t *testing.T) {
			status, _, body := call(t, base, "GET", "/api/v2/auditlog?"+q, "")
			assert.Equal(t, 400, status)
			var e ldapi.ErrorRep
			require.NoError(t, json.Unmarshal(body, &e))
			assert.Equal(t, "invalid_request", e.Code)
			assert.Contains(t, e.Message, strings.SplitN(q, "=", 2)[0])
		})
	}
}

// Following _links.next pages through every entry that matches, newest
// first, once each, keeping the query.
func TestAuditLogPaging(t *testing.T) {
	base, _ := auditScenario(t)
	_, all := auditLog(t, base, "/api/v2/auditlog")
	for _, tt := range []struct {
		first string
		pages int
		want  []string
	}{
		{"/api/v2/auditlog?limit=2", 3, titles(all.Items)},
		{"/api/v2/auditlog?limit=1", 5, titles(all.Items)},
		{"/api/v2/auditlog?limit=2&q=alice", 1, titles(all.Items[2:4])},
		{"/api/v2/auditlog?limit=1&q=alice", 2, titles(all.Items[2:4])},
		{"/api/v2/auditlog?limit=5", 1, titles(all.Items)},
	} {
		t.Run(tt.first, func(t *testing.T) {
			var got []string
			pages := 0
			for path := tt.first; path != ""; pages++ {
				require.Less(t, pages, 10, "paging does not end")
				status, page := auditLog(t, base, path)
				require.Equal(t, 200, status)
				got = append(got, titles(page.Items)...)
				path = page.Links["next"].Href
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.pages, pages)
		})
	}
}
