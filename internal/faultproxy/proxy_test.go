package faultproxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/internal/faultproxy"
)

// upstream is a server that records the requests that reached it.
type upstream struct {
	mu   sync.Mutex
	seen []string
	hit  chan struct{}
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	u.seen = append(u.seen, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization")+" "+string(body))
	u.mu.Unlock()
	select {
	case u.hit <- struct{}{}:
	default:
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/missing":
		w.WriteHeader(404)
		_, _ = io.WriteString(w, `{"code":"not_found","message":"Invalid resource identifier"}`)
	case r.Method == http.MethodPost:
		w.WriteHeader(201)
		_, _ = io.WriteString(w, `{"_id":"abc","token":"api-secret"}`)
	default:
		_, _ = io.WriteString(w, `{"items":[{"_id":"abc","name":"a"}],"totalCount":1}`)
	}
}

func (u *upstream) requests() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.seen...)
}

type harness struct {
	up     *upstream
	proxy  *faultproxy.Proxy
	url    string
	client *http.Client
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	up := &upstream{hit: make(chan struct{}, 16)}
	us := httptest.NewServer(up)
	t.Cleanup(us.Close)
	u, err := url.Parse(us.URL)
	require.NoError(t, err)
	p := faultproxy.New(u)
	ps := httptest.NewServer(p)
	t.Cleanup(func() { p.Close(); ps.Close() })
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &harness{up: up, proxy: p, url: ps.URL, client: client}
}

// outcome is what a client saw: the status and body, or the error.
type outcome struct {
	status int
	body   string
	err    bool
	header http.Header
}

