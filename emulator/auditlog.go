package emulator

import (
	"cmp"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
)

// AuditEntry is one audit-log entry: a change made through the API, who
// made it, and to which token. It is stored in the account snapshot and
// served, with hypermedia added, by GET /api/v2/auditlog.
type AuditEntry struct {
	ID        string `json:"_id"`
	AccountID string `json:"_accountId"`
	// Date is epoch ms; every entry is later than the one before it.
	Date     int64         `json:"date"`
	Accesses []AuditAccess `json:"accesses"`
	// Kind is "token".
	Kind string `json:"kind"`
	// Name is the token's name after the change.
	Name string `json:"name"`
	// TitleVerb is what was done ("updated the access token"); Title is
	// who did it to what ("Alice Example updated the access token app").
	TitleVerb string `json:"titleVerb"`
	Title     string `json:"title"`
	// Description says what changed (`Changed description from "a" to
	// "b".`); ShortDescription names the changed fields.
	Description      string `json:"description"`
	ShortDescription string `json:"shortDescription"`
	// Member is the member who made the change with a personal token (or
	// the configured access token); Token the service token that made it.
	// Exactly one is set.
	Member *AuditMember `json:"member,omitempty"`
	Token  *AuditToken  `json:"token,omitempty"`
	Target AuditTarget  `json:"target"`
}

// AuditAccess is an action on a resource.
type AuditAccess struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
}

// AuditMember is the member who made a change: the API's representation,
// as the client reads it.
type AuditMember = ldapi.AuditMember

// AuditToken is the service token that made a change.
type AuditToken struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
	// Ending is the last four characters of the token's secret.
	Ending       string `json:"ending,omitempty"`
	ServiceToken bool   `json:"serviceToken"`
}

// AuditTarget is the token a change was made to: its name, and its
// resource specifier member/MEMBER-ID:token/TOKEN-ID.
type AuditTarget struct {
	Name      string   `json:"name"`
	Resources []string `json:"resources"`
}

// auditEvent is a change to record.
type auditEvent struct {
	// action is the first word of the entry's verb: created, updated,
	// reset or deleted.
	action string
	// actions are the role actions the change used.
	actions []string
	// token is the token after the change (before it, for a delete).
	token ldapi.Token
	// description and short say what changed.
	description, short string
}

// audit appends an entry for a change p made. The caller holds the lock.
func (s *Server) audit(p principal, ev auditEvent) {
	t := ev.token
	date := s.opts.Now().UnixMilli()
	if n := len(s.acct.AuditLog); n > 0 {
		date = max(date, s.acct.AuditLog[n-1].Date+1)
	}
	resource := "member/" + t.MemberID + ":token/" + t.ID
	e := AuditEntry{
		ID: s.newAuditID(), AccountID: s.acct.AccountID, Date: date, Kind: "token", Name: t.Name,
		TitleVerb: ev.action + " the access token", Description: ev.description, ShortDescription: ev.short,
		Target: AuditTarget{Name: t.Name, Resources: []string{resource}},
	}
	for _, a := range ev.actions {
		e.Accesses = append(e.Accesses, AuditAccess{Action: a, Resource: resource})
	}
	who := ""
	if p.actsAsToken() {
		e.Token = &AuditToken{ID: p.token.ID, Name: p.token.Name, Ending: ending(p.token.Hint), ServiceToken: true}
		who = p.token.Name
	} else {
		m := p.member
		e.Member = &AuditMember{ID: m.ID, Email: m.Email, FirstName: m.FirstName, LastName: m.LastName}
		who = strings.TrimSpace(m.FirstName + " " + m.LastName)
		if who == "" {
			who = cmp.Or(m.Email, m.ID)
		}
	}
	e.Title = who + " " + e.TitleVerb + " " + t.Name
	s.acct.AuditLog = append(s.acct.AuditLog, e)
}

// ending returns the last four characters of a secret or of its hint.
func ending(hint string) string {
	return hint[max(0, len(hint)-4):]
}

// newAuditID returns a fresh 24-hex entry ID from a source of its own, so
// that audit entries do not change the token IDs a seed gives.
func (s *Server) newAuditID() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 24)
	for i := range b {
		b[i] = hex[s.auditRng.IntN(16)]
	}
	return string(b)
}

