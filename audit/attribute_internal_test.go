package audit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ldtokens/ldtokens/ldapi"
)

func TestNewest(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return at.Add(d).UnixMilli() }
	member := &ldapi.AuditMember{ID: "m1", Email: "alex@example.com"}
	res := func(id string) ldapi.AuditTarget {
		return ldapi.AuditTarget{Name: "ci", Resources: []string{"member/m1:token/" + id}}
	}
	tests := []struct {
		name    string
		entries []ldapi.AuditEntry
		want    Attribution
		found   bool
	}{
		{"none", nil, Attribution{}, false},
		{"the newest entry about the token", []ldapi.AuditEntry{
			{Date: ms(0), Title: "Created access token", Member: member, Target: res("1")},
			{Date: ms(time.Hour), Title: "Updated access token", Member: member, Target: res("1")},
			{Date: ms(2 * time.Hour), Title: "Updated its twin", Member: &ldapi.AuditMember{Email: "x@example.com"}, Target: res("2")},
		}, Attribution{Who: "alex@example.com", When: at.Add(time.Hour), What: "Updated access token"}, true},
		{"made by a token", []ldapi.AuditEntry{{Date: ms(0), Description: "reset", Member: member, Token: &ldapi.AuditToken{ID: "t9", Name: "ci-bot"}, Target: res("1")}},
			Attribution{Who: `token "ci-bot"`, When: at, What: "reset"}, true},
		{"made by ldtokens itself", []ldapi.AuditEntry{{Date: ms(0), Title: "Updated", Member: member, Token: &ldapi.AuditToken{ID: "self", Name: "ldtokens"}, Target: res("1")}},
			Attribution{Who: "ldtokens", When: at, What: "Updated", Self: true}, true},
		{"no resources: by name", []ldapi.AuditEntry{{Date: ms(0), Kind: "token", Name: "ci", Member: &ldapi.AuditMember{FirstName: "Alex", LastName: "Doe"}}},
			Attribution{Who: "Alex Doe", When: at, What: "token"}, true},
		{"another token's entry only", []ldapi.AuditEntry{{Date: ms(0), Member: member, Target: res("2")}}, Attribution{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := newest(tt.entries, "ci", "1", "self")
			assert.Equal(t, tt.found, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
