package ldapi

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxWait clamps every wait the server asks for: a reset in the past or
// absurdly far away must neither spin nor hang the run.
const maxWait = 60 * time.Second

// minWait is the least a 429 waits, so a reset already past does not spin.
const minWait = 250 * time.Millisecond

// holdNotice is how long a hold must be for the client to announce it
// (Config.OnWait).
const holdNotice = 2 * time.Second

// Pacer spreads requests so that parallel workers share one view of
// LaunchDarkly's rate limits. Every request waits on it; every response
// teaches it. When a *-Remaining header runs low, the pacer spaces the
// remaining requests over the time left in the window, and at 0 it holds
// every worker until the window resets.
type Pacer struct {
	limiter *rate.Limiter
	now     func() time.Time

	mu          sync.Mutex
	until       time.Time // no request starts before this
	untilReason string    // why, in words
	rateReason  string    // why the limiter spaces requests, in words
	announced   time.Time // the end of the last hold announced
}

// NewPacer returns a pacer that lets requests through at will until the
// server says otherwise.
func NewPacer(now func() time.Time) *Pacer {
	if now == nil {
		now = time.Now
	}
	return &Pacer{limiter: rate.NewLimiter(rate.Inf, 1), now: now}
}

// Wait blocks until a request may start, or ctx is done.
func (p *Pacer) Wait(ctx context.Context) error { return p.wait(ctx, nil) }

// wait is Wait, calling onWait first when the request is held longer than
// holdNotice, once a hold: the requests that wait out the same hold
// together announce it once.
func (p *Pacer) wait(ctx context.Context, onWait func(time.Duration, string)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := p.limiter.Reserve()
	p.mu.Lock()
	now := p.now()
	d, reason := p.until.Sub(now), p.untilReason
	if delay := r.Delay(); delay > d {
		d, reason = delay, p.rateReason
	}
	announce := onWait != nil && d > holdNotice && !now.Before(p.announced)
	if announce {
		p.announced = now.Add(d)
	}
	p.mu.Unlock()
	if announce {
		onWait(d, reason)
	}
	if err := sleep(ctx, d); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

// sleep waits for d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// PauseFor holds every request for d from now.
func (p *Pacer) PauseFor(d time.Duration) {
	p.pause(d, func(until time.Time) string { return "paused until " + clock(until) })
}

// pause holds every request for d from now; reason says why, given the
// time the hold ends.
func (p *Pacer) pause(d time.Duration, reason func(until time.Time) string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.now().Add(d); t.After(p.until) {
		p.until, p.untilReason = t, reason(t)
	}
}

// clock writes a time of day for a person waiting on it.
func clock(t time.Time) string { return t.Format("15:04:05") }

// Observe reads the rate-limit headers of a response.
func (p *Pacer) Observe(h http.Header) {
	now := p.now()
	reset := resetTime(h, now)
	remaining, limit := math.MaxInt, ""
	for _, family := range []string{"Global", "Route", "Auth-Token"} {
		if v, err := strconv.Atoi(h.Get("X-Ratelimit-" + family + "-Remaining")); err == nil && v < remaining {
			remaining, limit = v, h.Get("X-Ratelimit-"+family+"-Limit")
		}
	}
	reason := func(until time.Time) string {
		left := strconv.Itoa(max(remaining, 0))
		if n, err := strconv.Atoi(limit); err == nil && n > 0 {
			left += " of " + strconv.Itoa(n)
		}
		if left == "1" {
			return "rate limit: 1 request left until " + clock(until)
		}
		return "rate limit: " + left + " requests left until " + clock(until)
	}
	switch {
	case remaining == math.MaxInt:
		return // this route is not rate limited
	case remaining <= 0 && !reset.IsZero():
		p.pause(clamp(reset.Sub(now), 0, maxWait), reason)
	case remaining < 10 && reset.After(now):
		// Spread what is left of the window over the time left in it.
		window := clamp(reset.Sub(now), 100*time.Millisecond, maxWait)
		p.mu.Lock()
		p.rateReason = reason(now.Add(window))
		p.mu.Unlock()
		p.limiter.SetLimit(rate.Limit(float64(remaining) / window.Seconds()))
	default:
		p.limiter.SetLimit(rate.Inf)
	}
}

// RetryAfter returns how long to wait after a 429: Retry-After seconds when
// present, else until the latest reset header; clamped, never negative.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if s := strings.TrimSpace(h.Get("Retry-After")); s != "" {
		if secs, err := strconv.ParseFloat(s, 64); err == nil {
			return clamp(time.Duration(secs*float64(time.Second)), minWait, maxWait)
		}
		if t, err := http.ParseTime(s); err == nil {
			return clamp(t.Sub(now), minWait, maxWait)
		}
	}
	if reset := resetTime(h, now); !reset.IsZero() {
		return clamp(reset.Sub(now), minWait, maxWait)
	}
	return 0
}

// resetTime is the latest of X-Ratelimit-Reset and
// X-Ratelimit-Auth-Token-Reset (epoch ms), or zero when neither is set.
func resetTime(h http.Header, now time.Time) time.Time {
	var latest time.Time
	for _, name := range []string{"X-Ratelimit-Reset", "X-Ratelimit-Auth-Token-Reset"} {
		ms, err := strconv.ParseInt(strings.TrimSpace(h.Get(name)), 10, 64)
		if err != nil || ms <= 0 {
			continue
		}
		t := time.UnixMilli(ms)
		if t.After(now.Add(time.Hour)) {
			t = now.Add(maxWait) // absurdly far: clamp rather than hang
		}
		if t.After(latest) {
			latest = t
		}
	}
	return latest
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}
