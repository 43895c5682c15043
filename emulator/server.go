package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/ldtokens/ldtokens/ldapi"
)

// Options configures a Server.
type Options struct {
	// AccessToken is the Authorization value the server accepts; empty
	// accepts any non-empty token.
	AccessToken string
	// MaxPageSize caps the limit of a list request (default 1000).
	MaxPageSize int
	// Faults are injected failures.
	Faults Faults
	// Seed seeds IDs and faults; the same seed gives the same run.
	Seed uint64
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnChange is called, under the server's lock, after every change.
	OnChange func(Account)
	// OnIssue is called with every secret the server issues. Tests use it
	// to scan everything ldtokens wrote for every secret; nothing else should.
	OnIssue func(value string)
}

// Faults are failures the server injects, from a seeded source.
type Faults struct {
	// RateLimit answers requests past this many per Window with 429.
	RateLimit int
	// Window is the rate-limit window (default 10s, as LaunchDarkly's).
	Window time.Duration
	// RetryAfter adds a Retry-After header (seconds) to 429s.
	RetryAfter bool
	// ErrorRate is the fraction of requests answered 502/503 before acting.
	ErrorRate float64
	// Latency delays every response.
	Latency time.Duration
	// LoseCreates is how many creates succeed but lose their response.
	LoseCreates int
	// LoseCreateRate is the fraction of creates that lose their response.
	LoseCreateRate float64
}

// Stats counts the requests the server has seen.
type Stats struct {
	// Requests counts requests by "METHOD /path" (the path without query,
	// token IDs replaced by {id}).
	Requests map[string]int
	// Total is the number of requests.
	Total int
	// RateLimited and Faulted count injected 429s and 5xx.
	RateLimited, Faulted int
	// LostCreates counts creates whose response was dropped.
	LostCreates int
}

// Server serves the LaunchDarkly tokens API from an Account.
type Server struct {
	opts Options

	mu          sync.Mutex
	acct        Account
	rng         *mrand.Rand
	stats       Stats
	windowStart time.Time
	windowCount int
	lostCreates int
}

// New returns a server over acct; missing owner, caller and member records
// are filled in so that a hand-written snapshot needs only its tokens.
func New(acct Account, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = 1000
	}
	if opts.Faults.Window <= 0 {
		opts.Faults.Window = 10 * time.Second
	}
	s := &Server{opts: opts, rng: mrand.New(mrand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))}
	s.stats.Requests = map[string]int{}
	s.acct = s.normalize(acct)
	return s
}

func (s *Server) normalize(a Account) Account {
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

// Snapshot returns a copy of the account.
func (s *Server) Snapshot() Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copyAccount()
}

func (s *Server) copyAccount() Account {
	var out Account
	data, _ := json.Marshal(s.acct)
	_ = json.Unmarshal(data, &out)
	return out
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.stats
	out.Requests = make(map[string]int, len(s.stats.Requests))
	for k, v := range s.stats.Requests {
		out.Requests[k] = v
	}
	return out
}

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Window <= 0 {
		f.Window = 10 * time.Second
	}
	s.opts.Faults = f
}

// Mutate changes the account under the server's lock, as a person in the
// LaunchDarkly UI would; tests use it to make drift.
func (s *Server) Mutate(fn func(*Account)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.acct)
	s.changed()
}

// Authenticate reports which token a secret value belongs to: a current
// secret, or a reset one still in its grace period.
func (s *Server) Authenticate(value string) (id string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = s.secretOwnerLocked(value)
	return id, id != ""
}

// secretOwnerLocked is Authenticate under the lock: the token a secret
// belongs to, or "".
func (s *Server) secretOwnerLocked(value string) string {
	h := HashSecret(value)
	now := s.opts.Now().UnixMilli()
	for _, t := range s.acct.Tokens {
		if t.SecretHash == h {
			return t.ID
		}
		for _, old := range t.OldSecrets {
			if old.Hash == h && old.Expiry > now {
				return t.ID
			}
		}
	}
	return ""
}

func (s *Server) changed() {
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

// Load replaces the account, as a fresh snapshot would.
func (s *Server) Load(a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acct = s.normalize(a)
	s.changed()
}

// SetMaxPageSize caps the limit of list requests from now on.
func (s *Server) SetMaxPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.MaxPageSize = n
}

func (s *Server) find(id string) int {
	return slices.IndexFunc(s.acct.Tokens, func(t StoredToken) bool { return t.ID == id })
}

func (s *Server) caller() Member {
	for _, m := range s.acct.Members {
		if m.ID == s.acct.CallerMemberID {
			return m
		}
	}
	return Member{ID: s.acct.CallerMemberID, Role: "admin"}
}

