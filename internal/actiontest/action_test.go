package actiontest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/emulator"
)

// accessToken is the token the emulator accepts and the job passes.
const accessToken = "api-actiontest-access-token"

// actionCommit is the commit the action is "used at" when it builds from
// source: any full SHA.
const actionCommit = "0123456789abcdef0123456789abcdef01234567"

// shared is a directory for the whole run: the binary the action builds.
var shared string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "actiontest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var source struct {
	once sync.Once
	res  result
}

// sourceBuild uses the action at a commit SHA with no binary input, so it
// builds ldtokens from this checkout, as on a runner, and runs `ldtokens
// version`. It happens once; the other tests hand the binary it built to the
// action's binary input.
func sourceBuild(t *testing.T) result {
	t.Helper()
	needBash(t)
	source.once.Do(func() {
		ws, temp := filepath.Join(shared, "workspace"), filepath.Join(shared, "runner-temp")
		require.NoError(t, os.MkdirAll(ws, 0o755))
		require.NoError(t, os.MkdirAll(temp, 0o755))
		source.res = runAction(t, invocation{
			with:      map[string]string{"command": "version", "files": ""},
			github:    map[string]string{"action_ref": actionCommit, "action_repository": "ldtokens/ldtokens"},
			workspace: ws,
			temp:      temp,
		})
	})
	require.False(t, source.res.failed, "building ldtokens from source failed:\n%s", source.res.log())
	return source.res
}

// ldtokensBinary is the binary the action built from source.
func ldtokensBinary(t *testing.T) string {
	t.Helper()
	bin := sourceBuild(t).step(t, "bin").outputs["path"]
	require.FileExists(t, bin)
	return bin
}

func TestActionBuildsFromItsSourceAtACommit(t *testing.T) {
	res := sourceBuild(t)
	bin := res.step(t, "bin")
	assert.Equal(t, "source", bin.outputs["how"])
	assert.Equal(t, actionCommit, bin.outputs["commit"])
	assert.Equal(t, []string{"actions/setup-go", "actions/cache"}, res.usesNames(),
		"a source build sets up Go and restores the module cache")

	sum, err := os.ReadFile(filepath.Join(root(t), "go.sum"))
	require.NoError(t, err)
	digest := sha256.Sum256(sum)
	cache := res.step(t, "gocache").outputs
	assert.Contains(t, cache["key"], hex.EncodeToString(digest[:]), "the module cache is keyed on the action's go.sum")
	for _, dir := range []string{cache["mod"], cache["build"]} {
		assert.True(t, filepath.IsAbs(dir), "cache path %q", dir)
	}
	assert.Equal(t, "0", res.outputs["exit-code"])
	assert.Equal(t, "false", res.outputs["has_changes"])
	assert.Equal(t, "false", res.outputs["drift"])
}

// startEmulator serves acct over HTTP, accepting accessToken only, and
// returns the server and its URL.
func startEmulator(t *testing.T, acct emulator.Account) (*emulator.Server, string) {
	t.Helper()
	srv := emulator.New(acct, emulator.Options{AccessToken: accessToken})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

// loadAccount reads an emulator snapshot.
func loadAccount(t *testing.T, path string) emulator.Account {
	t.Helper()
	acct, err := emulator.LoadAccount(path)
	require.NoError(t, err)
	require.NotEmpty(t, acct.Tokens, path)
	return acct
}

// copyFile copies a spec or snapshot into a test's workspace.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, data, 0o644))
}

// job is an invocation with the API host and the access token in the job's
// environment, the given binary, and a fresh workspace holding spec as
// tokens.yaml.
func job(t *testing.T, bin, host, spec string, with map[string]string) invocation {
	t.Helper()
	ws := t.TempDir()
	if spec != "" {
		copyFile(t, spec, filepath.Join(ws, "tokens.yaml"))
	}
	w := map[string]string{"binary": bin}
	for k, v := range with {
		w[k] = v
	}
	return invocation{
		with:      w,
		github:    map[string]string{"action_ref": "main", "action_repository": "ldtokens/ldtokens"},
		env:       map[string]string{"LAUNCHDARKLY_API_HOST": host, "LAUNCHDARKLY_ACCESS_TOKEN": accessToken},
		workspace: ws,
		temp:      t.TempDir(),
	}
}

