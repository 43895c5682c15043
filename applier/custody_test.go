package applier_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/applier"
	"github.com/ldtokens/ldtokens/emulator"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/secret"
)

const (
	oldID     = "000000000000000000000002"
	oldSecret = "api-00000000-old0-0000-0000-000000000000"
	resetPath = "POST /api/v2/tokens/{id}/reset"
)

// clock is a settable clock shared by the emulator and the applier.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// svcAccount holds one service token, svc, whose secret is oldSecret.
func svcAccount() emulator.Account {
	return emulator.Account{Tokens: []emulator.StoredToken{withSecret(stored(oldID, "svc", "reader", true), oldSecret)}}
}

// TestPartialDelivery: the sinks take a new secret one at a time, the dir
// first. When the first fails, no sink holds the secret and the new token
// is deleted again; when a later one fails, the token is kept (its secret
// is in the dir), the old token of a replace is retired so that the sink
// still holding its secret works through the grace, and the result says
// to run rotate.
func TestPartialDelivery(t *testing.T) {
	for _, tc := range []struct {
		name, spec, token string
		dirFails          bool
	}{
		{"create, dir sink fails", "tokens: [{name: new, role: reader}]", "new", true},
		{"create, command sink fails", "tokens: [{name: new, role: reader}]", "new", false},
		{"replace, dir sink fails", "tokens: [{name: svc, role: writer}]", "svc", true},
		{"replace, command sink fails", "tokens: [{name: svc, role: writer}]", "svc", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, svcAccount(), emulator.Options{})
			p := e.plan(t, parse(t, tc.spec))
			require.Len(t, p.Changes, 1)
			dir := dirSink(t)
			command := `cat > "$OUT/secret"`
			if tc.dirFails {
				// A directory where the file should go: the rename fails.
				require.NoError(t, os.MkdirAll(filepath.Join(dir.Dir, tc.token+".token"), 0o700))
			} else {
				command = `cat > /dev/null; echo vault sealed >&2; exit 3`
			}
			cmd, out := commandSink(t, command)
			res := applier.Apply(context.Background(), p, e.options(secret.Sinks{dir, cmd}))
			require.Len(t, res, 1)
			r := res[0]
			assert.Equal(t, applier.Failed, r.Status)
			assert.NoFileExists(t, filepath.Join(out, "secret"), "no later sink gets a secret the first refused")
			replace := p.Changes[0].Action == planner.Replace
			if tc.dirFails {
				assert.ErrorContains(t, r.Err, "the new token was deleted again")
				assert.Empty(t, r.NewID)
				assert.True(t, applier.Converges(res))
				if replace {
					require.Len(t, e.srv.Snapshot().Tokens, 1)
					assert.Equal(t, "svc", e.srv.Snapshot().Tokens[0].Name, "the old token is untouched")
				} else {
					assert.Empty(t, e.named("new"), "the new token is gone")
				}
				return
			}
			// The dir holds the new token's secret: the token is kept.
			require.NotEmpty(t, r.NewID)
			id, ok := e.holds(t, filepath.Join(dir.Dir, tc.token+".token"))
			require.True(t, ok, "the secret in the dir works")
			assert.Equal(t, r.NewID, id)
			assert.False(t, applier.Converges(res), "a rerun does not deliver to the sink that failed")
			assert.Contains(t, r.Manual, "ldtokens rotate "+tc.token)
			assert.ErrorContains(t, r.Err, "vault sealed")
			assert.ErrorContains(t, r.Err, fmt.Sprintf("the new token %s is kept, since secrets dir %s holds its secret (secret command did not take it)", r.NewID, dir.Dir))
			if !replace {
				return
			}
			// The old token is retired, not deleted: the command's sink
			// still holds its secret, which works through the grace.
			snap := e.srv.Snapshot()
			require.Len(t, snap.Tokens, 2)
			old := snap.Tokens[0]
			require.Equal(t, oldID, old.ID)
			orig, until, ok := planner.ParseRetiring(old.Name)
			require.True(t, ok, "retiring marker in %q", old.Name)
			assert.Equal(t, "svc", orig)
			assert.WithinDuration(t, time.Now().Add(time.Hour), until, time.Minute, "the grace of a partial replace with no replace grace")
			id, ok = e.srv.Authenticate(oldSecret)
			assert.True(t, ok && id == oldID, "the old secret keeps working")
			assert.Contains(t, r.Manual, "before "+until.Format(time.RFC3339))
			assert.ErrorContains(t, r.Err, "secret command still holds what it held before, presumably the old token "+oldID+"'s secret, which works until "+until.Format(time.RFC3339))
			assert.Empty(t, e.plan(t, parse(t, tc.spec)).Changes, "the next plan is not ambiguous")
		})
	}
}

