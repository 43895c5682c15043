package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"
	yaml "go.yaml.in/yaml/v3"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/observe"
	"github.com/ldtokens/ldtokens/render"
	"github.com/ldtokens/ldtokens/spec"
)

// ImportOptions are the options of `ldtokens import`.
type ImportOptions struct {
	IO   *IO
	Conn ConnectOptions
	// Format is -o: yaml (a spec file) or json.
	Format string
	// Match is --match: only tokens whose names match one of these globs.
	Match []string
	// Personal is --personal: include the caller's own personal tokens.
	Personal bool
}

// importFormats are import's formats.
var importFormats = []string{"yaml", "json"}

func newImportCommand(ios *IO) *ucli.Command {
	opts := &ImportOptions{IO: ios}
	return &ucli.Command{
		Name:      "import",
		Usage:     "print a spec of the remote tokens, to adopt them",
		UsageText: "ldtokens import [--match GLOB] [--personal] [-o yaml|json] > tokens.yaml",
		Description: `Writes a spec that declares the remote tokens as they are, so that
'ldtokens plan' on it shows no changes. Service tokens by default; with
--personal, your own personal tokens too. Custom roles are kept as IDs;
of tokens that share a name, one is pinned with id:
and the others stay unmanaged.

Examples:
  ldtokens import > tokens.yaml
  ldtokens import --match 'ci-*' --personal -o json`,
		Flags: flagList(opts.Conn.flags(), []ucli.Flag{
			formatFlag(&opts.Format, importFormats...),
			&ucli.GenericFlag{Name: "match", Value: (*stringsValue)(&opts.Match), Usage: "only tokens whose names match `GLOB`; repeatable"},
			&ucli.BoolFlag{Name: "personal", Destination: &opts.Personal, Usage: "include your own personal tokens"},
		}),
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runImport(c.Context, opts)
		},
	}
}

func runImport(ctx context.Context, opts *ImportOptions) error {
	ios := opts.IO
	if err := checkFormat(opts.Format, importFormats...); err != nil {
		return err
	}
	for _, g := range opts.Match {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("--match %q: bad glob", g)
		}
	}
	ctx, cancel := withTimeout(ctx, opts.Conn)
	defer cancel()
	client, err := ios.connect(opts.Conn, nil)
	if err != nil {
		return err
	}
	obs, err := observe.Observe(ctx, client, observe.Request{})
	if err != nil {
		return err
	}
	caller := ""
	if obs.CallerKnown {
		caller = obs.Caller.MemberID
	}
	file, skipped := importSpec(obs.Tokens, opts.Match, opts.Personal, caller)
	for _, s := range skipped {
		fmt.Fprintf(ios.Err, "warning: %s\n", s)
	}
	if opts.Format == "json" {
		if skipped == nil {
			skipped = []string{}
		}
		return render.WriteJSON(ios.Out, importJSON{FormatVersion: "1", Kind: "import", APIHost: client.Host(), Tokens: file.Tokens, Skipped: skipped})
	}
	out, err := specYAML(file)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(ios.Out, "# yaml-language-server: $schema=%s\n# Imported by ldtokens import from %s: %d tokens.\n%s", spec.SchemaID, client.Host(), len(file.Tokens), out)
	return err
}

// importJSON is `import -o json`. Interim: the model's versioned output
// types replace it when merged; until then it is this minimal document.
type importJSON struct {
	FormatVersion string       `json:"formatVersion"`
	Kind          string       `json:"kind"`
	APIHost       string       `json:"apiHost"`
	Tokens        []spec.Token `json:"tokens"`
	// Skipped say which tokens were left out, and why.
	Skipped []string `json:"skipped"`
}

// importSpec declares tokens as they are. It returns what it had to skip.
func importSpec(tokens []ldapi.Token, match []string, personal bool, caller string) (spec.File, []string) {
	var skipped []string
	var keep []ldapi.Token
	names := map[string]int{}
	for _, t := range tokens {
		switch {
		case !t.ServiceToken && (!personal || (caller != "" && t.MemberID != caller)):
			continue
		case len(match) > 0 && !spec.MatchAny(match, t.Name):
			continue
		case t.Name == "" || strings.TrimSpace(t.Name) != t.Name:
			skipped = append(skipped, fmt.Sprintf("token %s has no usable name; name it in LaunchDarkly and import again", t.ID))
			continue
		case t.Role == "" && len(t.CustomRoleIDs) == 0 && len(t.InlineRole) == 0:
			skipped = append(skipped, fmt.Sprintf("token %q (%s) has no role, custom role or inline role", t.Name, t.ID))
			continue
		}
		keep = append(keep, t)
		names[t.Name]++
	}
	slices.SortFunc(keep, func(a, b ldapi.Token) int { return strings.Compare(a.Name+"\x00"+a.ID, b.Name+"\x00"+b.ID) })
	file := spec.File{Tokens: []spec.Token{}}
	declared := map[string]string{}
	for _, t := range keep {
		if first, dup := declared[t.Name]; dup {
			skipped = append(skipped, fmt.Sprintf("token %q (%s) shares its name with %s, which is pinned with id:; it stays unmanaged: rename it in LaunchDarkly to manage it too", t.Name, t.ID, first))
			continue
		}
		declared[t.Name] = t.ID
		st := spec.Token{Name: t.Name, Description: t.Description, DefaultAPIVersion: t.DefaultAPIVersion}
		if names[t.Name] > 1 {
			st.ID = t.ID
		}
		if !t.ServiceToken {
			f := false
			st.ServiceToken = &f
		}
		switch {
		case len(t.InlineRole) > 0:
			for _, s := range t.InlineRole {
				st.InlineRole = append(st.InlineRole, spec.Statement{Effect: s.Effect, Resources: s.Resources, NotResources: s.NotResources, Actions: s.Actions, NotActions: s.NotActions})
			}
		case len(t.CustomRoleIDs) > 0:
			st.CustomRoleIDs = t.CustomRoleIDs
		default:
			st.Role = t.Role
		}
		file.Tokens = append(file.Tokens, st)
	}
	return file, skipped
}

// specYAML writes a spec file as block YAML with keys in the order of the
// spec's fields (name first), not sorted: JSON is YAML, so the JSON
// encoding parsed as YAML keeps the order, then is re-emitted in block style.
func specYAML(f spec.File) ([]byte, error) {
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
	return b.Bytes(), enc.Close()
}
