// Package actiontest runs the repository's composite GitHub Action
// (action.yml at the root) the way the Actions runner runs it, and checks its
// metadata. It holds tests only.
//
// The tests read action.yml as YAML, evaluate the few expressions it uses
// (inputs, github, runner and steps contexts), run every `run:` step with
// `bash --noprofile --norc -eo pipefail FILE` and GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, as the runner does for `shell: bash`, and point
// ldtokens at an in-process emulator over HTTP. `uses:` steps (setup-go, the
// module cache) cannot run outside a runner: the tests record which would
// have run and go on; .github/workflows/ci.yml runs the action on a real
// runner.
//
// Around the action, it also runs the scripts of examples/github (against a
// fake gh keeping a repository in JSON files), the README's secret-command
// recipes (against fakes of gh, vault and aws), and checks .goreleaser.yaml
// against the names the action downloads.
//
// It must not reimplement the action's or the workflows' logic: every
// assertion is about what their own scripts did.
package actiontest
