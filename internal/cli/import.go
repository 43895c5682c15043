package cli

import (
	"context"
	"fmt"
	"slices"

	ucli "github.com/urfave/cli/v2"

	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/observe"
	"github.com/ldtokens/ldtokens/planner"
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
	// FromTerraformState is --from-terraform-state: import the
	// launchdarkly_access_token resources of this Terraform state ("-" is
	// stdin) instead of the account's tokens.
	FromTerraformState string
}

// importFormats are import's formats.
var importFormats = []string{"yaml", "json"}

func newImportCommand(ios *IO) *ucli.Command {
	opts := &ImportOptions{IO: ios}
	return &ucli.Command{
		Name:      "import",
		Usage:     "print a spec of the remote tokens, to adopt them",
		UsageText: "ldtokens import [--match GLOB] [--personal] [-o yaml|json] [--from-terraform-state FILE] > tokens.yaml",
		Description: `Writes a spec that declares the remote tokens as they are, so that
'ldtokens plan' on it shows no changes. Service tokens by default; with
--personal, your own personal tokens too. Custom roles are written by key
when every ID has one (customRoles), else as customRoleIds; retiring tokens
are left out; of tokens that share a name, one is pinned with id: and the
others stay unmanaged (a warning on stderr names them).

With --from-terraform-state, declares the launchdarkly_access_token
resources of a Terraform state instead (the output of terraform show
-json, or a state file of version 4), and prints on stderr the
'terraform state rm' commands that hand them over. The state holds every
token's secret in plaintext: ldtokens never reads it, and says to rotate
the tokens once they have moved.

Examples:
  ldtokens import > tokens.yaml
  ldtokens import --match 'ci-*' --personal -o json
  terraform show -json | ldtokens import --from-terraform-state - > tokens.yaml`,
		Flags: flagList(opts.Conn.flags(), []ucli.Flag{
			formatFlag(&opts.Format, importFormats...),
			&ucli.GenericFlag{Name: "match", Value: (*stringsValue)(&opts.Match), Usage: "only tokens whose names match `GLOB`; repeatable"},
			&ucli.BoolFlag{Name: "personal", Destination: &opts.Personal, Usage: "include your own personal tokens"},
			&ucli.StringFlag{Name: "from-terraform-state", Destination: &opts.FromTerraformState, Usage: "declare the launchdarkly_access_token resources of the Terraform state `FILE` (terraform show -json output, or a v4 state; - is stdin)"},
		}),
		Action: noArgsAction(runImport, opts),
	}
}

func runImport(ctx context.Context, opts *ImportOptions) error {
	ios := opts.IO
	if err := checkFormat(opts.Format, importFormats...); err != nil {
		return err
	}
	for _, g := range opts.Match {
		if err := spec.CheckGlob(g); err != nil {
			return fmt.Errorf("--match %q: %w", g, err)
		}
	}
	ctx, cancel := withTimeout(ctx, opts.Conn)
	defer cancel()
	if opts.FromTerraformState != "" {
		return runImportTerraform(ctx, opts)
	}
	client, err := ios.connect(opts.Conn, nil)
	if err != nil {
		return err
	}
	obs, err := observe.Observe(ctx, client, observe.Request{})
	if err != nil {
		return err
	}
	roleKeys, err := roleKeysOf(ctx, client, obs.Tokens)
	if err != nil {
		return err
	}
	im, err := planner.Import(obs.Tokens, roleKeys, planner.ImportOptions{Match: opts.Match, Personal: opts.Personal, CallerMemberID: obs.Caller.MemberID})
	if err != nil {
		return err
	}
	for _, s := range im.Skipped {
		fmt.Fprintf(ios.Err, "warning: %s\n", s)
	}
	if opts.Format == "json" {
		return render.WriteJSON(ios.Out, jsonout.ImportOf(client.Host(), im))
	}
	_, err = fmt.Fprintf(ios.Out, "# yaml-language-server: $schema=%s\n# Imported by ldtokens import from %s: %d token(s).\n%s", spec.SchemaID, client.Host(), len(im.File.Tokens), im.YAML)
	return err
}

// roleKeysOf maps the custom role IDs the tokens use to their keys, so an
// import declares roles by key; nil (no request) when no token uses one.
func roleKeysOf(ctx context.Context, client *ldapi.Client, tokens []ldapi.Token) (map[string]string, error) {
	if !slices.ContainsFunc(tokens, func(t ldapi.Token) bool { return len(t.CustomRoleIDs) > 0 }) {
		return nil, nil
	}
	roles, err := client.ListRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list custom roles: %w", err)
	}
	keys := make(map[string]string, len(roles))
	for _, r := range roles {
		keys[r.ID] = r.Key
	}
	return keys, nil
}
