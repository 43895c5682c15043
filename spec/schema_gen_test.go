package spec

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"regexp"
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite spec.schema.json (here and at the repository's root) from the spec's types")

// The schema is generated here, in a test, so that the binary embeds the
// JSON and does not link the generator.

// schemaFiles are the committed copies: the one embedded, and the one at the
// root that SchemaID names.
var schemaFiles = []string{"spec.schema.json", "../spec.schema.json"}

// durationPattern is the JSON Schema's view of ParseDuration's syntax;
// TestDurationPatternAgreesWithTheParser keeps the two together.
const durationPattern = `^(0|([0-9]+(d|h|ms|m|s))+)$`

// enums names, per type and JSON key, the Go values the key takes: the one
// source of truth for the schema's enums and the loader's checks.
var enums = []struct {
	typ    any
	key    string
	values any
}{
	{Token{}, "state", States},
	{Token{}, "role", Roles},
	{Token{}, "defaultApiVersion", APIVersions},
	{Statement{}, "effect", Effects},
	{Rule{}, "severity", Severities},
	{Rule{}, "scope", Scopes},
	{Predicate{}, "role", Roles},
}

// generateSchema reflects File into the spec's JSON Schema.
func generateSchema(t *testing.T) []byte {
	t.Helper()
	r := &jsonschema.Reflector{
		ExpandedStruct:             true,
		RequiredFromJSONSchemaTags: true,
		Mapper: func(typ reflect.Type) *jsonschema.Schema {
			if typ == durationType {
				return &jsonschema.Schema{
					Type:        "string",
					Pattern:     durationPattern,
					Description: "A duration: whole numbers with units d, h, m, s or ms (90d, 12h, 1h30m, 45s), at most " + Duration{MaxDuration}.String(),
				}
			}
			return nil
		},
	}
	s := r.Reflect(&File{})
	s.ID = SchemaID
	s.Title = "ldtokens spec"
	s.Description = "LaunchDarkly API access tokens declared for ldtokens"
	s.PatternProperties = map[string]*jsonschema.Schema{"^x-": {Description: "Ignored: a place for YAML anchors that tokens merge in"}}

	for _, e := range enums {
		name := reflect.TypeOf(e.typ).Name()
		def, ok := s.Definitions[name]
		require.True(t, ok, "no definition of %s", name)
		prop, ok := def.Properties.Get(e.key)
		require.True(t, ok, "%s has no property %s", name, e.key)
		v := reflect.ValueOf(e.values)
		prop.Enum = make([]any, v.Len())
		for i := range v.Len() {
			prop.Enum[i] = v.Index(i).Interface()
		}
	}
	secretName, ok := s.Definitions["Token"].Properties.Get("secretName")
	require.True(t, ok)
	secretName.Pattern = secretNameRE.String()
	secretName.Not = &jsonschema.Schema{Pattern: "^" + reservedSecretPrefix}
	for _, glob := range []*jsonschema.Schema{mustProp(t, s, "", "ignore"), mustProp(t, s, "Prune", "match"), mustProp(t, s, "Predicate", "name")} {
		glob.Items.Description = "A glob: * any characters (/ included), ? one, [a-z] a class"
	}

	out, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	return append(out, '\n')
}

// mustProp returns the property key of definition def ("" is the root).
func mustProp(t *testing.T, s *jsonschema.Schema, def, key string) *jsonschema.Schema {
	t.Helper()
	if def != "" {
		s = s.Definitions[def]
		require.NotNil(t, s, "no definition of %s", def)
	}
	p, ok := s.Properties.Get(key)
	require.True(t, ok, "%s has no property %s", def, key)
	return p
}

// TestSchemaIsCurrent regenerates the schema and fails when a committed copy
// differs; -update rewrites them.
func TestSchemaIsCurrent(t *testing.T) {
	want := generateSchema(t)
	for _, f := range schemaFiles {
		if *update {
			require.NoError(t, os.WriteFile(f, want, 0o644))
			continue
		}
		got, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "%s is stale: run go test ./spec -run TestSchemaIsCurrent -update", f)
	}
	assert.True(t, bytes.Equal(want, JSONSchema()), "the binary embeds the generated schema")
}

func TestDurationPatternAgreesWithTheParser(t *testing.T) {
	re := regexp.MustCompile(durationPattern)
	for _, s := range []string{"0", "90d", "12h", "30m", "45s", "500ms", "1d12h", "1h30m", "0s", "0d",
		"", "90", "d", "1.5h", "-1d", "3w", "90days", "1h 30m", "h1", "1m1", "0x10s"} {
		_, err := ParseDuration(s)
		assert.Equal(t, err == nil, re.MatchString(s), "%q: parser and schema disagree (parser error: %v)", s, err)
	}
}