func TestActionRunsAsTheRunnerDoes(t *testing.T) {
	bin := ldtokensBinary(t)
	examples := filepath.Join(root(t), "examples")
	testdata, err := filepath.Abs("testdata")
	require.NoError(t, err)

	tests := []struct {
		name    string
		account string
		spec    string
		with    map[string]string
		// failed is whether the step fails in the workflow.
		failed bool
		// outputs are exit-code, has_changes and drift.
		outputs [3]string
		// log matches what the steps wrote (both streams, as the runner
		// reads workflow commands from both); stderr matches stderr only.
		log, stderr []string
		// files match files in the workspace; absent must not exist there.
		files  map[string]string
		absent []string
		// summary matches the step summary.
		summary string
		// noCalls: the action stopped before ldtokens made any request.
		noCalls bool
	}{
		{
			name:    "plan with changes",
			account: filepath.Join(examples, "account.json"),
			spec:    filepath.Join(examples, "tokens.yaml"),
			with:    map[string]string{"command": "plan", "args": "-o markdown --detailed-exitcode", "output-file": "plan.md"},
			outputs: [3]string{"2", "true", "false"},
			files:   map[string]string{"plan.md": `Plan: 2 to add, 2 to change, 3 to destroy, 1 to rotate\.`},
			summary: `### ldtokens plan`,
		},
		{
			name:    "plan with no changes",
			account: filepath.Join(testdata, "insync.json"),
			spec:    filepath.Join(testdata, "insync.yaml"),
			with:    map[string]string{"command": "plan", "args": "--detailed-exitcode", "output-file": "plan.txt"},
			outputs: [3]string{"0", "false", "false"},
			files:   map[string]string{"plan.txt": `No changes\.`},
		},
		{
			name:    "drift found",
			account: filepath.Join(examples, "account.json"),
			spec:    filepath.Join(examples, "tokens.yaml"),
			with:    map[string]string{"command": "drift", "args": "-o markdown", "output-file": "drift.md"},
			outputs: [3]string{"2", "false", "true"},
			files:   map[string]string{"drift.md": `### ldtokens drift`},
		},
		{
			name:    "invalid spec",
			account: filepath.Join(examples, "account.json"),
			spec:    filepath.Join(testdata, "invalid.yaml"),
			with:    map[string]string{"command": "plan", "args": "--detailed-exitcode"},
			failed:  true,
			outputs: [3]string{"1", "false", "false"},
			stderr:  []string{`(?m)^::error file=tokens\.yaml,line=4,col=5::`},
			noCalls: true,
		},
		{
			name:    "fail-on-changes with changes fails the step",
			account: filepath.Join(examples, "account.json"),
			spec:    filepath.Join(examples, "tokens.yaml"),
			with:    map[string]string{"command": "plan", "args": "--detailed-exitcode", "fail-on-changes": "true"},
			failed:  true,
			outputs: [3]string{"2", "true", "false"},
			stderr:  []string{`(?m)^::error title=ldtokens plan::exit code 2 \(changes or drift\), and fail-on-changes is true$`},
		},
		{
			name:    "fail-on-changes with drift fails the step",
			account: filepath.Join(examples, "account.json"),
			spec:    filepath.Join(examples, "tokens.yaml"),
			with:    map[string]string{"command": "drift", "fail-on-changes": "true"},
			failed:  true,
			outputs: [3]string{"2", "false", "true"},
		},
		{
			name:    "fail-on-changes without changes passes",
			account: filepath.Join(testdata, "insync.json"),
			spec:    filepath.Join(testdata, "insync.yaml"),
			with:    map[string]string{"command": "plan", "args": "--detailed-exitcode", "fail-on-changes": "true"},
			outputs: [3]string{"0", "false", "false"},
		},
		{
			name:    "a plan without --detailed-exitcode keeps ldtokens' has_changes",
			account: filepath.Join(examples, "account.json"),
			spec:    filepath.Join(examples, "tokens.yaml"),
			with:    map[string]string{"command": "plan"},
			outputs: [3]string{"0", "true", "false"},
		},
		{
			name:    "a fail-on-changes that is not a boolean is refused, nothing runs",
			account: filepath.Join(examples, "account.json"),
			spec:    filepath.Join(examples, "tokens.yaml"),
			with:    map[string]string{"command": "plan", "fail-on-changes": "yes"},
			failed:  true,
			outputs: [3]string{"1", "false", "false"},
			stderr:  []string{`(?m)^::error title=ldtokens action::input fail-on-changes: "yes" is neither true nor false$`},
			noCalls: true,
		},
		{
			name:    "args are split like quoted shell words, never expanded or run",
			account: filepath.Join(examples, "account.json"),
			spec:    filepath.Join(examples, "tokens.yaml"),
			with:    map[string]string{"command": "plan", "args": `--no-color --out '$(touch pwned) plan.json'`},
			outputs: [3]string{"0", "true", "false"},
			files:   map[string]string{"$(touch pwned) plan.json": `"formatVersion"`},
			absent:  []string{"pwned"},
		},
		{
			name:    "an unclosed quote in args is refused, nothing runs",
			account: filepath.Join(examples, "account.json"),
			spec:    filepath.Join(examples, "tokens.yaml"),
			with:    map[string]string{"command": "plan", "args": `--out 'plan.json`},
			failed:  true,
			outputs: [3]string{"1", "false", "false"},
			stderr:  []string{`(?m)^::error title=ldtokens action::input args: a ' quote is not closed$`},
			noCalls: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, host := startEmulator(t, loadAccount(t, tc.account))
			inv := job(t, bin, host, tc.spec, tc.with)

			res := runAction(t, inv)

			assert.Equal(t, tc.failed, res.failed, "step failed; log:\n%s", res.log())
			got := [3]string{res.outputs["exit-code"], res.outputs["has_changes"], res.outputs["drift"]}
			assert.Equal(t, tc.outputs, got, "outputs exit-code, has_changes, drift")
			assert.Empty(t, res.uses, "with a binary given, nothing is set up, downloaded or built")
			for _, re := range tc.log {
				assert.Regexp(t, re, res.log())
			}
			for _, re := range tc.stderr {
				assert.Regexp(t, re, res.stderr())
			}
			for name, re := range tc.files {
				data, err := os.ReadFile(filepath.Join(inv.workspace, name))
				if assert.NoError(t, err) {
					assert.Regexp(t, re, string(data), name)
					// The output file is the report, posted as a comment:
					// no workflow command, never the access token.
					assert.NotRegexp(t, `(?m)^::`, string(data), name)
					assert.NotContains(t, string(data), accessToken, name)
				}
			}
			for _, name := range tc.absent {
				assert.NoFileExists(t, filepath.Join(inv.workspace, name))
			}
			if tc.summary != "" {
				assert.Regexp(t, tc.summary, res.summary)
			}
			if tc.noCalls {
				assert.Zero(t, srv.Stats().Total, "requests to LaunchDarkly")
			} else {
				assert.NotZero(t, srv.Stats().Total, "requests to LaunchDarkly")
			}
		})
	}
}

