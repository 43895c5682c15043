package emulator

import (
	"context"
	"math"
	"net/http"
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
)

// Who makes a request: the configured access token (the account's caller
// member, as before tokens could authenticate), or the secret of a token in
// the account, current or previous and within its expiry.

// principal is who made a request.
type principal struct {
	// member is the member whose rights apply: the caller member for the
	// configured access token, the token's member for a token's secret.
	member Member
	// token is the token whose secret was used; nil for the configured
	// access token.
	token *ldapi.Token
}

// actsAsToken reports whether audit entries name the token rather than
// its member: a service token acts as itself.
func (p principal) actsAsToken() bool {
	return p.token != nil && p.token.ServiceToken
}

type principalKey struct{}

// callerOf returns who made a request that admit let through.
func callerOf(r *http.Request) principal {
	return r.Context().Value(principalKey{}).(principal)
}

// withCaller returns r carrying p for callerOf.
func withCaller(r *http.Request, p principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// authenticate finds who an Authorization value belongs to. The configured
// access token is checked first, so that the common case costs no hashing;
// with no access token configured, any value that is no token's secret is
// the caller member. The caller holds the lock.
func (s *Server) authenticate(auth string) (principal, bool) {
	if auth == "" || strings.HasPrefix(auth, "Bearer ") {
		return principal{}, false
	}
	if s.opts.AccessToken != "" && auth == s.opts.AccessToken {
		return principal{member: s.member(s.acct.CallerMemberID)}, true
	}
	if i := s.secretOwner(auth); i >= 0 {
		t := s.acct.Tokens[i].Token
		return principal{member: s.member(t.MemberID), token: &t}, true
	}
	if s.opts.AccessToken == "" {
		return principal{member: s.member(s.acct.CallerMemberID)}, true
	}
	return principal{}, false
}

// secretOwner returns the index of the token whose current secret, or
// previous secret within its expiry, is value, or -1. The caller holds the
// lock.
func (s *Server) secretOwner(value string) int {
	if s.secrets == nil {
		s.secrets = make(map[string]secretRef, len(s.acct.Tokens))
		for i, t := range s.acct.Tokens {
			for _, old := range t.OldSecrets {
				s.secrets[old.Hash] = secretRef{index: i, expiry: old.Expiry}
			}
			if t.SecretHash != "" {
				s.secrets[t.SecretHash] = secretRef{index: i, expiry: math.MaxInt64}
			}
		}
	}
	ref, ok := s.secrets[HashSecret(value)]
	if !ok || ref.expiry <= s.opts.Now().UnixMilli() {
		return -1
	}
	return ref.index
}

// secretRef is where a secret hash is found: the token's index, and the
// expiry of a previous secret (math.MaxInt64 for a current one).
type secretRef struct {
	index  int
	expiry int64
}

// callerIdentityRep is GET /api/v2/caller-identity's answer.
type callerIdentityRep struct {
	AccountID    string `json:"accountId"`
	TokenID      string `json:"tokenId,omitempty"`
	TokenName    string `json:"tokenName,omitempty"`
	MemberID     string `json:"memberId,omitempty"`
	ServiceToken bool   `json:"serviceToken"`
}

// callerIdentity answers for the secret the request used: the token's id,
// name, member and kind, or, for the configured access token, the caller
// member and the name "emulator".
func (s *Server) callerIdentity(w http.ResponseWriter, r *http.Request) {
	p := callerOf(r)
	s.mu.Lock()
	rep := callerIdentityRep{AccountID: s.acct.AccountID, MemberID: p.member.ID, TokenName: "emulator"}
	s.mu.Unlock()
	if p.token != nil {
		rep.TokenID, rep.TokenName, rep.ServiceToken = p.token.ID, p.token.Name, p.token.ServiceToken
	}
	writeJSON(w, 200, rep)
}
