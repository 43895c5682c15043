package actiontest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// fakeGH is the part of the GitHub CLI the example workflows call, over a
// repository kept as JSON files in $STATE: comments.json (pull-request
// comments) and issues.json (issues, each with its comments).
const fakeGH = `#!/bin/bash
set -eo pipefail
bot='"github-actions[bot]"'
if [ "$1" = api ]; then
  shift
  method=GET path="" filter="." input=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --method) method=$2; shift 2 ;;
      --jq) filter=$2; shift 2 ;;
      --input) input=$2; shift 2 ;;
      --paginate) shift ;;
      *) path=$1; shift ;;
    esac
  done
  case "$method $path" in
    "GET repos/"*/issues/*/comments) jq -r "$filter" "$STATE/comments.json" ;;
    "POST repos/"*/issues/*/comments)
      jq --slurpfile p "$input" '. + [{id: 100, user: {login: '"$bot"'}, body: $p[0].body}]' "$STATE/comments.json" > "$STATE/c" ;;
    "PATCH repos/"*/issues/comments/*)
      id=${path##*/}
      jq --slurpfile p "$input" --argjson id "$id" 'map(if .id == $id then .body = $p[0].body else . end)' "$STATE/comments.json" > "$STATE/c" ;;
    "GET repos/"*/issues\?*state=open*) jq -r "map(select(.state == \"open\")) | $filter" "$STATE/issues.json" ;;
    *) echo "fake gh: no route $method $path" >&2; exit 2 ;;
  esac
  if [ -f "$STATE/c" ]; then mv "$STATE/c" "$STATE/comments.json"; fi
  exit 0
fi
edit() { jq "$@" "$STATE/issues.json" > "$STATE/i" && mv "$STATE/i" "$STATE/issues.json"; }
case "$1 $2" in
  "label create") ;;
  "issue create")
    body=$(cat "$(printf '%s\n' "$@" | sed -n '/^--body-file$/{n;p;}')")
    edit --arg body "$body" '. + [{number: (length + 1), state: "open", user: {login: '"$bot"'}, body: $body, comments: []}]' ;;
  "issue view") jq -r --argjson n "$3" '.[] | select(.number == $n) | .body' "$STATE/issues.json" ;;
  "issue edit")
    body=$(cat "$(printf '%s\n' "$@" | sed -n '/^--body-file$/{n;p;}')")
    edit --argjson n "$3" --arg body "$body" 'map(if .number == $n then .body = $body else . end)' ;;
  "issue comment")
    body=$(printf '%s\n' "$@" | sed -n '/^--body$/{n;p;}')
    edit --argjson n "$3" --arg body "$body" 'map(if .number == $n then .comments += [$body] else . end)' ;;
  "issue close")
    body=$(printf '%s\n' "$@" | sed -n '/^--comment$/{n;p;}')
    edit --argjson n "$3" --arg body "$body" 'map(if .number == $n then .state = "closed" | .comments += [$body] else . end)' ;;
  *) echo "fake gh: no command $1 $2" >&2; exit 2 ;;
esac
`