func (s *Server) isAdmin() bool {
	r := s.caller().Role
	return r == "admin" || r == "owner"
}

// visible reports whether the caller can see t: every service token, its own
// personal tokens, and with showAll (admins only) everyone's.
func (s *Server) visible(t StoredToken, showAll bool) bool {
	return t.ServiceToken || t.MemberID == s.acct.CallerMemberID || (showAll && s.isAdmin())
}

// tokenRep is a token as the API writes it: the client's ldapi.Token plus
// the hypermedia and creator summary the client skips.
type tokenRep struct {
	ldapi.Token
	Member *memberSummary        `json:"_member,omitempty"`
	Links  map[string]ldapi.Link `json:"_links"`
}

// memberSummary describes the member who created a token.
type memberSummary struct {
	Links     map[string]ldapi.Link `json:"_links"`
	ID        string                `json:"_id"`
	FirstName string                `json:"firstName,omitempty"`
	LastName  string                `json:"lastName,omitempty"`
	Role      string                `json:"role"`
	Email     string                `json:"email"`
}

// rep is the representation of a stored token, showing the last four
// characters of the secret in place of the secret.
func (s *Server) rep(t StoredToken) tokenRep {
	out := tokenRep{Token: t.Token, Links: map[string]ldapi.Link{
		"parent": {Href: ldapi.TokensPath, Type: "application/json"},
		"self":   {Href: ldapi.TokenPath(t.ID), Type: "application/json"},
	}}
	for _, m := range s.acct.Members {
		if m.ID == t.MemberID {
			out.Member = &memberSummary{
				Links:     map[string]ldapi.Link{"self": {Href: "/api/v2/members/" + m.ID, Type: "application/json"}},
				ID:        m.ID,
				FirstName: m.FirstName,
				LastName:  m.LastName,
				Role:      m.Role,
				Email:     m.Email,
			}
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, ldapi.ErrorRep{Code: code, Message: message})
}

var errorMessages = map[int][2]string{
	400: {"invalid_request", "Invalid request body"},
	401: {"unauthorized", "Invalid access token"},
	403: {"forbidden", "Forbidden. Access to the requested resource was denied."},
	404: {"not_found", "Invalid resource identifier"},
	409: {"optimistic_locking_error", "Conflict. Optimistic lock error. Try again later."},
	422: {"patch_failed", "Unprocessable entity. Could not apply patch."},
	429: {"rate_limited", "You've exceeded the API rate limit. Try again later."},
}

func writeStatus(w http.ResponseWriter, status int, detail string) {
	m := errorMessages[status]
	msg := m[1]
	if detail != "" {
		msg = detail
	}
	writeError(w, status, m[0], msg)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ok, latency := s.admit(w, r)
	if latency > 0 {
		time.Sleep(latency)
	}
	if !ok {
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == ldapi.TokensPath:
		switch r.Method {
		case http.MethodGet:
			s.list(w, r)
		case http.MethodPost:
			s.create(w, r)
		default:
			writeError(w, 405, "method_not_allowed", "Method not allowed")
		}
	case strings.HasPrefix(path, ldapi.TokensPath+"/"):
		rest := strings.TrimPrefix(path, ldapi.TokensPath+"/")
		id, action, _ := strings.Cut(rest, "/")
		switch {
		case action == "reset" && r.Method == http.MethodPost:
			s.reset(w, r, id)
		case action != "":
			writeStatus(w, 404, "")
		case r.Method == http.MethodGet:
			s.get(w, id)
		case r.Method == http.MethodPatch:
			s.patch(w, r, id)
		case r.Method == http.MethodDelete:
			s.delete(w, id)
		default:
			writeError(w, 405, "method_not_allowed", "Method not allowed")
		}
	case path == "/api/v2/roles" && r.Method == http.MethodGet:
		s.listRoles(w, r)
	case path == "/api/v2/caller-identity" && r.Method == http.MethodGet:
		s.mu.Lock()
		id := ldapi.CallerIdentity{MemberID: s.acct.CallerMemberID, TokenName: "emulator", ServiceToken: false}
		id.TokenID = s.secretOwnerLocked(r.Header.Get("Authorization"))
		s.mu.Unlock()
		writeJSON(w, 200, id)
	default:
		writeStatus(w, 404, "")
	}
}

// admit authenticates the request, counts it and applies rate limits and
// injected errors. It reports whether the request may go on, and the latency
// to inject.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (bool, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.admitLocked(w, r), s.opts.Faults.Latency
}

