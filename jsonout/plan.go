package jsonout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/planner"
)

// Plan is a plan: what `plan -o json` prints and `plan --out` saves.
type Plan struct {
	Header
	APIHost string `json:"apiHost"`
	// AccountID is the account the plan was made for; absent when unknown.
	AccountID string    `json:"accountId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	Summary   Summary   `json:"summary"`
	Changes   []Change  `json:"changes"`
	// Unmanaged are the tokens neither declared nor pruned.
	Unmanaged []Unmanaged `json:"unmanaged"`
	// Retiring are the old tokens of earlier replaces, within their grace.
	Retiring []Retiring `json:"retiring"`
	// Observed are every remote token the plan saw, so that a saved plan
	// can tell when the world moved.
	Observed []Observed `json:"observed"`
}

// Summary counts a plan's changes by action.
type Summary struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Replace   int `json:"replace"`
	Rotate    int `json:"rotate"`
	Delete    int `json:"delete"`
	Retire    int `json:"retire"`
	Unchanged int `json:"unchanged"`
}

// Change is one planned action on one token.
type Change struct {
	Action string `json:"action"`
	Name   string `json:"name"`
	ID     string `json:"id,omitempty"`
	// RemoteName is the remote token's name when it is not Name.
	RemoteName  string    `json:"remoteName,omitempty"`
	Reasons     []string  `json:"reasons"`
	ReasonCodes []string  `json:"reasonCodes"`
	Patch       []PatchOp `json:"patch,omitempty"`
	Guard       []PatchOp `json:"guard,omitempty"`
	Before      Fields    `json:"before,omitempty"`
	After       Fields    `json:"after,omitempty"`
	// GraceSeconds is how long the old secret of a rotate keeps working.
	GraceSeconds int64 `json:"graceSeconds,omitempty"`
	// ReplaceGraceSeconds is how long the old token of a replace keeps
	// working; set on every replace, 0 meaning it is deleted at once.
	ReplaceGraceSeconds *int64 `json:"replaceGraceSeconds,omitempty"`
	Fingerprint         string `json:"fingerprint,omitempty"`
	// SecretName is the name sinks store the token's secret under.
	SecretName string `json:"secretName,omitempty"`
}

// Unmanaged is a remote token that is neither declared nor pruned.
type Unmanaged struct {
	Name         string `json:"name"`
	ID           string `json:"id"`
	ServiceToken bool   `json:"serviceToken"`
	// MemberID is set for a personal token that is not the caller's.
	MemberID string `json:"memberId,omitempty"`
}

// Retiring is the old token of an earlier replace, within its grace.
type Retiring struct {
	Name         string    `json:"name"`
	ID           string    `json:"id"`
	OriginalName string    `json:"originalName"`
	Until        time.Time `json:"until"`
}

// Observed is a remote token a plan saw.
type Observed struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// PatchOp is one RFC 6902 operation; Value is absent for remove.
type PatchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value,omitempty"`
}

// Fields are a token's declarable fields as a JSON object: one member per
// field of ldapi.TokenFields that the token has (name and serviceToken
// always), in the table's order.
type Fields json.RawMessage

