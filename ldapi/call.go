package ldapi

import (
	"net/url"
	"strconv"
	"time"
)

// Call describes one HTTP request: what the client sends, and what a dry run
// prints. It never holds the access token.
type Call struct {
	Method string
	Path   string
	Query  url.Values
	// Body is marshalled to JSON; nil means no body.
	Body any
}

// String returns "METHOD /path?query".
func (c Call) String() string {
	s := c.Method + " " + c.Path
	if len(c.Query) > 0 {
		s += "?" + c.Query.Encode()
	}
	return s
}

// CreateTokenCall is POST /api/v2/tokens.
func CreateTokenCall(body TokenPost) Call {
	return Call{Method: "POST", Path: TokensPath, Body: body}
}

// PatchTokenCall is PATCH /api/v2/tokens/{id} with a JSON Patch.
func PatchTokenCall(id string, ops []PatchOp) Call {
	return Call{Method: "PATCH", Path: TokenPath(id), Body: ops}
}

// DeleteTokenCall is DELETE /api/v2/tokens/{id}.
func DeleteTokenCall(id string) Call {
	return Call{Method: "DELETE", Path: TokenPath(id)}
}

// ResetTokenCall is POST /api/v2/tokens/{id}/reset; the old secret expires
// at expiry, or at once when expiry is zero.
func ResetTokenCall(id string, expiry time.Time) Call {
	c := Call{Method: "POST", Path: TokenPath(id) + "/reset"}
	if !expiry.IsZero() {
		c.Query = url.Values{"expiry": {strconv.FormatInt(expiry.UnixMilli(), 10)}}
	}
	return c
}

// GetTokenCall is GET /api/v2/tokens/{id}.
func GetTokenCall(id string) Call {
	return Call{Method: "GET", Path: TokenPath(id)}
}
