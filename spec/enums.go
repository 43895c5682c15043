package spec

import (
	"fmt"
	"strings"
)

// The values a spec field may take. These slices are the one source of truth:
// the loader checks against them and the JSON Schema's enums are generated
// from them (schema_gen_test.go).

// Roles are the built-in roles a token may be given.
var Roles = []string{"reader", "writer", "admin"}

// APIVersions are the LaunchDarkly API versions a token may default to.
var APIVersions = []int{20240415, 20220603, 20210729, 20191212, 20160426}

// The states a token may be declared in.
const (
	StatePresent = "present"
	StateAbsent  = "absent"
)

// States are the values of a token's state.
var States = []string{StatePresent, StateAbsent}

// The effects of a policy statement.
const (
	EffectAllow = "allow"
	EffectDeny  = "deny"
)

// Effects are the values of a policy statement's effect.
var Effects = []string{EffectAllow, EffectDeny}

// The severities of a policy rule.
const (
	// SeverityError fails validate and plan, and makes drift exit 2.
	SeverityError = "error"
	// SeverityWarning is reported and fails nothing.
	SeverityWarning = "warning"
)

// Severities are the values of a policy rule's severity.
var Severities = []string{SeverityError, SeverityWarning}

// The scopes of a policy rule: which tokens it is checked against.
const (
	// ScopeDeclared checks the tokens the spec declares present.
	ScopeDeclared = "declared"
	// ScopeRemote checks the tokens LaunchDarkly lists, declared or not.
	ScopeRemote = "remote"
	// ScopeBoth checks both.
	ScopeBoth = "both"
)

// Scopes are the values of a policy rule's scope.
var Scopes = []string{ScopeDeclared, ScopeRemote, ScopeBoth}

// orList writes values as "a, b or c" for messages.
func orList[T any](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = fmt.Sprint(v)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