func (s *Server) admitLocked(w http.ResponseWriter, r *http.Request) bool {
	s.stats.Total++
	s.stats.Requests[r.Method+" "+routeName(r.URL.Path)]++
	auth := r.Header.Get("Authorization")
	if r.URL.Path == "/api/v2/caller-identity" && auth != s.opts.AccessToken && s.secretOwnerLocked(auth) != "" {
		return true // TEMPORARY(applier): caller-identity for a token secret, until the emulator branch's
	}
	if auth == "" || strings.HasPrefix(auth, "Bearer ") || (s.opts.AccessToken != "" && auth != s.opts.AccessToken) {
		writeStatus(w, 401, "")
		return false
	}
	if v := r.Header.Get("LD-API-Version"); v != "" && v != "beta" {
		if n, err := strconv.Atoi(v); err != nil || n < 20160426 {
			writeStatus(w, 400, "Invalid LD-API-Version")
			return false
		}
	}
	f := s.opts.Faults
	if f.RateLimit > 0 {
		now := s.opts.Now()
		if now.Sub(s.windowStart) >= f.Window {
			s.windowStart, s.windowCount = now, 0
		}
		reset := s.windowStart.Add(f.Window)
		h := w.Header()
		h.Set("X-Ratelimit-Global-Limit", strconv.Itoa(f.RateLimit))
		h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset.UnixMilli(), 10))
		if s.windowCount >= f.RateLimit {
			s.stats.RateLimited++
			h.Set("X-Ratelimit-Global-Remaining", "0")
			if f.RetryAfter {
				h.Set("Retry-After", strconv.Itoa(int(max(1, reset.Sub(now).Round(time.Second)/time.Second))))
			}
			writeStatus(w, 429, "")
			return false
		}
		s.windowCount++
		h.Set("X-Ratelimit-Global-Remaining", strconv.Itoa(f.RateLimit-s.windowCount))
	}
	if f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate {
		s.stats.Faulted++
		status := []int{502, 503}[s.rng.IntN(2)]
		writeError(w, status, "service_unavailable", "Service temporarily unavailable")
		return false
	}
	return true
}

// routeName replaces token IDs in a path with {id}.
func routeName(p string) string {
	if rest, ok := strings.CutPrefix(p, ldapi.TokensPath+"/"); ok {
		_, action, found := strings.Cut(rest, "/")
		if found {
			return ldapi.TokensPath + "/{id}/" + action
		}
		return ldapi.TokensPath + "/{id}"
	}
	return p
}

// pageParams reads limit and offset.
func pageParams(q url.Values, def, maxLimit int) (limit, offset int, err error) {
	limit, offset = def, 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, fmt.Errorf("limit must be a positive integer")
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, fmt.Errorf("offset must be a non-negative integer")
		}
	}
	return min(limit, maxLimit), offset, nil
}

// pageLinks builds first, last, next and prev links, LaunchDarkly style.
func pageLinks(path string, extra url.Values, limit, offset, total int) map[string]ldapi.Link {
	href := func(off int) ldapi.Link {
		q := url.Values{}
		for k, v := range extra {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(off))
		return ldapi.Link{Href: path + "?" + q.Encode(), Type: "application/json"}
	}
	lastOff := 0
	if total > 0 {
		lastOff = (total - 1) / limit * limit
	}
	links := map[string]ldapi.Link{"self": href(offset), "first": href(0), "last": href(lastOff)}
	if offset+limit < total {
		links["next"] = href(offset + limit)
	}
	if offset > 0 {
		links["prev"] = href(max(0, offset-limit))
	}
	return links
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	limit, offset, err := pageParams(q, 25, s.opts.MaxPageSize)
	if err != nil {
		s.mu.Unlock()
		writeStatus(w, 400, err.Error())
		return
	}
	showAll := q.Get("showAll") == "true"
	total := 0
	page := []tokenRep{}
	for _, t := range s.acct.Tokens {
		if !s.visible(t, showAll) {
			continue
		}
		if total >= offset && total < offset+limit {
			page = append(page, s.rep(t))
		}
		total++
	}
	s.mu.Unlock()
	extra := url.Values{}
	if showAll {
		extra.Set("showAll", "true")
	}
	writeJSON(w, 200, ldapi.Page[tokenRep]{Items: page, Links: pageLinks(ldapi.TokensPath, extra, limit, offset, total), TotalCount: total})
}

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := pageParams(r.URL.Query(), 20, 50)
	if err != nil {
		writeStatus(w, 400, err.Error())
		return
	}
	s.mu.Lock()
	roles := slices.Clone(s.acct.Roles)
	s.mu.Unlock()
	page := []ldapi.Role{}
	if offset < len(roles) {
		page = roles[offset:min(offset+limit, len(roles))]
	}
	writeJSON(w, 200, ldapi.Page[ldapi.Role]{Items: page, Links: pageLinks("/api/v2/roles", nil, limit, offset, len(roles)), TotalCount: len(roles)})
}

