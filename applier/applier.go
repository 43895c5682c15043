package applier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/secret"
)

// Client is the part of the LaunchDarkly API the applier uses.
type Client interface {
	ListTokens(ctx context.Context, opts ldapi.ListOptions) ([]ldapi.Token, error)
	CreateToken(ctx context.Context, body ldapi.TokenPost) (ldapi.Token, secret.Secret, error)
	PatchToken(ctx context.Context, id string, ops []ldapi.PatchOp) (ldapi.Token, error)
	DeleteToken(ctx context.Context, id string) error
	ResetToken(ctx context.Context, id string, expiry time.Time) (ldapi.Token, secret.Secret, error)
}

// Options configure an apply.
type Options struct {
	Client Client
	// Sink receives every new secret; nil refuses secret-yielding changes.
	Sink secret.Sink
	// Parallelism is how many tokens are worked on at once (default 4).
	Parallelism int
	// Guard sends each change's Guard test operations before its Patch, so a
	// change landing since the plan was made fails the update.
	Guard bool
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Progress is called as each change finishes, from any goroutine but
	// never concurrently.
	Progress func(Result)
}

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
	// NewID is the ID of a created or replacement token.
	NewID string
	// Notes say what happened beyond the action itself (a lost response
	// recovered, a secret delivered).
	Notes []string
}

// ErrNoSink refuses a plan that would issue secrets with nowhere to put them.
var ErrNoSink = errors.New("the plan issues new secrets but no secret sink is set: pass --secrets-dir DIR or --secret-command CMD")

