package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
)

// Unknown is who changed a token when the audit log cannot tell.
const Unknown = "unknown"

// Attribution says who last changed a token, when, and how.
type Attribution struct {
	// Who is the member's email, or the name of the token that made the
	// change ("token \"ci-bot\"").
	Who  string
	When time.Time
	// What is the audit log's title of the change (else its description).
	What string
	// Self is set when the change was made by the access token ldtokens
	// runs as.
	Self bool
}

// Attribute fills By, At, What and Self of every changed and unmanaged item
// from lookup; an item lookup cannot tell about gets By Unknown.
func Attribute(r *Report, lookup func(Item) (Attribution, bool)) {
	for _, items := range [][]Item{r.Changed, r.Unmanaged} {
		for i := range items {
			a, ok := lookup(items[i])
			if !ok {
				a = Attribution{Who: Unknown}
			}
			items[i].By, items[i].At, items[i].What, items[i].Self = a.Who, a.When, a.What, a.Self
		}
	}
}

// AuditLog is the part of the LaunchDarkly API that attribution reads.
type AuditLog interface {
	AuditLog(ctx context.Context, q ldapi.AuditQuery) ([]ldapi.AuditEntry, error)
}

// tokenSpec is the resource specifier of access tokens.
const tokenSpec = "member/*:token/*"

// lookBack is how long before a token's last change the audit log is
// searched from, for clocks that disagree.
const lookBack = 5 * time.Minute

// AttributeFromLog attributes the changed and unmanaged items of r from
// LaunchDarkly's audit log: one request per item (none when there are
// none), for the entries about that token since just before its last
// change; the newest one says who. Changes made by selfTokenID (the token
// ldtokens runs as) are its own. It is best effort: an audit log that
// does not answer stops the requests, and that and items no entry names
// get By Unknown and one note each in r.Notes. It never fails.
func AttributeFromLog(ctx context.Context, r *Report, log AuditLog, remote []ldapi.Token, selfTokenID string) {
	byID := make(map[string]*ldapi.Token, len(remote))
	for i := range remote {
		byID[remote[i].ID] = &remote[i]
	}
	var failure error
	unnamed := 0
	Attribute(r, func(it Item) (Attribution, bool) {
		if failure != nil {
			return Attribution{}, false
		}
		name := it.Name
		if it.Change != nil && it.Change.RemoteName != "" {
			name = it.Change.RemoteName // the name LaunchDarkly knows it by
		}
		q := ldapi.AuditQuery{Q: name, Spec: tokenSpec, Limit: 20}
		if t := byID[it.ID]; t != nil {
			q.After = time.UnixMilli(cmp.Or(t.LastModified, t.CreationDate)).Add(-lookBack)
		}
		entries, err := log.AuditLog(ctx, q)
		if err != nil {
			failure = err
			return Attribution{}, false
		}
		a, ok := newest(entries, name, it.ID, selfTokenID)
		if !ok {
			unnamed++
		}
		return a, ok
	})
	if failure != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("who changed tokens is unknown: the audit log did not answer: %v", failure))
	}
	if unnamed > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("who changed %d token(s) is unknown: no audit-log entry names them", unnamed))
	}
}

// newest finds the newest entry about the token named name with id, and
// says who made it.
func newest(entries []ldapi.AuditEntry, name, id, self string) (Attribution, bool) {
	var about []ldapi.AuditEntry
	for _, e := range entries {
		if names(e, name, id) {
			about = append(about, e)
		}
	}
	if len(about) == 0 {
		return Attribution{}, false
	}
	e := slices.MaxFunc(about, func(a, b ldapi.AuditEntry) int { return cmp.Compare(a.Date, b.Date) })
	a := Attribution{When: time.UnixMilli(e.Date).UTC(), What: cmp.Or(e.Title, e.Description, e.Kind)}
	switch {
	case e.Token != nil && self != "" && e.Token.ID == self:
		a.Who, a.Self = "ldtokens", true
	case e.Token != nil:
		a.Who = fmt.Sprintf("token %q", e.Token.Name)
	case e.Member != nil:
		a.Who = cmp.Or(e.Member.Email, strings.TrimSpace(e.Member.FirstName+" "+e.Member.LastName), e.Member.ID)
	}
	if a.Who == "" {
		a.Who = Unknown
	}
	return a, true
}

// names reports whether an entry is about the token: its resources name
// the token's id or, when they name no token, its name is the token's.
func names(e ldapi.AuditEntry, name, id string) bool {
	tokens := false
	for _, r := range e.Target.Resources {
		if _, tid, ok := strings.Cut(r, ":token/"); ok {
			if tid == id {
				return true
			}
			tokens = true
		}
	}
	return !tokens && (e.Target.Name == name || e.Name == name)
}
