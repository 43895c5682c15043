package cli

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
)

// A saved plan carries each update's guard, and applying it sends the guard
// (RFC 6902 test operations on the values the plan saw) before the patch.
func TestSavedPlanKeepsTheGuard(t *testing.T) {
	tok := storedToken("000000000000000000000001", "svc", "reader")
	tok.Description = "by hand"
	e := newTestEnv(t, tok)
	e.write("described.yaml", "tokens:\n  - {name: svc, role: reader, description: declared}\n")

	r := e.run(context.Background(), nil, "plan", "-f", "described.yaml", "--out", "plan.json")
	require.Equal(t, 0, r.code, r.stderr)
	var saved struct {
		Changes []struct {
			Guard []map[string]any `json:"guard"`
		} `json:"changes"`
	}
	require.NoError(t, json.Unmarshal([]byte(e.read("plan.json")), &saved))
	require.Len(t, saved.Changes, 1)
	assert.Equal(t, []map[string]any{{"op": "test", "path": "/description", "value": "by hand"}}, saved.Changes[0].Guard)

	r = e.run(context.Background(), nil, "apply", "plan.json", "--dry-run")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "PATCH /api/v2/tokens/000000000000000000000001\n"+
		`  [{"op":"test","path":"/description","value":"by hand"},{"op":"replace","path":"/description","value":"declared"}]`)

	// apply -f plans and applies in one go: no guard.
	r = e.run(context.Background(), nil, "apply", "-f", "described.yaml", "--dry-run")
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stdout, `"op":"test"`)
}