func (h *harness) do(t *testing.T, client *http.Client, method, path string) outcome {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{"name":"x"}`)
	}
	req, err := http.NewRequest(method, h.url+path, body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "api-key")
	resp, err := client.Do(req)
	if err != nil {
		return outcome{err: true}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return outcome{status: resp.StatusCode, body: string(data), err: err != nil, header: resp.Header}
}

func TestEffects(t *testing.T) {
	tests := []struct {
		name     string
		rule     string
		method   string
		path     string
		want     outcome
		upstream int // requests that reached the upstream
		log      string
	}{
		{"no rule is transparent", "", "GET", "/api/v2/tokens?limit=2", outcome{status: 200, body: `{"items":[{"_id":"abc","name":"a"}],"totalCount":1}`}, 1, "GET /api/v2/tokens 200"},
		{"a rule for another method is transparent", "cut POST /api", "GET", "/api/v2/tokens", outcome{status: 200, body: `{"items":[{"_id":"abc","name":"a"}],"totalCount":1}`}, 1, "GET /api/v2/tokens 200"},
		{"a rule for another path is transparent", "cut * /api/v2/roles", "GET", "/api/v2/tokens", outcome{status: 200, body: `{"items":[{"_id":"abc","name":"a"}],"totalCount":1}`}, 1, "GET /api/v2/tokens 200"},
		{"lose: the upstream acts, the client gets no answer", "lose POST /api/v2/tokens", "POST", "/api/v2/tokens", outcome{err: true}, 1, "POST /api/v2/tokens 201 lost"},
		{"cut: nothing is forwarded, the client gets no answer", "cut POST /api/v2/tokens", "POST", "/api/v2/tokens", outcome{err: true}, 0, "POST /api/v2/tokens cut"},
		{"status: an error answer without forwarding", "status 503 POST /api/v2/tokens", "POST", "/api/v2/tokens", outcome{status: 503, body: `{"code":"injected_503","message":"Service Unavailable (injected by the fault proxy)"}`}, 0, "POST /api/v2/tokens 503 injected"},
		{"status with a body", `status 200 {"items":null} GET /api/v2/tokens`, "GET", "/api/v2/tokens", outcome{status: 200, body: `{"items":null}`}, 0, "GET /api/v2/tokens 200 injected"},
		{"body: forwarded, the 2xx body replaced", "body {} GET /api/v2/tokens", "GET", "/api/v2/tokens", outcome{status: 200, body: `{}`}, 1, "GET /api/v2/tokens 200 body replaced"},
		{"body: a non-2xx body is kept", "body null GET /missing", "GET", "/missing", outcome{status: 404, body: `{"code":"not_found","message":"Invalid resource identifier"}`}, 1, "GET /missing 404 body kept"},
		{"truncate: half the body, then the connection closes", "truncate GET /api/v2/tokens", "GET", "/api/v2/tokens", outcome{status: 200, body: `{"items":[{"_id":"abc","n`, err: true}, 1, "GET /api/v2/tokens 200 truncated"},
		{"redirect: default 302", "redirect http://elsewhere.test/api/v2/tokens PATCH /api/v2/tokens/", "PATCH", "/api/v2/tokens/abc", outcome{status: 302}, 0, "PATCH /api/v2/tokens/abc 302 redirect"},
		{"redirect with a code", "redirect /api/v2/tokens/def 307 GET /api/v2/tokens/", "GET", "/api/v2/tokens/abc", outcome{status: 307}, 0, "GET /api/v2/tokens/abc 307 redirect"},
		{"delay: forwarded after the wait", "delay 10ms GET /api/v2/tokens", "GET", "/api/v2/tokens", outcome{status: 200, body: `{"items":[{"_id":"abc","name":"a"}],"totalCount":1}`}, 1, "GET /api/v2/tokens 200 delayed 10ms"},
		{"lower-case method", "cut post /api/v2/tokens", "POST", "/api/v2/tokens", outcome{err: true}, 0, "POST /api/v2/tokens cut"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.rule != "" {
				r, err := faultproxy.ParseRule(strings.Fields(tt.rule))
				require.NoError(t, err)
				h.proxy.Add(r)
			}
			got := h.do(t, h.client, tt.method, tt.path)
			assert.Equal(t, tt.want.err, got.err, "client error")
			assert.Equal(t, tt.want.status, got.status, "status")
			assert.Equal(t, tt.want.body, got.body, "body")
			assert.Len(t, h.up.requests(), tt.upstream, "requests that reached the upstream")
			log := h.proxy.Log()
			require.Len(t, log, 1)
			assert.Equal(t, tt.log, log[0].String())
		})
	}
}

func TestForwardsRequestUnchanged(t *testing.T) {
	h := newHarness(t)
	got := h.do(t, h.client, "POST", "/api/v2/tokens/abc/reset?expiry=123")
	assert.Equal(t, 201, got.status)
	assert.Equal(t, "application/json", got.header.Get("Content-Type"))
	assert.Equal(t, []string{`POST /api/v2/tokens/abc/reset?expiry=123 api-key {"name":"x"}`}, h.up.requests())
	assert.Equal(t, "expiry=123", h.proxy.Log()[0].Query)
}

func TestRedirectLocation(t *testing.T) {
	h := newHarness(t)
	h.proxy.Add(faultproxy.Rule{Effect: faultproxy.Redirect, Method: "GET", Path: "/", Status: 301, URL: "http://elsewhere.test/x"})
	got := h.do(t, h.client, "GET", "/api/v2/tokens")
	assert.Equal(t, 301, got.status)
	assert.Equal(t, "http://elsewhere.test/x", got.header.Get("Location"))
}

func TestNthAndCount(t *testing.T) {
	tests := []struct {
		rule string
		want []int // statuses of six GETs; 0 is no answer
	}{
		{"status 503 GET /a", []int{503, 503, 503, 503, 503, 503}},
		{"status 503 GET /a count=2", []int{503, 503, 200, 200, 200, 200}},
		{"status 503 GET /a nth=3", []int{200, 200, 503, 503, 503, 503}},
		{"status 503 GET /a nth=2 count=3", []int{200, 503, 503, 503, 200, 200}},
		{"cut GET /a nth=6 count=1", []int{200, 200, 200, 200, 200, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			h := newHarness(t)
			r, err := faultproxy.ParseRule(strings.Fields(tt.rule))
			require.NoError(t, err)
			h.proxy.Add(r)
			// A fresh connection a request, so that the transport does not
			// send a GET again after a cut on a reused connection.
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			var got []int
			for range tt.want {
				got = append(got, h.do(t, client, "GET", "/a").status)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFirstApplicableRuleWins(t *testing.T) {
	h := newHarness(t)
	for _, rule := range []string{"status 503 GET /a count=1", "status 429 GET /a count=1"} {
		r, err := faultproxy.ParseRule(strings.Fields(rule))
		require.NoError(t, err)
		h.proxy.Add(r)
	}
	var got []int
	for range 3 {
		got = append(got, h.do(t, h.client, "GET", "/a").status)
	}
	// The second rule counted the first request too, but applies once.
	assert.Equal(t, []int{503, 429, 200}, got)
}

func TestResetRemovesRulesAndLog(t *testing.T) {
	h := newHarness(t)
	h.proxy.Add(faultproxy.Rule{Effect: faultproxy.Cut, Path: "/"})
	assert.True(t, h.do(t, h.client, "GET", "/a").err)
	h.proxy.Reset()
	assert.Empty(t, h.proxy.Log())
	assert.Equal(t, 200, h.do(t, h.client, "GET", "/a").status)
	require.Len(t, h.proxy.Log(), 1)
	assert.Equal(t, "GET /a 200", h.proxy.Log()[0].String())
}

// A delayed request reaches the upstream even after its client gave up, as
// a request already on the wire does.
func TestDelayOutlivesTheClient(t *testing.T) {
	h := newHarness(t)
	h.proxy.Add(faultproxy.Rule{Effect: faultproxy.Delay, Method: "POST", Path: "/api/v2/tokens", Delay: 300 * time.Millisecond})
	impatient := &http.Client{Timeout: 50 * time.Millisecond}
	got := h.do(t, impatient, "POST", "/api/v2/tokens")
	assert.True(t, got.err, "the client times out")
	assert.Empty(t, h.up.requests(), "nothing forwarded before the delay")
	assert.Equal(t, "POST /api/v2/tokens pending", h.proxy.Log()[0].String())
	select {
	case <-h.up.hit:
	case <-time.After(10 * time.Second):
		t.Fatal("the delayed request never reached the upstream")
	}
	assert.Equal(t, []string{`POST /api/v2/tokens api-key {"name":"x"}`}, h.up.requests())
}

// The proxy mirrors an upstream that drops the connection: the client gets
// no answer either, rather than a made-up 502.
func TestUpstreamDropIsMirrored(t *testing.T) {
	dropper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	defer dropper.Close()
	u, err := url.Parse(dropper.URL)
	require.NoError(t, err)
	p := faultproxy.New(u)
	ps := httptest.NewServer(p)
	defer func() { p.Close(); ps.Close() }()
	resp, err := http.Post(ps.URL+"/api/v2/tokens", "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
	}
	assert.Error(t, err)
	assert.Equal(t, "POST /api/v2/tokens upstream failed", p.Log()[0].String())
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		words string
		want  faultproxy.Rule
	}{
		{"lose POST /api/v2/tokens", faultproxy.Rule{Effect: faultproxy.Lose, Method: "POST", Path: "/api/v2/tokens"}},
		{"delay 3s POST /api/v2/tokens/ count=1", faultproxy.Rule{Effect: faultproxy.Delay, Delay: 3 * time.Second, Method: "POST", Path: "/api/v2/tokens/", Count: 1}},
		{"status 503 POST /api/v2/tokens count=4", faultproxy.Rule{Effect: faultproxy.Status, Status: 503, Method: "POST", Path: "/api/v2/tokens", Count: 4}},
		{`status 200 {"a":1} GET / nth=2 count=1`, faultproxy.Rule{Effect: faultproxy.Status, Status: 200, Body: []byte(`{"a":1}`), Method: "GET", Path: "/", Nth: 2, Count: 1}},
		{"body {} GET /api/v2/tokens", faultproxy.Rule{Effect: faultproxy.Body, Body: []byte("{}"), Method: "GET", Path: "/api/v2/tokens"}},
		{"body count=1 GET /x", faultproxy.Rule{Effect: faultproxy.Body, Body: []byte("count=1"), Method: "GET", Path: "/x"}},
		{"truncate GET /api/v2/tokens", faultproxy.Rule{Effect: faultproxy.Truncate, Method: "GET", Path: "/api/v2/tokens"}},
		{"redirect http://h.test/x PATCH /api/v2/tokens/", faultproxy.Rule{Effect: faultproxy.Redirect, URL: "http://h.test/x", Status: 302, Method: "PATCH", Path: "/api/v2/tokens/"}},
		{"redirect http://h.test/x 301 DELETE /", faultproxy.Rule{Effect: faultproxy.Redirect, URL: "http://h.test/x", Status: 301, Method: "DELETE", Path: "/"}},
		{"cut * /", faultproxy.Rule{Effect: faultproxy.Cut, Method: "*", Path: "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.words, func(t *testing.T) {
			got, err := faultproxy.ParseRule(strings.Fields(tt.words))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRuleErrors(t *testing.T) {
	tests := []struct{ words, want string }{
		{"lose POST", "want EFFECT [ARGS] METHOD PATH"},
		{"explode POST /x", `rule effect "explode": want lose, delay`},
		{"lose POST api/v2", `rule path "api/v2": want a path starting with /`},
		{"lose extra POST /x", "rule lose: want 0 arguments before METHOD PATH, got 1"},
		{"delay POST /x", "rule delay: want 1 arguments before METHOD PATH, got 0"},
		{"delay soon POST /x", `rule delay "soon": want a duration`},
		{"status 42 POST /x", `rule status "42": want an HTTP status code`},
		{"status POST /x", "rule status: want 1 or 2 arguments before METHOD PATH, got 0"},
		{"redirect http://x 200 GET /x", `rule redirect code "200"`},
		{"cut GET /x count=0", "rule option count=0: want a positive integer"},
		{"cut GET /x nth=two", "rule option nth=two: want a positive integer"},
	}
	for _, tt := range tests {
		t.Run(tt.words, func(t *testing.T) {
			_, err := faultproxy.ParseRule(strings.Fields(tt.words))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
