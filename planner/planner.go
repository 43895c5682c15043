package planner

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

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
	// CallerMemberID is the member whose access token is in use
	// (caller-identity's memberId); other members' personal tokens are never
	// paired or changed. Empty when unknown: then personal tokens count as
	// the caller's only when AllMembers is false and every listed personal
	// token has the same memberId (LaunchDarkly lists only the caller's
	// without showAll); otherwise no personal token is paired.
	CallerMemberID string
	// CallerServiceToken says the access token in use is a service token
	// (caller-identity's serviceToken). A service token sees no member's
	// personal tokens, so a plan of declared personal tokens made with one
	// would be blind: Match refuses it.
	CallerServiceToken bool
	// CallerAccountID is caller-identity's accountId; empty when unknown.
	CallerAccountID string
	// AllMembers says Remote was listed with showAll, so that it holds
	// every member's personal tokens.
	AllMembers bool
	// APIHost is recorded in the plan.
	APIHost string
	// Now is the time rotations are due against, retiring tokens' grace
	// ends against, and the plan is stamped with.
	Now time.Time
	// AllowEmpty lets a spec with no present token prune.
	AllowEmpty bool
}

// Make computes the plan that brings the remote tokens to match the spec.
// A problem in the spec or in how it meets the remote tokens (an ambiguous
// name, a wrong id:, too many deletes) is a spec.Errors, each at the
// position in the spec to fix.
func Make(in Input) (Plan, error) {
	s := in.Spec
	p := Plan{APIHost: in.APIHost, AccountID: cmp.Or(in.CallerAccountID, AccountOf(in.Remote)), CreatedAt: in.Now.UTC().Truncate(time.Second)}
	if s.Prune.Enabled && len(s.Present()) == 0 && !in.AllowEmpty {
		return Plan{}, spec.Errors{{Pos: s.Prune.Pos, Msg: "prune is enabled but the spec declares no token: this would delete every token matching prune.match; pass --allow-empty if that is what you want"}}
	}
	m, err := Match(in)
	if err != nil {
		return Plan{}, err
	}
	p.Observed = make([]Observed, 0, len(in.Remote))
	for _, list := range [][]ldapi.Token{m.rest, m.foreign} {
		for i := range list {
			p.Observed = append(p.Observed, Observed{ID: list[i].ID, Name: list[i].Name})
		}
	}
	var errs spec.Errors
	var want Fields
	for _, pr := range m.Pairs {
		if pr.Remote != nil {
			p.Observed = append(p.Observed, Observed{ID: pr.Remote.ID, Name: pr.Remote.Name})
		}
		changes, err := diff(pr, in, &want)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(changes) == 0 && !pr.Declared.Absent() {
			p.Unchanged++
		}
		nameSecret(changes, pr.Declared.SinkName)
		p.Changes = append(p.Changes, changes...)
	}
	if len(errs) > 0 {
		return Plan{}, errs
	}
	declared := make(map[string]bool, len(s.Tokens))
	for _, t := range s.Tokens {
		declared[t.Name] = true
	}
	for _, t := range m.rest {
		if s.Prune.Enabled && !declared[t.Name] && spec.MatchAny(s.Prune.Match, t.Name) {
			p.Changes = append(p.Changes, Change{
				Action: Delete, Name: t.Name, ID: t.ID, Before: ptr(ldapi.Declared(t)), Fingerprint: Fingerprint(t), SecretName: spec.DefaultSecretName(t.Name),
				Reasons: []Reason{{ReasonDeletePruned, fmt.Sprintf("not declared, and its name matches prune.match %s", quoteList(matching(s.Prune.Match, t.Name)))}},
			})
			continue
		}
		p.Unmanaged = append(p.Unmanaged, Unmanaged{Name: t.Name, ID: t.ID, ServiceToken: t.ServiceToken})
	}
	for _, t := range m.foreign {
		p.Unmanaged = append(p.Unmanaged, Unmanaged{Name: t.Name, ID: t.ID, ServiceToken: false, MemberID: t.MemberID})
	}
	for i, r := range m.Retiring {
		t := m.retiring[i]
		p.Observed = append(p.Observed, Observed{ID: t.ID, Name: t.Name})
		if in.Now.Before(r.Until) {
			p.Retiring = append(p.Retiring, r)
			continue
		}
		p.Changes = append(p.Changes, Change{
			Action: Retire, Name: r.OriginalName, RemoteName: t.Name, ID: t.ID, Before: ptr(ldapi.Declared(*t)), Fingerprint: Fingerprint(*t), SecretName: spec.DefaultSecretName(r.OriginalName),
			Reasons: []Reason{{ReasonRetireGraceEnded, fmt.Sprintf("replaced earlier; its grace ended %s", r.Until.Format(time.RFC3339))}},
		})
	}
	sortPlan(&p)
	if err := checkDeleteCap(p, s.Prune); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// AccountOf returns the ownerId that every listed token shares, which
// identifies the account when caller-identity does not say: empty when no
// token has one or they differ.
func AccountOf(tokens []ldapi.Token) string {
	owner := ""
	for _, t := range tokens {
		switch {
		case t.OwnerID == "":
		case owner == "":
			owner = t.OwnerID
		case owner != t.OwnerID:
			return ""
		}
	}
	return owner
}

func sortPlan(p *Plan) {
	order := map[Action]int{Create: 0, Replace: 1, Update: 2, Rotate: 3, Delete: 4, Retire: 5}
	slices.SortStableFunc(p.Changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID), cmp.Compare(order[a.Action], order[b.Action]))
	})
	slices.SortFunc(p.Unmanaged, func(a, b Unmanaged) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(p.Retiring, func(a, b Retiring) int {
		return cmp.Or(cmp.Compare(a.OriginalName, b.OriginalName), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(p.Observed, func(a, b Observed) int { return cmp.Compare(a.ID, b.ID) })
}

// checkDeleteCap refuses a plan whose deletes and replaces exceed the cap.
// Retires are not counted: they finish replaces already counted.
func checkDeleteCap(p Plan, prune spec.Prune) error {
	var names []string
	for _, c := range p.Changes {
		if c.Action == Delete || c.Action == Replace {
			names = append(names, c.Name)
		}
	}
	limit := prune.MaxDeletesOrDefault()
	if len(names) <= limit {
		return nil
	}
	msg := fmt.Sprintf("the plan deletes %d tokens (replaces count), more than prune.maxDeletes %d: %s; raise prune.maxDeletes if this is intended", len(names), limit, strings.Join(names, ", "))
	if prune.Pos.File == "" {
		return errors.New(msg)
	}
	return spec.Errors{{Pos: prune.Pos, Msg: msg}}
}

// RotateNow plans a rotation of each named declared token, due or not.
func RotateNow(in Input, names []string, grace time.Duration) (Plan, error) {
	p := Plan{APIHost: in.APIHost, AccountID: cmp.Or(in.CallerAccountID, AccountOf(in.Remote)), CreatedAt: in.Now.UTC().Truncate(time.Second)}
	m, err := Match(in)
	if err != nil {
		return Plan{}, err
	}
	byName := map[string]Pair{}
	for _, pr := range m.Pairs {
		byName[pr.Declared.Name] = pr
	}
	var errs []error
	for _, name := range names {
		pr, ok := byName[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("token %q is not declared in the spec", name))
		case pr.Declared.Absent() || pr.Remote == nil:
			errs = append(errs, fmt.Errorf("token %q does not exist in LaunchDarkly: run apply to create it", name))
		default:
			have := ldapi.Declared(*pr.Remote)
			p.Changes = append(p.Changes, Change{Action: Rotate, Name: name, ID: pr.Remote.ID, RemoteName: remoteName(pr), Before: &have, After: &have, Grace: grace, Fingerprint: Fingerprint(*pr.Remote), SecretName: pr.Declared.SinkName(),
				Reasons: []Reason{{ReasonRotateRequested, "requested with ldtokens rotate"}}})
			p.Observed = append(p.Observed, Observed{ID: pr.Remote.ID, Name: pr.Remote.Name})
		}
	}
	if len(errs) > 0 {
		return Plan{}, errors.Join(errs...)
	}
	sortPlan(&p)
	return p, nil
}

// nameSecret sets the SecretName of a token's changes: the name its
// secret is stored under. It is worked out only for tokens that change.
func nameSecret(changes []Change, name func() string) {
	if len(changes) == 0 {
		return
	}
	n := name()
	for i := range changes {
		changes[i].SecretName = n
	}
}

// Fingerprint identifies a remote token's state: it changes whenever the
// token is patched, reset, or replaced. It hashes the id, every field of
// ldapi.TokenFields, and lastModified.
func Fingerprint(t ldapi.Token) string {
	var buf [256]byte
	b := ldapi.AppendString(buf[:0], t.ID)
	b = ldapi.AppendFields(b, &t)
	b = ldapi.AppendString(b, strconv.FormatInt(t.LastModified, 10))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
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
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
