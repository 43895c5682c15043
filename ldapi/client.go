package ldapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/ldtokens/ldtokens/secret"
)

// Config configures a Client. Zero values take the defaults.
type Config struct {
	// Host is the API host, e.g. https://app.launchdarkly.com: scheme, host
	// and port only (see ParseHost).
	Host string
	// Token is the access token sent in Authorization.
	Token secret.Secret
	// TokenSource says where Token was read from, for a 401's message.
	TokenSource string
	// UserAgent is sent on every request.
	UserAgent string
	// HTTPClient sends the requests; its Timeout should be 0, since each
	// attempt has its own AttemptTimeout. The client sends through a copy
	// whose CheckRedirect refuses redirects on writes and to other hosts
	// (and then asks HTTPClient's own CheckRedirect, if any); HTTPClient
	// itself is not changed.
	HTTPClient *http.Client
	// PageSize is the limit asked for when listing (default 1000); the server
	// may return fewer.
	PageSize int
	// Concurrency is how many list pages are fetched at once (default 4).
	Concurrency int
	// MaxAttempts bounds the attempts of one request (default 10).
	MaxAttempts int
	// AttemptTimeout bounds one attempt (default 30s).
	AttemptTimeout time.Duration
	// BaseBackoff and MaxBackoff shape the jittered exponential backoff
	// between retries (defaults 250ms and 10s).
	BaseBackoff, MaxBackoff time.Duration
	// OnSecret is called with every secret the server issues, as soon as the
	// response is read (under GitHub Actions, to mask it).
	OnSecret func(secret.Secret)
	// OnWait, when set, is called when the pacer or a 429 holds a request
	// for more than 2 s, once a hold, before the wait: d is how long, reason
	// says why in words ("rate limit: 0 of 100 requests left until
	// 12:00:05"). It must not block.
	OnWait func(d time.Duration, reason string)
	// Pacer is shared by every request of the client; nil makes one.
	Pacer *Pacer
}

// Client talks to the LaunchDarkly access-token API. It is safe for
// concurrent use.
type Client struct {
	cfg  Config
	base *url.URL
	http *http.Client

	mu  sync.Mutex
	rng *rand.Rand
}

// New returns a client for cfg. A host that is not scheme://host[:port]
// is an error (see ParseHost).
func New(cfg Config) (*Client, error) {
	if cfg.Host == "" {
		cfg.Host = DefaultHost
	}
	base, err := ParseHost(cfg.Host)
	if err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "ldtokens/dev"
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 1000
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 30 * time.Second
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = 250 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 10 * time.Second
	}
	if cfg.Pacer == nil {
		cfg.Pacer = NewPacer(nil)
	}
	hc := *cfg.HTTPClient
	hc.CheckRedirect = checkRedirect(cfg.HTTPClient.CheckRedirect)
	return &Client{cfg: cfg, base: base, http: &hc, rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))}, nil
}

// Host returns the API host the client talks to.
func (c *Client) Host() string { return c.base.String() }

// MaxAttempts is the attempts one request may make, and the sends one
// create may make when the caller drives the re-sends of a create whose
// outcome was unknown.
func (c *Client) MaxAttempts() int { return c.cfg.MaxAttempts }

// Backoff is the capped, jittered exponential delay to wait after attempt
// (1 for the first) before the next.
func (c *Client) Backoff(attempt int) time.Duration {
	d := c.cfg.BaseBackoff << min(max(attempt, 1)-1, 16)
	d = min(d, c.cfg.MaxBackoff)
	return d/2 + c.jitter(d/2)
}

func (c *Client) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Duration(c.rng.Int64N(int64(d)))
}

// maxRedirects bounds the redirects one GET follows.
const maxRedirects = 10

// checkRedirect refuses every redirect of a write, handing the 3xx back to
// send, and follows a GET's only to the same scheme, host and port; then
// it asks next, the caller's own rule, if any.
func checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		first := via[0]
		to := origin(req.URL)
		switch {
		case first.Method != http.MethodGet:
			return http.ErrUseLastResponse
		case to != origin(first.URL):
			return &redirectError{to: req.URL.Scheme + "://" + req.URL.Host, reason: "ldtokens follows a redirect only to the same scheme, host and port: check the api host"}
		case len(via) >= maxRedirects:
			return &redirectError{to: to, reason: fmt.Sprintf("ldtokens follows at most %d redirects", maxRedirects)}
		case next == nil:
			return nil
		}
		err := next(req, via)
		if err == nil || errors.Is(err, http.ErrUseLastResponse) {
			return err
		}
		return &redirectError{to: to, reason: err.Error()}
	}
}

// policy says which failures a request may be repeated after.
type policy int

