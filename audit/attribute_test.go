package audit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/audit"
	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/internal/faultproxy"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/secret"
)

// *ldapi.Client is the audit log AttributeFromLog reads.
var _ audit.AuditLog = (*ldapi.Client)(nil)

const (
	ownerKey  = "api-owner-secret"
	aliceKey  = "api-alice-secret"
	ciKey     = "api-ci-secret"
	ciTokenID = "cccccccccccccccccccccccc"
	aliceID   = "aaaaaaaaaaaaaaaaaaaaaaaa"
)

// attributionAccount has the owner (the configured access token), alice
// with a personal token, and ci, a service token ldtokens may run as.
func attributionAccount() emulator.Account {
	tok := func(id, name, member string, service bool, key string) emulator.StoredToken {
		var t emulator.StoredToken
		t.ID, t.Name, t.MemberID, t.ServiceToken, t.Role = id, name, member, service, "admin"
		t.SecretHash, t.Hint = emulator.HashSecret(key), key[len(key)-4:]
		return t
	}
	return emulator.Account{
		CallerMemberID: "5f0c1a2b3c4d5e6f7a8b9c0d",
		Members: []emulator.Member{
			{ID: "5f0c1a2b3c4d5e6f7a8b9c0d", Email: "owner@example.com", Role: "admin"},
			{ID: aliceID, Email: "alice@example.com", Role: "admin"},
		},
		Tokens: []emulator.StoredToken{
			tok(ciTokenID, "ci", "5f0c1a2b3c4d5e6f7a8b9c0d", true, ciKey),
			tok("bbbbbbbbbbbbbbbbbbbbbbbb", "alice-laptop", aliceID, false, aliceKey),
		},
	}
}

// client talks to host with key.
func client(t *testing.T, host, key string) *ldapi.Client {
	t.Helper()
	c, err := ldapi.New(ldapi.Config{Host: host, Token: secret.New(key), MaxAttempts: 1})
	require.NoError(t, err)
	return c
}

// TestAttributeFromLog reads the emulator's audit log over HTTP, through a
// fault proxy that counts the requests and can refuse them.
func TestAttributeFromLog(t *testing.T) {
	tests := []struct {
		name string
		// editor's key patches app's description, unless "".
		editor string
		// self is the token id ldtokens runs as.
		self string
		// refuse answers the audit log with this status.
		refuse int
		// items are asked about: "app" (the edited token) or "ghost".
		changed []string
		want    []audit.Item
		notes   []string
		// requests is how many audit-log requests are made.
		requests int
	}{
		{name: "a member's hand edit", editor: aliceKey, self: ciTokenID, changed: []string{"app"},
			want: []audit.Item{{Name: "app", By: "alice@example.com"}}, requests: 1},
		{name: "ldtokens' own change", editor: ciKey, self: ciTokenID, changed: []string{"app"},
			want: []audit.Item{{Name: "app", By: "ldtokens", Self: true}}, requests: 1},
		{name: "another token's change", editor: ciKey, self: "", changed: []string{"app"},
			want: []audit.Item{{Name: "app", By: `token "ci"`}}, requests: 1},
		{name: "no entry", self: ciTokenID, changed: []string{"ghost"},
			want: []audit.Item{{Name: "ghost", By: audit.Unknown}}, notes: []string{"who changed 1 token(s) is unknown: no audit-log entry names them"}, requests: 1},
		{name: "audit log forbidden: one request, one note", editor: aliceKey, self: ciTokenID, refuse: http.StatusForbidden, changed: []string{"app", "ghost"},
			want: []audit.Item{{Name: "app", By: audit.Unknown}, {Name: "ghost", By: audit.Unknown}}, requests: 1},
		{name: "audit log missing", editor: aliceKey, self: ciTokenID, refuse: http.StatusNotFound, changed: []string{"app"},
			want: []audit.Item{{Name: "app", By: audit.Unknown}}, requests: 1},
		{name: "nothing drifted: no request", self: ciTokenID, requests: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := httptest.NewServer(emulator.New(attributionAccount(), emulator.Options{AccessToken: ownerKey, Seed: 1}))
			t.Cleanup(emu.Close)
			up, err := url.Parse(emu.URL)
			require.NoError(t, err)
			proxy := faultproxy.New(up)
			ps := httptest.NewServer(proxy)
			t.Cleanup(func() { proxy.Close(); ps.Close() })
			ctx := context.Background()

			owner := client(t, ps.URL, ownerKey)
			app, _, err := owner.CreateToken(ctx, ldapi.TokenPost{Name: "app", Role: "reader", ServiceToken: true})
			require.NoError(t, err)
			if tt.editor != "" {
				_, err := client(t, ps.URL, tt.editor).PatchToken(ctx, app.ID, []ldapi.PatchOp{{Op: "add", Path: "/description", Value: "edited"}})
				require.NoError(t, err)
			}
			remote, err := owner.ListTokens(ctx, ldapi.ListOptions{})
			require.NoError(t, err)
			var r audit.Report
			for _, name := range tt.changed {
				it := audit.Item{Name: name, ID: "dddddddddddddddddddddddd"}
				if name == "app" {
					it.ID = app.ID
				}
				r.Changed = append(r.Changed, it)
			}
			proxy.Reset() // count only attribution's requests
			if tt.refuse != 0 {
				proxy.Add(faultproxy.Rule{Method: "GET", Path: ldapi.AuditLogPath, Effect: faultproxy.Status, Status: tt.refuse})
			}

			audit.AttributeFromLog(ctx, &r, client(t, ps.URL, ciKey), remote, tt.self)

			requests := 0
			for _, e := range proxy.Log() {
				if e.Path == ldapi.AuditLogPath {
					requests++
				}
			}
			assert.Equal(t, tt.requests, requests, "audit-log requests")
			require.Len(t, r.Changed, len(tt.want))
			for i, w := range tt.want {
				got := r.Changed[i]
				assert.Equal(t, w.Name, got.Name)
				assert.Equal(t, w.By, got.By)
				assert.Equal(t, w.Self, got.Self)
				if w.By == audit.Unknown {
					assert.True(t, got.At.IsZero())
				} else {
					assert.False(t, got.At.IsZero(), "when")
					assert.Contains(t, got.What, "updated the access token app", "what")
				}
			}
			switch {
			case tt.refuse != 0:
				require.Len(t, r.Notes, 1)
				assert.Contains(t, r.Notes[0], "who changed tokens is unknown: the audit log did not answer")
			default:
				assert.Equal(t, tt.notes, r.Notes)
			}
		})
	}
}
