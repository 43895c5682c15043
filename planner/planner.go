package planner

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
)

// Input is everything a plan is made from.
type Input struct {
	// Spec is the validated spec.
	Spec *spec.Spec
	// Remote are the tokens listed from LaunchDarkly.
	Remote []ldapi.Token
	// RoleIDs maps custom role keys to IDs; needed when the spec uses
	// customRoles.
	RoleIDs map[string]string
	// CallerMemberID is the member whose access token is in use; other
	// members' personal tokens are never changed. Empty when unknown: then
	// every personal token listed counts as the caller's, as LaunchDarkly
	// lists only those without showAll.
	CallerMemberID string
	// APIHost is recorded in the plan.
	APIHost string
	// Now is the time rotations are due against and the plan is stamped with.
	Now time.Time
	// AllowEmpty lets a spec with no present token prune.
	AllowEmpty bool
}

// Error is a problem that stops a plan before any call, such as an
// ambiguous name or a deletion over the cap.
type Error struct {
	// Pos is where in the spec the problem is, when it is in the spec.
	Pos spec.Position
	Msg string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Pos.File != "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// pair is a declared token and the remote token it manages, if any.
type pair struct {
	desired *spec.Token
	remote  *ldapi.Token
}

// Make computes the plan that brings the remote tokens to match the spec.
func Make(in Input) (Plan, error) {
	s := in.Spec
	p := Plan{APIHost: in.APIHost, CreatedAt: in.Now.UTC().Truncate(time.Second)}
	if s.Prune.Enabled && len(s.Present()) == 0 && !in.AllowEmpty {
		return Plan{}, &Error{Pos: s.Prune.Pos, Msg: "prune is enabled but the spec declares no token: this would delete every token matching prune.match; pass --allow-empty if that is what you want"}
	}
	pairs, rest, foreign, err := pairUp(in)
	if err != nil {
		return Plan{}, err
	}
	p.Observed = make([]Observed, 0, len(in.Remote))
	for _, list := range [][]ldapi.Token{rest, foreign} {
		for i := range list {
			p.Observed = append(p.Observed, Observed{ID: list[i].ID, Name: list[i].Name})
		}
	}
	for _, pr := range pairs {
		if pr.remote != nil {
			p.Observed = append(p.Observed, Observed{ID: pr.remote.ID, Name: pr.remote.Name})
		}
		changes, err := diff(pr, in)
		if err != nil {
			return Plan{}, err
		}
		if len(changes) == 0 && !pr.desired.Absent() {
			p.Unchanged++
		}
		p.Changes = append(p.Changes, changes...)
	}
	declared := make(map[string]bool, len(s.Tokens))
	for _, t := range s.Tokens {
		declared[t.Name] = true
	}
	for _, t := range rest {
		if s.Prune.Enabled && !declared[t.Name] && spec.MatchAny(s.Prune.Match, t.Name) {
			before := fieldsOf(t)
			p.Changes = append(p.Changes, Change{
				Action: Delete, Name: t.Name, ID: t.ID, Before: &before, Fingerprint: Fingerprint(t),
				Reasons: []Reason{{ReasonDeletePruned, fmt.Sprintf("not declared, and its name matches prune.match %s", quoteList(matching(s.Prune.Match, t.Name)))}},
			})
			continue
		}
		p.Unmanaged = append(p.Unmanaged, Unmanaged{Name: t.Name, ID: t.ID, ServiceToken: t.ServiceToken})
	}
	for _, t := range foreign {
		p.Unmanaged = append(p.Unmanaged, Unmanaged{Name: t.Name, ID: t.ID, ServiceToken: false, MemberID: t.MemberID})
	}
	sortPlan(&p)
	if err := checkDeleteCap(p, s.Prune); err != nil {
		return Plan{}, err
	}
	return p, nil
}

func sortPlan(p *Plan) {
	order := map[Action]int{Create: 0, Replace: 1, Update: 2, Rotate: 3, Delete: 4}
	slices.SortStableFunc(p.Changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID), cmp.Compare(order[a.Action], order[b.Action]))
	})
	slices.SortFunc(p.Unmanaged, func(a, b Unmanaged) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(p.Observed, func(a, b Observed) int { return cmp.Compare(a.ID, b.ID) })
}

