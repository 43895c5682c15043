package ldapi

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
)

// Mutability says when a token field may be changed after creation.
type Mutability int

// The mutabilities, from most to least changeable.
const (
	// Mutable fields may be patched on every token (name, description).
	Mutable Mutability = iota
	// PersonalOnly fields may be patched on personal tokens only: a service
	// token's permissions are fixed at creation.
	PersonalOnly
	// Fixed fields are set at creation and never change; a different value
	// needs a new token.
	Fixed
)

// Comparison says how two values of a field are compared: as LaunchDarkly
// means them.
type Comparison int

// The comparisons.
const (
	// Exact values are equal when they are the same.
	Exact Comparison = iota
	// StringSet values are equal when they hold the same strings, in any
	// order; absent and empty are the same.
	StringSet
	// StatementSet values are equal when they hold the same policy
	// statements, in any order, each statement's lists in any order; absent
	// and empty are the same.
	StatementSet
)

// TokenField is one declarable field of an access token: a row of
// TokenFields. Its accessors read and write the field of a Token (and of
// a TokenPost) without reflection.
type TokenField struct {
	// Name is the Go field of Token that holds it.
	Name string
	// JSON is its member name in the API's representation, which the spec
	// uses too.
	JSON string
	// Path is its RFC 6901 JSON Pointer, the path of a JSON Patch.
	Path string
	// Mutability says whether a change is a patch or a new token.
	Mutability Mutability
	// Compare says how values are compared.
	Compare Comparison
	// Required fields are in every representation, even when zero.
	Required bool
	// KeepUndeclared fields left out of the spec (zero) are not managed:
	// the remote value stands.
	KeepUndeclared bool

	value     func(t *Token) any
	isZero    func(t *Token) bool
	equal     func(a, b *Token) bool
	copy      func(dst, src *Token)
	post      func(p *TokenPost, t *Token)
	appendKey func(b []byte, t *Token) []byte
}

// TokenFields are the declarable fields of an access token, in the order
// plans show them: the one table that the planner (pairing, diff, patch,
// fingerprint), the renderers, the importer and the create body read. A new
// field is one row here (and its members in Token and TokenPost).
var TokenFields = []TokenField{
	exact("Name", "name", Mutable, true, false, func(t *Token) *string { return &t.Name }, func(p *TokenPost) *string { return &p.Name }),
	exact("Description", "description", Mutable, false, false, func(t *Token) *string { return &t.Description }, func(p *TokenPost) *string { return &p.Description }),
	exact("Role", "role", PersonalOnly, false, false, func(t *Token) *string { return &t.Role }, func(p *TokenPost) *string { return &p.Role }),
	stringSet("CustomRoleIDs", "customRoleIds", PersonalOnly, func(t *Token) *[]string { return &t.CustomRoleIDs }, func(p *TokenPost) *[]string { return &p.CustomRoleIDs }),
	statementSet("InlineRole", "inlineRole", PersonalOnly, func(t *Token) *[]Statement { return &t.InlineRole }, func(p *TokenPost) *[]Statement { return &p.InlineRole }),
	exact("ServiceToken", "serviceToken", Fixed, true, false, func(t *Token) *bool { return &t.ServiceToken }, func(p *TokenPost) *bool { return &p.ServiceToken }),
	exact("DefaultAPIVersion", "defaultApiVersion", Fixed, false, true, func(t *Token) *int { return &t.DefaultAPIVersion }, func(p *TokenPost) *int { return &p.DefaultAPIVersion }),
}

// Value returns the field's value in t, as its JSON member carries it.
func (f TokenField) Value(t *Token) any { return f.value(t) }

// IsZero reports whether t leaves the field out (empty string, empty list,
// zero number, false).
func (f TokenField) IsZero(t *Token) bool { return f.isZero(t) }

// Equal reports whether a and b hold the same value, compared as
// f.Compare says.
func (f TokenField) Equal(a, b *Token) bool { return f.equal(a, b) }

// Copy sets the field of dst to that of src.
func (f TokenField) Copy(dst, src *Token) { f.copy(dst, src) }

// Shown reports whether a representation of t carries the field: it is
// set, or always present.
func (f TokenField) Shown(t *Token) bool { return f.Required || !f.isZero(t) }

// TokenFieldByJSON returns the row of the field whose JSON member is name.
func TokenFieldByJSON(name string) (TokenField, bool) {
	for _, f := range TokenFields {
		if f.JSON == name {
			return f, true
		}
	}
	return TokenField{}, false
}

// Declared returns a copy of t's declarable fields, every other field
// (id, owner, dates, secret hint) left zero.
func Declared(t Token) Token {
	var out Token
	for _, f := range TokenFields {
		f.copy(&out, &t)
	}
	return out
}

// PostOf returns the body that creates a token with t's declarable fields.
func PostOf(t Token) TokenPost {
	var p TokenPost
	for _, f := range TokenFields {
		f.post(&p, &t)
	}
	return p
}

// FixedFieldChanged names the first field fixed at creation whose value
// differs between a and b.
func FixedFieldChanged(a, b Token) (field string, changed bool) {
	return firstChanged(a, b, func(f TokenField) bool { return f.Mutability == Fixed })
}

// PermissionsChanged names the first field that only a personal token may
// change (its permissions) whose value differs between a and b.
func PermissionsChanged(a, b Token) (field string, changed bool) {
	return firstChanged(a, b, func(f TokenField) bool { return f.Mutability == PersonalOnly })
}