// newAuditRand returns the source of audit entry IDs for a seed.
func newAuditRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x5bd1e9955bd1e995, seed))
}

// auditQuery is a parsed GET /api/v2/auditlog query.
type auditQuery struct {
	q             string
	spec          *regexp.Regexp
	after, before int64 // 0: unset
	limit         int
}

// parseAuditQuery reads q, spec, after, before and limit (1 to 20, default
// 10), or says what is wrong.
func parseAuditQuery(v url.Values) (auditQuery, string) {
	aq := auditQuery{q: strings.ToLower(v.Get("q")), limit: 10}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"after", &aq.after}, {"before", &aq.before}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return auditQuery{}, p.name + " must be a Unix time in milliseconds"
			}
			*p.dst = n
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 20 {
			return auditQuery{}, "limit must be between 1 and 20"
		}
		aq.limit = n
	}
	if s := v.Get("spec"); s != "" {
		// A resource specifier where * matches any characters; the rest of
		// LaunchDarkly's syntax (tags, sets) is taken literally.
		parts := strings.Split(s, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		aq.spec = regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
	}
	return aq, ""
}

// matches reports whether an entry passes the query's filters.
func (aq auditQuery) matches(e AuditEntry) bool {
	if aq.after != 0 && e.Date <= aq.after || aq.before != 0 && e.Date >= aq.before {
		return false
	}
	if aq.q != "" && !slices.ContainsFunc([]string{e.Name, e.Target.Name, e.Title, e.Description}, func(s string) bool {
		return strings.Contains(strings.ToLower(s), aq.q)
	}) {
		return false
	}
	return aq.spec == nil || slices.ContainsFunc(e.Target.Resources, aq.spec.MatchString)
}

// auditEntryRep is an entry as the API writes it.
type auditEntryRep struct {
	AuditEntry
	Links  map[string]ldapi.Link `json:"_links"`
	Member *auditMemberRep       `json:"member,omitempty"`
}

// auditMemberRep is an entry's member with its hypermedia.
type auditMemberRep struct {
	AuditMember
	Links map[string]ldapi.Link `json:"_links"`
}

// auditLogRep is GET /api/v2/auditlog's answer.
type auditLogRep struct {
	Items []auditEntryRep       `json:"items"`
	Links map[string]ldapi.Link `json:"_links"`
}

const auditLogPath = "/api/v2/auditlog"

// auditLog lists the entries that match the query, newest first, limit at
// a time; _links.next asks for the entries before the page's oldest.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	aq, msg := parseAuditQuery(r.URL.Query())
	if msg != "" {
		writeStatus(w, 400, msg)
		return
	}
	s.mu.Lock()
	var found []AuditEntry
	for _, e := range s.acct.AuditLog {
		if aq.matches(e) {
			found = append(found, e)
		}
	}
	s.mu.Unlock()
	slices.SortStableFunc(found, func(a, b AuditEntry) int { return cmp.Compare(b.Date, a.Date) })
	link := func(q url.Values) ldapi.Link {
		return ldapi.Link{Href: auditLogPath + "?" + q.Encode(), Type: "application/json"}
	}
	out := auditLogRep{Items: []auditEntryRep{}, Links: map[string]ldapi.Link{"self": link(r.URL.Query())}}
	for _, e := range found[:min(aq.limit, len(found))] {
		rep := auditEntryRep{AuditEntry: e, Links: map[string]ldapi.Link{"self": {Href: auditLogPath + "/" + e.ID, Type: "application/json"}}}
		if e.Member != nil {
			rep.Member = &auditMemberRep{AuditMember: *e.Member, Links: map[string]ldapi.Link{"self": {Href: "/api/v2/members/" + e.Member.ID, Type: "application/json"}}}
		}
		out.Items = append(out.Items, rep)
	}
	if len(found) > aq.limit {
		next := r.URL.Query()
		next.Set("before", strconv.FormatInt(found[aq.limit-1].Date, 10))
		next.Set("limit", strconv.Itoa(aq.limit))
		out.Links["next"] = link(next)
	}
	writeJSON(w, 200, out)
}
