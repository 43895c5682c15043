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

// pages serves a list by offset: bodies["0"] for offset=0 and so on, and
// {"items":[]} for an offset it does not know. It counts the requests.
type pages struct {
	bodies map[string]string
	calls  atomic.Int32
}

func (p *pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.calls.Add(1)
	body, ok := p.bodies[r.URL.Query().Get("offset")]
	if !ok {
		body = `{"items":[]}`
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(body))
}

func servePages(t *testing.T, bodies map[string]string, mut ...func(*ldapi.Config)) (*pages, *ldapi.Client) {
	p := &pages{bodies: bodies}
	hs := httptest.NewServer(p)
	t.Cleanup(hs.Close)
	return p, newClient(t, hs.URL, mut...)
}

// tok is a list item.
func tok(id string) string { return fmt.Sprintf(`{"_id":%q,"name":"n-%s"}`, id, id) }

func TestListRefusesWhatDoesNotAddUp(t *testing.T) {
	tests := []struct {
		name   string
		bodies map[string]string
		// concurrency 0 is the default (4).
		concurrency int
		wantErr     string
		// maxCalls bounds the requests: a wrong answer must not run up a bill.
		maxCalls int32
	}{
		{"an empty object", map[string]string{"0": `{}`},
			0, "GET /api/v2/tokens?limit=1000&offset=0: unexpected response: not a page of tokens: it has no items array", 1},
		{"null", map[string]string{"0": `null`},
			0, "unexpected response: not a page of tokens: it has no items array", 1},
		{"items null", map[string]string{"0": `{"items":null,"totalCount":0}`},
			0, "unexpected response: not a page of tokens: it has no items array", 1},
		{"items not an array", map[string]string{"0": `{"items":{}}`},
			0, "unexpected response", 1},
		{"an empty page that says there are five", map[string]string{"0": `{"items":[],"totalCount":5}`},
			0, "GET /api/v2/tokens: the pages do not add up (the first page is empty, but its totalCount is 5), in 3 reads in a row", 3},
		{"an item without _id", map[string]string{"0": `{"items":[{"name":"a"}]}`},
			0, "unexpected response: token 0 of the list has no _id", 1},
		{"an item with an empty _id", map[string]string{"0": `{"items":[` + tok("1") + `,{"_id":"","name":"a"}]}`},
			0, "unexpected response: token 1 of the list has no _id", 1},
		{"an item without name", map[string]string{"0": `{"items":[{"_id":"abc"}]}`},
			0, "unexpected response: token 0 of the list (_id abc) has no name", 1},
		{"a negative totalCount", map[string]string{"0": `{"items":[],"totalCount":-1}`},
			0, "unexpected response: its totalCount is negative", 1},
		{"a totalCount that is not an integer", map[string]string{"0": `{"items":[],"totalCount":1.5}`},
			0, `JSON number 1.5 into Go int within "/totalCount"`, 1},
		{"a totalCount in exponent form", map[string]string{"0": `{"items":[` + tok("1") + `],"totalCount":1e15}`},
			0, "unexpected response", 1},
		{"a totalCount that is a string", map[string]string{"0": `{"items":[],"totalCount":"5"}`},
			0, "unexpected response", 1},
		{"an absurd totalCount allocates nothing and panics nowhere", map[string]string{"0": `{"items":[` + tok("1") + `],"totalCount":1000000000000000}`},
			0, "GET /api/v2/tokens: the totalCount 1000000000000000, in pages of 1, would take more than 10000 pages", 1},
		{"the largest totalCount", map[string]string{"0": `{"items":[` + tok("1") + `],"totalCount":9223372036854775807}`},
			0, "would take more than 10000 pages", 1},
		{"more items than totalCount", map[string]string{"0": `{"items":[` + tok("1") + `,` + tok("2") + `],"totalCount":1}`},
			0, "the first page holds 2 items, more than its totalCount 1", 3},
		{"fewer items than totalCount", map[string]string{"0": `{"items":[` + tok("1") + `],"totalCount":3}`, "1": `{"items":[` + tok("2") + `],"totalCount":3}`, "2": `{"items":[],"totalCount":3}`},
			1, "2 tokens were listed, but totalCount is 3", 9},
		{"a next link to another host", map[string]string{"0": `{"items":[` + tok("1") + `],"_links":{"next":{"href":"https://elsewhere.example/api/v2/tokens?offset=1"}}}`},
			0, "unexpected response: its next link goes to another host", 1},
		{"a next link to another scheme", map[string]string{"0": `{"items":[` + tok("1") + `],"_links":{"next":{"href":"https://127.0.0.1/api/v2/tokens?offset=1"}}}`},
			0, "unexpected response: its next link goes to another host", 1},
		{"a next link to another path", map[string]string{"0": `{"items":[` + tok("1") + `],"_links":{"next":{"href":"/api/v2/members?offset=1"}}}`},
			0, "unexpected response: its next link goes to another path", 1},
		{"a next link back to the same page", map[string]string{"0": `{"items":[` + tok("1") + `],"_links":{"next":{"href":"/api/v2/tokens?limit=1000&offset=0"}}}`},
			0, "unexpected response: the next link goes back to this page or an earlier one, a loop", 1},
		{"a next link back to an earlier page", map[string]string{
			"0": `{"items":[` + tok("1") + `],"_links":{"next":{"href":"/api/v2/tokens?offset=1"}}}`,
			"1": `{"items":[` + tok("2") + `],"_links":{"next":{"href":"/api/v2/tokens?offset=0"}}}`},
			0, "unexpected response: the next link goes back to this page or an earlier one, a loop", 2},
		{"a next link on an empty page", map[string]string{"0": `{"items":[],"_links":{"next":{"href":"/api/v2/tokens?offset=1"}}}`},
			0, "unexpected response: an empty page with a next link", 1},
		{"a next link where totalCount says the end", map[string]string{"0": `{"items":[` + tok("1") + `],"totalCount":1,"_links":{"next":{"href":"/api/v2/tokens?offset=1"}}}`},
			0, "the page at offset 0 has a next link, but its totalCount 1 says it is the last", 3},
		{"links without next where totalCount says more", map[string]string{"0": `{"items":[` + tok("1") + `],"totalCount":2,"_links":{"self":{"href":"/api/v2/tokens?offset=0"}}}`},
			0, "the page at offset 0 has _links without next, but its totalCount 2 says there is more", 3},
		{"pages with different totals", map[string]string{"0": `{"items":[` + tok("1") + `],"totalCount":2}`, "1": `{"items":[` + tok("2") + `],"totalCount":3}`},
			0, "the page at offset 1 has totalCount 3, the first had 2", 6},
		{"a page without the total the first had", map[string]string{"0": `{"items":[` + tok("1") + `],"totalCount":2}`, "1": `{"items":[` + tok("2") + `]}`},
			1, "the page at offset 1 has no totalCount, the first had 2", 6},
		{"a token listed twice", map[string]string{"0": `{"items":[` + tok("1") + `],"totalCount":2}`, "1": `{"items":[` + tok("1") + `],"totalCount":2}`},
			0, "token 1 was listed twice", 6},
		{"the same page again and again, without totals or links", map[string]string{"0": `{"items":[` + tok("1") + `]}`, "1": `{"items":[` + tok("1") + `]}`},
			0, "token 1 was listed twice", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := servePages(t, tt.bodies, func(cfg *ldapi.Config) { cfg.Concurrency = tt.concurrency })
			got, err := c.ListTokens(context.Background(), ldapi.ListOptions{})
			require.ErrorContains(t, err, tt.wantErr)
			assert.Nil(t, got, "a wrong answer is an error, never a shorter list")
			assert.Contains(t, err.Error(), "GET /api/v2/tokens", "the error names the request")
			assert.NotContains(t, err.Error(), accessToken)
			assert.LessOrEqual(t, p.calls.Load(), tt.maxCalls)
		})
	}
}

