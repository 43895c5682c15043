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
	// attempt has its own AttemptTimeout.
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
	// Pacer is shared by every request of the client; nil makes one.
	Pacer *Pacer
}

// Client talks to the LaunchDarkly access-token API. It is safe for
// concurrent use.
type Client struct {
	cfg  Config
	base *url.URL

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
	return &Client{cfg: cfg, base: base, rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))}, nil
}

// Host returns the API host the client talks to.
func (c *Client) Host() string { return c.base.String() }

// retry says which failures a request may be repeated after.
type retry int

const (
	// retryAll repeats after 429, 409, 502-504 and network errors.
	retryAll retry = iota
	// retryRejected repeats only after a 429, which the server did not act
	// on; any lost response is an UncertainError.
	retryRejected
)

// send performs call with pacing and retries, decoding a 2xx body into out.
func (c *Client) send(ctx context.Context, call Call, mode retry, out any) error {
	var body []byte
	if call.Body != nil {
		var err error
		if body, err = json.Marshal(call.Body); err != nil {
			return fmt.Errorf("%s: encode body: %w", call, err)
		}
	}
	var lastErr error
	for attempt := 1; attempt <= c.cfg.MaxAttempts; attempt++ {
		if err := c.cfg.Pacer.Wait(ctx); err != nil {
			return c.giveUp(call, lastErr, err)
		}
		status, header, respBody, err := c.attempt(ctx, call, body, out)
		if err != nil {
			if ctx.Err() != nil {
				return c.giveUp(call, lastErr, ctx.Err())
			}
			if mode == retryRejected {
				return &UncertainError{Method: call.Method, Path: call.Path, Err: err}
			}
			lastErr = fmt.Errorf("%s: %w", call, err)
			if isDialError(err) && attempt >= dialAttempts {
				return lastErr // nothing is listening there: say so soon
			}
			if err := sleep(ctx, c.backoff(attempt)); err != nil {
				return c.giveUp(call, lastErr, err)
			}
			continue
		}
		c.cfg.Pacer.Observe(header)
		if status >= 200 && status < 300 {
			return nil
		}
		apiErr := c.apiError(call, status, respBody)
		var wait time.Duration
		switch {
		case status == http.StatusTooManyRequests:
			wait = RetryAfter(header, time.Now())
			if wait == 0 {
				wait = c.backoff(attempt)
			}
			wait += c.jitter(wait / 10)
			c.cfg.Pacer.PauseFor(wait)
		case status == http.StatusUnauthorized:
			return apiErr
		case mode == retryRejected && status >= 500:
			return &UncertainError{Method: call.Method, Path: call.Path, Err: apiErr}
		case status == http.StatusConflict || status == http.StatusBadGateway ||
			status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
			if mode == retryRejected {
				return apiErr
			}
			wait = c.backoff(attempt)
		default:
			return apiErr
		}
		lastErr = apiErr
		if attempt < c.cfg.MaxAttempts {
			if err := sleep(ctx, wait); err != nil {
				return c.giveUp(call, lastErr, err)
			}
		}
	}
	return fmt.Errorf("gave up after %d attempts: %w", c.cfg.MaxAttempts, lastErr)
}

func (c *Client) giveUp(call Call, last, cause error) error {
	if last != nil {
		return fmt.Errorf("%s: %w (last failure: %v)", call, cause, last)
	}
	return fmt.Errorf("%s: %w", call, cause)
}

// attempt sends one request. A 2xx body is decoded into out as it streams
// in; any other body is returned for the error. A 2xx body that cannot be
// read or decoded whole is an error of the attempt, like a broken
// connection.
func (c *Client) attempt(ctx context.Context, call Call, body []byte, out any) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	u := *c.base
	u.Path = call.Path
	u.RawPath = call.Path
	u.RawQuery = call.Query.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, call.Method, u.String(), rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", c.cfg.Token.Reveal())
	req.Header.Set("LD-API-Version", APIVersion)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil || call.Method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, nil, scrubURLError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil && resp.StatusCode != http.StatusNoContent {
			if err := decode(resp.Body, out); err != nil {
				return 0, nil, nil, fmt.Errorf("read response: %w", err)
			}
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, resp.Header, nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, data, nil
}

// decode reads the JSON value of r, whole, into out (a pointer), which it
// zeroes first so that nothing of a failed earlier attempt is left. It
// uses the JSON v2 decoder (the implementation behind Go's
// encoding/json/v2), which decodes a page of 1,000 tokens about three
// times faster than encoding/json's Decoder with less than half the
// allocations: on a large account, decoding the list is most of a plan's
// CPU time. Member names match exactly, as LaunchDarkly writes them;
// unknown members are skipped, so new API fields do not break the client.
func decode(r io.Reader, out any) error {
	reflect.ValueOf(out).Elem().SetZero()
	return jsonv2.UnmarshalRead(r, out)
}

// dialAttempts bounds the attempts to reach a host that refuses or cannot
// be resolved: a wrong --api-host should fail in a second, not a minute.
const dialAttempts = 3

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

func (c *Client) apiError(call Call, status int, body []byte) *APIError {
	e := &APIError{Method: call.Method, Path: call.Path, Status: status, TokenSource: c.cfg.TokenSource}
	var rep ErrorRep
	if json.Unmarshal(body, &rep) == nil && (rep.Code != "" || rep.Message != "") {
		e.Code, e.Message, e.RequestID = rep.Code, rep.Message, rep.ID
	} else {
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "…"
		}
	}
	e.Message = secret.Scrub(e.Message, c.cfg.Token)
	return e
}

// backoff is the capped, jittered exponential delay before attempt+1.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.BaseBackoff << min(attempt-1, 16)
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