func checkDeleteCap(p Plan, prune spec.Prune) error {
	var names []string
	for _, c := range p.Changes {
		if c.Action == Delete || c.Action == Replace {
			names = append(names, c.Name)
		}
	}
	if limit := prune.MaxDeletesOrDefault(); len(names) > limit {
		return &Error{Pos: prune.Pos, Msg: fmt.Sprintf("the plan deletes %d tokens (replaces count), more than prune.maxDeletes %d: %s; raise prune.maxDeletes if this is intended", len(names), limit, strings.Join(names, ", "))}
	}
	return nil
}

// pairUp matches declared tokens to remote ones. It returns the pairs in
// spec order, the manageable remote tokens left over, and other members'
// personal tokens, which are never managed.
func pairUp(in Input) ([]pair, []ldapi.Token, []ldapi.Token, error) {
	byID := make(map[string]*ldapi.Token, len(in.Remote))
	byName := make(map[string][]*ldapi.Token, len(in.Remote))
	var foreign []ldapi.Token
	manageable := make([]*ldapi.Token, 0, len(in.Remote))
	// Most names are held by one token: its byName entry is a one-element
	// window on single, so the map costs no allocation per name.
	single := make([]*ldapi.Token, len(in.Remote))
	for i := range in.Remote {
		t := &in.Remote[i]
		if spec.MatchAny(in.Spec.Ignore, t.Name) {
			continue
		}
		if !t.ServiceToken && in.CallerMemberID != "" && t.MemberID != in.CallerMemberID {
			foreign = append(foreign, *t)
			byID[t.ID] = nil // known, but not ours to manage
			continue
		}
		byID[t.ID] = t
		if held, ok := byName[t.Name]; ok {
			byName[t.Name] = append(held, t)
		} else {
			single[i] = t
			byName[t.Name] = single[i : i+1 : i+1]
		}
		manageable = append(manageable, t)
	}
	claimed := make(map[string]bool, len(in.Spec.Tokens))
	for _, d := range in.Spec.Tokens {
		if d.ID != "" {
			claimed[d.ID] = true
		}
	}
	var errs []error
	pairs := make([]pair, 0, len(in.Spec.Tokens))
	for i := range in.Spec.Tokens {
		d := &in.Spec.Tokens[i]
		pr := pair{desired: d}
		if d.ID != "" {
			t, known := byID[d.ID]
			switch {
			case known && t == nil:
				errs = append(errs, &Error{Pos: d.FieldPos("id"), Msg: fmt.Sprintf("token %q: id %s is another member's personal token, which ldtokens never changes", d.Name, d.ID)})
			case t != nil:
				pr.remote = t
			case !d.Absent():
				errs = append(errs, &Error{Pos: d.FieldPos("id"), Msg: fmt.Sprintf("token %q: id %s does not exist (or is ignored): remove the id to create the token, or fix it", d.Name, d.ID)})
			}
			pairs = append(pairs, pr)
			continue
		}
		var one [1]string // the usual single candidate needs no allocation
		ids := one[:0]
		for _, t := range byName[d.Name] {
			if !claimed[t.ID] {
				pr.remote = t
				ids = append(ids, t.ID)
			}
		}
		if len(ids) > 1 {
			errs = append(errs, &Error{Pos: d.FieldPos("name"), Msg: fmt.Sprintf("token %q: %d remote tokens have this name (ids %s): pin one with id:", d.Name, len(ids), strings.Join(ids, ", "))})
			continue
		}
		if pr.remote != nil {
			claimed[pr.remote.ID] = true
		}
		pairs = append(pairs, pr)
	}
	if len(errs) > 0 {
		return nil, nil, nil, errors.Join(errs...)
	}
	rest := make([]ldapi.Token, 0, len(manageable)-len(claimed))
	for _, t := range manageable {
		if !claimed[t.ID] {
			rest = append(rest, *t)
		}
	}
	return pairs, rest, foreign, nil
}

