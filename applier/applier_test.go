package applier_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/secret"
	"github.com/ldtokens/ldtokens/spec"
)

// accessToken is the access token every test's emulator accepts.
const accessToken = "test"

// env is an emulator behind a fault proxy, over HTTP, and a client for it.
type env struct {
	srv     *emulator.Server
	proxy   *proxy
	client  *ldapi.Client
	host    string
	attempt time.Duration
}

func newEnv(t testing.TB, acct emulator.Account, opts emulator.Options) *env {
	return newEnvWith(t, acct, opts, 2*time.Second)
}

// newEnvWith makes an env whose client gives each attempt attemptTimeout.
func newEnvWith(t testing.TB, acct emulator.Account, opts emulator.Options, attemptTimeout time.Duration) *env {
	t.Helper()
	opts.AccessToken = accessToken
	srv := emulator.New(acct, opts)
	up := httptest.NewServer(srv)
	t.Cleanup(up.Close)
	px := newProxy(up.URL)
	hs := httptest.NewServer(px)
	t.Cleanup(hs.Close)
	c, err := ldapi.New(ldapi.Config{Host: hs.URL, Token: secret.New(accessToken), BaseBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		MaxAttempts: 10, AttemptTimeout: attemptTimeout})
	require.NoError(t, err)
	return &env{srv: srv, proxy: px, client: c, host: hs.URL, attempt: attemptTimeout}
}

// options are the apply options of a test: this env's client, the sink,
// and a settle window a little longer than the attempt timeout.
func (e *env) options(sink secret.Sink) applier.Options {
	return applier.Options{Client: e.client, Sink: sink, SettleWindow: e.attempt + 300*time.Millisecond, VerifyWait: 2 * time.Second}
}

func (e *env) plan(t testing.TB, s *spec.Spec) planner.Plan {
	t.Helper()
	remote, err := e.client.ListTokens(context.Background(), ldapi.ListOptions{})
	require.NoError(t, err)
	p, err := planner.Make(planner.Input{Spec: s, Remote: remote, APIHost: e.host, Now: time.Now(), AllowEmpty: true,
		CallerMemberID: e.srv.Snapshot().CallerMemberID})
	require.NoError(t, err)
	return p
}

// named returns the emulator's tokens named name.
func (e *env) named(name string) []emulator.StoredToken {
	var out []emulator.StoredToken
	for _, t := range e.srv.Snapshot().Tokens {
		if t.Name == name {
			out = append(out, t)
		}
	}
	return out
}

// holds reports which token the secret in file authenticates as.
func (e *env) holds(t testing.TB, file string) (id string, ok bool) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		return "", false
	}
	return e.srv.Authenticate(string(data))
}

func parse(t testing.TB, text string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("t.yaml", []byte(text))
	require.NoError(t, err)
	return s
}

// dirSink is a secrets dir of the test's own.
func dirSink(t testing.TB) secret.DirSink {
	return secret.DirSink{Dir: filepath.Join(t.TempDir(), "secrets")}
}

// commandSink runs command with a PATH and OUT, a directory of its own.
func commandSink(t testing.TB, command string) (secret.CommandSink, string) {
	out := t.TempDir()
	return secret.CommandSink{Command: command, Env: []string{"PATH=" + os.Getenv("PATH"), "OUT=" + out}}, out
}

func stored(id, name, role string, service bool) emulator.StoredToken {
	var t emulator.StoredToken
	t.ID, t.Name, t.Role, t.ServiceToken = id, name, role, service
	return t
}

// withSecret gives a stored token a known secret.
func withSecret(t emulator.StoredToken, value string) emulator.StoredToken {
	t.SecretHash = emulator.HashSecret(value)
	return t
}

func TestGuardCatchesARacingChange(t *testing.T) {
	e := newEnv(t, emulator.Account{Tokens: []emulator.StoredToken{stored("000000000000000000000001", "p", "reader", false)}}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: p, serviceToken: false, role: writer}]"))
	require.Len(t, p.Changes, 1)
	// Someone changes the token between the plan's check and its call.
	e.srv.Mutate(func(a *emulator.Account) { a.Tokens[0].Role = "admin" })
	opts := e.options(nil)
	opts.Guard = true
	res := applier.Apply(context.Background(), p, opts)
	require.Len(t, res, 1)
	assert.Equal(t, applier.Failed, res[0].Status)
	assert.ErrorContains(t, res[0].Err, "the token changed since the plan was made")
	assert.Equal(t, "admin", e.srv.Snapshot().Tokens[0].Role, "the racing change is not overwritten")
}

func TestOrderAndResults(t *testing.T) {
	e := newEnv(t, emulator.Account{Tokens: []emulator.StoredToken{
		stored("000000000000000000000001", "old", "reader", true),
		stored("000000000000000000000002", "svc", "reader", true),
	}}, emulator.Options{})
	text := "tokens: [{name: old, state: absent}, {name: svc, role: writer}, {name: a, role: reader}, {name: b, role: reader}]"
	p := e.plan(t, parse(t, text))
	sink := dirSink(t)
	var mu sync.Mutex
	var finished []string
	opts := e.options(sink)
	opts.Parallelism = 1
	opts.Progress = func(r applier.Result, n, total int) {
		mu.Lock()
		finished = append(finished, fmt.Sprintf("[%d/%d] %s %s", n, total, r.Change.Action, r.Change.Name))
		mu.Unlock()
	}
	res := applier.Apply(context.Background(), p, opts)
	require.False(t, applier.AnyFailed(res), "%v", res)
	var order []string
	for _, r := range res {
		order = append(order, r.Change.Name)
	}
	assert.Equal(t, []string{"a", "b", "old", "svc"}, order, "results in plan order")
	assert.Len(t, finished, 4)
	assert.Equal(t, "[4/4] delete old", finished[len(finished)-1], "deletes run last; progress counts changes")
	for _, name := range []string{"a", "b", "svc"} {
		id, ok := e.holds(t, filepath.Join(sink.Dir, name+".token"))
		require.True(t, ok, name)
		assert.Equal(t, name, e.srv.Snapshot().Tokens[slices.IndexFunc(e.srv.Snapshot().Tokens, func(t emulator.StoredToken) bool { return t.ID == id })].Name)
	}
	assert.Empty(t, e.plan(t, parse(t, text)).Changes)
}