// release builds a fake GitHub release of ldtokens v9.9.9 for this machine,
// holding bin, and serves it as GITHUB_SERVER_URL would.
type release struct {
	archive, sums string
	files         map[string][]byte
}

func newRelease(t *testing.T, bin string) release {
	t.Helper()
	data, err := os.ReadFile(bin)
	require.NoError(t, err)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "ldtokens", Mode: 0o755, Size: int64(len(data))}))
	_, err = tw.Write(data)
	require.NoError(t, err)
	for _, name := range []string{"LICENSE", "README.md"} {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 2}))
		_, err = tw.Write([]byte("x\n"))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	r := release{
		archive: fmt.Sprintf("ldtokens_9.9.9_%s_%s.tar.gz", runtime.GOOS, runtime.GOARCH),
		sums:    "ldtokens_9.9.9_checksums.txt",
		files:   map[string][]byte{},
	}
	r.files[r.archive] = buf.Bytes()
	r.files[r.sums] = []byte(r.checksums(r.archive, buf.Bytes()))
	return r
}

// checksums is a goreleaser checksums file listing archive (with data's
// digest) among the other platforms' archives.
func (r release) checksums(archive string, data []byte) string {
	sum := sha256.Sum256(data)
	lines := []string{
		strings.Repeat("a", 64) + "  ldtokens_9.9.9_windows_amd64.zip",
		strings.Repeat("b", 64) + "  ldtokens_9.9.9_plan9_amd64.tar.gz",
	}
	if archive != "" {
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+archive)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

func TestActionDownloadsTheReleaseOfItsTag(t *testing.T) {
	bin := ldtokensBinary(t)
	if runnerOS() == "" || runnerArch() == "" {
		t.Skipf("GitHub has no hosted runner for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	good := newRelease(t, bin)

	tests := []struct {
		name   string
		change func(r release)
		// stderr matches the action's error when it fails.
		stderr string
	}{
		{name: "the archive matching its checksum is installed"},
		{
			name: "an archive that does not match the checksums file is refused",
			change: func(r release) {
				r.files[r.archive] = append([]byte(nil), r.files[r.archive][:len(r.files[r.archive])-1]...)
			},
			stderr: `(?m)^::error title=ldtokens action::ldtokens_9\.9\.9_\w+_\w+\.tar\.gz does not match ldtokens_9\.9\.9_checksums\.txt of v9\.9\.9; nothing was installed$`,
		},
		{
			name:   "an archive the checksums file does not list is refused",
			change: func(r release) { r.files[r.sums] = []byte(r.checksums("", nil)) },
			stderr: `(?m)^::error title=ldtokens action::ldtokens_9\.9\.9_checksums\.txt of v9\.9\.9 does not list ldtokens_9\.9\.9_\w+_\w+\.tar\.gz; nothing was installed$`,
		},
		{
			name:   "a release without the checksums file is refused",
			change: func(r release) { delete(r.files, r.sums) },
			stderr: `(?m)^::error title=ldtokens action::download http://\S+/ldtokens/ldtokens/releases/download/v9\.9\.9/ldtokens_9\.9\.9_checksums\.txt failed$`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := release{archive: good.archive, sums: good.sums, files: map[string][]byte{}}
			for k, v := range good.files {
				r.files[k] = v
			}
			if tc.change != nil {
				tc.change(r)
			}
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				name, ok := strings.CutPrefix(req.URL.Path, "/ldtokens/ldtokens/releases/download/v9.9.9/")
				data, found := r.files[name]
				if !ok || !found {
					http.NotFound(w, req)
					return
				}
				_, _ = w.Write(data)
			}))
			t.Cleanup(hs.Close)
			inv := invocation{
				with:      map[string]string{"command": "version", "files": ""},
				github:    map[string]string{"action_ref": "v9.9.9", "action_repository": "ldtokens/ldtokens"},
				workspace: t.TempDir(),
				temp:      t.TempDir(),
				serverURL: hs.URL,
			}

			res := runAction(t, inv)

			pick := res.step(t, "bin").outputs
			assert.Equal(t, "release", pick["how"])
			assert.Equal(t, "9.9.9", pick["version"])
			assert.Empty(t, res.uses, "a release is downloaded, not built")
			if tc.stderr == "" {
				require.False(t, res.failed, "log:\n%s", res.log())
				assert.Equal(t, "0", res.outputs["exit-code"])
				assert.FileExists(t, pick["path"])
				return
			}
			assert.True(t, res.failed)
			assert.Regexp(t, tc.stderr, res.stderr())
			assert.NoFileExists(t, pick["path"], "nothing is installed")
			assert.True(t, res.step(t, "run").skipped, "ldtokens does not run")
		})
	}
}

