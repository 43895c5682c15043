package planner

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
)

// ImportOptions choose which remote tokens an import declares.
type ImportOptions struct {
	// Match keeps only the tokens whose names match one of these globs;
	// empty keeps every token.
	Match []string
	// Personal declares the caller's personal tokens too.
	Personal bool
	// CallerMemberID is the member whose access token is in use, as for
	// Input: personal tokens are declared only when they are the caller's.
	CallerMemberID string
	// AllMembers says the tokens were listed with showAll.
	AllMembers bool
}

// Skipped is a remote token an import leaves out, and why.
type Skipped struct {
	ID   string
	Name string
	// Reason says why, and what to do, in words.
	Reason string
}

// String is `token "name" (id) reason`.
func (s Skipped) String() string { return fmt.Sprintf("token %q (%s) %s", s.Name, s.ID, s.Reason) }

// Imported is the spec an import writes.
type Imported struct {
	// File declares the tokens as they are, sorted by name; names are
	// unique.
	File spec.File
	// IDs are the ids of the remote tokens File declares, index for index.
	IDs []string
	// YAML is File as block YAML, keys in the spec's field order (name
	// first).
	YAML []byte
	// Skipped are the tokens left out that the options did not exclude.
	Skipped []Skipped
}

// Import declares remote tokens as they are: the inverse of the mapping a
// plan makes, so that a plan of the result against the same tokens (with
// RoleIDs the inverse of roleKeys) has no changes. roleKeys maps custom
// role IDs to keys; a token's custom roles are declared by key when every
// ID has one. Of tokens that share a name, the first by ID is pinned with
// id: and the others are skipped; retiring tokens are never declared.
func Import(tokens []ldapi.Token, roleKeys map[string]string, opts ImportOptions) (Imported, error) {
	var out Imported
	mine, why := personalOwner(Input{Spec: &spec.Spec{}, Remote: tokens, CallerMemberID: opts.CallerMemberID, AllMembers: opts.AllMembers})
	skip := func(t ldapi.Token, format string, args ...any) {
		out.Skipped = append(out.Skipped, Skipped{ID: t.ID, Name: t.Name, Reason: fmt.Sprintf(format, args...)})
	}
	var keep []ldapi.Token
	names := map[string]int{}
	for _, t := range tokens {
		if len(opts.Match) > 0 && !spec.MatchAny(opts.Match, t.Name) {
			continue
		}
		if !t.ServiceToken && !opts.Personal {
			continue
		}
		if _, until, ok := ParseRetiring(t.Name); ok {
			skip(t, "is the old token of a replace, retiring until %s: apply deletes it then", until.Format(time.RFC3339))
			continue
		}
		switch {
		case !t.ServiceToken && why != "":
			skip(t, "is a personal token and ldtokens cannot tell whose: %s", why)
		case !t.ServiceToken && !mine(&t):
		case t.Name == "" || strings.TrimSpace(t.Name) != t.Name:
			skip(t, "has no usable name: name it in LaunchDarkly and import again")
		case t.Role == "" && len(t.CustomRoleIDs) == 0 && len(t.InlineRole) == 0:
			skip(t, "has no role, custom role or inline role")
		default:
			keep = append(keep, t)
			names[t.Name]++
		}
	}
	slices.SortFunc(keep, func(a, b ldapi.Token) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	out.File = spec.File{Tokens: []spec.Token{}}
	pinned := map[string]string{}
	for i := range keep {
		t := &keep[i]
		if first, dup := pinned[t.Name]; dup {
			skip(*t, "shares its name with %s, which is pinned with id:; it stays unmanaged: rename it in LaunchDarkly to manage it too", first)
			continue
		}
		pinned[t.Name] = t.ID
		var d spec.Token
		for _, side := range specSides {
			side.declare(&d, t, roleKeys)
		}
		onePermissionKind(&d)
		if names[t.Name] > 1 {
			d.ID = t.ID
		}
		out.File.Tokens = append(out.File.Tokens, d)
		out.IDs = append(out.IDs, t.ID)
	}
	y, err := SpecYAML(out.File)
	if err != nil {
		return Imported{}, fmt.Errorf("import: %w", err)
	}
	out.YAML = y
	return out, nil
}

// onePermissionKind keeps one kind of permissions, as a spec allows: an
// inline role, else custom roles, else a built-in role.
func onePermissionKind(d *spec.Token) {
	switch {
	case len(d.InlineRole) > 0:
		d.Role, d.CustomRoles, d.CustomRoleIDs = "", nil, nil
	case len(d.CustomRoles)+len(d.CustomRoleIDs) > 0:
		d.Role = ""
	}
}

// SpecYAML writes a spec file as block YAML with keys in the order of the
// spec's fields (name first), not sorted: JSON is YAML, so the JSON
// encoding parsed as YAML keeps the order, then is re-emitted in block
// style.
func SpecYAML(f spec.File) ([]byte, error) {
	j, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return nil, err
	}
	var block func(n *yaml.Node)
	block = func(n *yaml.Node) {
		n.Style &^= yaml.FlowStyle
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
			n.Style &^= yaml.DoubleQuotedStyle
		}
		for _, c := range n.Content {
			block(c)
		}
	}
	block(&doc)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
