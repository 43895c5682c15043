package ldapi_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ldtokens/ldtokens/ldapi"
)

// serverManaged are the members of a token that LaunchDarkly sets and no
// spec declares.
var serverManaged = []string{"_id", "ownerId", "memberId", "creationDate", "lastModified", "token", "lastUsed"}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// TestTableMatchesTheWireTypes pins the table to Token and TokenPost: a
// member added to Token that is neither server-managed nor in the table,
// or a row whose JSON member or Go field does not match, fails here.
func TestTableMatchesTheWireTypes(t *testing.T) {
	token, post := reflect.TypeFor[ldapi.Token](), reflect.TypeFor[ldapi.TokenPost]()
	inTable := map[string]bool{}
	for _, f := range ldapi.TokenFields {
		inTable[f.JSON] = true
		tf, ok := token.FieldByName(f.Name)
		require.True(t, ok, "Token has no field %s", f.Name)
		assert.Equal(t, f.JSON, jsonName(tf), "JSON member of %s", f.Name)
		pf, ok := post.FieldByName(f.Name)
		require.True(t, ok, "TokenPost has no field %s", f.Name)
		assert.Equal(t, f.JSON, jsonName(pf), "JSON member of TokenPost.%s", f.Name)
		assert.Equal(t, "/"+f.JSON, f.Path)
	}
	for i := range token.NumField() {
		name := jsonName(token.Field(i))
		assert.True(t, inTable[name] || slices.Contains(serverManaged, name), "Token member %q is neither in ldapi.TokenFields nor server-managed", name)
	}
	for i := range post.NumField() {
		assert.True(t, inTable[jsonName(post.Field(i))], "TokenPost member %q is not in ldapi.TokenFields", jsonName(post.Field(i)))
	}
}

// full is a token with every member set.
func full() ldapi.Token {
	return ldapi.Token{
		ID: "1", OwnerID: "o", MemberID: "m", Name: "n", Description: "d", CreationDate: 1, LastModified: 2,
		CustomRoleIDs: []string{"r"}, InlineRole: []ldapi.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"proj/*"}}},
		Role: "reader", Hint: "abcd", ServiceToken: true, DefaultAPIVersion: 20240415, LastUsed: 3,
	}
}

func TestDeclaredAndPostCopyEveryField(t *testing.T) {
	tok := full()
	assert.Equal(t, ldapi.Token{
		Name: "n", Description: "d", CustomRoleIDs: tok.CustomRoleIDs, InlineRole: tok.InlineRole,
		Role: "reader", ServiceToken: true, DefaultAPIVersion: 20240415,
	}, ldapi.Declared(tok), "declarable fields kept, server-managed ones dropped")
	assert.Equal(t, ldapi.TokenPost{
		Name: "n", Description: "d", CustomRoleIDs: tok.CustomRoleIDs, InlineRole: tok.InlineRole,
		Role: "reader", ServiceToken: true, DefaultAPIVersion: 20240415,
	}, ldapi.PostOf(tok))
	post := reflect.ValueOf(ldapi.PostOf(tok))
	for i := range post.NumField() {
		assert.False(t, post.Field(i).IsZero(), "PostOf leaves %s out", post.Type().Field(i).Name)
	}
}

