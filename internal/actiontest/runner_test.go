package actiontest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// This file is a small composite-action runner: it does what the GitHub
// Actions runner does with action.yml's steps, no more. What it cannot do (a
// `uses:` step) it records; what it does not understand (an expression or
// `if:` beyond the forms below) fails the test, so that action.yml cannot
// quietly outgrow it.

// actionFile is action.yml. Unknown keys are an error when it is read.
type actionFile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs  map[string]actionInput  `yaml:"inputs"`
	Outputs map[string]actionOutput `yaml:"outputs"`
	Runs    struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

// actionInput is one of action.yml's inputs.
type actionInput struct {
	Description        string  `yaml:"description"`
	Required           bool    `yaml:"required"`
	Default            *string `yaml:"default"`
	DeprecationMessage string  `yaml:"deprecationMessage"`
}

// actionOutput is one of a composite action's outputs.
type actionOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

// actionStep is one step of a composite action.
type actionStep struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	ContinueOnError  bool              `yaml:"continue-on-error"`
}

// label names a step in failure messages.
func (s actionStep) label() string {
	switch {
	case s.ID != "":
		return s.ID
	case s.Name != "":
		return s.Name
	}
	return s.Uses
}

// root is the repository: the action's own checkout, github.action_path.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	return dir
}

// readAction reads and decodes action.yml, refusing unknown keys.
func readAction(t *testing.T) (actionFile, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root(t), "action.yml"))
	require.NoError(t, err)
	var a actionFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&a), "action.yml")
	return a, string(raw)
}

// invocation is one use of the action in a workflow job.
type invocation struct {
	// with are the inputs the workflow gives (with:).
	with map[string]string
	// github holds github.action_ref and github.action_repository.
	github map[string]string
	// env is the job's environment (env: of the job and step).
	env map[string]string
	// workspace is GITHUB_WORKSPACE, where run steps start.
	workspace string
	// temp is RUNNER_TEMP.
	temp string
	// serverURL is GITHUB_SERVER_URL.
	serverURL string
}

// stepResult is what one step did.
type stepResult struct {
	step    actionStep
	skipped bool
	// code is a run step's exit status.
	code           int
	stdout, stderr string
	outputs        map[string]string
}

// result is what one use of the action did.
type result struct {
	// failed is the step's outcome in the workflow: a step of the action
	// failed.
	failed bool
	steps  []stepResult
	// outputs are the action's outputs, evaluated from outputs.*.value.
	outputs map[string]string
	// summary is everything written to GITHUB_STEP_SUMMARY.
	summary string
	// uses are the uses: steps that would have run.
	uses []string
}

// step returns the result of the step with this id.
func (r result) step(t *testing.T, id string) stepResult {
	t.Helper()
	for _, s := range r.steps {
		if s.step.ID == id {
			return s
		}
	}
	t.Fatalf("no step %q", id)
	return stepResult{}
}

// stderr is everything the action's steps wrote to stderr.
func (r result) stderr() string {
	var b strings.Builder
	for _, s := range r.steps {
		b.WriteString(s.stderr)
	}
	return b.String()
}

// log is everything the action's steps wrote, as the runner reads it for
// workflow commands (it reads both streams).
func (r result) log() string {
	var b strings.Builder
	for _, s := range r.steps {
		b.WriteString(s.stdout)
		b.WriteString(s.stderr)
	}
	return b.String()
}

// exprRE matches one ${{ … }} expression.
var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// ifRE matches the one form of if: the action uses:
// steps.ID.outputs.NAME == 'literal' (or !=), optionally inside ${{ }}.
var ifRE = regexp.MustCompile(`^(?:\$\{\{\s*)?(steps\.[A-Za-z0-9_-]+\.outputs\.[A-Za-z0-9_-]+)\s*(==|!=)\s*'([^']*)'(?:\s*\}\})?$`)

// runnerOS and runnerArch are RUNNER_OS and RUNNER_ARCH for this machine,
// empty where GitHub has no hosted runner.
func runnerOS() string {
	return map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
}

func runnerArch() string {
	return map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
}

// hostEnv is this process's environment without what a runner would set or
// the test sets itself, so that the action sees only the job's environment.
func hostEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, p := range []string{"GITHUB_", "RUNNER_", "INPUT_", "ACTIONS_", "LAUNCHDARKLY_", "LD_", "LDTOKENS_"} {
			drop = drop || strings.HasPrefix(name, p)
		}
		if !drop {
			env = append(env, kv)
		}
	}
	return env
}