// TestReplaceRetiresTheOldToken: with a replace grace, the old token is
// renamed to the retiring marker and reset to expire at the grace's end:
// its secret works until then and is refused after, with no run between.
func TestReplaceRetiresTheOldToken(t *testing.T) {
	clk := &clock{now: time.Now()}
	e := newEnv(t, svcAccount(), emulator.Options{Now: clk.Now})
	p := e.plan(t, parse(t, "tokens: [{name: svc, role: writer}]"))
	require.Len(t, p.Changes, 1)
	p.Changes[0].ReplaceGrace = 2 * time.Hour // the planner's, from replace: {grace: 2h}
	dir := dirSink(t)
	opts := e.options(dir)
	opts.Now = clk.Now
	res := applier.Apply(context.Background(), p, opts)
	require.Equal(t, applier.Done, res[0].Status, "%v", res[0].Err)
	until := clk.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	assert.Contains(t, res[0].Notes, fmt.Sprintf("old token %s retiring until %s", oldID, until.Format(time.RFC3339)))
	id, ok := e.holds(t, filepath.Join(dir.Dir, "svc.token"))
	require.True(t, ok)
	assert.Equal(t, res[0].NewID, id)
	snap := e.srv.Snapshot()
	require.Len(t, snap.Tokens, 2)
	assert.Equal(t, planner.RetireMarker("svc", until), snap.Tokens[0].Name)
	id, ok = e.srv.Authenticate(oldSecret)
	assert.True(t, ok && id == oldID, "the old secret works through the grace")

	clk.add(2*time.Hour + time.Second)
	_, ok = e.srv.Authenticate(oldSecret)
	assert.False(t, ok, "the old secret is refused once the grace has ended")
}

// TestLostResetIsNeverRepeated: a reset whose response was lost after it
// landed is not sent again (a second reset would end the consumers'
// secret at once); one that did not land is.
func TestLostResetIsNeverRepeated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		effect rule
		landed bool
	}{
		{"lost after it landed", rule{effect: "lose"}, true},
		{"refused with 503 before it acted", rule{effect: "status", status: 503}, false},
		{"answered 502 by a gateway before it acted", rule{effect: "status", status: 502}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acct := svcAccount()
			acct.Tokens[0].LastModified = time.Now().Add(-100 * 24 * time.Hour).UnixMilli()
			acct.Tokens[0].CreationDate = acct.Tokens[0].LastModified
			e := newEnv(t, acct, emulator.Options{})
			p := e.plan(t, parse(t, "tokens: [{name: svc, role: reader, rotate: {every: 90d, grace: 24h}}]"))
			require.Len(t, p.Changes, 1)
			require.Equal(t, planner.Rotate, p.Changes[0].Action)
			r := tc.effect
			r.method, r.path, r.nth = "POST", "/api/v2/tokens/"+oldID+"/reset", 1
			e.proxy.add(&r)
			dir := dirSink(t)
			res := applier.Apply(context.Background(), p, e.options(dir))
			require.Equal(t, 1, e.proxy.hits(&r))
			id, ok := e.srv.Authenticate(oldSecret)
			assert.True(t, ok && id == oldID, "the consumers' secret keeps working")
			if !tc.landed {
				require.Equal(t, applier.Done, res[0].Status, "%v", res[0].Err)
				assert.Equal(t, 1, e.srv.Stats().Requests[resetPath], "one reset reached the server")
				id, ok := e.holds(t, filepath.Join(dir.Dir, "svc.token"))
				assert.True(t, ok && id == oldID)
				return
			}
			assert.Equal(t, applier.Failed, res[0].Status, "never ✓")
			assert.Equal(t, 1, e.srv.Stats().Requests[resetPath], "the reset was not sent again")
			assert.ErrorContains(t, res[0].Err, "the reset's response was lost after it landed")
			assert.ErrorContains(t, res[0].Err, "the old secret keeps working until")
			assert.Regexp(t, "^run `ldtokens rotate svc` before 20[0-9-]+T[0-9:]+Z$", res[0].Manual)
			assert.False(t, applier.Converges(res))
			assert.NoFileExists(t, filepath.Join(dir.Dir, "svc.token"))
		})
	}
}

