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
}

// Error implements error.
func (e *APIError) Error() string {
	what := fmt.Sprintf("%d", e.Status)
	if e.Code != "" {
		what += " " + e.Code
	}
	if e.Message != "" {
		what += ": " + e.Message
	}
	if e.Status == http.StatusUnauthorized {
		src := e.TokenSource
		if src == "" {
			src = "the configured source"
		}
		return fmt.Sprintf("the access token was refused (%s); it was read from %s: check that it is a current LaunchDarkly API access token for this host", what, src)
	}
	return fmt.Sprintf("%s %s: %s", e.Method, e.Path, what)
}

// IsStatus reports whether err is an APIError with the given status.
func IsStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == status
}

// UncertainError says a request may or may not have taken effect: its
// response was lost to a timeout, a broken connection or a 5xx. A create
// that fails this way must not be blindly repeated.
type UncertainError struct {
	Method, Path string
	Err          error
}

// Error implements error.
func (e *UncertainError) Error() string {
	return fmt.Sprintf("%s %s: response lost, outcome unknown: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *UncertainError) Unwrap() error { return e.Err }
