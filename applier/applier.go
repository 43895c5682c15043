package applier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ldtokens/ldtokens/internal/crash"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/secret"
)

// Client is the part of the LaunchDarkly API the applier uses.
type Client interface {
	ListTokens(ctx context.Context, opts ldapi.ListOptions) ([]ldapi.Token, error)
	GetToken(ctx context.Context, id string) (ldapi.Token, error)
	CreateToken(ctx context.Context, body ldapi.TokenPost) (ldapi.Token, secret.Secret, error)
	PatchToken(ctx context.Context, id string, ops []ldapi.PatchOp) (ldapi.Token, error)
	DeleteToken(ctx context.Context, id string) error
	ResetToken(ctx context.Context, id string, expiry time.Time) (ldapi.Token, secret.Secret, error)
	// VerifySecret asks the API, once, whom the secret s authenticates.
	VerifySecret(ctx context.Context, s secret.Secret) (ldapi.CallerIdentity, error)
	// MaxAttempts is how many attempts one request gets; the applier gives
	// a create whose response was lost the same budget.
	MaxAttempts() int
	// Backoff is the delay before attempt+1.
	Backoff(attempt int) time.Duration
}

// Options configure an apply.
type Options struct {
	Client Client
	// Sink receives every new secret, and the news of every deleted or
	// retired token; nil refuses secret-yielding changes.
	Sink secret.Sink
	// Parallelism is how many tokens are worked on at once (default 4).
	Parallelism int
	// Guard sends each change's Guard test operations before its Patch, so a
	// change landing since the plan was made fails the update.
	Guard bool
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Progress is called as each change finishes, from any goroutine but
	// never concurrently: n counts the changes finished so far (1..total),
	// total is the number of changes in the plan.
	Progress func(r Result, n, total int)
	// Abort, when closed, stops the changes under way: deliveries and
	// requests are cancelled, every token whose secret was obtained but
	// reached no sink is deleted again (all within RollbackTimeout), and
	// Apply returns. Callers close it on the second interrupt, after
	// cancelling Apply's ctx on the first (see Apply).
	Abort <-chan struct{}
	// SettleWindow is how long, after a create whose request may still be
	// in flight lost its response, the applier keeps listing for the token
	// before it sends the create again (default DefaultSettleWindow). It
	// must be longer than the client's attempt timeout: the default suits
	// ldapi's default of 30s; a caller that changes one changes the other.
	SettleWindow time.Duration
	// VerifyWait is how long a new secret is given to be accepted by
	// GET /api/v2/caller-identity before it is refused (default
	// DefaultVerifyWait).
	VerifyWait time.Duration
	// NoVerify delivers new secrets without proving them first (for hosts
	// without caller-identity).
	NoVerify bool
}

// Defaults of Options.
const (
	DefaultSettleWindow = 35 * time.Second
	DefaultVerifyWait   = 10 * time.Second
	// RollbackTimeout bounds what is done after the run's context ended
	// (an abort, or the --timeout deadline): every rollback and check then
	// shares one deadline, RollbackTimeout after the work ended, so that
	// the run reports before CI's SIGKILL, 2.5 s after its SIGTERM.
	RollbackTimeout = 2 * time.Second
	// partialGrace is how long the old token of a replace whose new secret
	// reached only some sinks keeps working when the replace grace is 0.
	partialGrace = time.Hour
)

// Status is how a change ended.
type Status string

// The statuses.
const (
	Done    Status = "done"
	Failed  Status = "failed"
	Skipped Status = "not started"
)

// Result is the outcome of one change.
type Result struct {
	Change planner.Change
	Status Status
	// Err says why a change failed or was not started.
	Err error
	// NewID is the ID of a created or replacement token that exists.
	NewID string
	// Notes say what happened beyond the action itself (a lost response
	// recovered, a secret delivered).
	Notes []string
	// Manual says what a person must do that applying again will not, and
	// by when (run `ldtokens rotate NAME` before …); empty when applying
	// again converges.
	Manual string
}

