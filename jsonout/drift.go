package jsonout

import (
	"time"

	"github.com/ldtokens/ldtokens/audit"
)

// Drift is a drift audit.
type Drift struct {
	Header
	InSync      bool        `json:"inSync"`
	Changed     []DriftItem `json:"changed"`
	Missing     []DriftItem `json:"missing"`
	Unmanaged   []DriftItem `json:"unmanaged"`
	RotationDue []DriftItem `json:"rotationDue"`
	// Retiring are replaced tokens: until is when the old secret stops
	// working; those past it are deleted by the next apply.
	Retiring []DriftItem `json:"retiring"`
	Findings []Finding   `json:"findings"`
	// Notes say what the audit could not find out.
	Notes []string `json:"notes,omitempty"`
}

// DriftItem is one drifted or retiring token.
type DriftItem struct {
	Name string `json:"name"`
	ID   string `json:"id,omitempty"`
	// Detail says what differs; Advice what to do about it.
	Detail string `json:"detail"`
	Advice string `json:"advice"`
	// Until is when a retiring token's old secret stops working.
	Until *time.Time `json:"until,omitempty"`
	// ChangedBy, ChangedAt and Change say who last changed a changed or
	// unmanaged token, when, and how, from the audit log; changedBy is
	// "unknown" when it could not tell.
	ChangedBy string     `json:"changedBy,omitempty"`
	ChangedAt *time.Time `json:"changedAt,omitempty"`
	Change    string     `json:"change,omitempty"`
	// ChangedByLdtokens is set when that change was ldtokens' own.
	ChangedByLdtokens bool `json:"changedByLdtokens,omitempty"`
}

// Finding is a hygiene problem with a token, or a policy violation.
type Finding struct {
	// Kind is stale, risky or policy.
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	ID     string `json:"id"`
	Detail string `json:"detail"`
	Advice string `json:"advice"`
	// Rule and Severity (error or warning) name the broken rule of a
	// policy finding.
	Rule     string `json:"rule,omitempty"`
	Severity string `json:"severity,omitempty"`
}

// DriftOf builds the document of a drift audit.
func DriftOf(r audit.Report) Drift {
	out := Drift{
		Header: header(KindDrift), InSync: r.InSync(),
		Changed: items(r.Changed), Missing: items(r.Missing), Unmanaged: items(r.Unmanaged),
		RotationDue: items(r.RotationDue), Retiring: items(r.Retiring), Findings: []Finding{}, Notes: r.Notes,
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, Finding{Kind: f.Kind, Name: f.Name, ID: f.ID, Detail: f.Detail, Advice: f.Advice, Rule: f.Rule, Severity: f.Severity})
	}
	return out
}

func items(in []audit.Item) []DriftItem {
	out := make([]DriftItem, 0, len(in))
	for _, it := range in {
		out = append(out, DriftItem{
			Name: it.Name, ID: it.ID, Detail: it.Detail, Advice: it.Advice, Until: timeOrNil(it.Until),
			ChangedBy: it.By, ChangedAt: timeOrNil(it.At), Change: it.What, ChangedByLdtokens: it.Self,
		})
	}
	return out
}

// timeOrNil leaves a zero time out of a document.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