// runAction uses the action once, as a workflow step `uses: ./` would.
func runAction(t *testing.T, inv invocation) result {
	t.Helper()
	a, _ := readAction(t)
	require.Equal(t, "composite", a.Runs.Using)
	action := root(t)
	require.NotEmpty(t, inv.workspace)
	require.NotEmpty(t, inv.temp)

	inputs := map[string]string{}
	for name, in := range a.Inputs {
		if in.Default != nil {
			inputs[name] = *in.Default
		}
	}
	for name, v := range inv.with {
		_, declared := a.Inputs[name]
		require.True(t, declared, "with: %s is not an input of action.yml", name)
		inputs[name] = v
	}
	stepOutputs := map[string]map[string]string{}
	eval := func(s string) string {
		return exprRE.ReplaceAllStringFunc(s, func(m string) string {
			expr := exprRE.FindStringSubmatch(m)[1]
			parts := strings.Split(expr, ".")
			switch {
			case len(parts) == 2 && parts[0] == "inputs":
				_, declared := a.Inputs[parts[1]]
				require.True(t, declared, "action.yml uses undeclared input %q", parts[1])
				return inputs[parts[1]]
			case expr == "github.action_path":
				return action
			case len(parts) == 2 && parts[0] == "github" && (parts[1] == "action_ref" || parts[1] == "action_repository"):
				return inv.github[parts[1]]
			case expr == "runner.temp":
				return inv.temp
			case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
				outs, ok := stepOutputs[parts[1]]
				require.True(t, ok, "action.yml refers to step %q before it ran, or to no step", parts[1])
				return outs[parts[3]]
			}
			t.Fatalf("action.yml: the test runner does not evaluate ${{ %s }}; teach it, or keep the action simpler", expr)
			return ""
		})
	}

	summary := filepath.Join(inv.temp, "step-summary.md")
	require.NoError(t, os.WriteFile(summary, nil, 0o644))
	res := result{outputs: map[string]string{}}
	for i, st := range a.Runs.Steps {
		sr := stepResult{step: st, outputs: map[string]string{}}
		run := !res.failed
		if st.If != "" {
			m := ifRE.FindStringSubmatch(st.If)
			require.NotNil(t, m, "step %s: the test runner does not evaluate if: %s", st.label(), st.If)
			got := eval("${{ " + m[1] + " }}")
			run = run && (got == m[3]) == (m[2] == "==")
		}
		if !run {
			sr.skipped = true
		} else if st.Uses != "" {
			// A JavaScript action: the runner would run it; this one records it.
			res.uses = append(res.uses, st.Uses)
			for _, v := range st.With {
				eval(v)
			}
		} else {
			sr.code, sr.stdout, sr.stderr = runStep(t, i, st, eval, inv, action, summary, sr.outputs)
			if sr.code != 0 && !st.ContinueOnError {
				res.failed = true
			}
		}
		if st.ID != "" {
			stepOutputs[st.ID] = sr.outputs
		}
		res.steps = append(res.steps, sr)
	}
	for name, out := range a.Outputs {
		res.outputs[name] = eval(out.Value)
	}
	data, err := os.ReadFile(summary)
	require.NoError(t, err)
	res.summary = string(data)
	return res
}

// runStep runs one run: step as the runner runs `shell: bash`, and reads
// the outputs it wrote into outs.
func runStep(t *testing.T, i int, st actionStep, eval func(string) string, inv invocation, action, summary string, outs map[string]string) (code int, stdout, stderr string) {
	t.Helper()
	require.Equal(t, "bash", st.Shell, "step %s", st.label())
	require.NotContains(t, st.Run, "${{", "step %s: pass values through env:, never as ${{ }} in the script", st.label())

	script := filepath.Join(inv.temp, fmt.Sprintf("step-%d.sh", i))
	require.NoError(t, os.WriteFile(script, []byte(st.Run), 0o644))
	outputFile := filepath.Join(inv.temp, fmt.Sprintf("step-%d.output", i))
	require.NoError(t, os.WriteFile(outputFile, nil, 0o644))

	env := append(hostEnv(),
		"CI=true",
		"GITHUB_ACTIONS=true",
		"GITHUB_ACTION_PATH="+action,
		"GITHUB_WORKSPACE="+inv.workspace,
		"GITHUB_OUTPUT="+outputFile,
		"GITHUB_STEP_SUMMARY="+summary,
		"GITHUB_SERVER_URL="+inv.serverURL,
		"GITHUB_REPOSITORY=example/tokens",
		"RUNNER_TEMP="+inv.temp,
		"RUNNER_OS="+runnerOS(),
		"RUNNER_ARCH="+runnerArch(),
	)
	for k, v := range inv.env {
		env = append(env, k+"="+v)
	}
	for k, v := range st.Env {
		env = append(env, k+"="+eval(v))
	}
	dir := inv.workspace
	if st.WorkingDirectory != "" {
		dir = eval(st.WorkingDirectory)
	}

	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = dir
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		require.NoError(t, err, "step %s", st.label())
	}
	readOutputs(t, outputFile, outs)
	return code, o.String(), e.String()
}

// readOutputs reads a GITHUB_OUTPUT file as the runner does: NAME=VALUE
// lines and NAME<<DELIMITER blocks; a later value for a name wins.
func readOutputs(t *testing.T, path string, outs map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var lines []string
			closed := false
			for sc.Scan() {
				if sc.Text() == delim {
					closed = true
					break
				}
				lines = append(lines, sc.Text())
			}
			require.True(t, closed, "GITHUB_OUTPUT: %s<<%s is not closed", name, delim)
			outs[name] = strings.Join(lines, "\n")
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		require.True(t, ok, "GITHUB_OUTPUT: line %q is neither NAME=VALUE nor NAME<<DELIMITER", line)
		outs[name] = value
	}
	require.NoError(t, sc.Err())
}

// needBash skips the test where the runner's shell is missing.
func needBash(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the action's bash steps are run by this test on Linux and macOS")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
}

// usesNames are the actions (without refs) that would have run.
func (r result) usesNames() []string {
	var names []string
	for _, u := range r.uses {
		name, _, _ := strings.Cut(u, "@")
		names = append(names, name)
	}
	return names
}
