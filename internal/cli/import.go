package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"
	yaml "go.yaml.in/yaml/v3"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
)

func importCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "import",
		Usage:     "print a spec of the remote tokens, to adopt them",
		UsageText: "ldtokens import [--match GLOB] [--personal] > tokens.yaml",
		Description: `Writes a spec that declares the remote tokens as they are, so that
'ldtokens plan' on it shows no changes. Service tokens by default; with
--personal, your own personal tokens too. Custom roles are kept as IDs;
of tokens that share a name, one is pinned with id:
and the others stay unmanaged.`,
		Flags: concat(connectFlags(), []ucli.Flag{
			&ucli.StringSliceFlag{Name: "match", Usage: "only tokens whose names match `GLOB`; repeatable"},
			&ucli.BoolFlag{Name: "personal", Usage: "include your own personal tokens"},
		}),
		Action: func(c *ucli.Context) error {
			for _, g := range c.StringSlice("match") {
				if _, err := path.Match(g, ""); err != nil {
					return fmt.Errorf("--match %q: bad glob", g)
				}
			}
			ctx, cancel := withTimeout(c)
			defer cancel()
			cn, err := e.connect(c, nil)
			if err != nil {
				return err
			}
			tokens, err := cn.client.ListTokens(ctx, ldapi.ListOptions{})
			if err != nil {
				return listErr(err)
			}
			caller := ""
			if id, err := cn.client.CallerIdentity(ctx); err == nil {
				caller = id.MemberID
			}
			file, skipped := importSpec(tokens, c.StringSlice("match"), c.Bool("personal"), caller)
			for _, s := range skipped {
				fmt.Fprintf(e.stderr, "warning: %s\n", s)
			}
			out, err := specYAML(file)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "# yaml-language-server: $schema=%s\n# Imported by ldtokens import from %s: %d tokens.\n%s", spec.SchemaID, cn.host, len(file.Tokens), out)
			return nil
		},
	}
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
