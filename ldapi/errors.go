package ldapi

import (
	"errors"
	"fmt"
	"net/http"
)

// APIError is an error response from LaunchDarkly.
type APIError struct {
	// Method and Path name the request.
	Method, Path string
	// Status is the HTTP status code.
	Status int
	// Code and Message come from the {code, message} body; Code may be empty
	// when the body was not LaunchDarkly's.
	Code, Message string
	// RequestID is the body's id, for LaunchDarkly support.
	RequestID string
	// TokenSource says where the access token was read from.
	TokenSource string
	// Verifying says the request carried a secret being verified
	// (VerifySecret), not the access token: a 401 refuses that secret.
	Verifying bool
}

// Error implements error.
func (e *APIError) Error() string {
	what := e.answer()
	switch {
	case e.Status == http.StatusUnauthorized && e.Verifying:
		return fmt.Sprintf("%s %s with the secret being verified: %s: the secret does not work (yet)", e.Method, e.Path, what)
	case e.Status == http.StatusUnauthorized:
		src := e.TokenSource
		if src == "" {
			src = "the configured source"
		}
		return fmt.Sprintf("the access token was refused (%s); it was read from %s: check that it is a current LaunchDarkly API access token for this host", what, src)
	}
	return fmt.Sprintf("%s %s: %s", e.Method, e.Path, what)
}

// answer is the status, code and message: "404 not_found: Unknown token".
func (e *APIError) answer() string {
	what := fmt.Sprintf("%d", e.Status)
	if e.Code != "" {
		what += " " + e.Code
	}
	if e.Message != "" {
		what += ": " + e.Message
	}
	return what
}

// IsStatus reports whether err is an APIError with the given status.
func IsStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == status
}

// UncertainError says a write (create, reset or PATCH) may or may not have
// taken effect: its response was lost to a timeout or a broken connection,
// or the server answered 5xx, or it answered 2xx with a body that is not a
// whole, valid representation. Such a request is never repeated blindly:
// the caller finds out what happened first.
type UncertainError struct {
	// Method and Path name the request.
	Method, Path string
	// InFlight says the request may still be under way on the server and
	// land later: no answer came (a timeout, a cut connection), or a gateway
	// gave up waiting for the server (504). False means an answer ended it
	// (any other 5xx, including a gateway's 502: the server behind it had
	// answered or failed), so whatever it did is done.
	InFlight bool
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *UncertainError) Error() string {
	s := e.Method + " " + e.Path + ": outcome unknown"
	if e.InFlight {
		s += " (the request may still be under way on the server)"
	}
	var apiErr *APIError
	if errors.As(e.Err, &apiErr) {
		return s + ": the server answered " + apiErr.answer()
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *UncertainError) Unwrap() error { return e.Err }

// redirectError is a redirect the client refused to follow: to another
// scheme, host or port, or one too many.
type redirectError struct {
	// to is the scheme and host of the target, never its path or query.
	to     string
	reason string
}

func (e *redirectError) Error() string {
	return fmt.Sprintf("the server redirected to %s; %s", e.to, e.reason)
}