// TestNoTwinFromALostCreate: a create whose response was lost is not sent
// again until listing shows it did not land: over the settle window when
// the request may still be in flight, once when the server answered; a twin
// that lands late anyway is deleted.
func TestNoTwinFromALostCreate(t *testing.T) {
	const attempt = 300 * time.Millisecond
	for _, tc := range []struct {
		name   string
		effect rule
		note   string
	}{
		{"delayed past the attempt timeout", rule{effect: "delay", delay: 2 * attempt}, "create response lost; adopted"},
		{"lost after it landed", rule{effect: "lose"}, "create response lost; adopted"},
		{"refused with 503 before it acted", rule{effect: "status", status: 503}, "1 create response(s) lost and no token appeared; sent again"},
		{"answered 504 by a gateway while it lands later", rule{effect: "late", status: 504, delay: attempt}, "create response lost; adopted"},
		{"answered 502, yet it lands later", rule{effect: "late", status: 502, delay: attempt}, "deleted twin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvWith(t, emulator.Account{}, emulator.Options{}, attempt)
			p := e.plan(t, parse(t, "tokens: [{name: new, role: reader}]"))
			r := tc.effect
			r.method, r.path, r.nth = "POST", "/api/v2/tokens", 1
			e.proxy.add(&r)
			dir := dirSink(t)
			res := applier.Apply(context.Background(), p, e.options(dir))
			require.Equal(t, 1, e.proxy.hits(&r))
			require.Equal(t, applier.Done, res[0].Status, "%v", res[0].Err)
			assert.Contains(t, strings.Join(res[0].Notes, "; "), tc.note)
			tokens := e.named("new")
			require.Len(t, tokens, 1, "no twin")
			id, ok := e.holds(t, filepath.Join(dir.Dir, "new.token"))
			assert.True(t, ok && id == tokens[0].ID, "the secret delivered is the token's")
		})
	}
}

// TestCreateGetsTheWholeRetryBudget: a create that meets four 503s in a
// row gets the client's attempts, as every other request does.
func TestCreateGetsTheWholeRetryBudget(t *testing.T) {
	e := newEnv(t, emulator.Account{}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: new, role: reader}]"))
	r := &rule{method: "POST", path: "/api/v2/tokens", nth: 1, count: 4, effect: "status", status: 503}
	e.proxy.add(r)
	dir := dirSink(t)
	res := applier.Apply(context.Background(), p, e.options(dir))
	require.Equal(t, applier.Done, res[0].Status, "%v", res[0].Err)
	assert.Equal(t, 4, e.proxy.hits(r))
	assert.Contains(t, res[0].Notes, "4 create response(s) lost and no token appeared; sent again")
	require.Len(t, e.named("new"), 1)
}

