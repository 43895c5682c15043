package applier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
	"github.com/ldtokens/ldtokens/secret"
)

// This file holds the writes whose response may be lost: each is verified
// by reading the token, never blindly repeated.

// update sends the change's patch.
func (a *run) update(ctx context.Context, c planner.Change, r *Result) error {
	err := a.patch(ctx, c.ID, c.Patch, c.Guard, a.opts.Guard, r)
	if err != nil && a.opts.Guard && ldapi.IsStatus(err, 422) && len(c.Guard) > 0 {
		err = fmt.Errorf("%w (the token changed since the plan was made: plan again)", err)
	}
	return err
}

// patch sends ops (after guard's tests, when sendGuard). When the response
// is lost it reads the token: the desired values mean the patch landed;
// the values guard saw mean it did not, and it is sent again within the
// retry budget; anything else fails, naming the fields.
func (a *run) patch(ctx context.Context, id string, ops, guard []ldapi.PatchOp, sendGuard bool, r *Result) error {
	body := ops
	if sendGuard {
		body = append(slices.Clone(guard), ops...)
	}
	budget := max(1, a.opts.Client.MaxAttempts())
	for attempt := 1; ; attempt++ {
		_, err := a.opts.Client.PatchToken(ctx, id, body)
		var lost *ldapi.UncertainError
		if err == nil || !errors.As(err, &lost) {
			return err
		}
		got, gerr := a.opts.Client.GetToken(ctx, id)
		if gerr != nil {
			return fmt.Errorf("%w; reading the token to see whether it landed failed too: %v", err, gerr)
		}
		switch patchState(got, ops, guard) {
		case patchLanded:
			r.Notes = append(r.Notes, "patch response lost; the token shows the change, so it landed")
			return nil
		case patchNotLanded:
			if attempt >= budget {
				return err
			}
			r.Notes = append(r.Notes, "patch response lost and the token unchanged; sent again")
			if err := sleep(ctx, a.opts.Client.Backoff(attempt)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w; the token's %s now hold neither the values the plan saw nor the desired ones: plan again", err, paths(ops))
		}
	}
}

type patchResult int

const (
	patchOther patchResult = iota
	patchLanded
	patchNotLanded
)

// patchState compares a token with a patch: every op holds (landed), every
// field still has the value the plan saw (not landed: guard's test value,
// or absent for an add), or neither.
func patchState(t ldapi.Token, ops, guard []ldapi.PatchOp) patchResult {
	var doc any
	if b, err := json.Marshal(t); err != nil || json.Unmarshal(b, &doc) != nil {
		return patchOther
	}
	was := map[string]any{}
	for _, g := range guard {
		was[g.Path] = g.Value
	}
	landed, unchanged := true, true
	for _, op := range ops {
		have, found := pointer(doc, op.Path)
		if op.Op == "remove" {
			landed = landed && isEmpty(have, found)
		} else {
			landed = landed && found && sameJSON(have, op.Value)
		}
		if old, ok := was[op.Path]; ok {
			unchanged = unchanged && found && sameJSON(have, old)
		} else {
			unchanged = unchanged && isEmpty(have, found)
		}
	}
	switch {
	case landed:
		return patchLanded
	case unchanged:
		return patchNotLanded
	}
	return patchOther
}

// pointer resolves an RFC 6901 JSON Pointer in a decoded JSON document.
func pointer(doc any, path string) (any, bool) {
	if path == "" {
		return doc, true
	}
	if !strings.HasPrefix(path, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(path[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// sameJSON compares a decoded JSON value with any value by their JSON.
func sameJSON(have, want any) bool {
	b, err := json.Marshal(want)
	if err != nil {
		return false
	}
	var w any
	if json.Unmarshal(b, &w) != nil {
		return false
	}
	return reflect.DeepEqual(have, w)
}

// isEmpty reports whether a member is absent or empty, as the API shows a
// removed field.
func isEmpty(v any, found bool) bool {
	if !found || v == nil {
		return true
	}
	switch x := v.(type) {
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func paths(ops []ldapi.PatchOp) string {
	var l []string
	for _, op := range ops {
		l = append(l, strings.TrimPrefix(op.Path, "/"))
	}
	return strings.Join(l, ", ")
}

// errResetLanded says a reset whose response was lost did land (or may
// have): its new secret is lost, and it must not be sent again, since
// LaunchDarkly keeps one previous secret and a second reset would end the
// consumers' secret at once.
var errResetLanded = errors.New("the reset's response was lost after it landed")

// reset resets a token's secret, the old one expiring at expiry (at once
// when zero). It reads the token first; after a lost response it reads it
// again, and only when the secret's hint and lastModified are as before
// does it reset again, within the retry budget. Otherwise it returns an
// error wrapping errResetLanded.
func (a *run) reset(ctx context.Context, id string, expiry time.Time) (ldapi.Token, secret.Secret, error) {
	before, err := a.opts.Client.GetToken(ctx, id)
	if err != nil {
		return ldapi.Token{}, secret.Secret{}, fmt.Errorf("read the token before resetting it: %w", err)
	}
	budget := max(1, a.opts.Client.MaxAttempts())
	for attempt := 1; ; attempt++ {
		tok, sec, err := a.opts.Client.ResetToken(ctx, id, expiry)
		var lost *ldapi.UncertainError
		if err == nil || !errors.As(err, &lost) {
			return tok, sec, err
		}
		cctx, cancel := cleanupContext(ctx)
		now, gerr := a.opts.Client.GetToken(cctx, id)
		cancel()
		switch {
		case gerr != nil:
			return tok, sec, fmt.Errorf("%w (%v), or may have: reading the token to tell failed too (%v)", errResetLanded, err, gerr)
		case now.Hint != before.Hint || now.LastModified != before.LastModified:
			return tok, sec, fmt.Errorf("%w (%v)", errResetLanded, err)
		case attempt >= budget || ctx.Err() != nil:
			return tok, sec, err
		}
		if err := sleep(ctx, a.opts.Client.Backoff(attempt)); err != nil {
			return tok, sec, err
		}
	}
}

// remove deletes a token (a delete, or a retire whose grace has passed) and
// then tells the sinks, so that a stored secret can be removed too. A
// retire's Name is the name the token had before it was marked retiring;
// its delete is marked Retired, since the secret stored under that name is
// its replacement's.
func (a *run) remove(ctx context.Context, c planner.Change, r *Result) error {
	if err := a.opts.Client.DeleteToken(ctx, c.ID); err != nil {
		return err
	}
	if a.opts.Sink == nil {
		return nil
	}
	d := secret.Delivery{Name: c.Name, SecretName: c.SecretName, ID: c.ID, Action: secret.ActionDelete, Retired: c.Action == planner.Retire}
	if err := a.opts.Sink.Deliver(ctx, d); err != nil {
		r.Manual = fmt.Sprintf("remove what the sinks stored for token %s by hand", c.ID)
		return fmt.Errorf("the token was deleted, but telling the sinks failed: %w", err)
	}
	r.Notes = append(r.Notes, "sinks told")
	return nil
}