// Every reason code reaches the plan JSON, on the change it explains.
func TestPlanReasonCodes(t *testing.T) {
	old := time.Now().Add(-60 * 24 * time.Hour).UnixMilli()
	rotating := storedToken("000000000000000000000004", "svc-rotate", "reader")
	rotating.CreationDate, rotating.LastModified = old, old
	described := storedToken("000000000000000000000001", "svc-update", "reader")
	described.Description = "by hand"
	versioned := storedToken("000000000000000000000003", "svc-version", "reader")
	versioned.DefaultAPIVersion = 20240415
	e := newTestEnv(t,
		described,
		storedToken("000000000000000000000002", "svc-replace", "reader"),
		versioned,
		rotating,
		storedToken("000000000000000000000005", "svc-absent", "reader"),
		storedToken("000000000000000000000006", "ci-pruned", "reader"),
		storedToken("000000000000000000000007", "svc-kind", "reader"),
	)
	e.write("all.yaml", `tokens:
  - {name: svc-create, role: reader}
  - {name: svc-update, role: reader, description: declared}
  - {name: svc-replace, role: writer}
  - {name: svc-version, role: reader, defaultApiVersion: 20220603}
  - {name: svc-rotate, role: reader, rotate: {every: 30d, grace: 1h}}
  - {name: svc-absent, state: absent}
  - {name: svc-kind, role: reader, serviceToken: false}
prune: {enabled: true, match: ["ci-*"], maxDeletes: 10}
`)
	r := e.run(context.Background(), nil, "plan", "-f", "all.yaml", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var plan struct {
		Changes []struct {
			Name        string   `json:"name"`
			ReasonCodes []string `json:"reasonCodes"`
		} `json:"changes"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &plan))
	got := map[string][]string{}
	for _, c := range plan.Changes {
		got[c.Name] = c.ReasonCodes
	}
	assert.Equal(t, map[string][]string{
		"svc-create":  {"create_because_missing"},
		"svc-update":  {"update_because_fields_differ"},
		"svc-replace": {"replace_because_service_token_permissions"},
		"svc-version": {"replace_because_default_api_version"},
		"svc-rotate":  {"rotate_because_due"},
		"svc-absent":  {"delete_because_absent"},
		"ci-pruned":   {"delete_because_pruned"},
		"svc-kind":    {"replace_because_service_token"},
	}, got)
}

// Colour only on a terminal, and never with --no-color, NO_COLOR, CLICOLOR=0
// or TERM=dumb.
func TestColour(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		env      map[string]string
		noColor  bool
		colour   bool
	}{
		{name: "terminal", terminal: true, colour: true},
		{name: "not a terminal", terminal: false},
		{name: "--no-color", terminal: true, noColor: true},
		{name: "NO_COLOR", terminal: true, env: map[string]string{"NO_COLOR": "1"}},
		{name: "CLICOLOR=0", terminal: true, env: map[string]string{"CLICOLOR": "0"}},
		{name: "TERM=dumb", terminal: true, env: map[string]string{"TERM": "dumb"}},
		{name: "CLICOLOR=1", terminal: true, env: map[string]string{"CLICOLOR": "1", "TERM": "xterm"}, colour: true},
	}
	e := newTestEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, stdout, _ := e.io(tt.env)
			ios.OutTerminal = tt.terminal
			err := runPlan(context.Background(), &PlanOptions{IO: ios, Spec: SpecOptions{Files: []string{e.path("good.yaml")}},
				Output: OutputOptions{Format: "text", NoColor: tt.noColor}})
			require.NoError(t, err)
			assert.Equal(t, tt.colour, strings.Contains(stdout.String(), "\x1b["), stdout.String())
		})
	}
}

// On a terminal, apply and rotate ask on stderr, and only "yes" goes on.
func TestApproval(t *testing.T) {
	tests := []struct {
		name    string
		answer  string
		applied bool
	}{
		{name: "yes", answer: "yes\n", applied: true},
		{name: "yes, spaced", answer: "  yes  \n", applied: true},
		{name: "y", answer: "y\n"},
		{name: "no", answer: "no\n"},
		{name: "end of input", answer: ""},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"apply", "rotate"} {
			t.Run(cmd+" "+tt.name, func(t *testing.T) {
				e := newTestEnv(t)
				ios, stdout, stderr := e.io(nil)
				ios.InTerminal, ios.In = true, strings.NewReader(tt.answer)
				spec := SpecOptions{Files: []string{e.path("good.yaml")}}
				sinks := SinkOptions{SecretsDir: e.path("s")}
				var err error
				if cmd == "apply" {
					err = runApply(context.Background(), &ApplyOptions{IO: ios, Spec: spec, Sinks: sinks, Output: OutputOptions{Format: "text"}, Parallelism: 1})
				} else {
					err = runRotate(context.Background(), &RotateOptions{IO: ios, Spec: spec, Sinks: sinks, Output: OutputOptions{Format: "text"}, Names: []string{"svc"}})
				}
				assert.Contains(t, stderr.String(), "Do you want to perform these actions? Only 'yes' is accepted: ")
				assert.NotContains(t, stdout.String(), "Do you want")
				name := map[string]string{"apply": "svc-new", "rotate": "svc"}[cmd]
				delivered := e.read("s/"+name+".token") != ""
				if tt.applied {
					require.NoError(t, err)
					assert.True(t, delivered, "the new secret was delivered")
					assert.Contains(t, stdout.String(), "Apply complete: 1 done")
					return
				}
				require.EqualError(t, err, cmd+" cancelled: nothing was changed")
				assert.False(t, delivered, "nothing was changed")
				assert.Len(t, e.srv.Snapshot().Tokens, 1, "nothing was created")
			})
		}
	}
}

// A report that is not text is shown as text on stderr before the question,
// so that no one approves blind; stdout keeps the one JSON document.
func TestApprovalShowsThePlanForJSON(t *testing.T) {
	e := newTestEnv(t)
	ios, stdout, stderr := e.io(nil)
	ios.InTerminal, ios.In = true, strings.NewReader("yes\n")
	err := runApply(context.Background(), &ApplyOptions{IO: ios, Spec: SpecOptions{Files: []string{e.path("good.yaml")}},
		Sinks: SinkOptions{SecretsDir: e.path("s")}, Output: OutputOptions{Format: "json"}, Parallelism: 1})
	require.NoError(t, err)
	assert.Regexp(t, `(?s)\+ create  svc-new.*Do you want to perform these actions\?`, stderr.String())
	assert.True(t, json.Valid(stdout.Bytes()), stdout.String())
}

// Stdin from /dev/null is no terminal: apply refuses with the hint instead
// of asking and reading nothing.
func TestDevNullIsNotATerminal(t *testing.T) {
	e := newTestEnv(t)
	devNull, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer devNull.Close()
	t.Chdir(e.dir)
	var stdout, stderr strings.Builder
	code := Run(context.Background(), Streams{Stdin: devNull, Stdout: &stdout, Stderr: &stderr},
		[]string{"ldtokens", "apply", "-f", "good.yaml", "--secrets-dir", "s"}, e.env, Signals{})
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "error: apply needs approval and there is no terminal to ask on\nhint: review the plan and pass --auto-approve")
	assert.NotContains(t, stderr.String(), "Do you want")
}

// A panic is a bug: one line asking for a report, the stack, exit 1, never
// Go's exit 2.
func TestPanicExitsOne(t *testing.T) {
	testOnlyBeforeCommand = func(name string) { panic("boom in " + name) }
	defer func() { testOnlyBeforeCommand = nil }()
	e := newTestEnv(t)
	r := e.run(context.Background(), nil, "version")
	assert.Equal(t, 1, r.code)
	assert.Empty(t, r.stdout)
	assert.Regexp(t, `^error: ldtokens crashed \(boom in version\); this is a bug: please report it at https://github.com/ldtokens/ldtokens/issues with the stack below\ngoroutine \d+`, r.stderr)
}

// An API host with credentials, a path or a query is refused, and the value
// is never echoed, from the flag or the environment.
func TestAPIHostIsNeverEchoed(t *testing.T) {
	tests := []struct {
		name, flag, env, source string
	}{
		{name: "user info in the flag", flag: "https://user:hunter2@app.example.com", source: "--api-host"},
		{name: "user info in the environment", env: "https://user:hunter2@app.example.com", source: "LAUNCHDARKLY_API_HOST"},
		{name: "a path", flag: "https://app.example.com/hunter2", source: "--api-host"},
		{name: "a query", flag: "https://app.example.com?key=hunter2", source: "--api-host"},
		{name: "a fragment", flag: "https://app.example.com#hunter2", source: "--api-host"},
	}
	e := newTestEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"plan", "-f", "good.yaml"}
			if tt.flag != "" {
				args = append(args, "--api-host", tt.flag)
			}
			var env []string
			if tt.env != "" {
				env = []string{"LAUNCHDARKLY_API_HOST=" + tt.env}
			}
			r := e.run(context.Background(), env, args...)
			assert.Equal(t, 1, r.code)
			assert.Empty(t, r.stdout)
			assert.True(t, strings.HasPrefix(r.stderr, "error: "+tt.source+": the api host must be scheme://host[:port]"), r.stderr)
			assert.NotContains(t, r.stderr, "hunter2")
		})
	}
	r := e.run(context.Background(), nil, "plan", "-f", "good.yaml", "--api-host", e.url+"/")
	assert.Equal(t, 0, r.code, "a trailing slash is no path: %s", r.stderr)
}

