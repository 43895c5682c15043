package jsonout

import "github.com/ldtokens/ldtokens/planner"

// Import is the spec an import wrote, and what it left out.
type Import struct {
	Header
	APIHost string `json:"apiHost"`
	// Tokens are the tokens declared, by name, with the id each came from.
	Tokens []Observed `json:"tokens"`
	// Skipped are the tokens left out, and why.
	Skipped []Skipped `json:"skipped"`
	// Spec is the spec, as YAML.
	Spec string `json:"spec"`
}

// Skipped is a remote token an import left out.
type Skipped struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// ImportOf builds the document of an import from apiHost.
func ImportOf(apiHost string, im planner.Imported) Import {
	out := Import{Header: header(KindImport), APIHost: apiHost, Tokens: []Observed{}, Skipped: []Skipped{}, Spec: string(im.YAML)}
	for i, t := range im.File.Tokens {
		out.Tokens = append(out.Tokens, Observed{ID: im.IDs[i], Name: t.Name})
	}
	for _, s := range im.Skipped {
		out.Skipped = append(out.Skipped, Skipped{ID: s.ID, Name: s.Name, Reason: s.Reason})
	}
	return out
}
