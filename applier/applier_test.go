package applier_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
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

// env is an emulator over HTTP and a client for it.
type env struct {
	srv    *emulator.Server
	client *ldapi.Client
	host   string
}

func newEnv(t testing.TB, acct emulator.Account, opts emulator.Options) *env {
	t.Helper()
	opts.AccessToken = "test"
	srv := emulator.New(acct, opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c, err := ldapi.New(ldapi.Config{Host: hs.URL, Token: secret.New("test"), BaseBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 20})
	require.NoError(t, err)
	return &env{srv: srv, client: c, host: hs.URL}
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

func parse(t testing.TB, text string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("t.yaml", []byte(text))
	require.NoError(t, err)
	return s
}

// memSink keeps delivered secrets, or fails when told to.
type memSink struct {
	mu   sync.Mutex
	got  map[string]secret.Secret
	fail error
}

func (m *memSink) Name() string { return "memory" }

func (m *memSink) Check() error { return nil }

func (m *memSink) Deliver(_ context.Context, d secret.Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if m.got == nil {
		m.got = map[string]secret.Secret{}
	}
	m.got[d.Name] = d.Secret
	return nil
}

func stored(id, name, role string, service bool) emulator.StoredToken {
	var t emulator.StoredToken
	t.ID, t.Name, t.Role, t.ServiceToken = id, name, role, service
	return t
}

func TestGuardCatchesARacingChange(t *testing.T) {
	e := newEnv(t, emulator.Account{Tokens: []emulator.StoredToken{stored("000000000000000000000001", "p", "reader", false)}}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: p, serviceToken: false, role: writer}]"))
	require.Len(t, p.Changes, 1)
	// Someone changes the token between the plan's check and its call.
	e.srv.Mutate(func(a *emulator.Account) { a.Tokens[0].Role = "admin" })
	res := applier.Apply(context.Background(), p, applier.Options{Client: e.client, Guard: true})
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
	p := e.plan(t, parse(t, "tokens: [{name: old, state: absent}, {name: svc, role: writer}, {name: a, role: reader}, {name: b, role: reader}]"))
	sink := &memSink{}
	var mu sync.Mutex
	var finished []string
	res := applier.Apply(context.Background(), p, applier.Options{Client: e.client, Sink: sink, Parallelism: 1,
		Progress: func(r applier.Result) {
			mu.Lock()
			finished = append(finished, string(r.Change.Action)+" "+r.Change.Name)
			mu.Unlock()
		}})
	require.False(t, applier.AnyFailed(res), "%v", res)
	var order []string
	for _, r := range res {
		order = append(order, r.Change.Name)
	}
	assert.Equal(t, []string{"a", "b", "old", "svc"}, order, "results in plan order")
	assert.Equal(t, "delete old", finished[len(finished)-1], "deletes run last")
	assert.Len(t, sink.got, 3)
	assert.Empty(t, e.plan(t, parse(t, "tokens: [{name: old, state: absent}, {name: svc, role: writer}, {name: a, role: reader}, {name: b, role: reader}]")).Changes)
}

func TestReplaceKeepsTheOldTokenWhenDeliveryFails(t *testing.T) {
	e := newEnv(t, emulator.Account{Tokens: []emulator.StoredToken{stored("000000000000000000000002", "svc", "reader", true)}}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: svc, role: writer}]"))
	res := applier.Apply(context.Background(), p, applier.Options{Client: e.client, Sink: &memSink{fail: errors.New("vault sealed")}})
	require.Len(t, res, 1)
	assert.Equal(t, applier.Failed, res[0].Status)
	assert.ErrorContains(t, res[0].Err, "vault sealed; the new token was deleted again")
	snap := e.srv.Snapshot()
	require.Len(t, snap.Tokens, 1)
	assert.Equal(t, "000000000000000000000002", snap.Tokens[0].ID, "the old token is untouched")
}

func TestNoSinkIsRefusedBeforeAnyCall(t *testing.T) {
	e := newEnv(t, emulator.Account{}, emulator.Options{})
	p := e.plan(t, parse(t, "tokens: [{name: a, role: reader}]"))
	before := e.srv.Stats().Total
	res := applier.Apply(context.Background(), p, applier.Options{Client: e.client})
	assert.ErrorIs(t, res[0].Err, applier.ErrNoSink)
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
	res := applier.Apply(ctx, p, applier.Options{Client: e.client, Sink: &memSink{}, Parallelism: 2,
		Progress: func(applier.Result) { once.Do(cancel) }})
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
	res = applier.Apply(context.Background(), e.plan(t, s), applier.Options{Client: e.client, Sink: &memSink{}})
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
	sink := &memSink{}
	for round := 0; round < 3; round++ {
		p := e.plan(t, s)
		if !p.HasChanges() {
			break
		}
		applier.Apply(context.Background(), p, applier.Options{Client: e.client, Sink: sink, Parallelism: 8})
	}
	e.srv.SetFaults(emulator.Faults{})
	assert.Empty(t, e.plan(t, s).Changes, "converged")
	snap := e.srv.Snapshot()
	require.Len(t, snap.Tokens, 300, "no duplicate")
	stats := e.srv.Stats()
	t.Logf("requests %d, 429s %d, 5xx %d, lost creates %d", stats.Total, stats.RateLimited, stats.Faulted, stats.LostCreates)
	assert.Greater(t, stats.Faulted, 0)
	assert.Greater(t, stats.LostCreates, 0)
	require.Len(t, sink.got, 300, "no lost secret")
	for name, sec := range sink.got {
		id, ok := e.srv.Authenticate(sec.Reveal())
		require.True(t, ok, "secret of %s is valid", name)
		for _, tok := range snap.Tokens {
			if tok.ID == id {
				assert.Equal(t, name, tok.Name)
			}
		}
	}
}