// The errors of changes not started.
var (
	errInterrupted   = errors.New("not started: interrupted")
	errEarlierFailed = errors.New("not started: an earlier change of this token failed")
	errAborted       = errors.New("aborted")
)

// ErrNoSink refuses a plan that would issue secrets with nowhere to put them.
var ErrNoSink = errors.New("the plan issues new secrets but no secret sink is set: pass --secrets-dir DIR or --secret-command CMD")

// CheckSink fails when the plan has a secret-yielding change and no sink,
// or when the sink cannot take secrets (sink.Check).
func CheckSink(p planner.Plan, sink secret.Sink) error {
	if sink != nil {
		return sink.Check()
	}
	var names []string
	for _, c := range p.Changes {
		if c.Action.YieldsSecret() {
			names = append(names, fmt.Sprintf("%s %s", c.Action, c.Name))
		}
	}
	if len(names) > 0 {
		return fmt.Errorf("%w (%s)", ErrNoSink, strings.Join(names, ", "))
	}
	return nil
}

// Apply executes the plan and returns one result per change, in plan order.
//
// Cancelling ctx (the first interrupt) starts nothing new; changes under
// way finish, bounded by ctx's deadline if it has one (--timeout), which
// also kills a secret command still running. Closing opts.Abort (the
// second interrupt) cancels the changes under way and rolls back what
// they obtained and did not deliver; Apply then returns.
func Apply(ctx context.Context, p planner.Plan, opts Options) []Result {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SettleWindow <= 0 {
		opts.SettleWindow = DefaultSettleWindow
	}
	if opts.VerifyWait <= 0 {
		opts.VerifyWait = DefaultVerifyWait
	}
	results := make([]Result, len(p.Changes))
	for i, c := range p.Changes {
		results[i] = Result{Change: c, Status: Skipped, Err: errInterrupted}
	}
	if err := CheckSink(p, opts.Sink); err != nil {
		for i := range results {
			results[i].Err = err
		}
		return results
	}
	work, cancel := workContext(ctx, opts.Abort)
	defer cancel(nil)
	a := &run{opts: opts, plan: p, known: map[string]bool{}}
	// The cleanup budget runs from the moment the work ends, as CI's
	// clock to SIGKILL does.
	stop := context.AfterFunc(work, a.startCleanup)
	defer stop()
	for _, o := range p.Observed {
		a.known[o.ID] = true
	}
	// Phase 1: everything but deletes and retires, a token's changes in
	// order; phase 2: deletes and retires, so nothing is destroyed before
	// its replacements exist.
	var first, second [][]int
	byName := map[string]int{}
	for i, c := range p.Changes {
		if c.Action == planner.Delete || c.Action == planner.Retire {
			second = append(second, []int{i})
			continue
		}
		key := c.Name + "\x00" + c.ID
		if j, ok := byName[key]; ok {
			first[j] = append(first[j], i)
			continue
		}
		byName[key] = len(first)
		first = append(first, []int{i})
	}
	var mu sync.Mutex
	finished := 0
	report := func(r Result, i int) {
		mu.Lock()
		defer mu.Unlock()
		results[i] = r
		if r.Status == Skipped {
			return
		}
		finished++
		if opts.Progress != nil {
			opts.Progress(r, finished, len(p.Changes))
		}
	}
	for _, phase := range [][][]int{first, second} {
		a.runPhase(ctx, work, phase, report)
		// A change's panic is raised on the caller's goroutine, where it can
		// be recovered (on another it exits 2); nothing new started after it.
		a.crash.Raise()
	}
	return results
}

