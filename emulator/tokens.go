package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/ldtokens/ldtokens/ldapi"
)

// The handlers of the token endpoints and GET /api/v2/roles. Every change
// writes an audit entry naming its caller.

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := callerOf(r)
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
		if !visible(p, t, showAll) {
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

// lookup finds the token r names that its caller can see, answering 404
// when there is none. With write, it also answers 403 when the caller may
// not change it. The caller holds the lock.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request, write bool) (int, bool) {
	p := callerOf(r)
	i := s.find(r.PathValue("id"))
	if i < 0 || !visible(p, s.acct.Tokens[i], true) {
		writeStatus(w, 404, "")
		return 0, false
	}
	if msg := writable(p, s.acct.Tokens[i]); write && msg != "" {
		writeStatus(w, 403, msg)
		return 0, false
	}
	return i, true
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.lookup(w, r, false); ok {
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
	p := callerOf(r)
	s.mu.Lock()
	now := s.opts.Now().UnixMilli()
	t := ldapi.Token{
		ID: s.newID(), OwnerID: s.acct.OwnerID, MemberID: p.member.ID,
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
	s.audit(p, auditEvent{action: "created", actions: []string{"createAccessToken"}, token: t,
		description: "Created the access token.", short: "Created the access token"})
	s.changed()
	resp := s.rep(s.acct.Tokens[len(s.acct.Tokens)-1])
	lose := s.loseCreate()
	s.mu.Unlock()
	if lose {
		dropResponse(w)
		return
	}
	resp.Hint = value
	writeJSON(w, 201, resp)
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

func (s *Server) patch(w http.ResponseWriter, r *http.Request) {
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
	i, ok := s.lookup(w, r, true)
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
	desc, short, actions := auditChanges(before, next)
	s.audit(callerOf(r), auditEvent{action: "updated", actions: actions, token: next, description: desc, short: short})
	s.changed()
	writeJSON(w, 200, s.rep(s.acct.Tokens[i]))
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.lookup(w, r, true)
	if !ok {
		return
	}
	gone := s.acct.Tokens[i].Token
	s.acct.Tokens = slices.Delete(s.acct.Tokens, i, i+1)
	s.audit(callerOf(r), auditEvent{action: "deleted", actions: []string{"deleteAccessToken"}, token: gone,
		description: "Deleted the access token.", short: "Deleted the access token"})
	s.changed()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
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
	i, ok := s.lookup(w, r, true)
	if !ok {
		s.mu.Unlock()
		return
	}
	t := &s.acct.Tokens[i]
	// LaunchDarkly keeps one previous secret: a reset ends the one a
	// reset before it kept, expiry or not.
	t.OldSecrets = nil
	if t.SecretHash != "" && expiry > now {
		t.OldSecrets = []OldSecret{{Hash: t.SecretHash, Expiry: expiry}}
	}
	value := s.issue()
	t.SecretHash = HashSecret(value)
	t.Hint = value[len(value)-4:]
	t.LastModified = max(now, t.LastModified+1)
	s.audit(callerOf(r), auditEvent{action: "reset", actions: []string{"resetAccessToken"}, token: t.Token,
		description: resetDescription(now, expiry), short: "Reset the secret"})
	s.changed()
	resp := s.rep(*t)
	s.mu.Unlock()
	resp.Hint = value
	writeJSON(w, 200, resp)
}

// resetDescription says what became of the previous secret.
func resetDescription(now, expiry int64) string {
	if expiry <= now {
		return "Reset the secret; the previous secret stopped working at once."
	}
	return "Reset the secret; the previous secret works until " + time.UnixMilli(expiry).UTC().Format(time.RFC3339) + "."
}