func TestFieldComparison(t *testing.T) {
	st := func(effect string, actions ...string) ldapi.Statement {
		return ldapi.Statement{Effect: effect, Actions: actions, Resources: []string{"proj/a", "proj/b"}}
	}
	tests := []struct {
		name  string
		field string
		a, b  ldapi.Token
		equal bool
	}{
		{"same name", "name", ldapi.Token{Name: "a"}, ldapi.Token{Name: "a"}, true},
		{"other name", "name", ldapi.Token{Name: "a"}, ldapi.Token{Name: "b"}, false},
		{"role ids in another order", "customRoleIds", ldapi.Token{CustomRoleIDs: []string{"a", "b"}}, ldapi.Token{CustomRoleIDs: []string{"b", "a"}}, true},
		{"absent and empty role ids", "customRoleIds", ldapi.Token{}, ldapi.Token{CustomRoleIDs: []string{}}, true},
		{"a role id more", "customRoleIds", ldapi.Token{CustomRoleIDs: []string{"a"}}, ldapi.Token{CustomRoleIDs: []string{"a", "a"}}, false},
		{"other role ids", "customRoleIds", ldapi.Token{CustomRoleIDs: []string{"a", "b"}}, ldapi.Token{CustomRoleIDs: []string{"a", "c"}}, false},
		{"statements in another order", "inlineRole",
			ldapi.Token{InlineRole: []ldapi.Statement{st("allow", "x", "y"), st("deny", "z")}},
			ldapi.Token{InlineRole: []ldapi.Statement{st("deny", "z"), {Effect: "allow", Actions: []string{"y", "x"}, Resources: []string{"proj/b", "proj/a"}}}}, true},
		{"another effect", "inlineRole", ldapi.Token{InlineRole: []ldapi.Statement{st("allow", "x")}}, ldapi.Token{InlineRole: []ldapi.Statement{st("deny", "x")}}, false},
		{"actions are not resources", "inlineRole",
			ldapi.Token{InlineRole: []ldapi.Statement{{Effect: "allow", Actions: []string{"x"}}}},
			ldapi.Token{InlineRole: []ldapi.Statement{{Effect: "allow", Resources: []string{"x"}}}}, false},
		{"service token", "serviceToken", ldapi.Token{ServiceToken: true}, ldapi.Token{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := ldapi.TokenFieldByJSON(tt.field)
			require.True(t, ok)
			assert.Equal(t, tt.equal, f.Equal(&tt.a, &tt.b))
			assert.Equal(t, tt.equal, f.Equal(&tt.b, &tt.a), "symmetric")
		})
	}
}

func TestMutability(t *testing.T) {
	var fixed, personal []string
	for _, f := range ldapi.TokenFields {
		switch f.Mutability {
		case ldapi.Fixed:
			fixed = append(fixed, f.JSON)
		case ldapi.PersonalOnly:
			personal = append(personal, f.JSON)
		}
	}
	assert.Equal(t, []string{"serviceToken", "defaultApiVersion"}, fixed)
	assert.Equal(t, []string{"role", "customRoleIds", "inlineRole"}, personal)

	base := full()
	tests := []struct {
		name         string
		change       func(*ldapi.Token)
		fixed, perms string
		fixedChanged bool
		permsChanged bool
	}{
		{"description", func(t *ldapi.Token) { t.Description = "x" }, "", "", false, false},
		{"serviceToken", func(t *ldapi.Token) { t.ServiceToken = false }, "serviceToken", "", true, false},
		{"defaultApiVersion", func(t *ldapi.Token) { t.DefaultAPIVersion = 20220603 }, "defaultApiVersion", "", true, false},
		{"role", func(t *ldapi.Token) { t.Role = "writer" }, "", "role", false, true},
		{"inline role", func(t *ldapi.Token) { t.InlineRole[0].Effect = "deny" }, "", "inlineRole", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := full()
			tt.change(&next)
			field, changed := ldapi.FixedFieldChanged(base, next)
			assert.Equal(t, tt.fixed, field)
			assert.Equal(t, tt.fixedChanged, changed)
			field, changed = ldapi.PermissionsChanged(base, next)
			assert.Equal(t, tt.perms, field)
			assert.Equal(t, tt.permsChanged, changed)
		})
	}
}

func TestShown(t *testing.T) {
	var shown []string
	empty := ldapi.Token{}
	for _, f := range ldapi.TokenFields {
		if f.Shown(&empty) {
			shown = append(shown, f.JSON)
		}
	}
	assert.Equal(t, []string{"name", "serviceToken"}, shown, "only required fields are shown when zero")
}
