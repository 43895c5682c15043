package spec

import (
	"encoding/json"

	"github.com/invopop/jsonschema"
)

// SchemaID is the $id of the spec's JSON Schema.
const SchemaID = "https://github.com/ldtokens/ldtokens/spec.schema.json"

// JSONSchema returns the JSON Schema of a spec file, generated from File, for
// editors (yaml-language-server) and for checking files outside ldtokens.
// Rules that span fields (exactly one kind of role) are checked by Load.
func JSONSchema() ([]byte, error) {
	r := &jsonschema.Reflector{
		DoNotReference:             false,
		ExpandedStruct:             true,
		RequiredFromJSONSchemaTags: true,
	}
	s := r.Reflect(&File{})
	s.ID = SchemaID
	s.Title = "ldtokens spec"
	s.Description = "LaunchDarkly API access tokens declared for ldtokens"
	return json.MarshalIndent(s, "", "  ")
}