// desiredFields resolves a declared token to the fields it should have.
func desiredFields(d spec.Token, roleIDs map[string]string) (Fields, error) {
	f := Fields{
		Name:              d.Name,
		Description:       d.Description,
		Role:              d.Role,
		CustomRoleIDs:     slices.Clone(d.CustomRoleIDs),
		ServiceToken:      d.IsService(),
		DefaultAPIVersion: d.DefaultAPIVersion,
	}
	var unknown []string
	for _, key := range d.CustomRoles {
		id, ok := roleIDs[key]
		if !ok {
			unknown = append(unknown, key)
			continue
		}
		f.CustomRoleIDs = append(f.CustomRoleIDs, id)
	}
	if len(unknown) > 0 {
		return Fields{}, &Error{Pos: d.FieldPos("customRoles"), Msg: fmt.Sprintf("token %q: no custom role has the key %s: check the key in LaunchDarkly (Account settings, Roles)", d.Name, quoteList(unknown))}
	}
	for _, st := range d.InlineRole {
		f.InlineRole = append(f.InlineRole, ldapi.Statement{
			Effect: st.Effect, Resources: st.Resources, NotResources: st.NotResources,
			Actions: st.Actions, NotActions: st.NotActions,
		})
	}
	return f, nil
}

// ptr returns a pointer to a copy of f. diff takes the address of its
// fields only for a token that changes; taking it in place would move them
// to the heap for every token.
func ptr(f Fields) *Fields { return &f }

// fieldsOf reads the declarable fields of a remote token.
func fieldsOf(t ldapi.Token) Fields {
	return Fields{
		Name: t.Name, Description: t.Description, Role: t.Role,
		CustomRoleIDs: t.CustomRoleIDs, InlineRole: t.InlineRole,
		ServiceToken: t.ServiceToken, DefaultAPIVersion: t.DefaultAPIVersion,
	}
}

// semantic compares values as LaunchDarkly means them: list order and
// empty-versus-absent make no difference.
var semantic = gocmp.Options{
	cmpopts.EquateEmpty(),
	cmpopts.SortSlices(func(a, b string) bool { return a < b }),
	cmpopts.SortSlices(func(a, b ldapi.Statement) bool { return statementKey(a) < statementKey(b) }),
}

func statementKey(s ldapi.Statement) string {
	sorted := func(l []string) []string { c := slices.Clone(l); slices.Sort(c); return c }
	b, _ := json.Marshal([]any{s.Effect, sorted(s.Resources), sorted(s.NotResources), sorted(s.Actions), sorted(s.NotActions)})
	return string(b)
}

// Equal reports whether two values are the same to LaunchDarkly.
func Equal(a, b any) bool { return gocmp.Equal(a, b, semantic) }

// sameStrings and sameStatements are Equal for the lists a plan compares,
// with a fast path for lists already in the same order: go-cmp's reflection
// is then spent only where order differs.
func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	return slices.Equal(a, b) || Equal(a, b)
}

func sameStatements(a, b []ldapi.Statement) bool {
	if len(a) != len(b) {
		return false
	}
	return slices.EqualFunc(a, b, func(x, y ldapi.Statement) bool {
		return x.Effect == y.Effect && slices.Equal(x.Resources, y.Resources) && slices.Equal(x.NotResources, y.NotResources) &&
			slices.Equal(x.Actions, y.Actions) && slices.Equal(x.NotActions, y.NotActions)
	}) || Equal(a, b)
}

func samePermissions(a, b Fields) bool {
	return a.Role == b.Role && sameStrings(a.CustomRoleIDs, b.CustomRoleIDs) && sameStatements(a.InlineRole, b.InlineRole)
}