const (
	// idempotent requests (GET, DELETE) are repeated after a 429, 409,
	// 502-504, a broken or timed-out connection, and a 2xx body cut short.
	idempotent policy = iota
	// once requests (create, reset) are repeated only after what the
	// server did not act on: a 429, or a connection never made. Any other
	// failure once the request may have been sent is an *UncertainError.
	once
	// patch is once, and is also repeated after a 409: an optimistic
	// locking conflict says the patch was not applied.
	patch
)

// request is one call as send performs it.
type request struct {
	call   Call
	policy policy
	// out receives a 2xx body; nil ignores it.
	out any
	// check, when set, validates out once decoded: a body that fails it is
	// an error, never a result.
	check func() error
	// attempts overrides the client's MaxAttempts when > 0.
	attempts int
	// auth overrides the access token in Authorization when not zero.
	auth secret.Secret
}

// result is what one attempt learned.
type result struct {
	status int
	header http.Header
	// body is a non-2xx body, for the error.
	body []byte
	// sent says the request may have reached the server: every transport
	// failure but a refused connection.
	sent bool
	// err is a failure with no status: no answer, or a 2xx body that could
	// not be read or parsed whole. invalid is a 2xx body read whole that is
	// not what the API sends; it is never retried.
	err, invalid error
}

// send performs r with pacing and retries, decoding a 2xx body into r.out.
func (c *Client) send(ctx context.Context, r request) error {
	call := r.call
	var body []byte
	if call.Body != nil {
		var err error
		if body, err = json.Marshal(call.Body); err != nil {
			return fmt.Errorf("%s: encode body: %w", call, err)
		}
	}
	attempts := c.cfg.MaxAttempts
	if r.attempts > 0 {
		attempts = r.attempts
	}
	auth := c.cfg.Token
	if !r.auth.IsZero() {
		auth = r.auth
	}
	write := r.policy != idempotent
	uncertain := func(inFlight bool, err error) error {
		return &UncertainError{Method: call.Method, Path: call.Path, InFlight: inFlight, Err: err}
	}
	var lastErr error
	for attempt := 1; attempt <= attempts; attempt++ {
		if err := c.cfg.Pacer.wait(ctx, c.cfg.OnWait); err != nil {
			return c.giveUp(call, lastErr, err)
		}
		res := c.attempt(ctx, call, body, auth, r)
		if res.header != nil {
			c.cfg.Pacer.Observe(res.header)
		}
		var wait time.Duration
		switch {
		case res.invalid != nil && write:
			return uncertain(false, fmt.Errorf("the %d answer is not a whole, valid token: %w", res.status, res.invalid))
		case res.invalid != nil:
			return fmt.Errorf("%s: unexpected response: %w", call, res.invalid)
		case res.err != nil:
			var redirect *redirectError
			if errors.As(res.err, &redirect) {
				// The target came from the server: never let it carry a secret out.
				return fmt.Errorf("%s: %s", call, secret.Scrub(redirect.Error(), c.cfg.Token, auth))
			}
			if write && res.sent {
				return uncertain(res.status == 0, res.err)
			}
			if ctx.Err() != nil {
				return c.giveUp(call, lastErr, ctx.Err())
			}
			lastErr = fmt.Errorf("%s: %w", call, res.err)
			if isDialError(res.err) && attempt >= dialAttempts {
				return lastErr // nothing is listening there: say so soon
			}
			wait = c.Backoff(attempt)
		case res.status >= 200 && res.status < 300:
			return nil
		case res.status >= 300 && res.status < 400:
			return c.redirected(call, res)
		default:
			apiErr := c.apiError(call, res, auth, !r.auth.IsZero())
			switch s := res.status; {
			case s == http.StatusTooManyRequests:
				d := RetryAfter(res.header, time.Now())
				if d == 0 {
					d = c.Backoff(attempt)
				}
				d += c.jitter(d / 10)
				// The pacer holds this request and every other one.
				c.cfg.Pacer.pause(d, func(until time.Time) string {
					return "the server answered 429 Too Many Requests: retrying at " + clock(until)
				})
			case s == http.StatusUnauthorized:
				return apiErr
			case write && s >= 500:
				return uncertain(s == http.StatusGatewayTimeout, apiErr)
			case s == http.StatusConflict && r.policy != once,
				s == http.StatusBadGateway, s == http.StatusServiceUnavailable, s == http.StatusGatewayTimeout:
				wait = c.Backoff(attempt)
			default:
				return apiErr
			}
			lastErr = apiErr
		}
		if attempt < attempts {
			if err := sleep(ctx, wait); err != nil {
				return c.giveUp(call, lastErr, err)
			}
		}
	}
	if attempts == 1 {
		return lastErr
	}
	return fmt.Errorf("gave up after %d attempts: %w", attempts, lastErr)
}

func (c *Client) giveUp(call Call, last, cause error) error {
	if last != nil {
		return fmt.Errorf("%s: %w (last failure: %v)", call, cause, last)
	}
	return fmt.Errorf("%s: %w", call, cause)
}

