package planner

import (
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
)

// Action is what a change does to a token.
type Action string

// The actions, in the order a token's changes run.
const (
	// Create makes a declared token that does not exist: POST.
	Create Action = "create"
	// Update patches mutable fields: PATCH with a minimal JSON Patch.
	Update Action = "update"
	// Replace creates a new token, delivers its secret, then deletes the
	// old one, for fields fixed at creation.
	Replace Action = "replace"
	// Rotate resets the secret, the old one living on for the grace period.
	Rotate Action = "rotate"
	// Delete removes a token declared absent, or pruned.
	Delete Action = "delete"
)

// YieldsSecret reports whether the action issues a new secret.
func (a Action) YieldsSecret() bool { return a == Create || a == Replace || a == Rotate }

// Reason codes: stable strings that say why a change is planned.
const (
	ReasonCreateMissing       = "create_because_missing"
	ReasonUpdateFields        = "update_because_fields_differ"
	ReasonReplaceServiceToken = "replace_because_service_token"
	ReasonReplaceAPIVersion   = "replace_because_default_api_version"
	ReasonReplacePermissions  = "replace_because_service_token_permissions"
	ReasonRotateDue           = "rotate_because_due"
	ReasonRotateRequested     = "rotate_because_requested"
	ReasonDeleteAbsent        = "delete_because_absent"
	ReasonDeletePruned        = "delete_because_pruned"
)

// Reason says why a change is planned.
type Reason struct {
	// Code is one of the Reason* constants.
	Code string
	// Text says it in words, for people.
	Text string
}

// Fields are the declarable fields of a token: what a plan compares and
// shows. They hold no secret.
type Fields struct {
	Name              string            `json:"name"`
	Description       string            `json:"description,omitempty"`
	Role              string            `json:"role,omitempty"`
	CustomRoleIDs     []string          `json:"customRoleIds,omitempty"`
	InlineRole        []ldapi.Statement `json:"inlineRole,omitempty"`
	ServiceToken      bool              `json:"serviceToken"`
	DefaultAPIVersion int               `json:"defaultApiVersion,omitempty"`
}

// Change is one planned action on one token.
//
// How to read Before and After, by Action:
//   - create: Before is nil; After is the token to create.
//   - update: Before is the remote token, After the desired one; Patch turns
//     one into the other and Guard tests the values Before saw.
//   - replace: Before is the token to delete, After the one to create.
//   - rotate: Before and After are the remote token (unchanged fields).
//   - delete: Before is the token to delete; After is nil.
type Change struct {
	Action Action
	// Name is the token's declared (or, for a prune, remote) name.
	Name string
	// ID is the remote token's _id; empty for create.
	ID string
	// Reasons say why, most important first; never empty.
	Reasons []Reason
	// Patch is the minimal RFC 6902 patch of an update.
	Patch []ldapi.PatchOp
	// Guard holds RFC 6902 test operations on the values the plan saw, for
	// the fields Patch replaces or removes.
	Guard  []ldapi.PatchOp
	Before *Fields
	After  *Fields
	// Grace is how long the old secret of a rotate keeps working.
	Grace time.Duration
	// ReplaceGrace is how long the old token of a replace keeps working
	// (retired, BRIEF §5); 0 deletes it at once.
	ReplaceGrace time.Duration
	// SecretName is the name sinks store the token's secret under.
	SecretName string
	// Fingerprint identifies the remote token's state when planned; empty
	// for create.
	Fingerprint string
}

// Unmanaged is a remote token that is neither declared nor pruned. It is
// never changed.
type Unmanaged struct {
	Name         string `json:"name"`
	ID           string `json:"id"`
	ServiceToken bool   `json:"serviceToken"`
	// MemberID is set for another member's personal token.
	MemberID string `json:"memberId,omitempty"`
}

// Observed is a remote token the plan was made from. A saved plan's
// creates are refused when a token of the same name that the plan did not
// observe has appeared; the tokens it changes carry their own Fingerprint.
type Observed struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Plan is what an apply will do.
type Plan struct {
	// APIHost is the host the remote tokens were read from.
	APIHost string
	// AccountID is the account the plan was made for (BRIEF §8).
	AccountID string
	// CreatedAt is when the plan was made.
	CreatedAt time.Time
	// Changes are sorted by name, then by the order they run in.
	Changes []Change
	// Unchanged counts declared tokens that need nothing.
	Unchanged int
	// Unmanaged are sorted by name, then ID.
	Unmanaged []Unmanaged
	// Observed are every remote token the plan saw, ignored ones excepted,
	// sorted by ID.
	Observed []Observed
}

// Summary counts a plan's changes.
type Summary struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Replace   int `json:"replace"`
	Rotate    int `json:"rotate"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
}

// Summary counts the plan's changes by action.
func (p Plan) Summary() Summary {
	s := Summary{Unchanged: p.Unchanged}
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Replace:
			s.Replace++
		case Rotate:
			s.Rotate++
		case Delete:
			s.Delete++
		}
	}
	return s
}

// Totals returns the counts of the plan's last line: a replace counts as one
// add and one destroy.
func (s Summary) Totals() (add, change, destroy, rotate int) {
	return s.Create + s.Replace, s.Update, s.Delete + s.Replace, s.Rotate
}

// HasChanges reports whether applying the plan would call the API.
func (p Plan) HasChanges() bool { return len(p.Changes) > 0 }