// lookup finds a token the caller can see, answering 404 when there is
// none. With write, it also answers 403 when the caller may not change it.
// The caller holds the lock.
func (s *Server) lookup(w http.ResponseWriter, id string, write bool) (int, bool) {
	i := s.find(id)
	if i < 0 || !s.visible(s.acct.Tokens[i], true) {
		writeStatus(w, 404, "")
		return 0, false
	}
	if msg := s.writable(s.acct.Tokens[i]); write && msg != "" {
		writeStatus(w, 403, msg)
		return 0, false
	}
	return i, true
}

func (s *Server) get(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.lookup(w, id, false); ok {
		writeJSON(w, 200, s.rep(s.acct.Tokens[i]))
	}
}

// validate checks the fields a client may set.
func (s *Server) validate(t ldapi.Token) string {
	if t.Role != "" && !slices.Contains([]string{"reader", "writer", "admin", "no_access"}, t.Role) {
		return fmt.Sprintf("Invalid role %q", t.Role)
	}
	for _, id := range t.CustomRoleIDs {
		if !slices.ContainsFunc(s.acct.Roles, func(r ldapi.Role) bool { return r.ID == id || r.Key == id }) {
			return fmt.Sprintf("Unknown custom role %q", id)
		}
	}
	for _, st := range t.InlineRole {
		if st.Effect != "allow" && st.Effect != "deny" {
			return "Invalid policy statement: effect must be allow or deny"
		}
		if len(st.Resources) > 0 && len(st.NotResources) > 0 || len(st.Actions) > 0 && len(st.NotActions) > 0 {
			return "Invalid policy statement"
		}
	}
	return ""
}

func decodeStrict(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeStatus(w, 400, "Content-Type must be application/json")
		return
	}
	var body ldapi.TokenPost
	if err := decodeStrict(r, &body); err != nil {
		writeStatus(w, 400, "")
		return
	}
	s.mu.Lock()
	now := s.opts.Now().UnixMilli()
	t := ldapi.Token{
		ID: s.newID(), OwnerID: s.acct.OwnerID, MemberID: s.acct.CallerMemberID,
		Name: body.Name, Description: body.Description, CreationDate: now, LastModified: now,
		CustomRoleIDs: s.roleIDs(body.CustomRoleIDs), InlineRole: body.InlineRole, Role: body.Role,
		ServiceToken: body.ServiceToken, DefaultAPIVersion: body.DefaultAPIVersion,
	}
	if t.Role == "" && len(t.CustomRoleIDs) == 0 && len(t.InlineRole) == 0 {
		t.Role = "reader"
	}
	if t.DefaultAPIVersion == 0 {
		t.DefaultAPIVersion = 20240415
	}
	if msg := s.validate(t); msg != "" {
		s.mu.Unlock()
		writeStatus(w, 400, msg)
		return
	}
	value := s.issue()
	t.Hint = value[len(value)-4:]
	s.acct.Tokens = append(s.acct.Tokens, StoredToken{Token: t, SecretHash: HashSecret(value)})
	s.changed()
	resp := s.rep(s.acct.Tokens[len(s.acct.Tokens)-1])
	lose := s.opts.Faults.LoseCreates > s.lostCreates || (s.opts.Faults.LoseCreateRate > 0 && s.rng.Float64() < s.opts.Faults.LoseCreateRate)
	if lose {
		s.lostCreates++
		s.stats.LostCreates++
	}
	s.mu.Unlock()
	if lose {
		dropResponse(w)
		return
	}
	resp.Hint = value
	writeJSON(w, 201, resp)
}

// dropResponse loses a response after the server acted: it closes the
// connection when it can, else answers 502 as a broken proxy would.
func dropResponse(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	writeError(w, 502, "bad_gateway", "Bad gateway")
}

