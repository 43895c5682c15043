package faultproxy

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Effect is what a rule does to a request it applies to.
type Effect string

// The effects a rule can have.
const (
	// Lose forwards the request, lets the upstream act, then closes the
	// client's connection without an answer.
	Lose Effect = "lose"
	// Delay waits Rule.Delay, then forwards; the upstream acts after the
	// delay even when the client has given up.
	Delay Effect = "delay"
	// Cut closes the client's connection without forwarding.
	Cut Effect = "cut"
	// Status answers Rule.Status with Rule.Body without forwarding.
	Status Effect = "status"
	// Body forwards, then replaces a 2xx answer's body with Rule.Body.
	Body Effect = "body"
	// Truncate forwards, then sends the headers and the first half of the
	// body, and closes the connection.
	Truncate Effect = "truncate"
	// Redirect answers Rule.Status (301, 302, 307 or 308) with Location
	// Rule.URL without forwarding.
	Redirect Effect = "redirect"
)

// Rule says which requests to disturb and how.
type Rule struct {
	// Method is the request method to match; "" or "*" matches any.
	Method string
	// Path is a prefix the request path must start with.
	Path string
	// Nth is the first matching request (counting from 1) the rule applies
	// to; 0 means the first.
	Nth int
	// Count is how many requests the rule applies to; 0 means every one
	// from the Nth on.
	Count int
	// Effect is what the rule does.
	Effect Effect
	// Delay is the wait of a Delay rule.
	Delay time.Duration
	// Status is the status of a Status or Redirect rule.
	Status int
	// Body is the body of a Status or Body rule.
	Body []byte
	// URL is the Location of a Redirect rule.
	URL string
}

// ParseRule reads a rule written as words, the syntax of the end-to-end
// tests' proxy command:
//
//	lose METHOD PATH [OPTIONS]
//	delay DURATION METHOD PATH [OPTIONS]
//	cut METHOD PATH [OPTIONS]
//	status CODE [BODY] METHOD PATH [OPTIONS]
//	body BODY METHOD PATH [OPTIONS]
//	truncate METHOD PATH [OPTIONS]
//	redirect URL [CODE] METHOD PATH [OPTIONS]
//
// METHOD is an HTTP method or * for any; PATH is a path prefix; OPTIONS are
// nth=N (start at the Nth matching request) and count=N (apply N times).
// A status rule without BODY answers a LaunchDarkly-style {code, message}
// error; a redirect without CODE answers 302.
//
// Go's http.Transport sends an idempotent request (GET, or any request
// with an Idempotency-Key) again when a reused connection closes before any
// answer, so a single cut of a GET may go unseen: cut it count=2.
func ParseRule(words []string) (Rule, error) {
	var r Rule
	for len(words) > 0 {
		last := words[len(words)-1]
		k, v, ok := strings.Cut(last, "=")
		if !ok || (k != "nth" && k != "count") {
			break
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return Rule{}, fmt.Errorf("rule option %s: want a positive integer", last)
		}
		if k == "nth" {
			r.Nth = n
		} else {
			r.Count = n
		}
		words = words[:len(words)-1]
	}
	if len(words) < 3 {
		return Rule{}, fmt.Errorf("rule %q: want EFFECT [ARGS] METHOD PATH [nth=N] [count=N]", strings.Join(words, " "))
	}
	r.Effect = Effect(words[0])
	args := words[1 : len(words)-2]
	r.Method, r.Path = strings.ToUpper(words[len(words)-2]), words[len(words)-1]
	if !strings.HasPrefix(r.Path, "/") {
		return Rule{}, fmt.Errorf("rule path %q: want a path starting with /", r.Path)
	}
	arity := func(lo, hi int) error {
		switch {
		case len(args) >= lo && len(args) <= hi:
		case lo == hi:
			return fmt.Errorf("rule %s: want %d arguments before METHOD PATH, got %d", r.Effect, lo, len(args))
		default:
			return fmt.Errorf("rule %s: want %d or %d arguments before METHOD PATH, got %d", r.Effect, lo, hi, len(args))
		}
		return nil
	}
	switch r.Effect {
	case Lose, Cut, Truncate:
		return r, arity(0, 0)
	case Delay:
		if err := arity(1, 1); err != nil {
			return Rule{}, err
		}
		d, err := time.ParseDuration(args[0])
		if err != nil || d < 0 {
			return Rule{}, fmt.Errorf("rule delay %q: want a duration such as 3s", args[0])
		}
		r.Delay = d
	case Status:
		if err := arity(1, 2); err != nil {
			return Rule{}, err
		}
		code, err := strconv.Atoi(args[0])
		if err != nil || code < 100 || code > 599 {
			return Rule{}, fmt.Errorf("rule status %q: want an HTTP status code", args[0])
		}
		r.Status = code
		if len(args) == 2 {
			r.Body = []byte(args[1])
		}
	case Body:
		if err := arity(1, 1); err != nil {
			return Rule{}, err
		}
		r.Body = []byte(args[0])
	case Redirect:
		if err := arity(1, 2); err != nil {
			return Rule{}, err
		}
		r.URL, r.Status = args[0], http.StatusFound
		if len(args) == 2 {
			code, err := strconv.Atoi(args[1])
			if err != nil || code < 300 || code > 399 {
				return Rule{}, fmt.Errorf("rule redirect code %q: want 301, 302, 307 or 308", args[1])
			}
			r.Status = code
		}
	default:
		return Rule{}, fmt.Errorf("rule effect %q: want lose, delay, cut, status, body, truncate or redirect", words[0])
	}
	return r, nil
}

// matches reports whether the rule concerns a request, before Nth and
// Count are considered.
func (r *Rule) matches(method, path string) bool {
	return (r.Method == "" || r.Method == "*" || r.Method == method) && strings.HasPrefix(path, r.Path)
}