// diff yields the changes of one pair, in the order they run.
func diff(pr pair, in Input) ([]Change, error) {
	d, r := *pr.desired, pr.remote
	if d.Absent() {
		if r == nil {
			return nil, nil
		}
		before := fieldsOf(*r)
		return []Change{{Action: Delete, Name: d.Name, ID: r.ID, Before: &before, Fingerprint: Fingerprint(*r),
			Reasons: []Reason{{ReasonDeleteAbsent, "declared with state: absent"}}}}, nil
	}
	want, err := desiredFields(d, in.RoleIDs)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return []Change{{Action: Create, Name: d.Name, After: ptr(want),
			Reasons: []Reason{{ReasonCreateMissing, "declared, and no remote token has this name"}}}}, nil
	}
	have := fieldsOf(*r)
	if want.DefaultAPIVersion == 0 {
		want.DefaultAPIVersion = have.DefaultAPIVersion // not declared: not managed
	}
	var replace []Reason
	if want.ServiceToken != have.ServiceToken {
		replace = append(replace, Reason{ReasonReplaceServiceToken, fmt.Sprintf("serviceToken %t → %t is fixed at creation", have.ServiceToken, want.ServiceToken)})
	}
	if want.DefaultAPIVersion != have.DefaultAPIVersion {
		replace = append(replace, Reason{ReasonReplaceAPIVersion, fmt.Sprintf("defaultApiVersion %d → %d is fixed at creation", have.DefaultAPIVersion, want.DefaultAPIVersion)})
	}
	if have.ServiceToken && want.ServiceToken && !samePermissions(want, have) {
		replace = append(replace, Reason{ReasonReplacePermissions, "a service token's permissions are fixed at creation"})
	}
	if len(replace) > 0 {
		return []Change{{Action: Replace, Name: d.Name, ID: r.ID, Before: ptr(have), After: ptr(want), Reasons: replace, Fingerprint: Fingerprint(*r)}}, nil
	}
	var changes []Change
	if ops, guard := patchOps(have, want); len(ops) > 0 {
		changes = append(changes, Change{Action: Update, Name: d.Name, ID: r.ID, Before: ptr(have), After: ptr(want), Patch: ops, Guard: guard,
			Reasons: []Reason{{ReasonUpdateFields, "changed: " + strings.Join(changedPaths(ops), ", ")}}})
	}
	if every := d.RotateEvery(); every > 0 {
		last := time.UnixMilli(cmp.Or(r.LastModified, r.CreationDate))
		if in.Now.Sub(last) >= every {
			changes = append(changes, Change{Action: Rotate, Name: d.Name, ID: r.ID, Before: ptr(have), After: ptr(have), Grace: d.Rotate.Grace.Duration,
				Reasons: []Reason{{ReasonRotateDue, fmt.Sprintf("last changed %s and rotates every %s: due since %s", day(last), d.Rotate.Every, day(last.Add(every)))}}})
		}
	}
	if len(changes) > 0 {
		// Hashed only for a token that changes: most of a large account
		// does not.
		fp := Fingerprint(*r)
		for i := range changes {
			changes[i].Fingerprint = fp
		}
	}
	return changes, nil
}

// RotateNow plans a rotation of each named declared token, due or not.
func RotateNow(in Input, names []string, grace time.Duration) (Plan, error) {
	p := Plan{APIHost: in.APIHost, CreatedAt: in.Now.UTC().Truncate(time.Second)}
	pairs, _, _, err := pairUp(in)
	if err != nil {
		return Plan{}, err
	}
	byName := map[string]pair{}
	for _, pr := range pairs {
		byName[pr.desired.Name] = pr
	}
	var errs []error
	for _, name := range names {
		pr, ok := byName[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("token %q is not declared in the spec", name))
		case pr.desired.Absent() || pr.remote == nil:
			errs = append(errs, fmt.Errorf("token %q does not exist in LaunchDarkly: run apply to create it", name))
		default:
			have := fieldsOf(*pr.remote)
			p.Changes = append(p.Changes, Change{Action: Rotate, Name: name, ID: pr.remote.ID, Before: &have, After: &have, Grace: grace, Fingerprint: Fingerprint(*pr.remote),
				Reasons: []Reason{{ReasonRotateRequested, "requested with ldtokens rotate"}}})
			p.Observed = append(p.Observed, Observed{ID: pr.remote.ID, Name: name})
		}
	}
	if len(errs) > 0 {
		return Plan{}, errors.Join(errs...)
	}
	sortPlan(&p)
	return p, nil
}

// Fingerprint identifies a remote token's state: it changes whenever the
// token is patched, reset, or replaced.
func Fingerprint(t ldapi.Token) string {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	list := func(l []string) {
		field(strconv.Itoa(len(l)))
		for _, s := range l {
			field(s)
		}
	}
	field(t.ID)
	field(t.Name)
	field(t.Description)
	field(t.Role)
	list(t.CustomRoleIDs)
	field(strconv.Itoa(len(t.InlineRole)))
	for _, st := range t.InlineRole {
		field(st.Effect)
		list(st.Resources)
		list(st.NotResources)
		list(st.Actions)
		list(st.NotActions)
	}
	field(strconv.FormatBool(t.ServiceToken))
	field(strconv.Itoa(t.DefaultAPIVersion))
	field(strconv.FormatInt(t.LastModified, 10))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func matching(globs []string, name string) []string {
	var out []string
	for _, g := range globs {
		if spec.MatchAny([]string{g}, name) {
			out = append(out, g)
		}
	}
	return out
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
