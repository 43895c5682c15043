package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/observe"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/render"
	"github.com/ldtokens/ldtokens/spec"
	"github.com/ldtokens/ldtokens/tfimport"
)

// runImportTerraform is `import --from-terraform-state FILE` ("-" is
// stdin): stdout is the spec of the state's launchdarkly_access_token
// resources; stderr says what stays in Terraform, that the state holds the
// secrets in plaintext, and which `terraform state rm` commands hand the
// tokens over. The state's secrets are never read into anything.
func runImportTerraform(ctx context.Context, opts *ImportOptions) error {
	ios := opts.IO
	if opts.Personal {
		return withHint(fmt.Errorf("--personal applies to the account's tokens, not to a Terraform state"), "drop --personal: a state's personal tokens are imported when they are yours")
	}
	im, err := readTerraformState(ios, opts.FromTerraformState, tfimport.Options{Match: opts.Match})
	if err != nil {
		return err
	}
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
	im.Reconcile(obs.Tokens, caller)
	out := planner.Imported{File: spec.File{Tokens: im.Tokens()}}
	for _, e := range im.Entries {
		out.IDs = append(out.IDs, e.ID)
	}
	if out.YAML, err = planner.SpecYAML(out.File); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	for _, w := range im.Warnings {
		fmt.Fprintf(ios.Err, "warning: %s\n", w)
	}
	if len(im.Entries) > 0 {
		fmt.Fprintf(ios.Err, "warning: %s\n", tfimport.SecretWarning(out.File.Tokens, "tokens.yaml"))
		fmt.Fprintf(ios.Err, "Hand the %d token(s) over to ldtokens: once `ldtokens plan -f tokens.yaml` shows no changes, run these in the Terraform working directory and delete their resource blocks, so that no `terraform apply` destroys them:\n", len(im.Entries))
		for _, line := range im.StateRm() {
			fmt.Fprintln(ios.Err, line)
		}
	}
	if opts.Format == "json" {
		return render.WriteJSON(ios.Out, jsonout.ImportOf(client.Host(), out))
	}
	_, err = fmt.Fprintf(ios.Out, "# yaml-language-server: $schema=%s\n# Imported by ldtokens import from a Terraform state: %d tokens.\n%s", spec.SchemaID, len(out.File.Tokens), out.YAML)
	return err
}

// readTerraformState reads the state at path, or stdin for "-".
func readTerraformState(ios *IO, path string, opts tfimport.Options) (*tfimport.Import, error) {
	var r io.Reader = ios.In
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--from-terraform-state: %w", err)
		}
		defer f.Close()
		r = f
	}
	im, err := tfimport.Read(r, opts)
	if err != nil {
		return nil, fmt.Errorf("--from-terraform-state %s: %w", path, err)
	}
	return im, nil
}