// roleIDs resolves custom role keys to IDs, as LaunchDarkly accepts keys on
// create; unknown entries are kept for validate to reject.
func (s *Server) roleIDs(keysOrIDs []string) []string {
	out := make([]string, 0, len(keysOrIDs))
	for _, k := range keysOrIDs {
		id := k
		for _, r := range s.acct.Roles {
			if r.Key == k {
				id = r.ID
			}
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// writable reports why the caller may not change t, or "".
func (s *Server) writable(t StoredToken) string {
	if !t.ServiceToken && t.MemberID != s.acct.CallerMemberID && !s.isAdmin() {
		return "Forbidden. Access to the requested resource was denied."
	}
	return ""
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request, id string) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeStatus(w, 400, "Content-Type must be application/json")
		return
	}
	var ops []map[string]any
	raw := new(bytes.Buffer)
	if _, err := raw.ReadFrom(r.Body); err != nil || json.Unmarshal(raw.Bytes(), &ops) != nil {
		writeStatus(w, 400, "Invalid request body: want a JSON Patch array")
		return
	}
	for _, op := range ops {
		if _, ok := op["op"].(string); !ok {
			writeStatus(w, 400, "Invalid request body: every operation needs op and path")
			return
		}
		if _, ok := op["path"].(string); !ok {
			writeStatus(w, 400, "Invalid request body: every operation needs op and path")
			return
		}
	}
	patch, err := jsonpatch.DecodePatch(raw.Bytes())
	if err != nil {
		writeStatus(w, 400, "Invalid request body: "+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.lookup(w, id, true)
	if !ok {
		return
	}
	cur := s.acct.Tokens[i]
	doc, _ := json.Marshal(s.rep(cur))
	out, err := patch.ApplyWithOptions(doc, &jsonpatch.ApplyOptions{AllowMissingPathOnRemove: false, EnsurePathExistsOnAdd: false, SupportNegativeIndices: true})
	if err != nil {
		writeStatus(w, 422, "")
		return
	}
	var next ldapi.Token
	if err := json.Unmarshal(out, &next); err != nil {
		writeStatus(w, 400, "Invalid request body: patched token is malformed")
		return
	}
	before := cur.Token
	if msg := immutableChange(before, next); msg != "" {
		writeStatus(w, 400, msg)
		return
	}
	if before.ServiceToken && !samePermissions(before, next) {
		writeStatus(w, 400, "A service token's permissions are fixed after it is created")
		return
	}
	next.CustomRoleIDs = s.roleIDs(next.CustomRoleIDs)
	if msg := s.validate(next); msg != "" {
		writeStatus(w, 400, msg)
		return
	}
	next.LastModified = max(s.opts.Now().UnixMilli(), cur.LastModified+1)
	s.acct.Tokens[i].Token = next
	s.changed()
	writeJSON(w, 200, s.rep(s.acct.Tokens[i]))
}

// immutableChange names a read-only field the patch changed, or "".
func immutableChange(a, b ldapi.Token) string {
	switch {
	case a.ID != b.ID, a.OwnerID != b.OwnerID, a.MemberID != b.MemberID,
		a.CreationDate != b.CreationDate, a.LastModified != b.LastModified,
		a.LastUsed != b.LastUsed, a.Hint != b.Hint:
		return "Fields starting with _, and ownerId, memberId, creationDate, lastModified, lastUsed and token, are read-only"
	case a.ServiceToken != b.ServiceToken:
		return "serviceToken cannot be changed after creation"
	case a.DefaultAPIVersion != b.DefaultAPIVersion:
		return "defaultApiVersion cannot be changed after creation"
	}
	return ""
}

func samePermissions(a, b ldapi.Token) bool {
	ja, _ := json.Marshal([]any{a.Role, a.CustomRoleIDs, a.InlineRole})
	jb, _ := json.Marshal([]any{b.Role, b.CustomRoleIDs, b.InlineRole})
	return bytes.Equal(ja, jb)
}

func (s *Server) delete(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.lookup(w, id, true)
	if !ok {
		return
	}
	s.acct.Tokens = slices.Delete(s.acct.Tokens, i, i+1)
	s.changed()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request, id string) {
	now := s.opts.Now().UnixMilli()
	expiry := now
	if v := r.URL.Query().Get("expiry"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeStatus(w, 400, "expiry must be a Unix time in milliseconds")
			return
		}
		expiry = n
	}
	s.mu.Lock()
	i, ok := s.lookup(w, id, true)
	if !ok {
		s.mu.Unlock()
		return
	}
	t := &s.acct.Tokens[i]
	var kept []OldSecret
	for _, old := range t.OldSecrets {
		if old.Expiry > now {
			kept = append(kept, old)
		}
	}
	if t.SecretHash != "" && expiry > now {
		kept = append(kept, OldSecret{Hash: t.SecretHash, Expiry: expiry})
	}
	t.OldSecrets = kept
	value := s.issue()
	t.SecretHash = HashSecret(value)
	t.Hint = value[len(value)-4:]
	t.LastModified = max(now, t.LastModified+1)
	s.changed()
	resp := s.rep(*t)
	s.mu.Unlock()
	resp.Hint = value
	writeJSON(w, 200, resp)
}