func firstChanged(a, b Token, which func(TokenField) bool) (string, bool) {
	for _, f := range TokenFields {
		if which(f) && !f.equal(&a, &b) {
			return f.JSON, true
		}
	}
	return "", false
}

// AppendFields appends t's declarable fields to b in a canonical form, in
// table order, every string length-prefixed: the same fields always give
// the same bytes, and different ones different bytes. Fingerprints hash it.
func AppendFields(b []byte, t *Token) []byte {
	for _, f := range TokenFields {
		b = f.appendKey(b, t)
	}
	return b
}

// AppendString appends s to b, prefixed with its length (8 bytes, little
// endian), so that concatenations cannot collide.
func AppendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

func appendList(b []byte, l []string) []byte {
	b = AppendString(b, strconv.Itoa(len(l)))
	for _, s := range l {
		b = AppendString(b, s)
	}
	return b
}

// exact builds the row of a scalar field compared with ==.
func exact[V string | bool | int | int64](name, json string, m Mutability, required, keep bool, at func(*Token) *V, postAt func(*TokenPost) *V) TokenField {
	var zero V
	return TokenField{
		Name: name, JSON: json, Path: "/" + json, Mutability: m, Compare: Exact, Required: required, KeepUndeclared: keep,
		value:  func(t *Token) any { return *at(t) },
		isZero: func(t *Token) bool { return *at(t) == zero },
		equal:  func(a, b *Token) bool { return *at(a) == *at(b) },
		copy:   func(dst, src *Token) { *at(dst) = *at(src) },
		post:   func(p *TokenPost, t *Token) { *postAt(p) = *at(t) },
		appendKey: func(b []byte, t *Token) []byte {
			switch v := any(*at(t)).(type) {
			case string:
				return AppendString(b, v)
			case bool:
				return AppendString(b, strconv.FormatBool(v))
			case int:
				return AppendString(b, strconv.Itoa(v))
			case int64:
				return AppendString(b, strconv.FormatInt(v, 10))
			}
			return b
		},
	}
}

// stringSet builds the row of a list of strings whose order means nothing.
func stringSet(name, json string, m Mutability, at func(*Token) *[]string, postAt func(*TokenPost) *[]string) TokenField {
	return TokenField{
		Name: name, JSON: json, Path: "/" + json, Mutability: m, Compare: StringSet,
		value:     func(t *Token) any { return *at(t) },
		isZero:    func(t *Token) bool { return len(*at(t)) == 0 },
		equal:     func(a, b *Token) bool { return SameStrings(*at(a), *at(b)) },
		copy:      func(dst, src *Token) { *at(dst) = *at(src) },
		post:      func(p *TokenPost, t *Token) { *postAt(p) = *at(t) },
		appendKey: func(b []byte, t *Token) []byte { return appendList(b, *at(t)) },
	}
}

// statementSet builds the row of a list of policy statements whose order
// means nothing.
func statementSet(name, json string, m Mutability, at func(*Token) *[]Statement, postAt func(*TokenPost) *[]Statement) TokenField {
	return TokenField{
		Name: name, JSON: json, Path: "/" + json, Mutability: m, Compare: StatementSet,
		value:  func(t *Token) any { return *at(t) },
		isZero: func(t *Token) bool { return len(*at(t)) == 0 },
		equal:  func(a, b *Token) bool { return SameStatements(*at(a), *at(b)) },
		copy:   func(dst, src *Token) { *at(dst) = *at(src) },
		post:   func(p *TokenPost, t *Token) { *postAt(p) = *at(t) },
		appendKey: func(b []byte, t *Token) []byte {
			l := *at(t)
			b = AppendString(b, strconv.Itoa(len(l)))
			for _, st := range l {
				b = AppendString(b, st.Effect)
				b = appendList(b, st.Resources)
				b = appendList(b, st.NotResources)
				b = appendList(b, st.Actions)
				b = appendList(b, st.NotActions)
			}
			return b
		},
	}
}

// SameStrings reports whether a and b hold the same strings, in any order.
// Lists already in the same order are compared without copying.
func SameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if slices.Equal(a, b) {
		return true
	}
	return slices.Equal(sorted(a), sorted(b))
}

// SameStatements reports whether a and b hold the same policy statements,
// in any order, each statement's lists in any order.
func SameStatements(a, b []Statement) bool {
	if len(a) != len(b) {
		return false
	}
	if slices.EqualFunc(a, b, sameStatement) {
		return true
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = statementKey(a[i]), statementKey(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

func sameStatement(x, y Statement) bool {
	return x.Effect == y.Effect && SameStrings(x.Resources, y.Resources) && SameStrings(x.NotResources, y.NotResources) &&
		SameStrings(x.Actions, y.Actions) && SameStrings(x.NotActions, y.NotActions)
}

// statementKey is a statement in a canonical form: lists sorted, every
// string length-prefixed.
func statementKey(s Statement) string {
	var b strings.Builder
	str := func(v string) {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	str(s.Effect)
	for _, l := range [][]string{s.Resources, s.NotResources, s.Actions, s.NotActions} {
		b.WriteByte('[')
		for _, v := range sorted(l) {
			str(v)
		}
		b.WriteByte(']')
	}
	return b.String()
}

func sorted(l []string) []string {
	c := slices.Clone(l)
	slices.Sort(c)
	return c
}
