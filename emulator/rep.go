package emulator

import (
	"encoding/json"
	"net/http"

	"github.com/ldtokens/ldtokens/ldapi"
)

// tokenRep is a token as the API writes it: the client's ldapi.Token plus
// the hypermedia and creator summary the client skips.
type tokenRep struct {
	ldapi.Token
	Member *memberSummary        `json:"_member,omitempty"`
	Links  map[string]ldapi.Link `json:"_links"`
}

// memberSummary describes the member who created a token.
type memberSummary struct {
	Links     map[string]ldapi.Link `json:"_links"`
	ID        string                `json:"_id"`
	FirstName string                `json:"firstName,omitempty"`
	LastName  string                `json:"lastName,omitempty"`
	Role      string                `json:"role"`
	Email     string                `json:"email"`
}

// rep is the representation of a stored token, showing the last four
// characters of the secret in place of the secret.
func (s *Server) rep(t StoredToken) tokenRep {
	out := tokenRep{Token: t.Token, Links: map[string]ldapi.Link{
		"parent": {Href: ldapi.TokensPath, Type: "application/json"},
		"self":   {Href: ldapi.TokenPath(t.ID), Type: "application/json"},
	}}
	for _, m := range s.acct.Members {
		if m.ID == t.MemberID {
			out.Member = &memberSummary{
				Links:     map[string]ldapi.Link{"self": {Href: "/api/v2/members/" + m.ID, Type: "application/json"}},
				ID:        m.ID,
				FirstName: m.FirstName,
				LastName:  m.LastName,
				Role:      m.Role,
				Email:     m.Email,
			}
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, ldapi.ErrorRep{Code: code, Message: message})
}

// errorMessages are LaunchDarkly's code and default message per status.
var errorMessages = map[int][2]string{
	400: {"invalid_request", "Invalid request body"},
	401: {"unauthorized", "Invalid access token"},
	403: {"forbidden", "Forbidden. Access to the requested resource was denied."},
	404: {"not_found", "Invalid resource identifier"},
	405: {"method_not_allowed", "Method not allowed"},
	409: {"optimistic_locking_error", "Conflict. Optimistic lock error. Try again later."},
	422: {"patch_failed", "Unprocessable entity. Could not apply patch."},
	429: {"rate_limited", "You've exceeded the API rate limit. Try again later."},
}

// writeStatus answers an error status with its LaunchDarkly code, and
// detail as the message when given.
func writeStatus(w http.ResponseWriter, status int, detail string) {
	m := errorMessages[status]
	msg := m[1]
	if detail != "" {
		msg = detail
	}
	writeError(w, status, m[0], msg)
}