// CheckSink fails when the plan has a secret-yielding change and no sink.
func CheckSink(p planner.Plan, sink secret.Sink) error {
	if sink != nil {
		return nil
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

// Apply executes the plan. Cancelling ctx stops new changes from starting;
// changes already under way finish. It returns one result per change, in
// plan order.
func Apply(ctx context.Context, p planner.Plan, opts Options) []Result {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	results := make([]Result, len(p.Changes))
	for i, c := range p.Changes {
		results[i] = Result{Change: c, Status: Skipped, Err: errors.New("not started: interrupted")}
	}
	if err := CheckSink(p, opts.Sink); err != nil {
		for i := range results {
			results[i].Err = err
		}
		return results
	}
	a := &run{opts: opts, plan: p, known: map[string]bool{}}
	for _, o := range p.Observed {
		a.known[o.ID] = true
	}
	// Phase 1: everything but deletes, a token's changes in order; phase 2:
	// deletes, so nothing is destroyed before its replacements exist.
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
	report := func(r Result, i int) {
		mu.Lock()
		defer mu.Unlock()
		results[i] = r
		if opts.Progress != nil {
			opts.Progress(r)
		}
	}
	for _, phase := range [][][]int{first, second} {
		a.runPhase(ctx, phase, report)
	}
	return results
}

type run struct {
	opts  Options
	plan  planner.Plan
	known map[string]bool // remote IDs the plan saw
}

func (a *run) runPhase(ctx context.Context, jobs [][]int, report func(Result, int)) {
	sem := make(chan struct{}, a.opts.Parallelism)
	var wg sync.WaitGroup
	for _, job := range jobs {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case sem <- struct{}{}:
		}
		if ctx.Err() != nil {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// A change under way finishes even when the run is interrupted.
			work := context.WithoutCancel(ctx)
			for _, i := range job {
				r := a.execute(work, a.plan.Changes[i])
				report(r, i)
				if r.Status != Done {
					break // the token's later changes depend on this one
				}
			}
		}()
	}
	wg.Wait()
}

func (a *run) execute(ctx context.Context, c planner.Change) Result {
	r := Result{Change: c, Status: Done}
	var err error
	switch c.Action {
	case planner.Create:
		r.NewID, err = a.create(ctx, c, &r)
	case planner.Update:
		ops := c.Patch
		if a.opts.Guard {
			ops = append(slices.Clone(c.Guard), c.Patch...)
		}
		_, err = a.opts.Client.PatchToken(ctx, c.ID, ops)
		if err != nil && a.opts.Guard && ldapi.IsStatus(err, 422) && len(c.Guard) > 0 {
			err = fmt.Errorf("%w (the token changed since the plan was made: plan again)", err)
		}
	case planner.Replace:
		r.NewID, err = a.create(ctx, c, &r)
		if err == nil {
			if derr := a.opts.Client.DeleteToken(ctx, c.ID); derr != nil {
				err = fmt.Errorf("replacement %s is live and its secret delivered, but the old token %s could not be deleted: %w; delete it by hand or pin the new one with id: %s", r.NewID, c.ID, derr, r.NewID)
			}
		}
	case planner.Rotate:
		err = a.rotate(ctx, c, &r)
	case planner.Delete, planner.Retire:
		err = a.opts.Client.DeleteToken(ctx, c.ID)
	}
	if err != nil {
		r.Status = Failed
		r.Err = fmt.Errorf("token %q: %s: %w", c.Name, c.Action, err)
	}
	return r
}

func postOf(f *planner.Fields) ldapi.TokenPost { return ldapi.PostOf(*f) }

// createAttempts bounds the POSTs of one create whose responses were lost
// and whose token never appeared.
const createAttempts = 3

// create makes the token of c.After and delivers its secret. A create whose
// response was lost is never blindly repeated: the tool lists again, and if
// a token of that name appeared, adopts it and resets it to obtain a secret
// to deliver. A secret that cannot be delivered deletes the new token again.
func (a *run) create(ctx context.Context, c planner.Change, r *Result) (string, error) {
	body := postOf(c.After)
	var tok ldapi.Token
	var sec secret.Secret
	var err error
	for attempt := 1; ; attempt++ {
		tok, sec, err = a.opts.Client.CreateToken(ctx, body)
		var lost *ldapi.UncertainError
		if !errors.As(err, &lost) {
			break
		}
		adopted, found, lerr := a.findCreated(ctx, body.Name)
		if lerr != nil {
			return "", fmt.Errorf("%w; listing to recover also failed: %v", err, lerr)
		}
		if found {
			r.Notes = append(r.Notes, fmt.Sprintf("create response lost; adopted %s and reset it to obtain its secret", adopted.ID))
			tok, sec, err = a.opts.Client.ResetToken(ctx, adopted.ID, time.Time{})
			if err != nil {
				return adopted.ID, fmt.Errorf("created %s but its response was lost, and the reset to recover a secret failed: %w; run apply again", adopted.ID, err)
			}
			break
		}
		if attempt == createAttempts {
			return "", err
		}
		r.Notes = append(r.Notes, "create response lost and no token appeared; created again")
	}
	if err != nil {
		return "", err
	}
	if derr := a.deliver(ctx, c, tok.ID, sec); derr != nil {
		if rerr := a.opts.Client.DeleteToken(ctx, tok.ID); rerr != nil {
			return tok.ID, fmt.Errorf("%w; the new token %s could not be deleted again either (%v): delete it by hand", derr, tok.ID, rerr)
		}
		return "", fmt.Errorf("%w; the new token was deleted again, the next apply creates it afresh", derr)
	}
	r.Notes = append(r.Notes, "secret delivered")
	return tok.ID, nil
}

// findCreated lists and returns the newest token named name that the plan
// did not see: the one a lost create made.
func (a *run) findCreated(ctx context.Context, name string) (ldapi.Token, bool, error) {
	all, err := a.opts.Client.ListTokens(ctx, ldapi.ListOptions{})
	if err != nil {
		return ldapi.Token{}, false, err
	}
	var found ldapi.Token
	ok := false
	for _, t := range all {
		if t.Name == name && !a.known[t.ID] && (!ok || t.CreationDate > found.CreationDate) {
			found, ok = t, true
		}
	}
	return found, ok, nil
}

// rotate resets the secret, the old one living on for the grace period.
func (a *run) rotate(ctx context.Context, c planner.Change, r *Result) error {
	expiry := a.opts.Now().Add(c.Grace)
	if c.Grace == 0 {
		expiry = time.Time{}
	}
	_, sec, err := a.opts.Client.ResetToken(ctx, c.ID, expiry)
	if err != nil {
		return err
	}
	if err := a.deliver(ctx, c, c.ID, sec); err != nil {
		old := "the old secret stopped working at once"
		if c.Grace > 0 {
			old = "the old secret keeps working until " + expiry.UTC().Format(time.RFC3339)
		}
		return fmt.Errorf("the secret was reset but could not be delivered: %w; %s; run `ldtokens rotate %s` to issue and deliver another", err, old, c.Name)
	}
	r.Notes = append(r.Notes, "secret delivered")
	return nil
}

func (a *run) deliver(ctx context.Context, c planner.Change, id string, s secret.Secret) error {
	if s.IsZero() {
		return errors.New("the server returned no secret")
	}
	return a.opts.Sink.Deliver(ctx, secret.Delivery{Name: c.Name, ID: id, Action: string(c.Action), Secret: s})
}

// AnyFailed reports whether any result is not done.
func AnyFailed(results []Result) bool {
	return slices.ContainsFunc(results, func(r Result) bool { return r.Status != Done })
}
