package spec

import (
	_ "embed"
	"slices"
)

// SchemaID is the $id of the spec's JSON Schema: the raw file on the main
// branch, which editors (yaml-language-server) can fetch.
const SchemaID = "https://raw.githubusercontent.com/ldtokens/ldtokens/main/spec.schema.json"

// schema is generated from the spec's types and enums by TestSchemaIsCurrent
// (go test ./spec -run TestSchemaIsCurrent -update writes it, and the copy at
// the repository's root that SchemaID names).
//
//go:embed spec.schema.json
var schema []byte

// JSONSchema returns the JSON Schema of a spec file, for editors and for
// checking files outside ldtokens. Rules that span fields (exactly one kind
// of role, unique names) are checked by Load only.
func JSONSchema() []byte { return slices.Clone(schema) }