func TestReplaceKeepsTheOldTokenWhenDeliveryFails(t *testing.T) {
	e := newEnv(t, emulator.Account{Tokens: []emulator.StoredToken{stored("000000000000000000000002", "svc", "reader", true)}}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: svc, role: writer}]"))
	sink, _ := commandSink(t, "echo vault sealed >&2; exit 1")
	res := applier.Apply(context.Background(), p, e.options(sink))
	require.Len(t, res, 1)
	assert.Equal(t, applier.Failed, res[0].Status)
	assert.ErrorContains(t, res[0].Err, "vault sealed; the new token was deleted again; the old token 000000000000000000000002 is untouched")
	assert.True(t, applier.Converges(res), "the next apply tries again")
	snap := e.srv.Snapshot()
	require.Len(t, snap.Tokens, 1)
	assert.Equal(t, "000000000000000000000002", snap.Tokens[0].ID, "the old token is untouched")
	assert.Equal(t, "svc", snap.Tokens[0].Name)
}

func TestNoSinkIsRefusedBeforeAnyCall(t *testing.T) {
	e := newEnv(t, emulator.Account{}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: a, role: reader}]"))
	before := e.srv.Stats().Total
	res := applier.Apply(context.Background(), p, e.options(nil))
	assert.ErrorIs(t, res[0].Err, applier.ErrNoSink)
	assert.Equal(t, before, e.srv.Stats().Total)

	// A sink that cannot take secrets is refused before any call too.
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	res = applier.Apply(context.Background(), p, e.options(secret.DirSink{Dir: dir}))
	assert.ErrorContains(t, res[0].Err, "lets group or others read or write it")
	assert.Equal(t, before, e.srv.Stats().Total)
}

func TestInterruptFinishesWhatIsUnderWay(t *testing.T) {
	e := newEnv(t, emulator.Account{}, emulator.Options{Faults: emulator.Faults{Latency: 50 * time.Millisecond}})
	var names []string
	for i := range 12 {
		names = append(names, fmt.Sprintf("{name: t%02d, role: reader}", i))
	}
	s := parse(t, "tokens: ["+strings.Join(names, ", ")+"]")
	p := e.plan(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	sink := dirSink(t)
	opts := e.options(sink)
	opts.Parallelism = 2
	opts.Progress = func(applier.Result, int, int) { once.Do(cancel) }
	res := applier.Apply(ctx, p, opts)
	var done, skipped int
	for _, r := range res {
		switch r.Status {
		case applier.Done:
			done++
		case applier.Skipped:
			skipped++
			assert.ErrorContains(t, r.Err, "not started: interrupted")
		default:
			t.Errorf("unexpected failure: %v", r.Err)
		}
	}
	assert.GreaterOrEqual(t, done, 1)
	assert.Greater(t, skipped, 0, "changes not started are reported")
	assert.Len(t, e.srv.Snapshot().Tokens, done, "every change under way finished; none was left half-done")
	// The next run converges.
	res = applier.Apply(context.Background(), e.plan(t, s), e.options(sink))
	assert.False(t, applier.AnyFailed(res))
	assert.Empty(t, e.plan(t, s).Changes)
}

// TestApplyUnderFaults applies 300 tokens against a tight rate limit and
// injected 5xx and lost creates: it converges with no duplicate and every
// secret delivered and valid.
func TestApplyUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	e := newEnv(t, emulator.Account{}, emulator.Options{Seed: 42, Faults: emulator.Faults{
		RateLimit: 30, Window: 100 * time.Millisecond, ErrorRate: 0.05, LoseCreateRate: 0.03,
	}})
	var names []string
	for i := range 300 {
		names = append(names, fmt.Sprintf("{name: svc-%03d, role: reader}", i))
	}
	s := parse(t, "tokens: ["+strings.Join(names, ", ")+"]")
	sink := dirSink(t)
	for round := 0; round < 3; round++ {
		p := e.plan(t, s)
		if !p.HasChanges() {
			break
		}
		opts := e.options(sink)
		opts.Parallelism = 8
		applier.Apply(context.Background(), p, opts)
	}
	e.srv.SetFaults(emulator.Faults{})
	assert.Empty(t, e.plan(t, s).Changes, "converged")
	snap := e.srv.Snapshot()
	require.Len(t, snap.Tokens, 300, "no duplicate")
	stats := e.srv.Stats()
	t.Logf("requests %d, 429s %d, 5xx %d, lost creates %d", stats.Total, stats.RateLimited, stats.Faulted, stats.LostCreates)
	assert.Greater(t, stats.Faulted, 0)
	assert.Greater(t, stats.LostCreates, 0)
	for _, tok := range snap.Tokens {
		id, ok := e.holds(t, filepath.Join(sink.Dir, tok.Name+".token"))
		require.True(t, ok, "secret of %s is valid", tok.Name)
		assert.Equal(t, tok.ID, id)
	}
}
