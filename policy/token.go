package policy

import (
	"time"

	"github.com/ldtokens/ldtokens/ldapi"
	"github.com/ldtokens/ldtokens/spec"
)

// Token is the token object rules see: `token` in a CEL expression, with the
// field names given in the cel tags. A declared token fills it from the spec;
// a remote token from LaunchDarkly's representation, plus Rotate from its
// declaration when it is declared.
type Token struct {
	// Name is the token's name.
	Name string `cel:"name"`
	// Description is the token's description; "" when it has none.
	Description string `cel:"description"`
	// Role is the built-in role (reader, writer, admin); "" when the token
	// has custom or inline roles.
	Role string `cel:"role"`
	// CustomRoles are custom role keys: as declared for a declared token;
	// for a remote token, its custom role IDs resolved to keys (an ID whose
	// role is not known is left out).
	CustomRoles []string `cel:"customRoles"`
	// CustomRoleIDs are custom role IDs: as declared for a declared token
	// (empty when it names keys), the token's for a remote one.
	CustomRoleIDs []string `cel:"customRoleIds"`
	// InlineRole is the token's policy statements.
	InlineRole []Statement `cel:"inlineRole"`
	// ServiceToken is false for a personal token.
	ServiceToken bool `cel:"serviceToken"`
	// DefaultAPIVersion is the token's default API version; 0 when a
	// declared token leaves it to LaunchDarkly.
	DefaultAPIVersion int `cel:"defaultApiVersion"`
	// Rotate is the declared rotation schedule; zero durations when the
	// token does not rotate (an undeclared remote token never does).
	Rotate Rotate `cel:"rotate"`
	// Declared is true for a declared token, and for a remote token that a
	// declaration pairs with.
	Declared bool `cel:"declared"`
	// ID is the remote token's _id; for a declared token, its id: pin or "".
	ID string `cel:"id"`
	// CreationDate, LastModified and LastUsed are time.Time values for a
	// remote token and nil (CEL null) for a declared one; LastUsed is nil
	// too when the token was never used. Only remote tokens have them, so
	// a rule that reads them checks remote tokens only (see spec.Rule.Scope).
	CreationDate any `cel:"creationDate"`
	LastModified any `cel:"lastModified"`
	LastUsed     any `cel:"lastUsed"`
}

// Statement is a policy statement of Token.InlineRole. Its fields are
// ldapi.Statement's, in the same order, so one converts to the other.
type Statement struct {
	// Effect is allow or deny.
	Effect string `cel:"effect"`
	// Resources and NotResources: one of them is empty.
	Resources    []string `cel:"resources"`
	NotResources []string `cel:"notResources"`
	// Actions and NotActions: one of them is empty.
	Actions    []string `cel:"actions"`
	NotActions []string `cel:"notActions"`
}

// Rotate is Token.Rotate: CEL durations.
type Rotate struct {
	// Every is how often the secret is reset; 0 when it is not.
	Every time.Duration `cel:"every"`
	// Grace is how long the old secret keeps working after a reset.
	Grace time.Duration `cel:"grace"`
}

// remoteOnly are the fields of Token that only remote tokens have.
var remoteOnly = []string{"creationDate", "lastModified", "lastUsed"}

// declaredToken is the object rules see for a declared token.
func declaredToken(t spec.Token) Token {
	out := Token{
		Name:              t.Name,
		Description:       t.Description,
		Role:              t.Role,
		CustomRoles:       t.CustomRoles,
		CustomRoleIDs:     t.CustomRoleIDs,
		InlineRole:        make([]Statement, len(t.InlineRole)),
		ServiceToken:      t.IsService(),
		DefaultAPIVersion: t.DefaultAPIVersion,
		Declared:          true,
		ID:                t.ID,
	}
	for i, s := range t.InlineRole {
		out.InlineRole[i] = Statement{Effect: s.Effect, Actions: s.Actions, NotActions: s.NotActions, Resources: s.Resources, NotResources: s.NotResources}
	}
	out.Rotate = rotateOf(&t)
	return out
}

// rotateOf is the declared rotation schedule of d; zero when d is nil or
// does not rotate.
func rotateOf(d *spec.Token) Rotate {
	if d == nil || d.Rotate == nil {
		return Rotate{}
	}
	return Rotate{Every: d.Rotate.Every.Duration, Grace: d.Rotate.Grace.Duration}
}

// remoteToken is the object rules see for a remote token; decl is its
// declaration, or nil.
func remoteToken(t ldapi.Token, decl *spec.Token, roleKeys map[string]string) Token {
	out := Token{
		Name:              t.Name,
		Description:       t.Description,
		Role:              t.Role,
		CustomRoleIDs:     t.CustomRoleIDs,
		InlineRole:        make([]Statement, len(t.InlineRole)),
		ServiceToken:      t.ServiceToken,
		DefaultAPIVersion: t.DefaultAPIVersion,
		Declared:          decl != nil,
		ID:                t.ID,
		CreationDate:      epochMillis(t.CreationDate),
		LastModified:      epochMillis(t.LastModified),
		LastUsed:          epochMillis(t.LastUsed),
	}
	for _, id := range t.CustomRoleIDs {
		if k, ok := roleKeys[id]; ok {
			out.CustomRoles = append(out.CustomRoles, k)
		}
	}
	for i, s := range t.InlineRole {
		out.InlineRole[i] = Statement(s)
	}
	out.Rotate = rotateOf(decl)
	return out
}

// epochMillis is the time ms after the epoch, UTC, or nil for 0 (never).
func epochMillis(ms int64) any {
	if ms == 0 {
		return nil
	}
	return time.UnixMilli(ms).UTC()
}
