package spec

import "time"

// File is the format of one spec file. Several files merge into one Spec.
// Top-level keys that start with x- are ignored: a place for YAML anchors
// that tokens merge in (`x-base: &base {...}` then `<<: *base`).
type File struct {
	// Tokens declares access tokens.
	Tokens []Token `json:"tokens,omitempty" jsonschema:"description=Access tokens; each identified by a name unique across all files"`
	// Prune deletes undeclared tokens whose names match its globs.
	Prune *Prune `json:"prune,omitempty" jsonschema:"description=Delete undeclared tokens; only inside these globs. At most one file may set it"`
	// Ignore hides tokens whose names match these globs from plans and drift.
	Ignore []string `json:"ignore,omitempty" spec:"glob" jsonschema:"description=Globs of token names that are never reported or touched"`
	// Defaults are spec-wide defaults for token fields.
	Defaults *Defaults `json:"defaults,omitempty" jsonschema:"description=Spec-wide defaults for token fields. At most one file may set it"`
	// Policy holds the rules every token must follow.
	Policy *Policy `json:"policy,omitempty" jsonschema:"description=Rules every token must follow; declared or not. At most one file may set it"`
}

// Token declares one access token. Field names mirror the LaunchDarkly API.
type Token struct {
	// Name identifies the token; unique across all files.
	Name string `json:"name" jsonschema:"required,minLength=1,description=Identity of the token; unique across all files"`
	// ID pins one remote token when names are not unique.
	ID string `json:"id,omitempty" jsonschema:"description=Pin one remote token by _id when names are not unique"`
	// State is StatePresent or StateAbsent. Load sets StatePresent where the
	// spec leaves it out; for a Token built in code, empty means present.
	State string `json:"state,omitempty" jsonschema:"description=absent deletes the token if it exists"`
	// Description is the token's description; empty means none.
	Description string `json:"description,omitempty"`
	// Role is a built-in role, one of Roles.
	Role string `json:"role,omitempty"`
	// CustomRoles are custom role keys, resolved to IDs when planning.
	CustomRoles []string `json:"customRoles,omitempty" jsonschema:"description=Custom role keys; resolved to IDs"`
	// CustomRoleIDs are custom role IDs.
	CustomRoleIDs []string `json:"customRoleIds,omitempty" jsonschema:"description=Custom role IDs"`
	// InlineRole is a list of policy statements.
	InlineRole []Statement `json:"inlineRole,omitempty" jsonschema:"description=LaunchDarkly policy statements"`
	// ServiceToken is true (the default) for a service token, false for a
	// personal token that dies with its member.
	ServiceToken *bool `json:"serviceToken,omitempty" jsonschema:"description=Default true; personal tokens die with their member"`
	// DefaultAPIVersion is the API version for requests made with the token
	// that send no LD-API-Version header, one of APIVersions; 0 leaves it to
	// LaunchDarkly.
	DefaultAPIVersion int `json:"defaultApiVersion,omitempty"`
	// Rotate asks for the secret to be reset on a schedule.
	Rotate *Rotate `json:"rotate,omitempty"`
	// Replace sets how a replace of this token retires the old one.
	Replace *ReplaceOpts `json:"replace,omitempty" jsonschema:"description=How long the old token keeps working after a replace"`
	// SecretName is the name a sink stores the secret under; empty means
	// DefaultSecretName(Name). Use SinkName, which applies the default.
	SecretName string `json:"secretName,omitempty" jsonschema:"description=Name a secret sink stores the secret under (a GitHub secret name); default derived from name"`

	// Pos is where the token's entry starts.
	Pos Position `json:"-"`
	keyPositions
}

