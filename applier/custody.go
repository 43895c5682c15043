package applier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/secret"
)

// This file keeps new secrets in custody: a secret is proven, then handed
// to the sinks one at a time; a token whose secret no sink holds is deleted
// again; a token whose secret some sink holds is kept, and the result says
// which sinks hold what.

// custody is where a new token's secret ended up.
type custody struct {
	// id is the new token; "" when none is left (never made, or rolled back).
	id string
	// held names the sinks that hold its secret; failed those that do not.
	held, failed []string
}

// partial reports whether some sinks hold the secret and others do not.
func (c custody) partial() bool { return len(c.held) > 0 && len(c.failed) > 0 }

// create makes the token of c.After and delivers its secret.
func (a *run) create(ctx context.Context, c planner.Change, r *Result) error {
	cu, err, twins := a.issue(ctx, c, r)
	if cu.partial() {
		r.Manual = fmt.Sprintf("run `ldtokens rotate %s` so that every sink holds a secret of token %s", c.Name, cu.id)
		err = fmt.Errorf("%w; the new token %s is kept, since %s; run `ldtokens rotate %s` to deliver a secret to every sink",
			err, cu.id, holders(cu), c.Name)
	}
	return errors.Join(err, twins)
}

// replace makes the new token of c.After, delivers its secret, and then
// retires the old token (BRIEF §5) when c.ReplaceGrace is set, else deletes
// it. When only some sinks took the new secret, the old token is retired
// all the same (for partialGrace when c.ReplaceGrace is 0), so that the
// sinks still holding its secret work through the grace, and the result
// says to run rotate before the grace ends.
func (a *run) replace(ctx context.Context, c planner.Change, r *Result) error {
	cu, err, twins := a.issue(ctx, c, r)
	if err != nil && !cu.partial() {
		// No sink holds the new secret: the old token stays as it was.
		return errors.Join(fmt.Errorf("%w; the old token %s is untouched", err, c.ID), twins)
	}
	err = a.replaceOld(ctx, c, cu, err, r)
	return errors.Join(err, twins)
}

// replaceOld retires or deletes the old token of a replace whose new
// secret some sink holds: all of them when err is nil, else err says why
// the others do not.
func (a *run) replaceOld(ctx context.Context, c planner.Change, cu custody, err error, r *Result) error {
	grace := c.ReplaceGrace
	if cu.partial() && grace == 0 {
		grace = partialGrace
	}
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	if grace == 0 {
		if derr := a.opts.Client.DeleteToken(cctx, c.ID); derr != nil {
			r.Manual = fmt.Sprintf("delete the old token %s by hand", c.ID)
			return fmt.Errorf("replacement %s is live and its secret delivered, but the old token %s could not be deleted: %w; delete it by hand or pin the new one with id: %s", cu.id, c.ID, derr, cu.id)
		}
		r.Notes = append(r.Notes, fmt.Sprintf("old token %s deleted", c.ID))
		return nil
	}
	until := a.opts.Now().Add(grace).UTC().Truncate(time.Second)
	rerr := a.retire(cctx, c, until, r)
	if cu.partial() {
		r.Manual = fmt.Sprintf("run `ldtokens rotate %s` before %s", c.Name, stamp(until))
		msg := fmt.Errorf("%w; the new token %s is kept, since %s; %s the old token %s's secret, which works until %s: run `ldtokens rotate %s` before then to deliver a secret of the new token to every sink",
			err, cu.id, holders(cu), stillHold(cu.failed), c.ID, stamp(until), c.Name)
		if rerr != nil {
			return fmt.Errorf("%w; the old token could not be retired either: %v", msg, rerr)
		}
		return msg
	}
	if rerr != nil {
		r.Manual = fmt.Sprintf("retire or delete the old token %s by hand", c.ID)
		return fmt.Errorf("replacement %s is live and its secret delivered, but the old token %s could not be retired: %w; delete it by hand or pin the new one with id: %s", cu.id, c.ID, rerr, cu.id)
	}
	r.Notes = append(r.Notes, fmt.Sprintf("old token %s retiring until %s", c.ID, stamp(until)))
	return nil
}