// savedPlan is the part of a saved plan the reader-token test compares.
type savedPlan struct {
	Summary map[string]int `json:"summary"`
	Changes []struct {
		Action string `json:"action"`
		Name   string `json:"name"`
		ID     string `json:"id"`
	} `json:"changes"`
	Unmanaged []struct {
		Name         string `json:"name"`
		ID           string `json:"id"`
		ServiceToken bool   `json:"serviceToken"`
	} `json:"unmanaged"`
}

// unmanaged lists the plan's unmanaged tokens of one kind by name.
func (p savedPlan) unmanaged(service bool) []string {
	var names []string
	for _, u := range p.Unmanaged {
		if u.ServiceToken == service {
			names = append(names, u.Name)
		}
	}
	return names
}

// A reader-role token cannot change tokens, and sees every service token: for
// a spec of service tokens, its plan is the managing (admin) token's plan.
// This is why plan.yml and drift.yml run with LAUNCHDARKLY_READONLY_TOKEN.
// Where its view ends: another member's personal tokens (here the admin's
// platform-laptop), which it never lists (README "Use it in CI").
func TestReaderTokenPlansServiceTokensCompletely(t *testing.T) {
	bin := ldtokensBinary(t)
	testdata, err := filepath.Abs("testdata")
	require.NoError(t, err)
	acct := loadAccount(t, filepath.Join(testdata, "members.json"))
	roles := map[string]string{}
	for _, m := range acct.Members {
		roles[m.Role] = m.ID
	}
	require.NotEmpty(t, roles["admin"])
	require.NotEmpty(t, roles["reader"])

	plan := func(t *testing.T, caller string) savedPlan {
		a := acct
		a.CallerMemberID = caller
		_, host := startEmulator(t, a)
		inv := job(t, bin, host, filepath.Join(testdata, "services.yaml"),
			map[string]string{"command": "plan", "args": "--detailed-exitcode --out plan.json"})
		res := runAction(t, inv)
		require.Equal(t, "2", res.outputs["exit-code"], "log:\n%s", res.log())
		data, err := os.ReadFile(filepath.Join(inv.workspace, "plan.json"))
		require.NoError(t, err)
		var p savedPlan
		require.NoError(t, json.Unmarshal(data, &p))
		return p
	}
	admin := plan(t, roles["admin"])
	reader := plan(t, roles["reader"])

	assert.Equal(t, admin.Summary, reader.Summary)
	assert.Equal(t, admin.Changes, reader.Changes)
	assert.Equal(t, admin.unmanaged(true), reader.unmanaged(true), "unmanaged service tokens")
	assert.Equal(t, []string{"svc-hand-made"}, reader.unmanaged(true))
	assert.Equal(t, []string{"platform-laptop"}, admin.unmanaged(false), "the admin lists its own personal token")
	assert.Empty(t, reader.unmanaged(false), "the reader never sees another member's personal token")
	var changed []string
	for _, c := range reader.Changes {
		changed = append(changed, c.Action+" "+c.Name)
	}
	slices.Sort(changed)
	assert.Equal(t, []string{"create svc-new", "delete svc-old", "update svc-status"}, changed)
}