func TestListAcceptsWhatAddsUp(t *testing.T) {
	tests := []struct {
		name   string
		bodies map[string]string
		want   []string
	}{
		{"an empty account", map[string]string{"0": `{"items":[]}`}, nil},
		{"an empty account with a total and links", map[string]string{"0": `{"items":[],"totalCount":0,"_links":{"self":{"href":"/api/v2/tokens"}}}`}, nil},
		{"links alone", map[string]string{
			"0": `{"items":[` + tok("1") + `],"_links":{"next":{"href":"/api/v2/tokens?limit=1&offset=1"}}}`,
			"1": `{"items":[` + tok("2") + `],"_links":{"self":{"href":"/api/v2/tokens?limit=1&offset=1"}}}`},
			[]string{"1", "2"}},
		{"an absolute next link to the same host", map[string]string{
			"0": `{"items":[` + tok("1") + `],"totalCount":2,"_links":{"next":{"href":"HOST/api/v2/tokens?offset=1"}}}`,
			"1": `{"items":[` + tok("2") + `],"totalCount":2}`},
			[]string{"1", "2"}},
		{"a total alone", map[string]string{
			"0": `{"items":[` + tok("1") + `,` + tok("2") + `],"totalCount":3}`,
			"2": `{"items":[` + tok("3") + `],"totalCount":3}`},
			[]string{"1", "2", "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &pages{bodies: map[string]string{}}
			hs := httptest.NewServer(p)
			defer hs.Close()
			for k, v := range tt.bodies {
				p.bodies[k] = strings.ReplaceAll(v, "HOST", hs.URL)
			}
			got, err := newClient(t, hs.URL).ListTokens(context.Background(), ldapi.ListOptions{})
			require.NoError(t, err)
			var ids []string
			for _, t := range got {
				ids = append(ids, t.ID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}
}

func TestAListThatChangedWhileReadIsReadAgain(t *testing.T) {
	// The first read sees a token appear between its two pages; the second
	// read sees a steady list.
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch {
		case r.URL.Query().Get("offset") == "0":
			fmt.Fprint(w, `{"items":[`+tok("1")+`],"totalCount":2}`)
		case n == 2:
			fmt.Fprint(w, `{"items":[`+tok("2")+`],"totalCount":3}`)
		default:
			fmt.Fprint(w, `{"items":[`+tok("2")+`],"totalCount":2}`)
		}
	}))
	defer hs.Close()
	c := newClient(t, hs.URL, func(cfg *ldapi.Config) { cfg.Concurrency = 1 })
	got, err := c.ListTokens(context.Background(), ldapi.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.EqualValues(t, 4, calls.Load(), "two pages, twice")
}

func TestListRolesRefusesWhatDoesNotAddUp(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"no items", `{}`, "GET /api/v2/roles?limit=50&offset=0: unexpected response: not a page of roles: it has no items array"},
		{"a role without _id", `{"items":[{"key":"k"}]}`, "unexpected response: role 0 of the list has no _id"},
		{"a role without key", `{"items":[{"_id":"r1","name":"Role"}]}`, "unexpected response: role 0 of the list (_id r1) has no key"},
		{"an empty page that says there are two", `{"items":[],"totalCount":2}`, "GET /api/v2/roles: the pages do not add up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := servePages(t, map[string]string{"0": tt.body})
			got, err := c.ListRoles(context.Background())
			require.ErrorContains(t, err, tt.wantErr)
			assert.Nil(t, got)
		})
	}
}

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
