// Package planfile is the JSON form of a plan: what `plan -o json` prints
// and `plan --out` saves, format version 1. It is its own versioned type,
// never a dump of the planner's structs: fields may be added, none renamed
// or removed within a format version. It holds no secret.
package planfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
)

// FormatVersion is the version this package reads and writes.
const FormatVersion = "1"

// File is a plan in JSON.
type File struct {
	FormatVersion string              `json:"formatVersion"`
	APIHost       string              `json:"apiHost"`
	CreatedAt     time.Time           `json:"createdAt"`
	Summary       planner.Summary     `json:"summary"`
	Changes       []Change            `json:"changes"`
	Unmanaged     []planner.Unmanaged `json:"unmanaged"`
	// Observed are the remote tokens the plan was made from, so a saved plan
	// can tell when the world moved.
	Observed []planner.Observed `json:"observed"`
}

// Change is one change in JSON.
type Change struct {
	Action      planner.Action  `json:"action"`
	Name        string          `json:"name"`
	ID          string          `json:"id,omitempty"`
	Reasons     []string        `json:"reasons"`
	ReasonCodes []string        `json:"reasonCodes"`
	Patch       []ldapi.PatchOp `json:"patch,omitempty"`
	Guard       []ldapi.PatchOp `json:"guard,omitempty"`
	Before      *planner.Fields `json:"before,omitempty"`
	After       *planner.Fields `json:"after,omitempty"`
	GraceSecs   int64           `json:"graceSeconds,omitempty"`
	Fingerprint string          `json:"fingerprint,omitempty"`
}

// FromPlan converts a plan to its JSON form.
func FromPlan(p planner.Plan) File {
	f := File{
		FormatVersion: FormatVersion,
		APIHost:       p.APIHost,
		CreatedAt:     p.CreatedAt,
		Summary:       p.Summary(),
		Changes:       []Change{},
		Unmanaged:     append([]planner.Unmanaged{}, p.Unmanaged...),
		Observed:      append([]planner.Observed{}, p.Observed...),
	}
	for _, c := range p.Changes {
		jc := Change{
			Action: c.Action, Name: c.Name, ID: c.ID, Patch: c.Patch, Guard: c.Guard,
			Before: c.Before, After: c.After, GraceSecs: int64(c.Grace / time.Second), Fingerprint: c.Fingerprint,
		}
		for _, r := range c.Reasons {
			jc.Reasons = append(jc.Reasons, r.Text)
			jc.ReasonCodes = append(jc.ReasonCodes, r.Code)
		}
		f.Changes = append(f.Changes, jc)
	}
	return f
}

// ToPlan converts the JSON form back to a plan.
func (f File) ToPlan() (planner.Plan, error) {
	if f.FormatVersion != FormatVersion {
		return planner.Plan{}, fmt.Errorf("plan format version %q: this ldtokens reads version %s", f.FormatVersion, FormatVersion)
	}
	p := planner.Plan{APIHost: f.APIHost, CreatedAt: f.CreatedAt, Unmanaged: f.Unmanaged, Observed: f.Observed, Unchanged: f.Summary.Unchanged}
	for i, c := range f.Changes {
		switch c.Action {
		case planner.Create, planner.Update, planner.Replace, planner.Rotate, planner.Delete:
		default:
			return planner.Plan{}, fmt.Errorf("plan change %d: unknown action %q", i, c.Action)
		}
		if c.Action != planner.Create && c.ID == "" {
			return planner.Plan{}, fmt.Errorf("plan change %d (%s %s): no id", i, c.Action, c.Name)
		}
		if (c.Action == planner.Create || c.Action == planner.Replace) && c.After == nil {
			return planner.Plan{}, fmt.Errorf("plan change %d (%s %s): no after", i, c.Action, c.Name)
		}
		pc := planner.Change{
			Action: c.Action, Name: c.Name, ID: c.ID, Patch: c.Patch, Guard: c.Guard,
			Before: c.Before, After: c.After, Grace: time.Duration(c.GraceSecs) * time.Second, Fingerprint: c.Fingerprint,
		}
		for j, text := range c.Reasons {
			code := ""
			if j < len(c.ReasonCodes) {
				code = c.ReasonCodes[j]
			}
			pc.Reasons = append(pc.Reasons, planner.Reason{Code: code, Text: text})
		}
		p.Changes = append(p.Changes, pc)
	}
	return p, nil
}

// Encode writes the plan as indented JSON.
func Encode(w io.Writer, p planner.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(FromPlan(p))
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
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return planner.Plan{}, fmt.Errorf("read plan %s: not a plan file: %w", path, err)
	}
	if f.FormatVersion == "" {
		return planner.Plan{}, errors.New("read plan " + path + ": not a plan file (no formatVersion)")
	}
	p, err := f.ToPlan()
	if err != nil {
		return planner.Plan{}, fmt.Errorf("read plan %s: %w", path, err)
	}
	return p, nil
}