// supportedIcons are the Feather icons GitHub accepts for branding.icon,
// copied from GitHub's "Metadata syntax reference" ("Exhaustive list of all
// currently supported icons"), github/docs
// content/actions/reference/workflows-and-actions/metadata-syntax.md.
var supportedIcons = strings.Fields(`
activity airplay alert-circle alert-octagon alert-triangle align-center align-justify align-left
align-right anchor aperture archive arrow-down-circle arrow-down-left arrow-down-right arrow-down
arrow-left-circle arrow-left arrow-right-circle arrow-right arrow-up-circle arrow-up-left
arrow-up-right arrow-up at-sign award bar-chart-2 bar-chart battery-charging battery bell-off bell
bluetooth bold book-open book bookmark box briefcase calendar camera-off camera cast check-circle
check-square check chevron-down chevron-left chevron-right chevron-up chevrons-down chevrons-left
chevrons-right chevrons-up circle clipboard clock cloud-drizzle cloud-lightning cloud-off
cloud-rain cloud-snow cloud code command compass copy corner-down-left corner-down-right
corner-left-down corner-left-up corner-right-down corner-right-up corner-up-left corner-up-right
cpu credit-card crop crosshair database delete disc dollar-sign download-cloud download droplet
edit-2 edit-3 edit external-link eye-off eye fast-forward feather file-minus file-plus file-text
file film filter flag folder-minus folder-plus folder gift git-branch git-commit git-merge
git-pull-request globe grid hard-drive hash headphones heart help-circle home image inbox info
italic layers layout life-buoy link-2 link list loader lock log-in log-out mail map-pin map
maximize-2 maximize menu message-circle message-square mic-off mic minimize-2 minimize
minus-circle minus-square minus monitor moon more-horizontal more-vertical move music
navigation-2 navigation octagon package paperclip pause-circle pause percent phone-call
phone-forwarded phone-incoming phone-missed phone-off phone-outgoing phone pie-chart play-circle
play plus-circle plus-square plus pocket power printer radio refresh-ccw refresh-cw repeat rewind
rotate-ccw rotate-cw rss save scissors search send server settings share-2 share shield-off
shield shopping-bag shopping-cart shuffle sidebar skip-back skip-forward slash sliders smartphone
speaker square star stop-circle sun sunrise sunset table tablet tag target terminal thermometer
thumbs-down thumbs-up toggle-left toggle-right trash-2 trash trending-down trending-up triangle
truck tv type umbrella underline unlock upload-cloud upload user-check user-minus user-plus
user-x user users video-off video voicemail volume-1 volume-2 volume-x volume watch wifi-off wifi
wind x-circle x-square x zap-off zap zoom-in zoom-out
`)