// workContext is the context of the changes under way: ctx's cancellation
// does not reach it, ctx's deadline does, and so does abort.
func workContext(ctx context.Context, abort <-chan struct{}) (context.Context, context.CancelCauseFunc) {
	work, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	if d, ok := ctx.Deadline(); ok {
		var stop context.CancelFunc
		work, stop = context.WithDeadline(work, d)
		inner := cancel
		cancel = func(cause error) { inner(cause); stop() }
	}
	if abort != nil {
		go func() {
			select {
			case <-abort:
				cancel(errAborted)
			case <-work.Done():
			}
		}()
	}
	return work, cancel
}

type run struct {
	opts  Options
	plan  planner.Plan
	known map[string]bool // remote IDs the plan saw
	// cleanupBy is when everything done after the run's context ended
	// must end; set once, by startCleanup.
	cleanupOnce sync.Once
	cleanupBy   time.Time
	// crash is the first panic of a change under way, raised again by
	// Apply as a *crash.Panic once the changes under way have finished.
	crash crash.Slot
}

// stopping reports whether nothing new may start: ctx was cancelled, the
// run was aborted, or a change panicked.
func (a *run) stopping(ctx, work context.Context) bool {
	return ctx.Err() != nil || work.Err() != nil || a.crash.Caught()
}

func (a *run) runPhase(ctx, work context.Context, jobs [][]int, report func(Result, int)) {
	sem := make(chan struct{}, a.opts.Parallelism)
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, job := range jobs {
		select {
		case <-ctx.Done():
			return
		case <-work.Done():
			return
		case sem <- struct{}{}:
		}
		if a.stopping(ctx, work) {
			<-sem
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer a.crash.Catch()
			for n, i := range job {
				c := a.plan.Changes[i]
				if n > 0 && a.stopping(ctx, work) {
					return // the rest stay "not started: interrupted"
				}
				r := a.execute(work, c)
				report(r, i)
				if r.Status != Done {
					// The token's later changes depend on this one.
					for _, j := range job[n+1:] {
						report(Result{Change: a.plan.Changes[j], Status: Skipped, Err: errEarlierFailed}, j)
					}
					return
				}
			}
		}()
	}
}

func (a *run) execute(ctx context.Context, c planner.Change) Result {
	r := Result{Change: c, Status: Done}
	var err error
	switch c.Action {
	case planner.Create:
		err = a.create(ctx, c, &r)
	case planner.Update:
		err = a.update(ctx, c, &r)
	case planner.Replace:
		err = a.replace(ctx, c, &r)
	case planner.Rotate:
		err = a.rotate(ctx, c, &r)
	case planner.Delete, planner.Retire:
		err = a.remove(ctx, c, &r)
	default:
		err = fmt.Errorf("unknown action %q", c.Action)
	}
	if err != nil {
		r.Status = Failed
		r.Err = fmt.Errorf("token %q: %s: %w", c.Name, c.Action, err)
	}
	return r
}

func postOf(f *planner.Fields) ldapi.TokenPost { return ldapi.PostOf(*f) }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// cleanupContext is ctx while it lives; once it has ended (an abort, the
// deadline), a fresh context that ends at the run's cleanup deadline
// (RollbackTimeout after the work ended), so that a rollback is still
// tried and the run still reports in time.
func (a *run) cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return ctx, func() {}
	}
	a.startCleanup()
	return context.WithDeadline(context.WithoutCancel(ctx), a.cleanupBy)
}

// startCleanup sets the cleanup deadline, RollbackTimeout from now, unless
// it is set.
func (a *run) startCleanup() {
	a.cleanupOnce.Do(func() { a.cleanupBy = time.Now().Add(RollbackTimeout) })
}

// AnyFailed reports whether any result is not done.
func AnyFailed(results []Result) bool {
	return slices.ContainsFunc(results, func(r Result) bool { return r.Status != Done })
}

// Converges reports whether applying again finishes every change that is
// not done: no result needs a person (Result.Manual).
func Converges(results []Result) bool {
	return !slices.ContainsFunc(results, func(r Result) bool { return r.Manual != "" })
}
