package observe_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/internal/crash"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/observe"
	"github.com/ldtokens/ldtokens/secret"
	"github.com/ldtokens/ldtokens/spec"
)

const (
	accessToken = "api-observe-test-token"
	caller      = "5f0c1a2b3c4d5e6f7a8b9c01"
	other       = "5f0c1a2b3c4d5e6f7a8b9c02"
)

func account() emulator.Account {
	tok := func(id, name string, service bool, member string) emulator.StoredToken {
		var t emulator.StoredToken
		t.ID, t.Name, t.Role, t.ServiceToken, t.MemberID, t.OwnerID = id, name, "reader", service, member, caller
		return t
	}
	return emulator.Account{
		CallerMemberID: caller,
		Members:        []emulator.Member{{ID: caller, Email: "me@example.com", Role: "admin"}, {ID: other, Email: "you@example.com", Role: "writer"}},
		Roles:          []ldapi.Role{{ID: "role-id-1", Key: "readers"}, {ID: "role-id-2", Key: "writers"}},
		Tokens: []emulator.StoredToken{
			tok("000000000000000000000001", "svc", true, caller),
			tok("000000000000000000000002", "mine", false, caller),
			tok("000000000000000000000003", "theirs", false, other),
		},
	}
}

// override answers some paths itself and sends the rest to the emulator.
type override map[string]http.HandlerFunc

// serve starts the emulator behind the overrides and returns a client for
// it that sends token.
func serve(t *testing.T, token string, o override) *ldapi.Client {
	t.Helper()
	c, _ := serveWith(t, token, o.handler)
	return c
}

// handler answers the overridden paths and sends the rest to emu.
func (o override) handler(emu http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := o[r.URL.Path]; ok {
			h(w, r)
			return
		}
		emu.ServeHTTP(w, r)
	})
}

