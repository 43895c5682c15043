package cli

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Under GitHub Actions each command publishes its markdown report to the
// step summary and its counts to the step outputs, once; every workflow
// command goes to stderr; a text plan is folded in a group whose markers
// are on stderr around the plan on stdout; a JSON report stays one document.
func TestGitHubActions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		summary string
		outputs string
		// folded: the text plan is folded in a ::group::.
		folded bool
	}{
		{name: "plan", args: []string{"plan", "-f", "good.yaml"}, code: 0, folded: true,
			summary: "### ldtokens plan — Plan: 1 to add", outputs: "create=1\ndelete=0\nhas_changes=true\nreplace=0\nrotate=0\nupdate=0\n"},
		{name: "plan, json", args: []string{"plan", "-f", "insync.yaml", "-o", "json"}, code: 0,
			summary: "### ldtokens plan — Plan: 0 to add", outputs: "create=0\ndelete=0\nhas_changes=false\nreplace=0\nrotate=0\nupdate=0\n"},
		{name: "apply", args: []string{"apply", "-f", "good.yaml", "--auto-approve", "--secrets-dir", "s"}, code: 0, folded: true,
			summary: "### ldtokens apply — 1 done, 0 failed, 0 not started", outputs: "done=1\nfailed=0\nnot_started=0\n"},
		{name: "apply, failed", args: []string{"apply", "-f", "good.yaml", "--auto-approve", "--secret-command", "exit 1", "-o", "markdown"}, code: 1,
			summary: "### ldtokens apply — 0 done, 1 failed, 0 not started", outputs: "done=0\nfailed=1\nnot_started=0\n"},
		{name: "rotate", args: []string{"rotate", "svc", "-f", "good.yaml", "--auto-approve", "--secrets-dir", "s", "-o", "json"}, code: 0,
			summary: "### ldtokens apply — 1 done", outputs: "done=1\nfailed=0\nnot_started=0\n"},
		{name: "drift", args: []string{"drift", "-f", "good.yaml"}, code: 2,
			summary: "### ldtokens drift — 0 changed, 1 missing", outputs: "changed=0\ndrift=true\nfindings=0\nmissing=1\nunmanaged=0\n"},
		{name: "drift, in sync", args: []string{"drift", "-f", "insync.yaml", "-o", "json"}, code: 0,
			summary: "### ldtokens drift — in sync", outputs: "changed=0\ndrift=false\nfindings=0\nmissing=0\nunmanaged=0\n"},
		{name: "status", args: []string{"status", "-f", "good.yaml"}, code: 0,
			summary: "### ldtokens status — 2 declared token(s)", outputs: "missing=1\noverdue=0\nretiring=0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			r := e.run(context.Background(), []string{"GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY=" + e.path("summary.md"), "GITHUB_OUTPUT=" + e.path("output.txt")}, tt.args...)
			require.Equal(t, tt.code, r.code, r.stderr)

			assert.True(t, strings.HasPrefix(e.read("summary.md"), tt.summary), e.read("summary.md"))
			assert.Equal(t, 1, strings.Count(e.read("summary.md"), "### ldtokens"), "published once")
			assert.Equal(t, tt.outputs, e.read("output.txt"))

			assert.NotRegexp(t, workflowCommandLine, r.stdout, "no workflow command on stdout")
			assert.Regexp(t, `^::add-mask::`+testToken+"\n", r.stderr, "the access token is masked first")
			assert.NotContains(t, r.stdout, testToken)
			if tt.folded {
				assert.Regexp(t, `(?m)^::group::ldtokens plan: Plan: \d+ to add.*\n::endgroup::$`, r.stderr)
			} else {
				assert.NotContains(t, r.stderr, "::group::")
			}
			if strings.Contains(strings.Join(tt.args, " "), "-o json") {
				assert.True(t, json.Valid([]byte(r.stdout)), r.stdout)
			}
		})
	}
}

// Spec problems and plan errors with a place become annotations, on stderr.
func TestGitHubActionsAnnotations(t *testing.T) {
	e := newTestEnv(t)
	r := e.run(context.Background(), []string{"GITHUB_ACTIONS=true"}, "plan", "-f", "bad.yaml")
	assert.Equal(t, 1, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "::error file=bad.yaml,line=2,col=17::token \"svc\": unknown key \"rol\"; did you mean \"role\"?\n")

	e = newTestEnv(t, storedToken("000000000000000000000001", "svc", "reader"), storedToken("000000000000000000000002", "svc", "reader"))
	r = e.run(context.Background(), []string{"GITHUB_ACTIONS=true"}, "plan", "-f", "insync.yaml")
	assert.Equal(t, 1, r.code)
	assert.Empty(t, r.stdout)
	assert.Regexp(t, `(?m)^::error file=insync.yaml,line=2,col=\d+::token "svc": 2 remote tokens have this name`, r.stderr)
}

// workflowCommandLine matches a workflow command at the start of a line.
var workflowCommandLine = regexp.MustCompile(`(?m)^::[a-z-]+[ :]`)