// The end-to-end test knobs are read, and a bad one is refused.
func TestTestOnlyTimings(t *testing.T) {
	e := newTestEnv(t)
	r := e.run(context.Background(), []string{"LDTOKENS_TEST_ATTEMPT_TIMEOUT=soon"}, "plan", "-f", "good.yaml")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "error: LDTOKENS_TEST_ATTEMPT_TIMEOUT: bad duration")
	r = e.run(context.Background(), []string{"LDTOKENS_TEST_ATTEMPT_TIMEOUT=2s"}, "plan", "-f", "good.yaml")
	assert.Equal(t, 0, r.code, r.stderr)

	// Every response takes a second: the default attempt timeout waits for
	// it, a shorter one gives up on every attempt until --timeout ends the run.
	e.srv.SetFaults(emulator.Faults{Latency: time.Second})
	r = e.run(context.Background(), nil, "plan", "-f", "good.yaml", "--timeout", "3s")
	assert.Equal(t, 0, r.code, r.stderr)
	r = e.run(context.Background(), []string{"LDTOKENS_TEST_ATTEMPT_TIMEOUT=100ms"}, "plan", "-f", "good.yaml", "--timeout", "2s")
	assert.Equal(t, 1, r.code, "the attempt timeout was shortened")
}

// Apply prints [n/N] on stderr as each change finishes; the report on
// stdout lists every change in plan order.
func TestProgress(t *testing.T) {
	e := newTestEnv(t)
	e.write("three.yaml", "tokens:\n  - {name: svc, role: reader, description: d}\n  - {name: svc-a, role: reader}\n  - {name: svc-b, role: reader}\n")
	r := e.run(context.Background(), nil, "apply", "-f", "three.yaml", "--auto-approve", "--secrets-dir", "s")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	require.Len(t, lines, 3, r.stderr)
	for i, l := range lines {
		assert.Regexp(t, `^\[`+string(rune('1'+i))+`/3\] ✓ (create|update) svc`, l)
	}
	assert.Regexp(t, `(?s)✓ update svc .*\n✓ create svc-a .*\n✓ create svc-b .*Apply complete: 3 done`, r.stdout)
}

// -f repeats, and a comma stays in a path.
func TestRepeatableFile(t *testing.T) {
	e := newTestEnv(t)
	e.write("a,b.yaml", "tokens:\n  - {name: svc, role: reader}\n")
	e.write("c.yaml", "tokens:\n  - {name: svc-new, role: reader}\n")
	r := e.run(context.Background(), nil, "validate", "-f", "a,b.yaml", "-f", "c.yaml")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "The spec is valid: 2 tokens in 2 file(s).\n", r.stdout)
	r = e.run(context.Background(), nil, "validate", "--file", "a,b.yaml", "--file", "c.yaml")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "The spec is valid: 2 tokens in 2 file(s).\n", r.stdout)
}

// The emulator's fault flags take the one duration syntax too.
func TestEmulatorDurations(t *testing.T) {
	e := newTestEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := e.run(ctx, nil, "emulator", "--state", "acct.json", "--listen", "127.0.0.1:0", "--latency", "50ms", "--rate-window", "1m")
	assert.Equal(t, 0, r.code, r.stderr)
	_, err := emulator.LoadAccount(e.path("acct.json"))
	assert.NoError(t, err, "the snapshot was created")
	r = e.run(ctx, nil, "emulator", "--state", "acct.json", "--rate-window", "soon")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, `invalid value "soon" for flag --rate-window: bad duration "soon"`)
}
