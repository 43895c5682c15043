package cli

import (
	"strings"

	"github.com/ldtokens/ldtokens/render"
)

// publish writes a command's result to the GitHub Actions step, when
// running in one: the markdown report to the step summary and outputs to
// $GITHUB_OUTPUT. It is the one place the CLI writes either; each command
// builds its outputs with its own xOutputs function.
func (ios *IO) publish(r render.Report, outputs map[string]string) error {
	if !ios.Actions.Enabled {
		return nil
	}
	var md strings.Builder
	if err := render.Markdown(&md, r); err != nil {
		return err
	}
	return ios.Actions.Publish(md.String(), outputs)
}
