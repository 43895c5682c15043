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
// sends them (deletes last). A reset's expiry is computed from now.
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
			calls = append(calls, ldapi.CreateTokenCall(postOf(c.After)), ldapi.DeleteTokenCall(c.ID))
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