// brandingColors are the colors GitHub accepts for branding.color (same page).
var brandingColors = []string{"white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"}

// pinnedRE is a uses: reference pinned to a full commit SHA.
var pinnedRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@[0-9a-f]{40}$`)

// TestActionMetadata checks action.yml's metadata, which actionlint does not
// read (it lints workflows).
func TestActionMetadata(t *testing.T) {
	a, raw := readAction(t)

	assert.NotEmpty(t, a.Name)
	assert.NotEmpty(t, a.Description)
	assert.Equal(t, "composite", a.Runs.Using)
	assert.True(t, slices.Contains(supportedIcons, a.Branding.Icon),
		"branding.icon %q is not an icon GitHub supports (GitHub omits some Feather icons, key among them)", a.Branding.Icon)
	assert.True(t, slices.Contains(brandingColors, a.Branding.Color), "branding.color %q is not one of %v", a.Branding.Color, brandingColors)

	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`).FindAllStringSubmatch(raw, -1) {
		used[m[1]] = true
	}
	for name := range used {
		assert.Contains(t, a.Inputs, name, "action.yml uses input %q but does not declare it", name)
	}
	for name, in := range a.Inputs {
		assert.True(t, used[name], "input %q is declared and never used", name)
		assert.NotEmpty(t, in.Description, "input %q has no description", name)
		assert.Regexp(t, `^[A-Za-z_][A-Za-z0-9_-]*$`, name)
	}

	ids := map[string]actionStep{}
	for _, st := range a.Runs.Steps {
		if st.ID != "" {
			assert.NotContains(t, ids, st.ID, "step id %q twice", st.ID)
			ids[st.ID] = st
		}
		if st.Uses != "" {
			assert.Regexp(t, pinnedRE, st.Uses, "uses: pinned to a commit SHA")
			assert.Empty(t, st.Run)
		} else {
			assert.Equal(t, "bash", st.Shell, "step %s: shell", st.label())
			assert.NotContains(t, st.Run, "${{", "step %s: pass values through env:, never as ${{ }} in the script", st.label())
		}
	}
	outputRE := regexp.MustCompile(`^\$\{\{ steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+) \}\}$`)
	require.NotEmpty(t, a.Outputs)
	for name, out := range a.Outputs {
		assert.NotEmpty(t, out.Description, "output %q has no description", name)
		m := outputRE.FindStringSubmatch(out.Value)
		if !assert.NotNil(t, m, "output %q: value must be a step's output, not %q", name, out.Value) {
			continue
		}
		st, ok := ids[m[1]]
		if assert.True(t, ok, "output %q: no step %q", name, m[1]) {
			assert.True(t, strings.Contains(st.Run, m[2]+"="), "output %q: step %q never writes %s", name, m[1], m[2])
		}
	}
}

