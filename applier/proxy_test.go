package applier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
)

// proxy sits between the client and the emulator, over HTTP, and injects
// faults by rule: the response lost after the emulator acted, a delay
// before forwarding, an answer given without forwarding, an answer given
// now while the request is forwarded later. It has what the end-to-end
// tests' fault proxy (internal/faultproxy) lacks and these tests need:
// rules that match a request body, and rules over the sequence of every
// request ("every ninth").
type proxy struct {
	upstream *url.URL

	mu    sync.Mutex
	rules []*rule
	total int
}

// rule picks requests and says what to do with them.
type rule struct {
	// method and path (a prefix) pick requests; body, when set, must be in
	// the request body.
	method, path, body string
	// nth picks the nth request matching (1-based) and the count-1 after
	// it; 0 picks every one.
	nth, count int
	// every picks every every-th request the proxy sees, whatever it is.
	every int
	// effect: lose (forward, then drop the response), delay (wait, then
	// forward even if the client gave up), status (answer without
	// forwarding), late (answer status now, forward after delay).
	effect string
	delay  time.Duration
	status int

	seen, hit int
}

func newProxy(upstream string) *proxy {
	u, err := url.Parse(upstream)
	if err != nil {
		panic(err)
	}
	return &proxy{upstream: u}
}

func (p *proxy) add(r *rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, r)
}

func (p *proxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// hits says how many requests a rule changed.
func (p *proxy) hits(r *rule) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return r.hit
}

func (p *proxy) pick(r *http.Request, body []byte) *rule {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total++
	for _, ru := range p.rules {
		if ru.every > 0 {
			if p.total%ru.every == 0 {
				ru.hit++
				return ru
			}
			continue
		}
		if (ru.method != "" && ru.method != r.Method) || !strings.HasPrefix(r.URL.Path, ru.path) ||
			(ru.body != "" && !bytes.Contains(body, []byte(ru.body))) {
			continue
		}
		ru.seen++
		count := max(ru.count, 1)
		if ru.nth == 0 || (ru.seen >= ru.nth && ru.seen < ru.nth+count) {
			ru.hit++
			return ru
		}
	}
	return nil
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ru := p.pick(r, body)
	if ru == nil {
		p.relay(w, r, body)
		return
	}
	switch ru.effect {
	case "status":
		answer(w, ru.status)
	case "late":
		go func() {
			time.Sleep(ru.delay)
			if resp, err := p.forward(context.Background(), r, body); err == nil {
				resp.Body.Close()
			}
		}()
		answer(w, ru.status)
	case "delay":
		time.Sleep(ru.delay)
		p.relay(w, r, body)
	case "lose":
		if resp, err := p.forward(context.WithoutCancel(r.Context()), r, body); err == nil {
			resp.Body.Close()
		}
		hj, _ := w.(http.Hijacker)
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	default:
		panic("proxy: unknown effect " + ru.effect)
	}
}

func answer(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ldapi.ErrorRep{Code: "injected", Message: "injected by the test proxy"})
}

// relay forwards the request and copies the response, after the upstream
// acted even if the client has gone.
func (p *proxy) relay(w http.ResponseWriter, r *http.Request, body []byte) {
	resp, err := p.forward(context.WithoutCancel(r.Context()), r, body)
	if err != nil {
		answer(w, http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func (p *proxy) forward(ctx context.Context, r *http.Request, body []byte) (*http.Response, error) {
	u := *p.upstream
	u.Path, u.RawQuery = r.URL.Path, r.URL.RawQuery
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	return http.DefaultTransport.RoundTrip(req)
}
