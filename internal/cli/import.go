package cli

import (
	"fmt"
	"path"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"sigs.k8s.io/yaml"

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
tokens that share a name are pinned with id:.`,
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
			out, err := yaml.Marshal(file)
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
	for _, t := range keep {
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
