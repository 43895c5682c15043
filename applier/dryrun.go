package applier

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
)

// Calls lists the HTTP requests the plan would send, in the order Apply
// sends them (deletes and retires last): a replace with a grace retires
// its old token (a rename to the retiring marker, then a reset expiring
// at the grace's end). Expiries are computed from now. Reads the applier
// makes to check its writes (the token before a reset, caller-identity
// with a new secret, listings after a lost create) are not listed.
func Calls(p planner.Plan, guard bool, now time.Time) []ldapi.Call {
	var calls, deletes []ldapi.Call
	for _, c := range p.Changes {
		switch c.Action {
		case planner.Create:
			calls = append(calls, ldapi.CreateTokenCall(postOf(c.After)))
		case planner.Update:
			ops := c.Patch
			if guard {
				ops = append(slices.Clone(c.Guard), c.Patch...)
			}
			calls = append(calls, ldapi.PatchTokenCall(c.ID, ops))
		case planner.Replace:
			calls = append(calls, ldapi.CreateTokenCall(postOf(c.After)))
			if c.ReplaceGrace == 0 {
				calls = append(calls, ldapi.DeleteTokenCall(c.ID))
				continue
			}
			until := now.Add(c.ReplaceGrace).UTC().Truncate(time.Second)
			calls = append(calls,
				ldapi.PatchTokenCall(c.ID, []ldapi.PatchOp{{Op: "replace", Path: "/name", Value: planner.RetireMarker(c.Name, until)}}),
				ldapi.ResetTokenCall(c.ID, until))
		case planner.Rotate:
			expiry := time.Time{}
			if c.Grace > 0 {
				expiry = now.Add(c.Grace)
			}
			calls = append(calls, ldapi.ResetTokenCall(c.ID, expiry))
		case planner.Delete, planner.Retire:
			deletes = append(deletes, ldapi.DeleteTokenCall(c.ID))
		}
	}
	return append(calls, deletes...)
}

// WriteCalls prints each call as its request line and JSON body.
func WriteCalls(w io.Writer, calls []ldapi.Call) error {
	for _, c := range calls {
		if _, err := fmt.Fprintln(w, c.String()); err != nil {
			return err
		}
		if c.Body != nil {
			b, err := json.Marshal(c.Body)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "  %s\n", b); err != nil {
				return err
			}
		}
	}
	return nil
}
