package cli

import (
	"fmt"
	"path"
	"slices"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/spec"
)

func importCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "import",
		Usage:     "print a spec of the remote tokens, to adopt them",
		UsageText: "ldtokens import [--match GLOB] [--personal] > tokens.yaml",
		Description: `Writes a spec that declares the remote tokens as they are, so that
'ldtokens plan' on it shows no changes. Service tokens by default; with
--personal, your own personal tokens too. Custom roles are declared by
key (customRoles) when every ID has one, else as IDs; of tokens that share
a name, one is pinned with id: and the others stay unmanaged.`,
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
			roleKeys := map[string]string{}
			if slices.ContainsFunc(tokens, func(t ldapi.Token) bool { return len(t.CustomRoleIDs) > 0 }) {
				roles, err := cn.client.ListRoles(ctx)
				if err != nil {
					return fmt.Errorf("list custom roles: %w", err)
				}
				for _, r := range roles {
					roleKeys[r.ID] = r.Key
				}
			}
			im, err := planner.Import(tokens, roleKeys, planner.ImportOptions{Match: c.StringSlice("match"), Personal: c.Bool("personal"), CallerMemberID: caller})
			if err != nil {
				return err
			}
			for _, s := range im.Skipped {
				fmt.Fprintf(e.stderr, "warning: %s\n", s)
			}
			fmt.Fprintf(e.stdout, "# yaml-language-server: $schema=%s\n# Imported by ldtokens import from %s: %d tokens.\n%s", spec.SchemaID, cn.host, len(im.File.Tokens), im.YAML)
			return nil
		},
	}
}
