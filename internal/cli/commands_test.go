package cli

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCommands runs every command through Run against the emulator over
// HTTP and pins, for each way it can end (0, 1, 2), the exit code and what
// went to which stream: stdout holds the report and nothing else, stderr
// the rest. An empty pattern means the stream must be empty.
func TestCommands(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		args []string
		env  []string
		// ctx is the run's context; nil is context.Background().
		ctx            context.Context
		code           int
		stdout, stderr string
	}{
		// validate
		{name: "validate: valid", args: []string{"validate", "-f", "good.yaml"},
			code: 0, stdout: `^The spec is valid: 2 tokens in 1 file\(s\)\.\n$`},
		{name: "validate: valid, json", args: []string{"validate", "-f", "good.yaml", "-o", "json"},
			code: 0, stdout: `"kind": "validate",\s+"valid": true`},
		{name: "validate: invalid", args: []string{"validate", "-f", "bad.yaml"},
			code: 1, stderr: `(?s)^error: bad.yaml:2:\d+: .*unknown key "rol".*2 problem\(s\) in the spec; nothing was changed\n$`},
		{name: "validate: invalid, json report and errors", args: []string{"validate", "-f", "bad.yaml", "-o", "json"},
			code: 1, stdout: `(?s)"valid": false.*"file": "bad.yaml",\s+"line": 2`, stderr: `^error: bad.yaml:2:`},
		{name: "validate: no spec", args: []string{"validate"},
			code: 1, stderr: `^error: no spec given\nhint: pass -f FILE or -f DIR\n$`},

		// plan
		{name: "plan: changes", args: []string{"plan", "-f", "good.yaml"},
			code: 0, stdout: `(?s)\+ create  svc-new.*Plan: 1 to add, 0 to change, 0 to destroy, 0 to rotate\.\n$`},
		{name: "plan: changes, detailed exit code", args: []string{"plan", "-f", "good.yaml", "--detailed-exitcode"},
			code: 2, stdout: `Plan: 1 to add`},
		{name: "plan: no changes, detailed exit code", args: []string{"plan", "-f", "insync.yaml", "--detailed-exitcode"},
			code: 0, stdout: `No changes\. LaunchDarkly matches the spec\.`},
		{name: "plan: json", args: []string{"plan", "-f", "good.yaml", "-o", "json", "--detailed-exitcode"},
			code: 2, stdout: `(?s)^\{.*"reasonCodes": \[\s+"create_because_missing"`},
		{name: "plan: markdown", args: []string{"plan", "-f", "good.yaml", "-o", "markdown"},
			code: 0, stdout: `(?m)^### ldtokens plan — Plan: 1 to add`},
		{name: "plan: refused token", args: []string{"plan", "-f", "good.yaml"}, env: []string{"LAUNCHDARKLY_ACCESS_TOKEN=api-wrong"},
			code: 1, stderr: `^error: the access token was refused .*it was read from \$LAUNCHDARKLY_ACCESS_TOKEN`},
		{name: "plan: invalid spec", args: []string{"plan", "-f", "bad.yaml", "--detailed-exitcode"},
			code: 1, stderr: `bad.yaml:2:`},
		{name: "plan: saved", args: []string{"plan", "-f", "good.yaml", "--out", "plan.json"},
			code: 0, stdout: `Plan: 1 to add`, stderr: `^Saved the plan to plan.json: apply it with .ldtokens apply plan.json.\.\n$`},
		{name: "plan: unknown format", args: []string{"plan", "-f", "good.yaml", "-o", "yaml"},
			code: 1, stderr: `^error: -o yaml: unknown format\nhint: use one of text, json, markdown\n$`},
		{name: "plan: misspelt flag", args: []string{"plan", "-f", "good.yaml", "--detailed-exit-code"},
			code: 1, stderr: `^error: unknown flag --detailed-exit-code\nhint: did you mean --detailed-exitcode\? run 'ldtokens plan --help' for usage\n$`},
		{name: "plan: unknown flag", args: []string{"plan", "--nope"},
			code: 1, stderr: `^error: unknown flag --nope\nhint: run 'ldtokens plan --help' for usage\n$`},

		// apply
		{name: "apply: done", args: []string{"apply", "-f", "good.yaml", "--auto-approve", "--secrets-dir", "s"},
			code: 0, stdout: `(?s)Plan: 1 to add.*✓ create svc-new \([0-9a-f]{24}\): secret delivered\n\nApply complete: 1 done, 0 failed, 0 not started\.\n$`,
			stderr: `^\[1/1\] ✓ create svc-new \([0-9a-f]{24}\): secret delivered\n$`},
		{name: "apply: nothing to do", args: []string{"apply", "-f", "insync.yaml"},
			code: 0, stdout: `No changes`},
		{name: "apply: no terminal to ask on", args: []string{"apply", "-f", "good.yaml", "--secrets-dir", "s"},
			code: 1, stdout: `Plan: 1 to add`, stderr: `^error: apply needs approval and there is no terminal to ask on\nhint: review the plan and pass --auto-approve`},
		{name: "apply: no sink", args: []string{"apply", "-f", "good.yaml", "--auto-approve"},
			code: 1, stdout: `Plan: 1 to add`, stderr: `^error: the plan issues new secrets but no secret sink is set`},
		{name: "apply: a change fails", args: []string{"apply", "-f", "good.yaml", "--auto-approve", "--secret-command", "exit 3", "-o", "json"},
			code: 1, stdout: `(?s)^\{.*"kind": "apply".*"failed": 1`, stderr: `^\[1/1\] ✗ create svc-new: .*exit status 3`},
		{name: "apply: a plan file and -f", args: []string{"apply", "plan.json", "-f", "good.yaml"},
			code: 1, stderr: `^error: give either a PLANFILE or -f, not both\n`},
		{name: "apply: neither spec nor plan file", args: []string{"apply"},
			code: 1, stderr: `^error: no spec and no saved plan given\nhint: pass -f FILE \(or -f DIR\), or a PLANFILE saved by 'ldtokens plan --out'\n$`},
		{name: "apply: two plan files", args: []string{"apply", "a.json", "b.json"},
			code: 1, stderr: `^error: unexpected argument "b.json"\nhint: usage: ldtokens apply -f FILE`},

		// drift
		{name: "drift: in sync", args: []string{"drift", "-f", "insync.yaml"},
			code: 0, stdout: `^In sync: LaunchDarkly matches the spec\.`},
		{name: "drift: drift", args: []string{"drift", "-f", "good.yaml"},
			code: 2, stdout: `(?m)^Drift: 0 changed, 1 missing, 0 unmanaged, 0 rotation due\.$`},
		{name: "drift: drift, json", args: []string{"drift", "-f", "good.yaml", "-o", "json"},
			code: 2, stdout: `"kind": "drift",\s+"inSync": false`},
		{name: "drift: spec durations and Go's", args: []string{"drift", "-f", "insync.yaml", "--stale-after", "1d12h", "--timeout", "1h30m"},
			code: 0, stdout: `In sync`},
		{name: "drift: bad duration", args: []string{"drift", "-f", "insync.yaml", "--stale-after", "90days"},
			code: 1, stderr: `^error: invalid value "90days" for flag --stale-after: bad duration "90days"`},
		{name: "drift: negative duration", args: []string{"drift", "-f", "insync.yaml", "--timeout", "-5m"},
			code: 1, stderr: `^error: invalid value "-5m" for flag --timeout: bad duration "-5m": must not be negative`},

		// status
		{name: "status: read-only, exit 0 with a token missing", args: []string{"status", "-f", "good.yaml"},
			code: 0, stdout: `(?s)^Rotation calendar at \S+: 2 declared token\(s\)\.\n\n \+ missing     svc-new\n.*· not rotated svc \(000000000000000000000001\)\n`},
		{name: "status: json", args: []string{"status", "-f", "good.yaml", "-o", "json"},
			code: 0, stdout: `(?s)"formatVersion": "1",\s+"kind": "status",.*"name": "svc-new",\s+"state": "missing"`},
		{name: "status: markdown", args: []string{"status", "-f", "insync.yaml", "-o", "markdown"},
			code: 0, stdout: `(?m)^### ldtokens status — 1 declared token\(s\) at `},
		{name: "status: invalid spec", args: []string{"status", "-f", "bad.yaml"},
			code: 1, stderr: `^error: bad.yaml:2:`},
		{name: "status: unknown format", args: []string{"status", "-f", "good.yaml", "-o", "yaml"},
			code: 1, stderr: `^error: -o yaml: unknown format\nhint: use one of text, json, markdown\n$`},

		// rotate
		{name: "rotate: done", args: []string{"rotate", "svc", "-f", "insync.yaml", "--auto-approve", "--secrets-dir", "s"},
			code: 0, stdout: `(?s)↻ rotate  svc.*Apply complete: 1 done`, stderr: `^\[1/1\] ✓ rotate svc \(000000000000000000000001\): secret delivered\n$`},
		{name: "rotate: no terminal to ask on", args: []string{"rotate", "svc", "-f", "insync.yaml", "--secrets-dir", "s"},
			code: 1, stdout: `↻ rotate  svc`, stderr: `^error: rotate needs approval and there is no terminal to ask on\nhint: review what it does and pass --auto-approve\n$`},
		{name: "rotate: no name", args: []string{"rotate", "-f", "insync.yaml", "--secrets-dir", "s"},
			code: 1, stderr: `^error: name at least one token to rotate\n`},
		{name: "rotate: undeclared", args: []string{"rotate", "nope", "-f", "insync.yaml", "--secrets-dir", "s", "--auto-approve"},
			code: 1, stderr: `token "nope" is not declared in the spec`},

		// import
		{name: "import: yaml", args: []string{"import"},
			code: 0, stdout: `(?s)^# yaml-language-server: .*\ntokens:\n  - name: svc\n    role: reader\n`},
		{name: "import: json", args: []string{"import", "-o", "json"},
			code: 0, stdout: `(?s)"formatVersion": "1",\s+"kind": "import",.*"name": "svc"`},
		{name: "import: unknown format", args: []string{"import", "-o", "text"},
			code: 1, stderr: `^error: -o text: unknown format\nhint: use one of yaml, json\n$`},
		{name: "import: no access token", args: []string{"import"}, env: []string{"LAUNCHDARKLY_ACCESS_TOKEN="},
			code: 1, stderr: `^error: no access token\nhint: set LAUNCHDARKLY_ACCESS_TOKEN`},

		// emulator
		{name: "emulator: serves until cancelled", args: []string{"emulator", "--state", "account.json", "--listen", "127.0.0.1:0"}, ctx: cancelled,
			code: 0, stderr: `^Serving the LaunchDarkly tokens API on http://127.0.0.1:\d+ \(state account.json\), accepting the access token from the environment\.\nStopped\.\n$`},
		{name: "emulator: no state", args: []string{"emulator"},
			code: 1, stderr: `^error: no account snapshot given\nhint: pass --state FILE`},

		// schema, version, completion
		{name: "schema", args: []string{"schema"},
			code: 0, stdout: `"\$schema": "https://json-schema.org/draft/2020-12/schema"`},
		{name: "version", args: []string{"version"},
			code: 0, stdout: `^ldtokens \S+ \(commit \S+\)\n$`},
		{name: "--version", args: []string{"--version"},
			code: 0, stdout: `^ldtokens \S+ \(commit \S+\)\n$`},
		{name: "completion", args: []string{"completion", "bash"},
			code: 0, stdout: `complete -o default -F _ldtokens ldtokens\n$`},
		{name: "completion: unknown shell", args: []string{"completion", "tcsh"},
			code: 1, stderr: `^error: completion: unknown shell "tcsh"\nhint: use one of bash, zsh, fish\n$`},
		{name: "completion: no shell", args: []string{"completion"},
			code: 1, stderr: `^error: ldtokens completion: missing bash\|zsh\|fish\n`},

		// the app
		{name: "help", args: []string{"--help"},
			code: 0, stdout: `(?m)^   plan +list remote tokens`},
		{name: "no command", args: nil,
			code: 0, stdout: `(?m)^COMMANDS:`},
		{name: "misspelt command", args: []string{"aply", "-f", "good.yaml"},
			code: 1, stderr: `^error: unknown command "aply"\nhint: did you mean "apply"\? run 'ldtokens --help' for the commands\n$`},
		{name: "help on a misspelt command", args: []string{"help", "aply"},
			code: 1, stderr: `^error: unknown command "aply"\nhint: did you mean "apply"\? run 'ldtokens --help' for the commands\n$`},
		{name: "help on a command", args: []string{"help", "apply"},
			code: 0, stdout: `(?m)^   ldtokens apply - plan, then make LaunchDarkly match the spec$`},
		{name: "unknown command", args: []string{"frobnicate"},
			code: 1, stderr: `^error: unknown command "frobnicate"\nhint: run 'ldtokens --help' for the commands\n$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			r := e.run(ctx, tt.env, tt.args...)
			assert.Equal(t, tt.code, r.code, "exit code\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assertStream(t, "stdout", tt.stdout, r.stdout)
			assertStream(t, "stderr", tt.stderr, r.stderr)
			if len(tt.args) > 2 && tt.args[len(tt.args)-2] == "-o" && tt.args[len(tt.args)-1] == "json" {
				assert.True(t, json.Valid([]byte(r.stdout)) || r.stdout == "", "stdout is one JSON document")
			}
		})
	}
}

// assertStream checks a stream against a pattern; "" means it is empty.
func assertStream(t *testing.T, name, pattern, got string) {
	t.Helper()
	if pattern == "" {
		assert.Empty(t, got, "%s should be empty", name)
		return
	}
	assert.Regexp(t, regexp.MustCompile(pattern), got, "%s", name)
}

// TestUnexpectedArguments: every command that takes no argument, or a fixed
// number, refuses one more, changing nothing and printing no report.
func TestUnexpectedArguments(t *testing.T) {
	e := newTestEnv(t)
	for _, cmd := range newApp(&IO{}).Commands {
		args := map[string][]string{
			"apply":      {"apply", "plan.json"},
			"completion": {"completion", "bash"},
			"help":       {"help", "plan"},
		}[cmd.Name]
		if cmd.Name == "rotate" {
			continue // takes any number of names
		}
		if args == nil {
			args = []string{cmd.Name}
		}
		for _, f := range cmd.Flags {
			if f.Names()[0] == "file" {
				args = append(args, "-f", "good.yaml")
			}
		}
		t.Run(cmd.Name, func(t *testing.T) {
			r := e.run(context.Background(), nil, append(args, "extra")...)
			assert.Equal(t, 1, r.code)
			assert.Empty(t, r.stdout)
			assert.Regexp(t, `^error: unexpected argument "extra"\nhint: usage: ldtokens `+cmd.Name, r.stderr)
		})
	}
	assert.Len(t, e.srv.Snapshot().Tokens, 1, "nothing was created")
}
