package tfimport

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
)

// Entry is one token taken over from Terraform.
type Entry struct {
	// Token declares it, as the spec will. Token.ID is set only when the
	// token must be pinned: its name is shared, in the state or (after
	// Reconcile) in the account.
	Token spec.Token
	// ID is the token's _id, from the state.
	ID string
	// Addresses are the resource instances that hold it, in Terraform's
	// order; more than one when the state holds the token twice.
	Addresses []string

	// addrs are Addresses, parsed, for ordering.
	addrs []address
}

// Import is what a Terraform state holds of LaunchDarkly access tokens.
type Import struct {
	// Entries are the tokens to declare, sorted by name.
	Entries []Entry
	// Warnings say what was left in Terraform or not carried over, and
	// why, one sentence each (no "warning:" prefix).
	Warnings []string
}

// Options narrow an import.
type Options struct {
	// Match, when set, imports only the instances whose token names match
	// one of these globs (spec.MatchAny); the others stay in Terraform
	// without a word.
	Match []string
}

// Read reads `terraform show -json` output or a raw state file (version 4)
// and maps every launchdarkly_access_token instance, in every module, to a
// spec token. An instance that cannot be declared (no name, no role, both
// inline_roles and policy_statements) is left in Terraform with a warning;
// of instances sharing a name, the first by address is pinned with id: and
// the others are left in Terraform. The secret (the token attribute) is
// never read.
func Read(r io.Reader, opts Options) (*Import, error) {
	found, deposed, err := decode(r)
	if err != nil {
		return nil, err
	}
	if len(opts.Match) > 0 {
		found = slices.DeleteFunc(found, func(in instance) bool { return !spec.MatchAny(opts.Match, in.attrs.Name) })
	}
	im := &Import{}
	for _, a := range deposed {
		im.warn("%s: a deposed object (left by create_before_destroy) is skipped; Terraform deletes it on its next apply", a)
	}
	slices.SortStableFunc(found, func(a, b instance) int { return a.addr.compare(b.addr) })
	byID := map[string]int{} // index in Entries
	names := map[string][]string{}
	var keep []instance
	for _, in := range found {
		if reason := unusable(in.attrs); reason != "" {
			im.warn("%s: %s; it stays in Terraform", in.addr, reason)
			continue
		}
		keep = append(keep, in)
		if !slices.Contains(names[in.attrs.Name], in.attrs.ID) {
			names[in.attrs.Name] = append(names[in.attrs.Name], in.attrs.ID)
		}
	}
	for _, in := range keep {
		a := in.attrs
		if i, dup := byID[a.ID]; dup {
			e := &im.Entries[i]
			e.Addresses = append(e.Addresses, in.addr.String())
			e.addrs = append(e.addrs, in.addr)
			im.warn("%s holds the same token (%s) as %s; the first is declared, and both are handed over", in.addr, a.ID, e.Addresses[0])
			continue
		}
		if ids := names[a.Name]; len(ids) > 1 && ids[0] != a.ID {
			im.warn("%s: token %q (%s) shares its name with %s, which is pinned with id:; it stays in Terraform: rename one of them and import again", in.addr, a.Name, a.ID, ids[0])
			continue
		}
		t := declare(a)
		if len(names[a.Name]) > 1 {
			t.ID = a.ID
		}
		if a.Expire != nil && *a.Expire != 0 {
			im.warn("%s: expire (a provider v2 reset trigger) is not carried over: ldtokens resets secrets on a schedule with rotate: {every: 90d}, or at once with ldtokens rotate", in.addr)
		}
		byID[a.ID] = len(im.Entries)
		im.Entries = append(im.Entries, Entry{Token: t, ID: a.ID, Addresses: []string{in.addr.String()}, addrs: []address{in.addr}})
	}
	im.sort()
	return im, nil
}

func (im *Import) warn(format string, args ...any) {
	im.Warnings = append(im.Warnings, fmt.Sprintf(format, args...))
}

func (im *Import) sort() {
	slices.SortStableFunc(im.Entries, func(a, b Entry) int {
		return cmp.Or(strings.Compare(a.Token.Name, b.Token.Name), a.addrs[0].compare(b.addrs[0]))
	})
}

// unusable says why an instance cannot be declared, or "".
func unusable(a attributes) string {
	kinds := 0
	for _, set := range []bool{a.Role != "", len(a.CustomRoles) > 0, len(a.InlineRoles) > 0 || len(a.PolicyStatements) > 0} {
		if set {
			kinds++
		}
	}
	switch {
	case a.ID == "":
		return "it has no id (never created?)"
	case a.Name == "" || strings.TrimSpace(a.Name) != a.Name:
		return fmt.Sprintf("token %s has no usable name (empty, or spaces around it): name it, apply, and import again", a.ID)
	case len(a.InlineRoles) > 0 && len(a.PolicyStatements) > 0:
		return fmt.Sprintf("token %q sets both inline_roles and policy_statements: keep one, apply, and import again", a.Name)
	case kinds == 0:
		return fmt.Sprintf("token %q has no role, custom_roles or inline_roles", a.Name)
	case kinds > 1:
		return fmt.Sprintf("token %q sets more than one of role, custom_roles and inline_roles", a.Name)
	}
	return ""
}