// TestResilienceScenario: 40 creates against a rate-limit window,
// unannounced 429s, a 503 in every nine requests, and one create that
// meets four 503s in a row converge in one apply, with no twin and every
// secret valid in its sink.
func TestResilienceScenario(t *testing.T) {
	e := newEnv(t, emulator.Account{}, emulator.Options{Faults: emulator.Faults{RateLimit: 25, Window: 200 * time.Millisecond}})
	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("{name: svc-%02d, role: reader}", i))
	}
	s := parse(t, "tokens: ["+strings.Join(names, ", ")+"]")
	p := e.plan(t, s)
	fourInARow := &rule{method: "POST", path: "/api/v2/tokens", body: `"name":"svc-17"`, nth: 1, count: 4, effect: "status", status: 503}
	every9th := &rule{every: 9, effect: "status", status: 503}
	every13th := &rule{every: 13, effect: "status", status: 429}
	for _, r := range []*rule{fourInARow, every9th, every13th} {
		e.proxy.add(r)
	}
	dir := dirSink(t)
	opts := e.options(dir)
	opts.Parallelism = 8
	res := applier.Apply(context.Background(), p, opts)
	for _, r := range res {
		require.Equal(t, applier.Done, r.Status, "%s: %v", r.Change.Name, r.Err)
	}
	assert.Equal(t, 4, e.proxy.hits(fourInARow))
	assert.Greater(t, e.proxy.hits(every9th), 0)
	assert.Greater(t, e.proxy.hits(every13th), 0)
	e.proxy.reset()
	e.srv.SetFaults(emulator.Faults{})
	snap := e.srv.Snapshot()
	require.Len(t, snap.Tokens, 40, "no twin")
	for _, tok := range snap.Tokens {
		id, ok := e.holds(t, filepath.Join(dir.Dir, tok.Name+".token"))
		require.True(t, ok, "secret of %s is valid", tok.Name)
		assert.Equal(t, tok.ID, id, tok.Name)
	}
	assert.Empty(t, e.plan(t, s).Changes, "converged in one apply")
}

// hangingSink is a secret command that says it started, then hangs.
func hangingSink(t *testing.T) (secret.CommandSink, string) {
	return commandSink(t, `touch "$OUT/started.$LDTOKENS_TOKEN_NAME"; exec sleep 600`)
}

// waitStarted waits until the hanging sink started for each name.
func waitStarted(t *testing.T, out string, names ...string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, n := range names {
			if _, err := os.Stat(filepath.Join(out, "started."+n)); err != nil {
				return false
			}
		}
		return true
	}, 30*time.Second, 10*time.Millisecond)
}

// applyAsync runs Apply in the background.
func applyAsync(ctx context.Context, p planner.Plan, opts applier.Options) <-chan []applier.Result {
	ch := make(chan []applier.Result, 1)
	go func() { ch <- applier.Apply(ctx, p, opts) }()
	return ch
}

// returned waits for Apply to return; it must, once stopped.
func returned(t *testing.T, ch <-chan []applier.Result) []applier.Result {
	t.Helper()
	select {
	case res := <-ch:
		return res
	case <-time.After(60 * time.Second):
		t.Fatal("Apply did not return")
		return nil
	}
}

// TestAbortRollsBackWhatWasNotDelivered: an interrupt (ctx) lets a slow
// delivery go on; an abort stops it, deletes every token whose secret no
// sink holds, and returns; the next run converges.
func TestAbortRollsBackWhatWasNotDelivered(t *testing.T) {
	e := newEnv(t, emulator.Account{}, emulator.Options{})
	s := parse(t, "tokens: [{name: a, role: reader}, {name: b, role: reader}, {name: c, role: reader}]")
	p := e.plan(t, s)
	sink, out := hangingSink(t)
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	opts := e.options(sink)
	opts.Parallelism = 2
	opts.Abort = abort
	ch := applyAsync(ctx, p, opts)
	waitStarted(t, out, "a", "b")
	cancel() // the first signal: the deliveries under way go on
	select {
	case <-ch:
		t.Fatal("Apply returned on the first signal, with deliveries under way")
	case <-time.After(200 * time.Millisecond):
	}
	close(abort) // the second signal
	res := returned(t, ch)
	for _, r := range res[:2] {
		assert.Equal(t, applier.Failed, r.Status, r.Change.Name)
		assert.ErrorContains(t, r.Err, "secret command: stopped: aborted; the new token was deleted again")
	}
	assert.Equal(t, applier.Skipped, res[2].Status)
	assert.ErrorContains(t, res[2].Err, "not started: interrupted")
	assert.Empty(t, e.srv.Snapshot().Tokens, "no token is left whose secret no sink holds")
	assert.True(t, applier.Converges(res))

	dir := dirSink(t)
	res = applier.Apply(context.Background(), e.plan(t, s), e.options(dir))
	assert.False(t, applier.AnyFailed(res))
	assert.Empty(t, e.plan(t, s).Changes, "the next run converges")
}

