package ldapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// AuditLogPath is the path of the audit log.
const AuditLogPath = "/api/v2/auditlog"

// maxAuditLimit is the most entries the audit log gives a page.
const maxAuditLimit = 20

// AuditQuery selects audit-log entries.
type AuditQuery struct {
	// Q is full-text search: the full or partial name of the resource.
	Q string
	// Spec is a resource specifier filter.
	Spec string
	// After and Before bound the entries' dates; zero leaves a side open.
	After, Before time.Time
	// Limit is the entries a page, 1 to 20; 0 or more than 20 asks for 20.
	Limit int
	// MaxPages is the most pages read, following _links.next; 0 reads one.
	MaxPages int
}

// AuditEntry is an audit-log entry, less what ldtokens never reads.
type AuditEntry struct {
	ID string `json:"_id"`
	// Date is when it happened, epoch ms.
	Date int64 `json:"date"`
	// Kind is the kind of resource ("token").
	Kind string `json:"kind"`
	// Name is the resource's name.
	Name string `json:"name"`
	// Title says who did what, in words; Description is the change.
	Title       string `json:"title,omitempty"`
	Description string `json:"description"`
	// Member is the member who made the change, when a member did.
	Member *AuditMember `json:"member,omitempty"`
	// Token is the access token that made the change, when a token did.
	Token *AuditToken `json:"token,omitempty"`
	// Target is the resource changed.
	Target AuditTarget `json:"target"`
}

// AuditMember is the member of an audit-log entry.
type AuditMember struct {
	ID        string `json:"_id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
}

// AuditToken is the access token of an audit-log entry.
type AuditToken struct {
	ID   string `json:"_id"`
	Name string `json:"name,omitempty"`
}

// AuditTarget is the resource an audit-log entry is about.
type AuditTarget struct {
	Name      string   `json:"name,omitempty"`
	Resources []string `json:"resources,omitempty"`
}

// auditPage is one page of the audit log.
type auditPage struct {
	Items []AuditEntry    `json:"items"`
	Links map[string]Link `json:"_links"`
}

// AuditLog lists the audit-log entries q selects, newest first as the
// server gives them, following _links.next for at most q.MaxPages pages
// (the link must stay on this host and path, and never repeat). Every page
// must have an items array and every entry an _id. A 403 or 404 (no
// access, or no audit log on this server) is an *APIError.
func (c *Client) AuditLog(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	v := url.Values{}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Spec != "" {
		v.Set("spec", q.Spec)
	}
	if !q.After.IsZero() {
		v.Set("after", strconv.FormatInt(q.After.UnixMilli(), 10))
	}
	if !q.Before.IsZero() {
		v.Set("before", strconv.FormatInt(q.Before.UnixMilli(), 10))
	}
	limit := q.Limit
	if limit <= 0 || limit > maxAuditLimit {
		limit = maxAuditLimit
	}
	v.Set("limit", strconv.Itoa(limit))
	call := Call{Method: "GET", Path: AuditLogPath, Query: v}
	seen := map[string]bool{call.String(): true}
	var entries []AuditEntry
	for n := 1; ; n++ {
		var p auditPage
		if err := c.send(ctx, request{call: call, out: &p, check: func() error { return checkAuditPage(&p) }}); err != nil {
			return nil, err
		}
		entries = append(entries, p.Items...)
		next, ok := p.Links["next"]
		if !ok || len(p.Items) == 0 || n >= max(q.MaxPages, 1) {
			return entries, nil
		}
		u, err := c.link(call, next.Href)
		if err != nil {
			return nil, fmt.Errorf("%s: unexpected response: %w", call, err)
		}
		from := call
		call = Call{Method: "GET", Path: u.EscapedPath(), Query: u.Query()}
		if seen[call.String()] {
			return nil, fmt.Errorf("%s: unexpected response: its next link goes back to a page already read, a loop", from)
		}
		seen[call.String()] = true
	}
}

func checkAuditPage(p *auditPage) error {
	if p.Items == nil {
		return errors.New("not a page of audit-log entries: it has no items array")
	}
	for i, e := range p.Items {
		if e.ID == "" {
			return fmt.Errorf("audit-log entry %d has no _id", i)
		}
	}
	return nil
}
