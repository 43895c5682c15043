package planner

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
)

// Pair is a declared token and the remote token it manages: nil when none
// exists.
type Pair struct {
	Declared *spec.Token
	Remote   *ldapi.Token
}

// Matched is how the remote tokens of an Input meet its spec.
type Matched struct {
	// Pairs are the declared tokens, in spec order.
	Pairs []Pair
	// Retiring are the old tokens of earlier replaces, in listing order,
	// whether or not their grace has ended.
	Retiring []Retiring

	// retiring are the tokens of Retiring, index for index.
	retiring []*ldapi.Token
	// rest are the manageable remote tokens no declared token claims.
	rest []ldapi.Token
	// foreign are personal tokens that are never paired: another member's,
	// or ones whose member ldtokens cannot tell.
	foreign []ldapi.Token
}

// idKind says what a listed id is to the planner.
type idKind int

const (
	manageable   idKind = iota
	foreign             // another member's personal token
	unattributed        // a personal token of a member ldtokens cannot tell
	retiringID          // the old token of an earlier replace
)

type listed struct {
	tok  *ldapi.Token
	kind idKind
	// until is when a retiring token's grace ends.
	until time.Time
}

// Match pairs declared tokens with remote ones, in one pass over maps.
// Ignored tokens are left out; retiring tokens are recognised first and
// never paired; personal tokens are paired only when they are the
// caller's. A name held by more than one candidate, an id: that does not
// name a manageable token, an id: with state: absent whose token has
// another name, and a name held by a personal token whose member cannot
// be told are spec errors, all reported at once.
func Match(in Input) (Matched, error) {
	var m Matched
	mine, why := personalOwner(in)
	byID := make(map[string]listed, len(in.Remote))
	byName := make(map[string][]*ldapi.Token, len(in.Remote))
	unattributedByName := map[string][]string{}
	manage := make([]*ldapi.Token, 0, len(in.Remote))
	// Most names are held by one token: its byName entry is a one-element
	// window on single, so the map costs no allocation per name.
	single := make([]*ldapi.Token, len(in.Remote))
	for i := range in.Remote {
		t := &in.Remote[i]
		if spec.MatchAny(in.Spec.Ignore, t.Name) {
			continue
		}
		if !t.ServiceToken && !mine(t) {
			kind := foreign
			if why != "" {
				kind = unattributed
				unattributedByName[t.Name] = append(unattributedByName[t.Name], t.ID)
			}
			m.foreign = append(m.foreign, *t)
			byID[t.ID] = listed{tok: t, kind: kind}
			continue
		}
		if orig, until, ok := ParseRetiring(t.Name); ok {
			m.Retiring = append(m.Retiring, Retiring{Name: t.Name, ID: t.ID, OriginalName: orig, Until: until})
			m.retiring = append(m.retiring, t)
			byID[t.ID] = listed{tok: t, kind: retiringID, until: until}
			continue
		}
		byID[t.ID] = listed{tok: t}
		if held, ok := byName[t.Name]; ok {
			byName[t.Name] = append(held, t)
		} else {
			single[i] = t
			byName[t.Name] = single[i : i+1 : i+1]
		}
		manage = append(manage, t)
	}
	claimed := make(map[string]bool, len(in.Spec.Tokens))
	for _, d := range in.Spec.Tokens {
		if d.ID != "" {
			claimed[d.ID] = true
		}
	}
	var errs spec.Errors
	fail := func(pos spec.Position, format string, args ...any) {
		errs = append(errs, &spec.Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	}
	m.Pairs = make([]Pair, 0, len(in.Spec.Tokens))
	for i := range in.Spec.Tokens {
		d := &in.Spec.Tokens[i]
		pr := Pair{Declared: d}
		if in.CallerServiceToken && !d.IsService() {
			fail(d.FieldPos("serviceToken"), "token %q is a personal token, and the access token in use is a service token, which cannot see personal tokens: the plan would be incomplete; use a personal access token of the member who owns it", d.Name)
			continue
		}
		if d.ID != "" {
			l, known := byID[d.ID]
			pos := d.FieldPos("id")
			switch {
			case known && l.kind == foreign:
				fail(pos, "token %q: id %s is another member's personal token, which ldtokens never changes", d.Name, d.ID)
			case known && l.kind == unattributed:
				fail(pos, "token %q: id %s is a personal token and ldtokens cannot tell whose: %s", d.Name, d.ID, why)
			case known && l.kind == retiringID:
				fail(pos, "token %q: id %s was replaced and is retiring (its old secret works until %s): %s", d.Name, d.ID, l.until.Format(time.RFC3339), nameHint(d.Name, byName[d.Name]))
			case known && d.Absent() && l.tok.Name != d.Name:
				fail(pos, "token %q: id %s is the token named %q, not %q, and state: absent would delete it: if that is the token to delete, write name: %s; otherwise fix the id",
					d.Name, d.ID, l.tok.Name, d.Name, strconv.Quote(l.tok.Name))
			case known:
				pr.Remote = l.tok
			case !d.Absent():
				fail(pos, "token %q: id %s does not exist (or is ignored): %s", d.Name, d.ID, nameHint(d.Name, byName[d.Name]))
			}
			m.Pairs = append(m.Pairs, pr)
			continue
		}
		if ids := unattributedByName[d.Name]; len(ids) > 0 {
			fail(d.FieldPos("name"), "token %q: personal token %s has this name and ldtokens cannot tell whose it is: %s", d.Name, strings.Join(ids, ", "), why)
			continue
		}
		var one [1]string // the usual single candidate needs no allocation
		ids := one[:0]
		for _, t := range byName[d.Name] {
			if !claimed[t.ID] {
				pr.Remote = t
				ids = append(ids, t.ID)
			}
		}
		if len(ids) > 1 {
			fail(d.FieldPos("name"), "token %q: %d remote tokens have this name (ids %s): pin one with id:", d.Name, len(ids), strings.Join(ids, ", "))
			continue
		}
		if pr.Remote != nil {
			claimed[pr.Remote.ID] = true
		}
		m.Pairs = append(m.Pairs, pr)
	}
	if len(errs) > 0 {
		return Matched{}, errs
	}
	m.rest = make([]ldapi.Token, 0, len(manage)-len(claimed))
	for _, t := range manage {
		if !claimed[t.ID] {
			m.rest = append(m.rest, *t)
		}
	}
	return m, nil
}

// personalOwner decides which personal tokens are the caller's. why is
// set when ldtokens cannot tell, and then no personal token is.
func personalOwner(in Input) (mine func(*ldapi.Token) bool, why string) {
	if in.CallerMemberID != "" {
		return func(t *ldapi.Token) bool { return t.MemberID == in.CallerMemberID }, ""
	}
	const unknown = "caller-identity did not say which member ldtokens runs as, and "
	never := func(*ldapi.Token) bool { return false }
	if in.AllMembers {
		return never, unknown + "the list holds every member's personal tokens (showAll); ldtokens pairs no personal token then"
	}
	members := map[string]bool{}
	for i := range in.Remote {
		if t := &in.Remote[i]; !t.ServiceToken && !spec.MatchAny(in.Spec.Ignore, t.Name) {
			members[t.MemberID] = true
		}
	}
	if len(members) > 1 {
		return never, fmt.Sprintf(unknown+"the personal tokens listed belong to %d members; ldtokens pairs no personal token then", len(members))
	}
	return func(*ldapi.Token) bool { return true }, ""
}

// nameHint says what id: to write for a declared name, from the tokens
// that hold it now.
func nameHint(name string, holders []*ldapi.Token) string {
	switch len(holders) {
	case 0:
		return "remove the id to create the token, or fix it"
	case 1:
		return fmt.Sprintf("the token named %q now has id %s: write id: %q, or remove the id", name, holders[0].ID, holders[0].ID)
	}
	ids := make([]string, len(holders))
	for i, t := range holders {
		ids[i] = t.ID
	}
	return fmt.Sprintf("tokens named %q now have ids %s: write the id: of the one to manage", name, strings.Join(ids, ", "))
}
