package ldapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/secret"
)

// What FuzzDecode's mode byte selects (mode % len).
var fuzzModes = []string{"list", "roles", "create", "reset", "get", "patch", "audit"}

// fuzzServer answers the first request of a call with first and every
// later one with rest, with status.
type fuzzServer struct {
	mu          sync.Mutex
	status      int
	first, rest []byte
	served      int
}

func (s *fuzzServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	body := s.rest
	if s.served == 0 {
		body = s.first
	}
	s.served++
	status := s.status
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// FuzzDecode sends arbitrary bodies through the client's real decoding and
// validation, over HTTP: the first page (or the one answer) is first, every
// later page rest. It must never panic, never return a token without an
// _id or a name from a list, never return a create or reset without an _id
// and a full secret as success (a 2xx it cannot believe is an
// *UncertainError), and never put the access token in an error. The seed
// corpus (testdata/fuzz/FuzzDecode) holds the malformed answers of issue 12.
func FuzzDecode(f *testing.F) {
	srv := &fuzzServer{}
	hs := httptest.NewServer(srv)
	f.Cleanup(hs.Close)
	c, err := ldapi.New(ldapi.Config{Host: hs.URL, Token: secret.New(accessToken), MaxAttempts: 2, Concurrency: 1,
		BaseBackoff: time.Microsecond, MaxBackoff: time.Microsecond, AttemptTimeout: 5 * time.Second})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, mode byte, first, rest []byte) {
		m := fuzzModes[int(mode)%len(fuzzModes)]
		srv.mu.Lock()
		srv.first, srv.rest, srv.served, srv.status = first, rest, 0, 200
		if m == "create" {
			srv.status = 201
		}
		srv.mu.Unlock()
		ctx := context.Background()
		var err error
		switch m {
		case "list":
			var got []ldapi.Token
			got, err = c.ListTokens(ctx, ldapi.ListOptions{})
			seen := map[string]bool{}
			for _, tok := range got {
				if tok.ID == "" || tok.Name == "" || seen[tok.ID] {
					t.Fatalf("listed a token without _id or name, or twice: %+v", tok)
				}
				seen[tok.ID] = true
			}
		case "roles":
			var got []ldapi.Role
			got, err = c.ListRoles(ctx)
			for _, r := range got {
				if r.ID == "" || r.Key == "" {
					t.Fatalf("listed a role without _id or key: %+v", r)
				}
			}
		case "create", "reset":
			var tok ldapi.Token
			var sec secret.Secret
			if m == "create" {
				tok, sec, err = c.CreateToken(ctx, ldapi.TokenPost{Name: "a"})
			} else {
				tok, sec, err = c.ResetToken(ctx, "1", time.Time{})
			}
			var u *ldapi.UncertainError
			switch {
			case err != nil && !errors.As(err, &u):
				t.Fatalf("a 2xx answer that is not believed must be an UncertainError: %v", err)
			case err == nil && (tok.ID == "" || (m == "reset" && tok.ID != "1")):
				t.Fatalf("success without the token's _id: %+v", tok)
			case err == nil && (len(sec.Reveal()) < 16 || tok.Hint != sec.Last4()):
				t.Fatalf("success without a full secret, or with the secret left in the token")
			}
		case "get", "patch":
			var tok ldapi.Token
			if m == "get" {
				tok, err = c.GetToken(ctx, "1")
			} else {
				tok, err = c.PatchToken(ctx, "1", []ldapi.PatchOp{{Op: "replace", Path: "/name", Value: "b"}})
				var u *ldapi.UncertainError
				if err != nil && !errors.As(err, &u) {
					t.Fatalf("a 2xx answer to a PATCH that is not believed must be an UncertainError: %v", err)
				}
			}
			if err == nil && tok.ID != "1" {
				t.Fatalf("success with another token: %+v", tok)
			}
		case "audit":
			var got []ldapi.AuditEntry
			got, err = c.AuditLog(ctx, ldapi.AuditQuery{MaxPages: 3})
			for _, e := range got {
				if e.ID == "" {
					t.Fatalf("an audit-log entry without _id: %+v", e)
				}
			}
		}
		if err != nil && strings.Contains(err.Error(), accessToken) {
			t.Fatalf("the access token in an error: %v", err)
		}
	})
}