// retire renames the old token of a replace to the retiring marker, then
// resets it with its old secret expiring at until; the reset's own secret
// is dropped unseen.
func (a *run) retire(ctx context.Context, c planner.Change, until time.Time, r *Result) error {
	name := c.Name
	if c.Before != nil && c.Before.Name != "" {
		name = c.Before.Name
	}
	marker := planner.RetireMarker(c.Name, until)
	rename := []ldapi.PatchOp{{Op: "replace", Path: "/name", Value: marker}}
	guard := []ldapi.PatchOp{{Op: "test", Path: "/name", Value: name}}
	if err := a.patch(ctx, c.ID, rename, guard, true, r); err != nil {
		return fmt.Errorf("rename to %q: %w", marker, err)
	}
	_, _, err := a.reset(ctx, c.ID, until)
	if errors.Is(err, errResetLanded) {
		return nil // the old secret expires at until all the same
	}
	return err
}

// rotate resets the secret, the old one living on for the grace period, and
// delivers the new one. A reset cannot be undone: when its secret reaches no
// sink, or only some, the result says to run rotate before the old secret
// stops working.
func (a *run) rotate(ctx context.Context, c planner.Change, r *Result) error {
	expiry := time.Time{}
	old := "the old secret stopped working at once"
	manual := fmt.Sprintf("run `ldtokens rotate %s`", c.Name)
	if c.Grace > 0 {
		expiry = a.opts.Now().Add(c.Grace)
		old = "the old secret keeps working until " + stamp(expiry)
		manual += " before " + stamp(expiry)
	}
	_, sec, err := a.reset(ctx, c.ID, expiry)
	if errors.Is(err, errResetLanded) {
		r.Manual = manual
		return fmt.Errorf("%w: its new secret is lost; %s; %s to issue and deliver another", err, old, manual)
	}
	if err != nil {
		return err
	}
	cu, err := a.deliverNew(ctx, c, c.ID, sec)
	if err == nil {
		r.Notes = append(r.Notes, "secret delivered")
		return nil
	}
	r.Manual = manual
	if cu.partial() {
		return fmt.Errorf("the secret was reset and reached %s but not %s: %w; %s; %s to deliver another to every sink",
			strings.Join(cu.held, ", "), strings.Join(cu.failed, ", "), err, old, manual)
	}
	return fmt.Errorf("the secret was reset but could not be delivered: %w; %s; %s to issue and deliver another", err, old, manual)
}

// issue makes the token of c.After, proves its secret and hands it to the
// sinks. A token whose secret no sink holds is deleted again. It returns
// where the secret went, why the delivery failed, and, apart, why late
// twins of a lost create could not be cleared.
func (a *run) issue(ctx context.Context, c planner.Change, r *Result) (cu custody, err, twins error) {
	is, err := a.obtain(ctx, c, r)
	cu = custody{id: is.tok.ID}
	if err == nil {
		cu, err = a.deliverNew(ctx, c, is.tok.ID, is.sec)
	}
	if err != nil && cu.id != "" && len(cu.held) == 0 {
		var deleted bool
		deleted, err = a.rollback(ctx, c, cu.id, err)
		if deleted {
			cu.id = ""
		} else {
			r.Manual = fmt.Sprintf("delete token %s by hand: nobody holds its secret", cu.id)
		}
	}
	if is.strays > 0 {
		twins = a.sweep(ctx, c.Name, cu.id, is.settleBy, r)
	}
	r.NewID = cu.id
	if err == nil {
		r.Notes = append(r.Notes, "secret delivered")
	}
	return cu, err, twins
}

// issued is what obtain made.
type issued struct {
	tok ldapi.Token
	sec secret.Secret
	// strays counts the creates whose token may yet appear: sent, response
	// lost, not adopted.
	strays int
	// settleBy is when every stray will have landed if it ever does.
	settleBy time.Time
}