// PlanOf builds the document of a plan.
func PlanOf(p planner.Plan) (Plan, error) {
	s := p.Summary()
	out := Plan{
		Header: header(KindPlan), APIHost: p.APIHost, AccountID: p.AccountID, CreatedAt: p.CreatedAt,
		Summary: Summary{Create: s.Create, Update: s.Update, Replace: s.Replace, Rotate: s.Rotate, Delete: s.Delete, Retire: s.Retire, Unchanged: s.Unchanged},
		Changes: []Change{}, Unmanaged: []Unmanaged{}, Retiring: []Retiring{}, Observed: []Observed{},
	}
	for _, c := range p.Changes {
		jc := Change{
			Action: string(c.Action), Name: c.Name, ID: c.ID, RemoteName: c.RemoteName,
			Reasons: []string{}, ReasonCodes: []string{},
			GraceSeconds: int64(c.Grace / time.Second), Fingerprint: c.Fingerprint, SecretName: c.SecretName,
		}
		for _, r := range c.Reasons {
			jc.Reasons = append(jc.Reasons, r.Text)
			jc.ReasonCodes = append(jc.ReasonCodes, r.Code)
		}
		if c.Action == planner.Replace {
			secs := int64(c.ReplaceGrace / time.Second)
			jc.ReplaceGraceSeconds = &secs
		}
		var err error
		if jc.Patch, err = patchOf(c.Patch); err != nil {
			return Plan{}, fmt.Errorf("change %s %s: %w", c.Action, c.Name, err)
		}
		if jc.Guard, err = patchOf(c.Guard); err != nil {
			return Plan{}, fmt.Errorf("change %s %s: %w", c.Action, c.Name, err)
		}
		if jc.Before, err = FieldsOf(c.Before); err != nil {
			return Plan{}, fmt.Errorf("change %s %s: %w", c.Action, c.Name, err)
		}
		if jc.After, err = FieldsOf(c.After); err != nil {
			return Plan{}, fmt.Errorf("change %s %s: %w", c.Action, c.Name, err)
		}
		out.Changes = append(out.Changes, jc)
	}
	for _, u := range p.Unmanaged {
		out.Unmanaged = append(out.Unmanaged, Unmanaged{Name: u.Name, ID: u.ID, ServiceToken: u.ServiceToken, MemberID: u.MemberID})
	}
	for _, r := range p.Retiring {
		out.Retiring = append(out.Retiring, Retiring{Name: r.Name, ID: r.ID, OriginalName: r.OriginalName, Until: r.Until})
	}
	for _, o := range p.Observed {
		out.Observed = append(out.Observed, Observed{ID: o.ID, Name: o.Name})
	}
	return out, nil
}

func patchOf(ops []ldapi.PatchOp) ([]PatchOp, error) {
	var out []PatchOp
	for _, op := range ops {
		jo := PatchOp{Op: op.Op, Path: op.Path}
		if op.Op != "remove" {
			v, err := json.Marshal(op.Value)
			if err != nil {
				return nil, fmt.Errorf("patch %s %s: %w", op.Op, op.Path, err)
			}
			jo.Value = v
		}
		out = append(out, jo)
	}
	return out, nil
}

// Operation converts the operation back, its value typed as the field of
// ldapi.TokenFields at its path holds it.
func (op PatchOp) Operation() (ldapi.PatchOp, error) {
	out := ldapi.PatchOp{Op: op.Op, Path: op.Path}
	if op.Op == "remove" {
		return out, nil
	}
	for _, f := range ldapi.TokenFields {
		if f.Path != op.Path {
			continue
		}
		var t ldapi.Token
		if err := json.Unmarshal(member(f.JSON, op.Value), &t); err != nil {
			return ldapi.PatchOp{}, fmt.Errorf("patch %s %s: bad value: %w", op.Op, op.Path, err)
		}
		out.Value = f.Value(&t)
		return out, nil
	}
	return ldapi.PatchOp{}, fmt.Errorf("patch %s %s: not a field ldtokens manages", op.Op, op.Path)
}

// member is the JSON object {name: value}.
func member(name string, value json.RawMessage) []byte {
	if len(value) == 0 {
		value = json.RawMessage("null")
	}
	b := append([]byte("{"), strconv.Quote(name)...)
	b = append(b, ':')
	b = append(b, value...)
	return append(b, '}')
}

// FieldsOf builds the object of a token's declarable fields; nil for nil.
func FieldsOf(t *ldapi.Token) (Fields, error) {
	if t == nil {
		return nil, nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, f := range ldapi.TokenFields {
		if !f.Shown(t) {
			continue
		}
		v, err := json.Marshal(f.Value(t))
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.JSON, err)
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(strconv.Quote(f.JSON))
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return Fields(b.Bytes()), nil
}

// MarshalJSON writes the object as it is.
func (f Fields) MarshalJSON() ([]byte, error) {
	if len(f) == 0 {
		return []byte("null"), nil
	}
	return f, nil
}

// UnmarshalJSON keeps the object as it is.
func (f *Fields) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = nil
		return nil
	}
	*f = append((*f)[:0], b...)
	return nil
}

// Token converts the object back: a token with its declarable fields set
// and nothing else. ok is false for an absent object.
func (f Fields) Token() (t ldapi.Token, ok bool, err error) {
	if len(f) == 0 {
		return ldapi.Token{}, false, nil
	}
	if err := json.Unmarshal(f, &t); err != nil {
		return ldapi.Token{}, false, err
	}
	return ldapi.Declared(t), true, nil
}
