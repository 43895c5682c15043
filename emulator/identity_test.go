package emulator_test

import (
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *testClock { return &testClock{now: time.UnixMilli(1_750_000_000_000)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const (
	ownerID   = "5f0c1a2b3c4d5e6f7a8b9c0d"
	aliceID   = "aaaaaaaaaaaaaaaaaaaaaaaa"
	svcID     = "000000000000000000000001"
	alicePAT  = "000000000000000000000002"
	ownerPAT  = "000000000000000000000003"
	svcSecret = "api-svc-secret"
	aliceKey  = "api-alice-secret"
)

// identityAccount has the caller (owner), a second member (alice), a
// service token and a personal token each, with known secrets.
func identityAccount() emulator.Account {
	tok := func(id, name, member string, service bool, secret string) emulator.StoredToken {
		var t emulator.StoredToken
		t.ID, t.Name, t.MemberID, t.ServiceToken, t.Role = id, name, member, service, "writer"
		if secret != "" {
			t.SecretHash = emulator.HashSecret(secret)
			t.Hint = secret[len(secret)-4:]
		}
		return t
	}
	return emulator.Account{
		Members: []emulator.Member{
			{ID: ownerID, Email: "owner@example.com", Role: "admin"},
			{ID: aliceID, Email: "alice@example.com", Role: "admin", FirstName: "Alice", LastName: "Example"},
		},
		Tokens: []emulator.StoredToken{
			tok(svcID, "ci", ownerID, true, svcSecret),
			tok(alicePAT, "alice-laptop", aliceID, false, aliceKey),
			tok(ownerPAT, "owner-laptop", ownerID, false, ""),
		},
	}
}

type identity struct {
	AccountID    string `json:"accountId"`
	TokenID      string `json:"tokenId"`
	TokenName    string `json:"tokenName"`
	MemberID     string `json:"memberId"`
	ServiceToken bool   `json:"serviceToken"`
}

// whoami asks caller-identity with auth; it returns the status and the
// identity on 200.
func whoami(t *testing.T, base, auth string) (int, identity) {
	t.Helper()
	status, _, body := callAs(t, base, auth, "GET", "/api/v2/caller-identity", "")
	var id identity
	if status == 200 {
		require.NoError(t, json.Unmarshal(body, &id), "%s", body)
	}
	return status, id
}

func TestCallerIdentityBySecret(t *testing.T) {
	_, base := serve(t, identityAccount(), emulator.Options{})
	tests := []struct {
		name   string
		auth   string
		status int
		want   identity
	}{
		{"the configured access token is the caller member", testToken, 200,
			identity{AccountID: emulator.DefaultAccountID, TokenName: "emulator", MemberID: ownerID}},
		{"a service token's secret is that token", svcSecret, 200,
			identity{AccountID: emulator.DefaultAccountID, TokenID: svcID, TokenName: "ci", MemberID: ownerID, ServiceToken: true}},
		{"a personal token's secret is that token and its member", aliceKey, 200,
			identity{AccountID: emulator.DefaultAccountID, TokenID: alicePAT, TokenName: "alice-laptop", MemberID: aliceID}},
		{"an unknown secret is refused", "api-nobody", 401, identity{}},
		{"a Bearer value is refused", "Bearer " + svcSecret, 401, identity{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := whoami(t, base, tt.auth)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCallerIdentityAccountID(t *testing.T) {
	acct := identityAccount()
	acct.AccountID = "acct-1"
	srv, base := serve(t, acct, emulator.Options{})
	_, got := whoami(t, base, svcSecret)
	assert.Equal(t, "acct-1", got.AccountID)
	assert.Equal(t, "acct-1", srv.Snapshot().AccountID)
}

// A reset with expiry keeps the previous secret working until the expiry,
// by the server's clock, and not a moment after; one without expiry ends
// it at once.
func TestPreviousSecretWithinExpiry(t *testing.T) {
	clock := newClock()
	srv, base := serve(t, identityAccount(), emulator.Options{Now: clock.Now})
	reset := func(expiry time.Time) string {
		path := ldapi.TokenPath(svcID) + "/reset"
		if !expiry.IsZero() {
			path += "?expiry=" + strconv.FormatInt(expiry.UnixMilli(), 10)
		}
		status, _, body := call(t, base, "POST", path, "")
		require.Equal(t, 200, status, "%s", body)
		var tok ldapi.Token
		require.NoError(t, json.Unmarshal(body, &tok))
		return tok.Hint
	}

	second := reset(clock.Now().Add(time.Hour))
	steps := []struct {
		advance      time.Duration
		old, current int
	}{
		{0, 200, 200},
		{59 * time.Minute, 200, 200},
		{time.Minute, 401, 200}, // exactly at the expiry: gone
		{time.Hour, 401, 200},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		oldStatus, oldID := whoami(t, base, svcSecret)
		curStatus, curID := whoami(t, base, second)
		assert.Equal(t, st.old, oldStatus, "previous secret after %s more", st.advance)
		assert.Equal(t, st.current, curStatus, "current secret after %s more", st.advance)
		if oldStatus == 200 {
			assert.Equal(t, svcID, oldID.TokenID)
		}
		assert.Equal(t, svcID, curID.TokenID)
		_, ok := srv.Authenticate(svcSecret)
		assert.Equal(t, st.old == 200, ok, "Authenticate agrees with caller-identity")
	}

	third := reset(time.Time{})
	status, _ := whoami(t, base, second)
	assert.Equal(t, 401, status, "a reset without expiry ends the previous secret at once")
	status, _ = whoami(t, base, third)
	assert.Equal(t, 200, status)
}

// LaunchDarkly keeps one previous secret: a second reset, even with an
// expiry, ends the secret the first reset kept.
func TestSecondResetEndsFirstGrace(t *testing.T) {
	clock := newClock()
	srv, base := serve(t, identityAccount(), emulator.Options{Now: clock.Now})
	path := ldapi.TokenPath(svcID) + "/reset?expiry=" + strconv.FormatInt(clock.Now().Add(time.Hour).UnixMilli(), 10)
	var secrets []string
	for range 2 {
		status, _, body := call(t, base, "POST", path, "")
		require.Equal(t, 200, status, "%s", body)
		var tok ldapi.Token
		require.NoError(t, json.Unmarshal(body, &tok))
		secrets = append(secrets, tok.Hint)
	}
	for _, tt := range []struct {
		name, secret string
		status       int
	}{
		{"the original secret, kept by the first reset", svcSecret, 401},
		{"the first reset's secret, kept by the second", secrets[0], 200},
		{"the current secret", secrets[1], 200},
	} {
		status, _ := whoami(t, base, tt.secret)
		assert.Equal(t, tt.status, status, tt.name)
	}
	assert.Len(t, srv.Snapshot().Tokens[0].OldSecrets, 1)
}

// A member's personal token sees what that member sees: service tokens and
// the member's own personal tokens, with showAll everyone's if an admin.
func TestTokenSecretActsAsItsMember(t *testing.T) {
	_, base := serve(t, identityAccount(), emulator.Options{})
	names := func(auth, query string) []string {
		status, _, body := callAs(t, base, auth, "GET", ldapi.TokensPath+query, "")
		require.Equal(t, 200, status)
		var page ldapi.Page[ldapi.Token]
		require.NoError(t, json.Unmarshal(body, &page))
		var out []string
		for _, tok := range page.Items {
			out = append(out, tok.Name)
		}
		return out
	}
	assert.Equal(t, []string{"ci", "owner-laptop"}, names(testToken, ""))
	assert.Equal(t, []string{"ci", "alice-laptop"}, names(aliceKey, ""))
	assert.Equal(t, []string{"ci", "alice-laptop", "owner-laptop"}, names(aliceKey, "?showAll=true"))

	status, _, body := callAs(t, base, aliceKey, "POST", ldapi.TokensPath, `{"name":"alice-new"}`)
	require.Equal(t, 201, status)
	var created ldapi.Token
	require.NoError(t, json.Unmarshal(body, &created))
	assert.Equal(t, aliceID, created.MemberID, "a token is created for the member whose secret asked")
}

// Secrets are looked up in an index of the account; every way the account
// changes (the API, Mutate, Load) must show in the next lookup.
func TestSecretLookupFollowsChanges(t *testing.T) {
	srv, base := serve(t, identityAccount(), emulator.Options{})
	status, _ := whoami(t, base, svcSecret)
	require.Equal(t, 200, status)

	srv.Mutate(func(a *emulator.Account) { a.Tokens[0].SecretHash = emulator.HashSecret("api-mutated") })
	status, _ = whoami(t, base, svcSecret)
	assert.Equal(t, 401, status, "after Mutate, the replaced secret")
	status, got := whoami(t, base, "api-mutated")
	assert.Equal(t, 200, status, "after Mutate, the new secret")
	assert.Equal(t, svcID, got.TokenID)

	srv.Mutate(func(a *emulator.Account) {
		a.Tokens[0].OldSecrets = []emulator.OldSecret{{Hash: emulator.HashSecret("api-epoch"), Expiry: 0}}
	})
	status, _ = whoami(t, base, "api-epoch")
	assert.Equal(t, 401, status, "a previous secret that expired at the epoch")

	srv.Load(identityAccount())
	status, _ = whoami(t, base, svcSecret)
	assert.Equal(t, 200, status, "after Load")

	status, _, _ = call(t, base, "DELETE", ldapi.TokenPath(svcID), "")
	require.Equal(t, 204, status)
	status, _ = whoami(t, base, svcSecret)
	assert.Equal(t, 401, status, "after a delete")
	status, got = whoami(t, base, aliceKey)
	assert.Equal(t, 200, status, "the other tokens, whose places moved")
	assert.Equal(t, alicePAT, got.TokenID)
}
