package tfimport

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestNoTypeHoldsTheSecret pins the design: no type the state is decoded
// into has a member for the token attribute, so the secret is skipped by
// the decoder and never held.
func TestNoTypeHoldsTheSecret(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(ty reflect.Type, path string)
	walk = func(ty reflect.Type, path string) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for i := 0; i < ty.NumField(); i++ {
			f := ty.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			assert.NotEqual(t, "token", strings.ToLower(name), "%s.%s decodes the secret", path, f.Name)
			walk(f.Type, path+"."+f.Name)
		}
	}
	walk(reflect.TypeFor[document](), "document")
	assert.True(t, seen[reflect.TypeFor[attributes]()], "the walk reaches the attributes")
}
