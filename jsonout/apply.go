package jsonout

import "github.com/ldtokens/ldtokens/applier"

// Apply is the outcome of an apply (or rotate): counts, and one result per
// change in plan order.
type Apply struct {
	Header
	Done       int      `json:"done"`
	Failed     int      `json:"failed"`
	NotStarted int      `json:"notStarted"`
	Results    []Result `json:"results"`
}

// Result is the outcome of one change.
type Result struct {
	Action string `json:"action"`
	Name   string `json:"name"`
	ID     string `json:"id,omitempty"`
	// RemoteName is the remote token's name when it is not Name.
	RemoteName string `json:"remoteName,omitempty"`
	// NewID is the id of a created or replacement token.
	NewID string `json:"newId,omitempty"`
	// Status is done, failed or "not started".
	Status string   `json:"status"`
	Error  string   `json:"error,omitempty"`
	Notes  []string `json:"notes,omitempty"`
}

// ApplyOf builds the document of apply results.
func ApplyOf(results []applier.Result) Apply {
	out := Apply{Header: header(KindApply), Results: []Result{}}
	for _, r := range results {
		switch r.Status {
		case applier.Done:
			out.Done++
		case applier.Failed:
			out.Failed++
		default:
			out.NotStarted++
		}
		rj := Result{Action: string(r.Change.Action), Name: r.Change.Name, ID: r.Change.ID, RemoteName: r.Change.RemoteName, NewID: r.NewID, Status: string(r.Status), Notes: r.Notes}
		if r.Err != nil {
			rj.Error = r.Err.Error()
		}
		out.Results = append(out.Results, rj)
	}
	return out
}
