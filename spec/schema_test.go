package spec_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/ldtokens/ldtokens/spec"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(spec.JSONSchema()))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(spec.SchemaID, doc))
	s, err := c.Compile(spec.SchemaID)
	require.NoError(t, err)
	return s
}

func yamlDoc(t *testing.T, data []byte) any {
	t.Helper()
	j, err := yaml.YAMLToJSON(data)
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	require.NoError(t, err)
	return v
}

// TestSchemaAcceptsTheExamples checks the schema against every spec the
// project ships.
func TestSchemaAcceptsTheExamples(t *testing.T) {
	s := compileSchema(t)
	files, err := filepath.Glob("../examples/*.yaml")
	require.NoError(t, err)
	files = append(files, "testdata/valid.yaml")
	require.GreaterOrEqual(t, len(files), 2)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		_, err = spec.Parse(f, data)
		require.NoError(t, err, "%s is a valid spec", f)
		assert.NoError(t, s.Validate(yamlDoc(t, data)), "schema rejects %s", f)
	}
}

func TestSchemaRejectsInvalidFixtures(t *testing.T) {
	s := compileSchema(t)
	tests := map[string]string{
		"misspelt key":       "tokens: [{name: a, rol: reader}]",
		"unknown role":       "tokens: [{name: a, role: owner}]",
		"bad duration":       "tokens: [{name: a, role: reader, rotate: {every: 90days}}]",
		"missing every":      "tokens: [{name: a, role: reader, rotate: {grace: 1h}}]",
		"wrong type":         "tokens: [{name: a, role: reader, serviceToken: 'yes'}]",
		"bad state":          "tokens: [{name: a, state: gone}]",
		"bad effect":         "tokens: [{name: a, inlineRole: [{effect: maybe, actions: ['*'], resources: ['*']}]}]",
		"bad api version":    "tokens: [{name: a, role: reader, defaultApiVersion: 20200101}]",
		"negative maxDelete": "prune: {enabled: true, match: ['x'], maxDeletes: -1}",
		"missing name":       "tokens: [{role: reader}]",
		"unknown top key":    "token: []",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, s.Validate(yamlDoc(t, []byte(text))))
			_, err := spec.Parse("t.yaml", []byte(text))
			assert.Error(t, err, "the loader rejects it too")
		})
	}
}