// TestDeadlineStopsAHungSink: changes under way keep the run's deadline; a
// secret command still running at it is killed and the delivery fails with
// the usual rollback.
func TestDeadlineStopsAHungSink(t *testing.T) {
	e := newEnv(t, emulator.Account{}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: a, role: reader}]"))
	sink, out := hangingSink(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	res := returned(t, applyAsync(ctx, p, e.options(sink)))
	assert.FileExists(t, filepath.Join(out, "started.a"))
	require.Equal(t, applier.Failed, res[0].Status)
	assert.ErrorContains(t, res[0].Err, "secret command: stopped: context deadline exceeded; the new token was deleted again")
	assert.Empty(t, e.srv.Snapshot().Tokens)
}

// TestLostPatchIsVerified: a patch whose response was lost is read back:
// landed is success; not landed is sent again.
func TestLostPatchIsVerified(t *testing.T) {
	for _, tc := range []struct {
		name    string
		effect  rule
		note    string
		patches int
	}{
		{"lost after it landed", rule{effect: "lose"}, "patch response lost; the token shows the change, so it landed", 1},
		{"refused with 503 before it acted", rule{effect: "status", status: 503}, "patch response lost and the token unchanged; sent again", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Account{Tokens: []emulator.StoredToken{stored("000000000000000000000001", "p", "reader", false)}}, emulator.Options{})
			s := parse(t, "tokens: [{name: p, serviceToken: false, role: writer, description: hello}]")
			p := e.plan(t, s)
			require.Len(t, p.Changes, 1)
			r := tc.effect
			r.method, r.path, r.nth = "PATCH", "/api/v2/tokens/", 1
			e.proxy.add(&r)
			res := applier.Apply(context.Background(), p, e.options(nil))
			require.Equal(t, applier.Done, res[0].Status, "%v", res[0].Err)
			assert.Contains(t, res[0].Notes, tc.note)
			assert.Equal(t, tc.patches, e.srv.Stats().Requests["PATCH /api/v2/tokens/{id}"])
			assert.Empty(t, e.plan(t, s).Changes)
		})
	}
}

// TestSkippedAfterAnEarlierFailure: a token's later change is not started
// when its earlier one failed, and says so.
func TestSkippedAfterAnEarlierFailure(t *testing.T) {
	acct := emulator.Account{Tokens: []emulator.StoredToken{stored("000000000000000000000001", "p", "reader", false)}}
	acct.Tokens[0].LastModified = time.Now().Add(-100 * 24 * time.Hour).UnixMilli()
	e := newEnv(t, acct, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: p, serviceToken: false, role: writer, rotate: {every: 90d}}]"))
	require.Len(t, p.Changes, 2)
	e.proxy.add(&rule{method: "PATCH", effect: "status", status: 400})
	res := applier.Apply(context.Background(), p, e.options(dirSink(t)))
	assert.Equal(t, applier.Failed, res[0].Status)
	assert.Equal(t, applier.Skipped, res[1].Status)
	assert.EqualError(t, res[1].Err, "not started: an earlier change of this token failed")
}