// workflowStep finds a run: step by name in an example workflow.
func workflowStep(t *testing.T, file, job, name string) (run string, env []string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root(t), "examples", "github", file))
	require.NoError(t, err)
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string            `yaml:"name"`
				Run  string            `yaml:"run"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &wf))
	for _, st := range wf.Jobs[job].Steps {
		if st.Name == name {
			for k := range st.Env {
				env = append(env, k)
			}
			slices.Sort(env)
			return st.Run, env
		}
	}
	t.Fatalf("%s: job %s has no step %q", file, job, name)
	return "", nil
}

// ghRepo is a fake repository for the fake gh.
type ghRepo struct {
	dir string
}

type ghComment struct {
	ID   int `json:"id"`
	User struct {
		Login string `json:"login"`
	} `json:"user"`
	Body string `json:"body"`
}

type ghIssue struct {
	Number int    `json:"number"`
	State  string `json:"state"`
	User   struct {
		Login string `json:"login"`
	} `json:"user"`
	Body     string   `json:"body"`
	Comments []string `json:"comments"`
}

func newGHRepo(t *testing.T, comments []ghComment, issues []ghIssue) ghRepo {
	t.Helper()
	r := ghRepo{dir: t.TempDir()}
	if comments == nil {
		comments = []ghComment{}
	}
	if issues == nil {
		issues = []ghIssue{}
	}
	r.write(t, "comments.json", comments)
	r.write(t, "issues.json", issues)
	return r
}

func (r ghRepo) write(t *testing.T, name string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(r.dir, name), data, 0o644))
}

func (r ghRepo) read(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.dir, name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

// runScript runs a workflow's run: script as the runner runs `shell: bash`,
// with the fake gh first on PATH.
func runScript(t *testing.T, script string, repo ghRepo, env map[string]string) (string, string) {
	t.Helper()
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "gh"), []byte(fakeGH), 0o755))
	ws := t.TempDir()
	path := filepath.Join(t.TempDir(), "step.sh")
	require.NoError(t, os.WriteFile(path, []byte(script), 0o644))
	out := filepath.Join(t.TempDir(), "output")
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", path)
	cmd.Dir = ws
	cmd.Env = append(hostEnv(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"STATE="+repo.dir,
		"GITHUB_REPOSITORY=example/tokens",
		"GITHUB_OUTPUT="+out,
	)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	data, _ := os.ReadFile(out)
	return stdout.String(), string(data)
}

// needTools skips where the example workflows' tools are missing.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	needBash(t)
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
}

func TestPlanWorkflowComment(t *testing.T) {
	needTools(t, "jq", "sed")
	script, envKeys := workflowStep(t, "plan.yml", "comment", "Comment the plan on the pull request")
	const runURL = "https://github.com/example/tokens/actions/runs/42"
	env := map[string]string{
		"GH_TOKEN":  "fake",
		"PR":        "7",
		"HEAD_SHA":  "1111111111111111111111111111111111111111",
		"EXIT_CODE": "2",
		"REPORT":    "### ldtokens plan — Plan: 1 to add, 0 to change, 0 to destroy, 0 to rotate.",
		"RUN_URL":   runURL,
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	require.Equal(t, keys, envKeys, "the step's env")

	human := ghComment{ID: 1, Body: "<!-- ldtokens-plan -->\nquoting the bot"}
	human.User.Login = "alex"
	old := ghComment{ID: 2, Body: "<!-- ldtokens-plan -->\nan old plan"}
	old.User.Login = "github-actions[bot]"

	tests := []struct {
		name     string
		comments []ghComment
		exitCode string
		// want are the comments after, by id; 100 is a new one.
		want map[int][]string
	}{
		{
			name:     "the first plan is a new comment",
			comments: []ghComment{human},
			exitCode: "2",
			want: map[int][]string{
				1:   {"quoting the bot"},
				100: {"<!-- ldtokens-plan -->", "Plan for 1111111111111111111111111111111111111111 ([run](" + runURL + "))", "Plan: 1 to add"},
			},
		},
		{
			name:     "a later plan edits the bot's comment, never another author's",
			comments: []ghComment{human, old},
			exitCode: "0",
			want: map[int][]string{
				1: {"quoting the bot"},
				2: {"<!-- ldtokens-plan -->", "Plan for 1111111111111111111111111111111111111111", runURL, "Plan: 1 to add"},
			},
		},
		{
			name:     "a failed plan replaces the comment with plan failed and the run",
			comments: []ghComment{human, old},
			exitCode: "1",
			want: map[int][]string{
				1: {"quoting the bot"},
				2: {"<!-- ldtokens-plan -->", "ldtokens plan failed", "1111111111111111111111111111111111111111", runURL},
			},
		},
		{
			name:     "a plan that never ran is a failed plan",
			comments: []ghComment{old},
			exitCode: "",
			want:     map[int][]string{2: {"ldtokens plan failed", runURL}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := newGHRepo(t, tc.comments, nil)
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			e["EXIT_CODE"] = tc.exitCode
			runScript(t, script, repo, e)

			var after []ghComment
			repo.read(t, "comments.json", &after)
			require.Len(t, after, len(tc.want))
			for _, c := range after {
				require.Contains(t, tc.want, c.ID)
				for _, s := range tc.want[c.ID] {
					assert.Contains(t, c.Body, s, "comment %d", c.ID)
				}
			}
			if tc.exitCode != "0" && tc.exitCode != "2" {
				for _, c := range after {
					assert.NotContains(t, c.Body, "Plan: 1 to add", "a failed plan shows no report")
				}
			}
		})
	}
}

func TestDriftWorkflowIssue(t *testing.T) {
	needTools(t, "jq", "sed", "sha256sum", "openssl")
	fingerprint, _ := workflowStep(t, "drift.yml", "drift", "Hand the report to the issue job")
	issueScript, _ := workflowStep(t, "drift.yml", "issue", "Open, update or close the drift issue")

	// findings runs the fingerprint step over a drift report.
	findings := func(t *testing.T, report string) string {
		t.Helper()
		repo := newGHRepo(t, nil, nil)
		ws := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(ws, "drift.json"), []byte(report), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(ws, "drift.md"), []byte("### ldtokens drift\n"), 0o644))
		script := "cd " + ws + "\n" + fingerprint
		_, out := runScript(t, script, repo, nil)
		for _, line := range strings.Split(out, "\n") {
			if v, ok := strings.CutPrefix(line, "findings="); ok {
				return v
			}
		}
		t.Fatalf("no findings output in %q", out)
		return ""
	}
	report := func(stale, changed string) string {
		return `{"formatVersion": "1", "kind": "drift", "inSync": false,
		 "changed": [{"name": "svc-a", "id": "1", "detail": "` + changed + `", "advice": "apply"}],
		 "missing": [], "unmanaged": [{"name": "hand-made", "id": "2", "detail": "not declared", "advice": "declare it"}],
		 "rotationDue": [],
		 "findings": [{"kind": "stale", "name": "hand-made", "id": "2", "detail": "` + stale + `", "advice": "delete it"}]}`
	}
	today := findings(t, report("never used, created 90d ago", "changed: role"))
	assert.Regexp(t, `^[0-9a-f]{64}$`, today)
	assert.Equal(t, today, findings(t, report("never used, created 91d ago", "changed: role")),
		"a stale token's growing age is not a new finding")
	changed := findings(t, report("never used, created 91d ago", "changed: role, description"))
	assert.NotEqual(t, today, changed, "another field changed by hand is")

	const runURL = "https://github.com/example/tokens/actions/runs/43"
	env := func(exit, fp string) map[string]string {
		return map[string]string{"GH_TOKEN": "fake", "EXIT_CODE": exit, "FINDINGS": fp, "REPORT": "### ldtokens drift — 1 changed", "RUN_URL": runURL}
	}
	human := ghIssue{Number: 1, State: "open", Body: "a person's issue with the label"}
	human.User.Login = "alex"

	repo := newGHRepo(t, nil, []ghIssue{human})
	var issues []ghIssue

	runScript(t, issueScript, repo, env("2", today))
	repo.read(t, "issues.json", &issues)
	require.Len(t, issues, 2, "drift opens an issue")
	assert.Contains(t, issues[1].Body, "<!-- ldtokens-drift findings="+today+" -->")
	assert.Contains(t, issues[1].Body, runURL)
	assert.Empty(t, issues[1].Comments)

	runScript(t, issueScript, repo, env("2", today))
	repo.read(t, "issues.json", &issues)
	require.Len(t, issues, 2, "the same drift keeps one issue")
	assert.Empty(t, issues[1].Comments, "unchanged findings notify nobody")

	runScript(t, issueScript, repo, env("2", changed))
	repo.read(t, "issues.json", &issues)
	assert.Contains(t, issues[1].Body, "findings="+changed)
	require.Len(t, issues[1].Comments, 1, "changed findings comment, which notifies watchers")
	assert.Contains(t, issues[1].Comments[0], runURL)

	runScript(t, issueScript, repo, env("0", ""))
	repo.read(t, "issues.json", &issues)
	assert.Equal(t, "closed", issues[1].State, "in sync closes the issue")
	assert.Equal(t, "open", issues[0].State, "a person's issue is never closed")
}