// serveWith starts the emulator behind wrap.
func serveWith(t *testing.T, token string, wrap func(emu http.Handler) http.Handler) (*ldapi.Client, *httptest.Server) {
	t.Helper()
	hs := httptest.NewServer(wrap(emulator.New(account(), emulator.Options{AccessToken: accessToken, Seed: 1})))
	t.Cleanup(hs.Close)
	c, err := ldapi.New(ldapi.Config{
		Host: hs.URL, Token: secret.New(token), TokenSource: "$TEST", HTTPClient: hs.Client(),
		MaxAttempts: 2, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
	})
	require.NoError(t, err)
	return c, hs
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"code":"x","message":"injected"}`))
	}
}

func names(tokens []ldapi.Token) []string {
	var out []string
	for _, t := range tokens {
		out = append(out, t.Name)
	}
	return out
}

func TestObserve(t *testing.T) {
	tests := []struct {
		name     string
		token    string
		override override
		req      observe.Request
		// want, when err is empty
		tokens      []string
		callerKnown bool
		roleIDs     map[string]string
		// err is a substring of the error; empty for success.
		err        string
		errStatus  int
		notListErr bool
	}{
		{name: "caller, tokens, no roles unless asked", token: accessToken,
			tokens: []string{"svc", "mine"}, callerKnown: true},
		{name: "roles resolved by key", token: accessToken, req: observe.Request{Roles: true},
			tokens: []string{"svc", "mine"}, callerKnown: true, roleIDs: map[string]string{"readers": "role-id-1", "writers": "role-id-2"}},
		{name: "showAll lists other members' personal tokens", token: accessToken, req: observe.Request{ShowAll: true},
			tokens: []string{"svc", "mine", "theirs"}, callerKnown: true},
		{name: "a server without caller-identity leaves the caller unknown", token: accessToken,
			override: override{"/api/v2/caller-identity": status(404)}, tokens: []string{"svc", "mine"}},
		{name: "a caller-identity the token may not read leaves the caller unknown", token: accessToken,
			override: override{"/api/v2/caller-identity": status(403)}, tokens: []string{"svc", "mine"}},
		{name: "a refused access token stops the run, in its own words", token: "api-wrong",
			err: "the access token was refused", errStatus: 401, notListErr: true},
		{name: "caller-identity refusing the token stops the run", token: accessToken,
			override: override{"/api/v2/caller-identity": status(401)}, errStatus: 401, notListErr: true},
		{name: "a failed listing is named", token: accessToken,
			override: override{ldapi.TokensPath: status(403)}, err: "list tokens: ", errStatus: 403},
		{name: "failed custom roles are named", token: accessToken, req: observe.Request{Roles: true},
			override: override{"/api/v2/roles": status(403)}, err: "list custom roles: ", errStatus: 403},
		{name: "custom roles are not read unless asked", token: accessToken,
			override: override{"/api/v2/roles": status(403)}, tokens: []string{"svc", "mine"}, callerKnown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, tt.token, tt.override)
			obs, err := observe.Observe(context.Background(), c, tt.req)
			if tt.errStatus != 0 {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.True(t, ldapi.IsStatus(err, tt.errStatus), "status %d in %v", tt.errStatus, err)
				if tt.notListErr {
					assert.False(t, strings.HasPrefix(err.Error(), "list tokens:"), err.Error())
				}
				assert.NotContains(t, err.Error(), tt.token, "the access token is never in an error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.tokens, names(obs.Tokens))
			assert.Equal(t, tt.callerKnown, obs.CallerKnown)
			if tt.callerKnown {
				assert.Equal(t, caller, obs.Caller.MemberID)
			} else {
				assert.Empty(t, obs.Caller.MemberID)
			}
			assert.Equal(t, tt.roleIDs, obs.RoleIDs)
		})
	}
}

// A failed listing cancels the reads still under way instead of waiting for
// them.
func TestObserveCancelsTheOtherReadsWhenTheListingFails(t *testing.T) {
	// Each read that reached the server says whether it was cancelled or
	// gave up waiting.
	cancelled := make(chan bool, 16)
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			cancelled <- true
		case <-time.After(5 * time.Second):
			cancelled <- false
		}
	}
	c, hs := serveWith(t, accessToken, func(emu http.Handler) http.Handler {
		return override{"/api/v2/caller-identity": hang, "/api/v2/roles": hang, ldapi.TokensPath: status(403)}.handler(emu)
	})
	_, err := observe.Observe(context.Background(), c, observe.Request{Roles: true})
	require.Error(t, err)
	assert.True(t, ldapi.IsStatus(err, 403))
	hs.Close() // waits for the handlers
	close(cancelled)
	for c := range cancelled {
		assert.True(t, c, "a read under way was cancelled")
	}
}

// A run cancelled while the caller's identity is still being read stops:
// an identity lost to cancellation is not an unknown caller.
func TestObserveCancelledAfterTheListing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	listed := make(chan struct{})
	c, _ := serveWith(t, accessToken, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case ldapi.TokensPath:
				emu.ServeHTTP(w, r)
				close(listed)
			case "/api/v2/caller-identity":
				<-listed
				// Let the client finish reading the listing, then interrupt.
				time.Sleep(200 * time.Millisecond)
				cancel()
				<-r.Context().Done()
			}
		})
	})
	_, err := observe.Observe(ctx, c, observe.Request{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestObserveStopsWhenCancelled(t *testing.T) {
	c := serve(t, accessToken, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := observe.Observe(ctx, c, observe.Request{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestForSpec(t *testing.T) {
	tests := []struct {
		yaml  string
		roles bool
	}{
		{"tokens: [{name: a, role: reader}]", false},
		{"tokens: [{name: a, customRoleIds: [abc]}]", false},
		{"tokens: [{name: a, customRoles: [readers]}]", true},
		{"tokens: [{name: a, role: reader}, {name: b, customRoles: [readers]}]", true},
	}
	for _, tt := range tests {
		s, err := spec.Parse("t.yaml", []byte(tt.yaml))
		require.NoError(t, err, tt.yaml)
		assert.Equal(t, observe.Request{ShowAll: true, Roles: tt.roles}, observe.ForSpec(s, true), tt.yaml)
		assert.Equal(t, observe.Request{Roles: tt.roles}, observe.ForSpec(s, false), tt.yaml)
	}
}

// panicky is the real client whose caller-identity read panics, as a bug in
// decoding would: the panic happens on Observe's own goroutine for it.
type panicky struct{ *ldapi.Client }

func (panicky) CallerIdentity(context.Context) (ldapi.CallerIdentity, error) {
	panic("decoding bug")
}

// A panic on a read's goroutine reaches Observe's caller, where the CLI
// recovers it (exit 1), instead of crashing the process (exit 2).
func TestAPanicInAReadReachesTheCaller(t *testing.T) {
	c := panicky{serve(t, accessToken, nil)}
	defer func() {
		p, ok := recover().(*crash.Panic)
		require.True(t, ok, "Observe raises the read's panic on its caller's goroutine")
		assert.Equal(t, "decoding bug", p.String())
	}()
	_, _ = observe.Observe(context.Background(), c, observe.Request{})
	t.Fatal("Observe returned")
}