// Statement is a LaunchDarkly policy statement.
type Statement struct {
	// Effect is one of Effects.
	Effect string `json:"effect" jsonschema:"required"`
	// Resources and NotResources: exactly one is set.
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"notResources,omitempty"`
	// Actions and NotActions: exactly one is set.
	Actions    []string `json:"actions,omitempty"`
	NotActions []string `json:"notActions,omitempty"`

	// Pos is where the statement starts.
	Pos Position `json:"-"`
}

// Rotate is a rotation schedule.
type Rotate struct {
	// Every is how long a secret lives before it is reset; more than 0.
	Every Duration `json:"every" jsonschema:"required"`
	// Grace is how long the old secret keeps working after a reset; less
	// than Every.
	Grace Duration `json:"grace,omitempty"`
}

// ReplaceOpts sets how a replace retires the old token.
type ReplaceOpts struct {
	// Grace is how long the old token's secret keeps working after the new
	// token's secret is delivered; 0 deletes the old token at once.
	Grace Duration `json:"grace" jsonschema:"required,description=How long the old token's secret keeps working after a replace; 0 deletes it at once"`

	// Pos is where the replace block starts.
	Pos Position `json:"-"`
	keyPositions
}

// Defaults are spec-wide defaults for token fields.
type Defaults struct {
	// ReplaceGrace is the replace grace of tokens that set none; nil means
	// DefaultReplaceGrace.
	ReplaceGrace *Duration `json:"replaceGrace,omitempty" jsonschema:"description=How long an old token's secret keeps working after a replace (default 1h; 0 deletes it at once)"`

	// Pos is where the defaults block starts.
	Pos Position `json:"-"`
}

// Prune scopes the deletion of undeclared tokens.
type Prune struct {
	// Enabled turns pruning on; Match must then be set.
	Enabled bool `json:"enabled"`
	// Match lists the globs of names that may be pruned.
	Match []string `json:"match,omitempty" spec:"glob"`
	// MaxDeletes caps the deletes (replaces included) of one plan; default 5.
	MaxDeletes *int `json:"maxDeletes,omitempty" jsonschema:"minimum=0,description=Refuse any plan that deletes more (default 5)"`

	// Pos is where the prune block starts.
	Pos Position `json:"-"`
}

// Spec is the merged content of every spec file, validated.
type Spec struct {
	// Tokens are the declared tokens in file order; names and sink names
	// are unique.
	Tokens []Token
	// Prune is the prune policy; its zero value prunes nothing.
	Prune Prune
	// Ignore are globs of names that are never reported or touched.
	Ignore []string
	// Defaults are the spec-wide defaults; the zero value sets none.
	Defaults Defaults
	// Policy holds the rules every token must follow; the zero value has
	// none.
	Policy Policy
	// Files are the files the spec was read from.
	Files []string
}

// DefaultMaxDeletes is the deletion cap when prune.maxDeletes is not set.
const DefaultMaxDeletes = 5

// DefaultReplaceGrace is the replace grace when neither the token nor the
// spec's defaults set one.
const DefaultReplaceGrace = time.Hour

// MaxDeletesOrDefault returns the deletion cap.
func (p Prune) MaxDeletesOrDefault() int {
	if p.MaxDeletes == nil {
		return DefaultMaxDeletes
	}
	return *p.MaxDeletes
}

// Absent reports whether the token is declared absent.
func (t Token) Absent() bool { return t.State == StateAbsent }

// IsService reports whether the token is (or is to be) a service token.
func (t Token) IsService() bool { return t.ServiceToken == nil || *t.ServiceToken }

// FieldPos returns where key was set, or the token's position when it was not.
func (t Token) FieldPos(key string) Position { return t.posOf(key, t.Pos) }

// Present lists the tokens not declared absent.
func (s *Spec) Present() []Token {
	var out []Token
	for _, t := range s.Tokens {
		if !t.Absent() {
			out = append(out, t)
		}
	}
	return out
}

// RotateEvery returns the rotation period, or 0 when the token does not rotate.
func (t Token) RotateEvery() time.Duration {
	if t.Rotate == nil {
		return 0
	}
	return t.Rotate.Every.Duration
}

// ReplaceGrace returns how long the old token's secret keeps working after a
// replace of t: the token's replace.grace, else the spec's
// defaults.replaceGrace, else DefaultReplaceGrace. 0 means delete at once.
func (t Token) ReplaceGrace(d Defaults) time.Duration {
	switch {
	case t.Replace != nil:
		return t.Replace.Grace.Duration
	case d.ReplaceGrace != nil:
		return d.ReplaceGrace.Duration
	}
	return DefaultReplaceGrace
}

// keyPositions remembers, for a mapping the loader decoded, where the value
// of each key was set and which keys could not be decoded (so that they are
// reported once, and not checked again).
type keyPositions struct {
	at      map[string]Position
	invalid map[string]bool
}

// setKey records that key's value is at p.
func (k *keyPositions) setKey(key string, p Position) {
	if k.at == nil {
		k.at = map[string]Position{}
	}
	k.at[key] = p
}

// markInvalid records that key's value could not be decoded.
func (k *keyPositions) markInvalid(key string) {
	if k.invalid == nil {
		k.invalid = map[string]bool{}
	}
	k.invalid[key] = true
}

// has reports whether key was set.
func (k keyPositions) has(key string) bool {
	_, ok := k.at[key]
	return ok
}

// posOf returns where key's value is, or fallback when key was not set.
func (k keyPositions) posOf(key string, fallback Position) Position {
	if p, ok := k.at[key]; ok {
		return p
	}
	return fallback
}
