package faultproxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Proxy is an http.Handler that forwards to an upstream, disturbing the
// requests its rules match. It is safe for concurrent use.
type Proxy struct {
	upstream  *url.URL
	transport *http.Transport
	ctx       context.Context
	cancel    context.CancelFunc

	mu    sync.Mutex
	rules []*activeRule
	log   []*Entry
}

// activeRule is a rule with its counters.
type activeRule struct {
	Rule
	seen, applied int
}

// Entry records one request the proxy handled.
type Entry struct {
	// Method and Path are the request's; Query is its raw query.
	Method, Path, Query string
	// Done is set once the proxy has finished with the request.
	Done bool
	// Status is the status the client was sent or, for a lost or truncated
	// response, the one the upstream answered; 0 when nothing was answered.
	Status int
	// Effect is the rule's effect applied to the request, "" when none.
	Effect Effect
	// Detail says more: the wait of a delay, "body kept" when a body rule
	// met a non-2xx answer, or why the proxy closed the connection.
	Detail string
}

// effectWords are how String shows each effect.
var effectWords = map[Effect]string{
	Lose: "lost", Delay: "delayed", Cut: "cut", Status: "injected",
	Body: "body replaced", Truncate: "truncated", Redirect: "redirect",
}

// String writes the entry as "METHOD PATH [STATUS] [EFFECT] [DETAIL]", for
// example "POST /api/v2/tokens 201 lost", "GET /api/v2/tokens cut" or
// "POST /api/v2/tokens 201 delayed 3s"; a request under way ends in
// "pending".
func (e Entry) String() string {
	out := e.Method + " " + e.Path
	if !e.Done {
		return out + " pending"
	}
	if e.Status != 0 {
		out += " " + strconv.Itoa(e.Status)
	}
	if w := effectWords[e.Effect]; w != "" && e.Detail != "body kept" {
		out += " " + w
	}
	if e.Detail != "" {
		out += " " + e.Detail
	}
	return out
}

// New returns a proxy to upstream (scheme and host; its path is ignored)
// with no rules: transparent.
func New(upstream *url.URL) *Proxy {
	ctx, cancel := context.WithCancel(context.Background())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &Proxy{upstream: upstream, transport: tr, ctx: ctx, cancel: cancel}
}

// Close stops delays under way and closes idle upstream connections. Call
// it before closing the server the proxy runs in, so that no delayed
// request holds that server open.
func (p *Proxy) Close() {
	p.cancel()
	p.transport.CloseIdleConnections()
}

// Add appends a rule. The first rule that applies to a request decides its
// effect; every rule that matches counts the request toward its Nth.
func (p *Proxy) Add(r Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, &activeRule{Rule: r})
}

// Reset removes every rule and forgets the log.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules, p.log = nil, nil
}

// Log returns the requests handled since the last Reset, in the order they
// arrived.
func (p *Proxy) Log() []Entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Entry, len(p.log))
	for i, e := range p.log {
		out[i] = *e
	}
	return out
}

// pick counts the request against every matching rule and returns the rule
// to apply, or nil, with the request's log entry.
func (p *Proxy) pick(r *http.Request) (*Rule, *Entry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := &Entry{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	p.log = append(p.log, e)
	var chosen *Rule
	for _, ar := range p.rules {
		if !ar.matches(r.Method, r.URL.Path) {
			continue
		}
		ar.seen++
		if chosen == nil && ar.seen >= max(ar.Nth, 1) && (ar.Count == 0 || ar.applied < ar.Count) {
			ar.applied++
			rule := ar.Rule
			chosen = &rule
			e.Effect = rule.Effect
		}
	}
	return chosen, e
}

// record fills in a log entry once the request is done.
func (p *Proxy) record(e *Entry, status int, detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e.Status, e.Detail, e.Done = status, detail, true
}

// ServeHTTP implements http.Handler.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rule, e := p.pick(r)
	// Read the request first: once its client is gone, its body is too.
	reqBody, err := io.ReadAll(r.Body)
	if err != nil {
		p.record(e, 0, "request body unreadable")
		abort(w)
		return
	}
	if rule == nil {
		rule = &Rule{}
	}
	switch rule.Effect {
	case Cut:
		p.record(e, 0, "")
		abort(w)
		return
	case Status:
		body := rule.Body
		if body == nil {
			body = fmt.Appendf(nil, `{"code":"injected_%d","message":"%s (injected by the fault proxy)"}`, rule.Status, http.StatusText(rule.Status))
		}
		p.record(e, rule.Status, "")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rule.Status)
		_, _ = w.Write(body)
		return
	case Redirect:
		p.record(e, rule.Status, "")
		w.Header().Set("Location", rule.URL)
		w.WriteHeader(rule.Status)
		return
	case Delay:
		select {
		case <-time.After(rule.Delay):
		case <-p.ctx.Done():
			p.record(e, 0, "proxy closed")
			abort(w)
			return
		}
	}
	resp, body, err := p.forward(r, reqBody)
	if err != nil {
		// The upstream broke the connection (or never answered): so does
		// the proxy, so that the client sees what it would have seen.
		p.record(e, 0, "upstream failed")
		abort(w)
		return
	}
	detail := ""
	switch rule.Effect {
	case Delay:
		detail = rule.Delay.String()
	case Lose:
		p.record(e, resp.StatusCode, "")
		abort(w)
		return
	case Body:
		if resp.StatusCode/100 == 2 {
			body = rule.Body
		} else {
			detail = "body kept"
		}
	}
	h := w.Header()
	for k, vs := range resp.Header {
		if !hopByHop[http.CanonicalHeaderKey(k)] {
			h[k] = vs
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	p.record(e, resp.StatusCode, detail)
	w.WriteHeader(resp.StatusCode)
	if rule.Effect == Truncate {
		_, _ = w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		abort(w)
		return
	}
	_, _ = w.Write(body)
}

// hopByHop are the headers that belong to one connection, never forwarded.
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Content-Length": true,
}

// forward sends the request, with its body read before, upstream with the proxy's context, not the
// client's, and reads the whole answer.
func (p *Proxy) forward(r *http.Request, reqBody []byte) (*http.Response, []byte, error) {
	target := *p.upstream
	target.Path, target.RawPath, target.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
	out, err := http.NewRequestWithContext(p.ctx, r.Method, target.String(), bytes.NewReader(reqBody))
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range r.Header {
		if !hopByHop[http.CanonicalHeaderKey(k)] {
			out.Header[k] = vs
		}
	}
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// abort closes the client's connection without (further) answer.
func abort(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