// obtain creates the token of c.After. A create whose response was lost is
// never blindly repeated: the applier lists for the token (over the settle
// window when the request may still be in flight, once when the server
// answered), adopts a token of that name the plan did not see and resets it
// to obtain a secret, and only when none appeared sends the create again,
// within the client's one retry budget.
func (a *run) obtain(ctx context.Context, c planner.Change, r *Result) (issued, error) {
	body := postOf(c.After)
	var is issued
	budget := max(1, a.opts.Client.MaxAttempts())
	resent := 0
	defer func() {
		if resent > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%d create response(s) lost and no token appeared; sent again", resent))
		}
	}()
	for attempt := 1; ; attempt++ {
		tok, sec, err := a.opts.Client.CreateToken(ctx, body)
		if err == nil {
			is.tok, is.sec = tok, sec
			return is, nil
		}
		var lost *ldapi.UncertainError
		if !errors.As(err, &lost) && ctx.Err() == nil {
			return is, err // refused: the server did not act
		}
		// The token may exist, now or later.
		is.strays++
		is.settleBy = time.Now().Add(a.opts.SettleWindow)
		if ctx.Err() != nil {
			return is, err // aborted or out of time: the caller sweeps
		}
		found, lerr := a.settle(ctx, body.Name, lost)
		if lerr != nil {
			return is, fmt.Errorf("%w; listing to see whether it landed failed too: %v", err, lerr)
		}
		if found != nil {
			is.strays--
			r.Notes = append(r.Notes, fmt.Sprintf("create response lost; adopted %s and reset it to obtain its secret", found.ID))
			is.tok, is.sec, err = a.adopt(ctx, found.ID)
			if err != nil {
				is.tok = *found
				return is, fmt.Errorf("created %s but its response was lost, and the reset to obtain its secret failed: %w", found.ID, err)
			}
			return is, nil
		}
		if attempt >= budget {
			return is, fmt.Errorf("%w; no token of that name appeared after %d attempts", err, attempt)
		}
		resent++
		if err := sleep(ctx, a.opts.Client.Backoff(attempt)); err != nil {
			return is, err
		}
	}
}

// settle lists for a token named name that the plan did not see, with
// backoff, until the settle window has passed when the lost create may
// still be in flight, or once when the server answered.
func (a *run) settle(ctx context.Context, name string, lost *ldapi.UncertainError) (*ldapi.Token, error) {
	deadline := time.Now()
	if lost == nil || lost.InFlight {
		deadline = deadline.Add(a.opts.SettleWindow)
	}
	for i := 1; ; i++ {
		found, err := a.unseen(ctx, name)
		if err != nil {
			return nil, err
		}
		if len(found) > 0 {
			return &found[0], nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, nil
		}
		if err := sleep(ctx, min(a.opts.Client.Backoff(i), left)); err != nil {
			return nil, err
		}
	}
}