// declare maps the provider's attributes to a spec token: role,
// custom_roles (keys), inline_roles or (v2) policy_statements,
// service_token (the provider's default is false, the spec's true, so a
// personal token says so), default_api_version. The provider has no
// description.
func declare(a attributes) spec.Token {
	t := spec.Token{Name: a.Name, Role: a.Role, CustomRoles: orNil(a.CustomRoles), DefaultAPIVersion: a.DefaultAPIVersion}
	if !a.ServiceToken {
		f := false
		t.ServiceToken = &f
	}
	stmts := a.InlineRoles
	if len(stmts) == 0 {
		stmts = a.PolicyStatements
	}
	for _, s := range stmts {
		t.InlineRole = append(t.InlineRole, spec.Statement{Effect: s.Effect, Actions: orNil(s.Actions), NotActions: orNil(s.NotActions), Resources: orNil(s.Resources), NotResources: orNil(s.NotResources)})
	}
	return t
}

// orNil is nil for an empty list: the SDK (v2) writes [] where the
// framework (v3) writes null, and both mean none.
func orNil(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return list
}

// Tokens returns the spec tokens, sorted by name.
func (im *Import) Tokens() []spec.Token {
	out := make([]spec.Token, len(im.Entries))
	for i, e := range im.Entries {
		out[i] = e.Token
	}
	return out
}

// StateRm returns one `terraform state rm` command per resource instance
// handed over, in Terraform's address order, each address quoted for a
// POSIX shell so that it reaches Terraform unchanged. Removing them from
// the state keeps a later `terraform apply` from destroying the tokens
// (the resource blocks must go from the configuration too).
func (im *Import) StateRm() []string {
	var all []address
	for _, e := range im.Entries {
		all = append(all, e.addrs...)
	}
	slices.SortFunc(all, address.compare)
	out := make([]string, len(all))
	for i, a := range all {
		out[i] = "terraform state rm " + ShellQuote(a.String())
	}
	return out
}

// Reconcile checks the import against the account's tokens and the caller
// (the member whose access token ldtokens uses; "" when unknown), so that
// plan on the spec shows no changes:
//   - a name that more than one remote token has is pinned with id:;
//   - the account's description is kept (the provider has none, so
//     Terraform never set or changed it);
//   - a token missing from the account (deleted outside Terraform) is kept,
//     unpinned, with a warning: apply creates it, as terraform apply would;
//   - another member's personal token is left in Terraform with a
//     warning: ldtokens never changes other members' personal tokens.
func (im *Import) Reconcile(remote []ldapi.Token, callerMemberID string) {
	byID := make(map[string]ldapi.Token, len(remote))
	count := make(map[string]int, len(remote))
	for _, t := range remote {
		byID[t.ID] = t
		count[t.Name]++
	}
	kept := im.Entries[:0]
	for _, e := range im.Entries {
		r, ok := byID[e.ID]
		switch {
		case !ok:
			im.warn("%s: token %q (%s) is not in the account (deleted outside Terraform?): it is declared without id:, so apply creates it", e.Addresses[0], e.Token.Name, e.ID)
			e.Token.ID = ""
		case !r.ServiceToken && callerMemberID != "" && r.MemberID != callerMemberID:
			im.warn("%s: token %q (%s) is another member's personal token, which ldtokens never changes; it stays in Terraform", e.Addresses[0], e.Token.Name, e.ID)
			continue
		default:
			e.Token.Description = r.Description
			if count[e.Token.Name] > 1 {
				e.Token.ID = e.ID
			}
		}
		kept = append(kept, e)
	}
	clear(im.Entries[len(kept):])
	im.Entries = kept
}

// SecretWarning is the warning to print after an import from Terraform:
// the state holds the tokens' secrets in plaintext, and rotating them once
// the move is done makes every copy worthless. specPath names the spec
// file in the suggested command.
func SecretWarning(tokens []spec.Token, specPath string) string {
	cmd := "ldtokens rotate -f " + shellWord(specPath)
	for _, t := range tokens {
		cmd += " " + shellWord(t.Name)
	}
	return "the Terraform state holds the secret of every access token in plaintext (the token attribute), " +
		"and so does every copy and backup of it; ldtokens did not read them. " +
		"Once the state rm commands below have run, reset the secrets so that those copies stop working: " +
		cmd + ", with a secret sink (--secrets-dir or --secret-command)"
}

// shellWord is s as one shell word: bare when it holds only characters a
// POSIX shell takes literally, else quoted.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+=,-") == "" {
		return s
	}
	return ShellQuote(s)
}