func TestActionSplitsArgsAsShDoes(t *testing.T) {
	needBash(t)
	// The binary input points at a script that prints its arguments, so the
	// run step's standard output is exactly the words the action passed.
	dir := t.TempDir()
	printArgs := filepath.Join(dir, "print-args")
	require.NoError(t, os.WriteFile(printArgs, []byte("#!/bin/sh\nshift\nif [ $# -gt 0 ]; then printf '%s\\0' \"$@\"; fi\n"), 0o755))

	tests := []struct {
		name string
		args string
		want []string
		// sameAsSh: sh -c, given args, passes the same words (args holds
		// nothing sh would expand, and no newline outside quotes, which sh
		// reads as the end of a command).
		sameAsSh bool
	}{
		{"flags", "-o markdown --detailed-exitcode", []string{"-o", "markdown", "--detailed-exitcode"}, true},
		{"blanks and newlines separate", " a\tb \n\n c ", []string{"a", "b", "c"}, false},
		{"nothing", " \n ", nil, false},
		{"single quotes keep blanks", "--out 'my plan.json'", []string{"--out", "my plan.json"}, true},
		{"double quotes and their escapes", `"a \"b\" \\ \$ \x"`, []string{`a "b" \ $ \x`}, true},
		{"backslashes outside quotes", `a\ b c\\d`, []string{"a b", `c\d`}, true},
		{"empty words", `a''b ""`, []string{"ab", ""}, true},
		{"a backslash joins lines", "a\\\nb c \\\nd", []string{"ab", "c", "d"}, true},
		{
			"never expanded or run",
			"'$(touch pwned)' \"$HOME\" $HOME `id` ${X:-y}",
			[]string{"$(touch pwned)", "$HOME", "$HOME", "`id`", "${X:-y}"},
			false,
		},
		{
			"a quoted word spans lines",
			"--secret-command 'case \"$LDTOKENS_ACTION\" in\n  delete) ;;\n  *) cat > \"$LDTOKENS_SECRET_NAME\" ;;\nesac'",
			[]string{"--secret-command", "case \"$LDTOKENS_ACTION\" in\n  delete) ;;\n  *) cat > \"$LDTOKENS_SECRET_NAME\" ;;\nesac"},
			false,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			res := runAction(t, invocation{
				with:      map[string]string{"binary": printArgs, "command": "cmd", "files": "", "args": tc.args},
				github:    map[string]string{"action_ref": "main", "action_repository": "ldtokens/ldtokens"},
				workspace: ws,
				temp:      t.TempDir(),
			})
			require.False(t, res.failed, "log:\n%s", res.log())
			assert.Equal(t, tc.want, words(res.step(t, "run").stdout))
			assert.NoFileExists(t, filepath.Join(ws, "pwned"))
			if tc.sameAsSh {
				out, err := exec.Command("sh", "-c", printArgs+" cmd "+tc.args).Output()
				require.NoError(t, err)
				assert.Equal(t, words(string(out)), words(res.step(t, "run").stdout), "sh splits it so")
			}
		})
	}
}

// words splits NUL-terminated words.
func words(out string) []string {
	if out == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
}