// unseen lists the tokens named name that the plan did not see, newest
// first.
func (a *run) unseen(ctx context.Context, name string) ([]ldapi.Token, error) {
	all, err := a.opts.Client.ListTokens(ctx, ldapi.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []ldapi.Token
	for _, t := range all {
		if t.Name == name && !a.known[t.ID] {
			out = append(out, t)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].CreationDate > out[j-1].CreationDate; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// adopt resets a token a lost create made, to obtain its secret. Nobody
// holds any secret of it, so a reset whose response was lost is sent again.
func (a *run) adopt(ctx context.Context, id string) (ldapi.Token, secret.Secret, error) {
	budget := max(1, a.opts.Client.MaxAttempts())
	for attempt := 1; ; attempt++ {
		tok, sec, err := a.opts.Client.ResetToken(ctx, id, time.Time{})
		var lost *ldapi.UncertainError
		if err == nil || !errors.As(err, &lost) || attempt >= budget {
			return tok, sec, err
		}
		if err := sleep(ctx, a.opts.Client.Backoff(attempt)); err != nil {
			return tok, sec, err
		}
	}
}

// sweep deletes, once every lost create of name has had its settle window
// to land, each token of that name the plan did not see except keep: twins
// whose secret nobody holds. After an abort or the deadline it lists at
// once, within RollbackTimeout.
func (a *run) sweep(ctx context.Context, name, keep string, settleBy time.Time, r *Result) error {
	if ctx.Err() == nil {
		_ = sleep(ctx, time.Until(settleBy))
	}
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	twins, err := a.unseen(cctx, name)
	if err != nil {
		return fmt.Errorf("a create whose response was lost may have made a token nobody holds the secret of, and listing to find it failed: %w; run plan: a token it lists twice under this name is such a twin, to delete", err)
	}
	var errs []error
	for _, t := range twins {
		if t.ID == keep {
			continue
		}
		if err := a.opts.Client.DeleteToken(cctx, t.ID); err != nil {
			r.Manual = fmt.Sprintf("delete token %s by hand: nobody holds its secret", t.ID)
			errs = append(errs, fmt.Errorf("twin %s, made by a create whose response was lost, could not be deleted: %w; nobody holds its secret: delete it by hand", t.ID, err))
			continue
		}
		r.Notes = append(r.Notes, fmt.Sprintf("deleted twin %s, made by a create whose response was lost: nobody held its secret", t.ID))
	}
	return errors.Join(errs...)
}

// deliverNew proves a new secret and hands it to the sinks, and says which
// sinks hold it.
func (a *run) deliverNew(ctx context.Context, c planner.Change, id string, sec secret.Secret) (custody, error) {
	cu := custody{id: id, failed: []string{a.opts.Sink.Name()}}
	if sec.IsZero() {
		return cu, errors.New("the server returned no secret")
	}
	if err := a.verify(ctx, id, sec); err != nil {
		return cu, err
	}
	err := a.opts.Sink.Deliver(ctx, secret.Delivery{Name: c.Name, SecretName: c.SecretName, ID: id, Action: string(c.Action), Secret: sec})
	if err == nil {
		return custody{id: id, held: []string{a.opts.Sink.Name()}}, nil
	}
	var de *secret.DeliveryError
	if errors.As(err, &de) {
		cu.held, cu.failed = de.Delivered, de.Failed
	}
	return cu, err
}

// verify proves a new secret: GET /api/v2/caller-identity with it must
// answer the token's id. Propagation may take a moment, so it asks again,
// with backoff, for up to VerifyWait.
func (a *run) verify(ctx context.Context, id string, s secret.Secret) error {
	if a.opts.NoVerify {
		return nil
	}
	deadline := time.Now().Add(a.opts.VerifyWait)
	var last error
	for i := 1; ; i++ {
		who, err := a.opts.Client.VerifySecret(ctx, s)
		switch {
		case err == nil && who.TokenID == id:
			return nil
		case err == nil:
			last = fmt.Errorf("it authenticates as token %q", who.TokenID)
		case ldapi.IsStatus(err, http.StatusNotFound):
			return errors.New("the new secret could not be proven: the API host has no GET /api/v2/caller-identity (pass --no-verify for such a host)")
		case ctx.Err() != nil:
			return fmt.Errorf("proving the new secret: %w", context.Cause(ctx))
		case ldapi.IsStatus(err, http.StatusUnauthorized):
			last = errors.New("it was refused (401)")
		default:
			last = err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("the new secret was not proven: GET /api/v2/caller-identity with it did not answer token %s within %s (%v)", id, a.opts.VerifyWait, last)
		}
		if err := sleep(ctx, min(a.opts.Client.Backoff(i), left)); err != nil {
			return fmt.Errorf("proving the new secret: %w", err)
		}
	}
}

// rollback deletes a new token whose secret no sink holds, within
// RollbackTimeout once ctx has ended.
func (a *run) rollback(ctx context.Context, c planner.Change, id string, cause error) (bool, error) {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	if err := a.opts.Client.DeleteToken(cctx, id); err != nil {
		return false, fmt.Errorf("%w; the new token %s could not be deleted again either (%v): nobody holds its secret, delete it by hand", cause, id, err)
	}
	if c.Action == planner.Create {
		return true, fmt.Errorf("%w; the new token was deleted again, the next apply creates it afresh", cause)
	}
	return true, fmt.Errorf("%w; the new token was deleted again", cause)
}

// holders says which sinks hold a new secret and which do not.
func holders(cu custody) string {
	return fmt.Sprintf("%s %s its secret (%s did not take it)", strings.Join(cu.held, ", "), verb(len(cu.held), "holds", "hold"), strings.Join(cu.failed, ", "))
}

func stillHold(sinks []string) string {
	return strings.Join(sinks, ", ") + " " + verb(len(sinks), "still holds what it held before, presumably", "still hold what they held before, presumably")
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// stamp writes a time as RFC 3339 UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
