package emulator

import (
	"net/http"
	"strconv"
	"time"
)

// Faults are failures the server injects, from a seeded source.
type Faults struct {
	// RateLimit answers requests past this many per Window with 429.
	RateLimit int
	// Window is the rate-limit window (default 10s, as LaunchDarkly's).
	Window time.Duration
	// RetryAfter adds a Retry-After header (seconds) to 429s.
	RetryAfter bool
	// ErrorRate is the fraction of requests answered 502/503 before acting.
	ErrorRate float64
	// Latency delays every response.
	Latency time.Duration
	// LoseCreates is how many creates succeed but lose their response.
	LoseCreates int
	// LoseCreateRate is the fraction of creates that lose their response.
	LoseCreateRate float64
}

// Stats counts the requests the server has seen.
type Stats struct {
	// Requests counts requests by endpoint, "METHOD /path" with token IDs
	// as {id} ("POST /api/v2/tokens/{id}/reset"), or by method and path
	// for a request that matches no endpoint.
	Requests map[string]int
	// Total is the number of requests.
	Total int
	// RateLimited and Faulted count injected 429s and 5xx.
	RateLimited, Faulted int
	// LostCreates counts creates whose response was dropped.
	LostCreates int
}

// admit authenticates the request, counts it under name and applies rate
// limits and injected errors. It reports who made the request, whether it
// may go on, and the latency to inject.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, name string) (principal, bool, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.admitLocked(w, r, name)
	return p, ok, s.opts.Faults.Latency
}

func (s *Server) admitLocked(w http.ResponseWriter, r *http.Request, name string) (principal, bool) {
	s.stats.Total++
	s.stats.Requests[name]++
	p, ok := s.authenticate(r.Header.Get("Authorization"))
	if !ok {
		writeStatus(w, 401, "")
		return principal{}, false
	}
	if !s.limit(w, r) {
		return principal{}, false
	}
	return p, true
}

// limit applies the API version check, the rate limit and injected errors,
// answering when the request may not go on.
func (s *Server) limit(w http.ResponseWriter, r *http.Request) bool {
	if v := r.Header.Get("LD-API-Version"); v != "" && v != "beta" {
		if n, err := strconv.Atoi(v); err != nil || n < 20160426 {
			writeStatus(w, 400, "Invalid LD-API-Version")
			return false
		}
	}
	f := s.opts.Faults
	if f.RateLimit > 0 {
		now := s.opts.Now()
		if now.Sub(s.windowStart) >= f.Window {
			s.windowStart, s.windowCount = now, 0
		}
		reset := s.windowStart.Add(f.Window)
		h := w.Header()
		h.Set("X-Ratelimit-Global-Limit", strconv.Itoa(f.RateLimit))
		h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset.UnixMilli(), 10))
		if s.windowCount >= f.RateLimit {
			s.stats.RateLimited++
			h.Set("X-Ratelimit-Global-Remaining", "0")
			if f.RetryAfter {
				h.Set("Retry-After", strconv.Itoa(int(max(1, reset.Sub(now).Round(time.Second)/time.Second))))
			}
			writeStatus(w, 429, "")
			return false
		}
		s.windowCount++
		h.Set("X-Ratelimit-Global-Remaining", strconv.Itoa(f.RateLimit-s.windowCount))
	}
	if f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate {
		s.stats.Faulted++
		status := []int{502, 503}[s.rng.IntN(2)]
		writeError(w, status, "service_unavailable", "Service temporarily unavailable")
		return false
	}
	return true
}

// loseCreate decides whether the create being served loses its response,
// and counts it. The caller holds the lock.
func (s *Server) loseCreate() bool {
	f := s.opts.Faults
	lose := f.LoseCreates > s.lostCreates || (f.LoseCreateRate > 0 && s.rng.Float64() < f.LoseCreateRate)
	if lose {
		s.lostCreates++
		s.stats.LostCreates++
	}
	return lose
}

// dropResponse loses a response after the server acted: it closes the
// connection when it can, else answers 502 as a broken proxy would.
func dropResponse(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	writeError(w, 502, "bad_gateway", "Bad gateway")
}
