// Package planfile writes and reads a plan as JSON: what `plan -o json`
// prints and `plan --out` saves, the document of kind "plan" defined by
// jsonout. Reading converts it back into a planner.Plan and refuses what is
// not a plan this ldtokens can apply. It holds no secret.
package planfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ldtokens/ldtokens/jsonout"
	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
)

// Encode writes the plan as indented JSON.
func Encode(w io.Writer, p planner.Plan) error {
	doc, err := jsonout.PlanOf(p)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// Write saves a plan to path with mode 0600.
func Write(path string, p planner.Plan) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("save plan: %w", err)
	}
	if err := Encode(f, p); err != nil {
		f.Close()
		return fmt.Errorf("save plan: %w", err)
	}
	return f.Close()
}

// Read loads a saved plan.
func Read(path string) (planner.Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return planner.Plan{}, fmt.Errorf("read plan: %w", err)
	}
	var doc jsonout.Plan
	if err := json.Unmarshal(data, &doc); err != nil {
		return planner.Plan{}, fmt.Errorf("read plan %s: not a plan file: %w", path, err)
	}
	if doc.FormatVersion == "" {
		return planner.Plan{}, errors.New("read plan " + path + ": not a plan file (no formatVersion)")
	}
	p, err := Decode(doc)
	if err != nil {
		return planner.Plan{}, fmt.Errorf("read plan %s: %w", path, err)
	}
	return p, nil
}

// Decode converts a plan document back to a plan, refusing what an apply
// could not execute as planned. A document without a kind is a plan
// saved before documents had one.
func Decode(doc jsonout.Plan) (planner.Plan, error) {
	if doc.FormatVersion != jsonout.FormatVersion {
		return planner.Plan{}, fmt.Errorf("plan format version %q: this ldtokens reads version %s", doc.FormatVersion, jsonout.FormatVersion)
	}
	if doc.Kind != "" && doc.Kind != jsonout.KindPlan {
		return planner.Plan{}, fmt.Errorf("a %s document, not a plan", doc.Kind)
	}
	p := planner.Plan{APIHost: doc.APIHost, AccountID: doc.AccountID, CreatedAt: doc.CreatedAt, Unchanged: doc.Summary.Unchanged}
	for i, c := range doc.Changes {
		pc, err := changeOf(c)
		if err != nil {
			return planner.Plan{}, fmt.Errorf("plan change %d (%s %s): %w", i, c.Action, c.Name, err)
		}
		p.Changes = append(p.Changes, pc)
	}
	for _, u := range doc.Unmanaged {
		p.Unmanaged = append(p.Unmanaged, planner.Unmanaged{Name: u.Name, ID: u.ID, ServiceToken: u.ServiceToken, MemberID: u.MemberID})
	}
	for _, r := range doc.Retiring {
		p.Retiring = append(p.Retiring, planner.Retiring{Name: r.Name, ID: r.ID, OriginalName: r.OriginalName, Until: r.Until})
	}
	for _, o := range doc.Observed {
		p.Observed = append(p.Observed, planner.Observed{ID: o.ID, Name: o.Name})
	}
	return p, nil
}

func changeOf(c jsonout.Change) (planner.Change, error) {
	action := planner.Action(c.Action)
	switch action {
	case planner.Create, planner.Update, planner.Replace, planner.Rotate, planner.Delete, planner.Retire:
	default:
		return planner.Change{}, fmt.Errorf("unknown action %q", c.Action)
	}
	if action != planner.Create && c.ID == "" {
		return planner.Change{}, errors.New("no id")
	}
	pc := planner.Change{
		Action: action, Name: c.Name, ID: c.ID, RemoteName: c.RemoteName, Fingerprint: c.Fingerprint, SecretName: c.SecretName,
		Grace: time.Duration(c.GraceSeconds) * time.Second,
	}
	if c.ReplaceGraceSeconds != nil {
		pc.ReplaceGrace = time.Duration(*c.ReplaceGraceSeconds) * time.Second
	}
	for j, text := range c.Reasons {
		code := ""
		if j < len(c.ReasonCodes) {
			code = c.ReasonCodes[j]
		}
		pc.Reasons = append(pc.Reasons, planner.Reason{Code: code, Text: text})
	}
	var err error
	if pc.Patch, err = operations(c.Patch); err != nil {
		return planner.Change{}, err
	}
	if pc.Guard, err = operations(c.Guard); err != nil {
		return planner.Change{}, err
	}
	if pc.Before, err = fields(c.Before); err != nil {
		return planner.Change{}, fmt.Errorf("before: %w", err)
	}
	if pc.After, err = fields(c.After); err != nil {
		return planner.Change{}, fmt.Errorf("after: %w", err)
	}
	if (action == planner.Create || action == planner.Replace) && pc.After == nil {
		return planner.Change{}, errors.New("no after")
	}
	return pc, nil
}

func operations(ops []jsonout.PatchOp) ([]ldapi.PatchOp, error) {
	var out []ldapi.PatchOp
	for _, op := range ops {
		o, err := op.Operation()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func fields(f jsonout.Fields) (*planner.Fields, error) {
	t, ok, err := f.Token()
	if err != nil || !ok {
		return nil, err
	}
	return &t, nil
}