// redirected is the error for a 3xx answer: a write's redirect is never
// followed, and a GET's that reaches here had no usable Location.
func (c *Client) redirected(call Call, res result) error {
	to := "elsewhere"
	if loc, err := url.Parse(res.header.Get("Location")); err == nil && loc.Host != "" {
		to = "to " + loc.Scheme + "://" + loc.Host
	}
	to = secret.Scrub(to, c.cfg.Token)
	if call.Method == http.MethodGet {
		return fmt.Errorf("%s: the server answered %d (a redirect %s) that cannot be followed", call, res.status, to)
	}
	return fmt.Errorf("%s: the server answered %d, a redirect %s; ldtokens never follows a redirect on a write, and the server did not act on it, so nothing is known to have changed: check the api host", call, res.status, to)
}

// maxBody bounds a 2xx body: a page of 1,000 tokens is about 1 MB.
const maxBody = 64 << 20

var errTooLarge = fmt.Errorf("the response is larger than %d MiB", maxBody>>20)

// attempt sends one request. A 2xx body is decoded into r.out as it
// streams in, then checked; any other body is kept for the error.
func (c *Client) attempt(ctx context.Context, call Call, body []byte, auth secret.Secret, r request) result {
	var err error
	ctx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	u := *c.base
	u.RawPath = call.Path
	if u.Path, err = url.PathUnescape(call.Path); err != nil {
		return result{err: err}
	}
	u.RawQuery = call.Query.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, call.Method, u.String(), rd)
	if err != nil {
		return result{err: err}
	}
	req.Header.Set("Authorization", auth.Reveal())
	req.Header.Set("LD-API-Version", APIVersion)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil || call.Method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return result{err: scrubURLError(err), sent: !isDialError(err)}
	}
	defer resp.Body.Close()
	res := result{status: resp.StatusCode, header: resp.Header, sent: true}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		// The status is the answer; a body cut short only shortens the error.
		res.body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return res
	}
	if r.out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return res
	}
	err = decode(&limitedReader{r: resp.Body, n: maxBody}, r.out)
	switch {
	case errors.Is(err, errTooLarge):
		res.invalid = errTooLarge
	case wrongType(err):
		res.invalid = err
	case err != nil:
		res.err = fmt.Errorf("read response: %w", err)
	case r.check != nil:
		res.invalid = r.check()
	}
	return res
}

// limitedReader reads at most n bytes from r, then fails with errTooLarge.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// decode reads the JSON value of r, whole, into out (a pointer), which it
// zeroes first so that nothing of a failed earlier attempt is left. It
// uses the JSON v2 decoder (the implementation behind Go's
// encoding/json/v2), which decodes a page of 1,000 tokens about three
// times faster than encoding/json's Decoder with less than half the
// allocations: on a large account, decoding the list is most of a plan's
// CPU time. Member names match exactly, as LaunchDarkly writes them;
// unknown members are skipped, so new API fields do not break the client.
// A value of the wrong type is a *jsonv2.SemanticError; a body cut short or
// not JSON is any other error.
func decode(r io.Reader, out any) error {
	reflect.ValueOf(out).Elem().SetZero()
	return jsonv2.UnmarshalRead(r, out)
}

// wrongType reports whether a decode error is a value of the wrong type in
// a body read whole, as opposed to a body cut short or not JSON.
func wrongType(err error) bool {
	var semantic *jsonv2.SemanticError
	var syntactic *jsontext.SyntacticError
	var netErr net.Error
	return errors.As(err, &semantic) && !errors.As(err, &syntactic) && !errors.As(err, &netErr) &&
		!errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF)
}

// dialAttempts bounds the attempts to reach a host that refuses or cannot
// be resolved: a wrong --api-host should fail in a second, not a minute.
const dialAttempts = 3

// isDialError reports whether err is a connection never made: the server
// cannot have seen the request.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// scrubURLError drops the *url.Error wrapper, whose text repeats the URL,
// keeping the cause.
func scrubURLError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

func (c *Client) apiError(call Call, res result, auth secret.Secret, verifying bool) *APIError {
	e := &APIError{Method: call.Method, Path: call.Path, Status: res.status, TokenSource: c.cfg.TokenSource, Verifying: verifying}
	var rep ErrorRep
	if json.Unmarshal(res.body, &rep) == nil && (rep.Code != "" || rep.Message != "") {
		e.Code, e.Message, e.RequestID = rep.Code, rep.Message, rep.ID
	} else {
		e.Message = strings.TrimSpace(string(res.body))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "…"
		}
	}
	e.Message = secret.Scrub(e.Message, c.cfg.Token, auth)
	e.Code = secret.Scrub(e.Code, c.cfg.Token, auth)
	e.RequestID = secret.Scrub(e.RequestID, c.cfg.Token, auth)
	return e
}
