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
	// Retire removes the old token of an earlier replace once its grace
	// ended: DELETE. It is never counted against prune.maxDeletes.
	Retire Action = "retire"
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
	ReasonRetireGraceEnded    = "retire_because_grace_ended"
)

// Reason says why a change is planned.
type Reason struct {
	// Code is one of the Reason* constants.
	Code string
	// Text says it in words, for people.
	Text string
}

// Fields are the declarable fields of a token, what a plan compares and
// shows: a token of which only the fields of ldapi.TokenFields are set (no
// id, owner, dates or secret hint).
type Fields = ldapi.Token

// Change is one planned action on one token.
//
// How to read Before and After, by Action:
//   - create: Before is nil; After is the token to create.
//   - update: Before is the remote token, After the desired one; Patch turns
//     one into the other and Guard tests the values Before saw.
//   - replace: Before is the token to delete, After the one to create.
//   - rotate: Before and After are the remote token (unchanged fields).
//   - delete, retire: Before is the token to delete; After is nil.
type Change struct {
	Action Action
	// Name is the token's declared name; for a prune, its remote name; for
	// a retire, the name it had before it was marked retiring.
	Name string
	// ID is the remote token's _id; empty for create.
	ID string
	// RemoteName is the remote token's name when it differs from Name (a
	// token pinned with id: and renamed, a retiring token); else empty.
	RemoteName string
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
	// ReplaceGrace is how long the old token of a replace keeps working,
	// retired rather than deleted; 0 deletes it at once.
	ReplaceGrace time.Duration
	// Fingerprint identifies the remote token's state when planned; empty
	// for create.
	Fingerprint string
	// SecretName is the name sinks store the token's secret under: the
	// declared secretName, else the one derived from Name.
	SecretName string
}

// Unmanaged is a remote token that is neither declared nor pruned. It is
// never changed.
type Unmanaged struct {
	Name         string
	ID           string
	ServiceToken bool
	// MemberID is set for another member's personal token.
	MemberID string
}

// Observed is a remote token the plan was made from. A saved plan's
// creates are refused when a token of the same name that the plan did not
// observe has appeared; the tokens it changes carry their own Fingerprint.
type Observed struct {
	ID   string
	Name string
}

// Retiring is the old token of an earlier replace, still within its grace:
// its secret keeps working until Until, and the first plan after that
// retires it. It is never paired, pruned or unmanaged.
type Retiring struct {
	// Name is its remote name, which carries the marker.
	Name string
	ID   string
	// OriginalName is the name it had before it was marked.
	OriginalName string
	// Until is when its grace ends.
	Until time.Time
}

// Plan is what an apply will do.
type Plan struct {
	// APIHost is the host the remote tokens were read from.
	APIHost string
	// AccountID identifies the account the plan was made for: the caller's
	// accountId, else the ownerId all listed tokens share; empty when
	// neither is known.
	AccountID string
	// CreatedAt is when the plan was made.
	CreatedAt time.Time
	// Changes are sorted by name, then by the order they run in.
	Changes []Change
	// Unchanged counts declared tokens that need nothing.
	Unchanged int
	// Unmanaged are sorted by name, then ID.
	Unmanaged []Unmanaged
	// Retiring are sorted by original name, then ID.
	Retiring []Retiring
	// Observed are every remote token the plan saw, ignored ones excepted,
	// sorted by ID.
	Observed []Observed
}

// Summary counts a plan's changes.
type Summary struct {
	Create    int
	Update    int
	Replace   int
	Rotate    int
	Delete    int
	Retire    int
	Unchanged int
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
		case Retire:
			s.Retire++
		}
	}
	return s
}

// Totals returns the counts of the plan's last line: a replace counts as one
// add and one destroy, a retire as a destroy.
func (s Summary) Totals() (add, change, destroy, rotate int) {
	return s.Create + s.Replace, s.Update, s.Delete + s.Replace + s.Retire, s.Rotate
}

// HasChanges reports whether applying the plan would call the API.
func (p Plan) HasChanges() bool { return len(p.Changes) > 0 }