// TestUnprovenSecretIsNotDelivered: a secret caller-identity never accepts
// goes to no sink, and its token is deleted again; one accepted after a
// moment of propagation is delivered; NoVerify skips the proof.
func TestUnprovenSecretIsNotDelivered(t *testing.T) {
	for _, tc := range []struct {
		name     string
		refusals int // 0: always
		noVerify bool
		ok       bool
	}{
		{"never accepted", 0, false, false},
		{"accepted after propagation", 2, false, true},
		{"not asked with NoVerify", 0, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Account{}, emulator.Options{})
			p := e.plan(t, parse(t, "tokens: [{name: new, role: reader}]"))
			r := &rule{method: "GET", path: "/api/v2/caller-identity", effect: "status", status: 401}
			if tc.refusals > 0 {
				r.nth, r.count = 1, tc.refusals
			}
			e.proxy.add(r)
			dir := dirSink(t)
			opts := e.options(dir)
			opts.VerifyWait = 300 * time.Millisecond
			opts.NoVerify = tc.noVerify
			res := applier.Apply(context.Background(), p, opts)
			if tc.ok {
				require.Equal(t, applier.Done, res[0].Status, "%v", res[0].Err)
				id, ok := e.holds(t, filepath.Join(dir.Dir, "new.token"))
				assert.True(t, ok && id == res[0].NewID)
				return
			}
			require.Equal(t, applier.Failed, res[0].Status)
			assert.ErrorContains(t, res[0].Err, "the new secret was not proven: GET /api/v2/caller-identity with it did not answer token")
			assert.ErrorContains(t, res[0].Err, "the new token was deleted again")
			assert.NoFileExists(t, filepath.Join(dir.Dir, "new.token"))
			assert.Empty(t, e.srv.Snapshot().Tokens)
		})
	}
}

// TestSinksHearOfDeletes: a deleted token's secret is removed from the
// sinks (action delete, empty stdin); a retired token's delete leaves the
// file, which holds its replacement's secret, and tells the command so.
func TestSinksHearOfDeletes(t *testing.T) {
	until := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	e := newEnv(t, emulator.Account{Tokens: []emulator.StoredToken{
		stored("000000000000000000000001", "old", "reader", true),
		stored("000000000000000000000003", planner.RetireMarker("svc", until), "reader", true),
	}}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: old, state: absent}]"))
	require.Len(t, p.Changes, 2)
	require.Equal(t, planner.Retire, p.Changes[1].Action, "the grace has passed")
	dir := dirSink(t)
	require.NoError(t, os.MkdirAll(dir.Dir, 0o700))
	for _, n := range []string{"old", "svc"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir.Dir, n+".token"), []byte("api-x"), 0o600))
	}
	cmd, out := commandSink(t, `echo "$LDTOKENS_ACTION $LDTOKENS_TOKEN_NAME $LDTOKENS_TOKEN_ID retired=$LDTOKENS_RETIRED stdin=$(wc -c)" >> "$OUT/log"`)
	res := applier.Apply(context.Background(), p, e.options(secret.Sinks{dir, cmd}))
	for _, r := range res {
		require.Equal(t, applier.Done, r.Status, "%v", r.Err)
	}
	assert.Empty(t, e.srv.Snapshot().Tokens)
	assert.NoFileExists(t, filepath.Join(dir.Dir, "old.token"))
	assert.FileExists(t, filepath.Join(dir.Dir, "svc.token"), "a retired token's name holds its replacement's secret")
	log, err := os.ReadFile(filepath.Join(out, "log"))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"delete old 000000000000000000000001 retired= stdin=0",
		"delete svc 000000000000000000000003 retired=true stdin=0",
	}, strings.Split(strings.TrimSpace(string(log)), "\n"))
}

// TestReplaceWhoseRollbackFails: when no sink took the new secret and the
// new token cannot be deleted again, the old token is left as it was (its
// secret is the only one anybody holds), and the result says to delete
// the new one by hand.
func TestReplaceWhoseRollbackFails(t *testing.T) {
	e := newEnv(t, svcAccount(), emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: svc, role: writer}]"))
	e.proxy.add(&rule{method: "DELETE", effect: "status", status: 400})
	sink, _ := commandSink(t, "cat >/dev/null; exit 1")
	res := applier.Apply(context.Background(), p, e.options(sink))
	require.Equal(t, applier.Failed, res[0].Status)
	assert.ErrorContains(t, res[0].Err, "could not be deleted again either")
	assert.ErrorContains(t, res[0].Err, "the old token "+oldID+" is untouched")
	require.NotEmpty(t, res[0].NewID)
	assert.Equal(t, fmt.Sprintf("delete token %s by hand: nobody holds its secret", res[0].NewID), res[0].Manual)
	old := e.named("svc")
	require.Len(t, old, 2)
	id, ok := e.srv.Authenticate(oldSecret)
	assert.True(t, ok && id == oldID, "the old secret still works")
}
