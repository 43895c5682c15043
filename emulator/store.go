package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"slices"
)

// The account the server keeps, and the rules of who sees and changes
// what in it. Every function here expects the caller to hold s.mu.

// DefaultAccountID is the account ID of a snapshot that names none.
const DefaultAccountID = "5f0c1a2b3c4d5e6f7a8b9cac"

// normalize fills in what a hand-written snapshot may leave out.
func (s *Server) normalize(a Account) Account {
	if a.AccountID == "" {
		a.AccountID = DefaultAccountID
	}
	if a.CallerMemberID == "" {
		a.CallerMemberID = "5f0c1a2b3c4d5e6f7a8b9c0d"
	}
	if a.OwnerID == "" {
		a.OwnerID = a.CallerMemberID
	}
	if !slices.ContainsFunc(a.Members, func(m Member) bool { return m.ID == a.CallerMemberID }) {
		a.Members = append(a.Members, Member{ID: a.CallerMemberID, Email: "owner@example.com", Role: "admin"})
	}
	now := s.opts.Now().UnixMilli()
	for i := range a.Tokens {
		t := &a.Tokens[i].Token
		if t.ID == "" {
			t.ID = s.newID()
		}
		if t.OwnerID == "" {
			t.OwnerID = a.OwnerID
		}
		if t.MemberID == "" {
			t.MemberID = a.CallerMemberID
		}
		if t.CreationDate == 0 {
			t.CreationDate = now
		}
		if t.LastModified == 0 {
			t.LastModified = t.CreationDate
		}
		if t.DefaultAPIVersion == 0 {
			t.DefaultAPIVersion = 20240415
		}
	}
	return a
}

func (s *Server) copyAccount() Account {
	var out Account
	data, _ := json.Marshal(s.acct)
	_ = json.Unmarshal(data, &out)
	return out
}

// changed drops what was derived from the account and tells OnChange.
func (s *Server) changed() {
	s.secrets = nil
	if s.opts.OnChange != nil {
		s.opts.OnChange(s.copyAccount())
	}
}

// newID returns a fresh 24-hex ObjectId-style ID.
func (s *Server) newID() string {
	for {
		b := make([]byte, 12)
		for i := range b {
			b[i] = byte(s.rng.UintN(256))
		}
		id := hex.EncodeToString(b)
		if s.find(id) < 0 {
			return id
		}
	}
}

// newSecret returns a fresh secret in LaunchDarkly's shape: api- and 36
// characters.
func newSecret() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	h := hex.EncodeToString(b)
	return "api-" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// issue makes a new secret and tells OnIssue.
func (s *Server) issue() string {
	v := newSecret()
	if s.opts.OnIssue != nil {
		s.opts.OnIssue(v)
	}
	return v
}

func (s *Server) find(id string) int {
	return slices.IndexFunc(s.acct.Tokens, func(t StoredToken) bool { return t.ID == id })
}

// member returns the member with id; one the account does not list has
// no role.
func (s *Server) member(id string) Member {
	for _, m := range s.acct.Members {
		if m.ID == id {
			return m
		}
	}
	if id == s.acct.CallerMemberID {
		return Member{ID: id, Role: "admin"}
	}
	return Member{ID: id}
}

func isAdmin(m Member) bool {
	return m.Role == "admin" || m.Role == "owner"
}

// visible reports whether p can see t: every service token, p's own
// personal tokens, and with showAll (admins only) everyone's.
func visible(p principal, t StoredToken, showAll bool) bool {
	return t.ServiceToken || t.MemberID == p.member.ID || (showAll && isAdmin(p.member))
}

// writable reports why p may not change t, or "".
func writable(p principal, t StoredToken) string {
	if !t.ServiceToken && t.MemberID != p.member.ID && !isAdmin(p.member) {
		return "Forbidden. Access to the requested resource was denied."
	}
	return ""
}
