package jsonout

// FormatVersion is the version of every document this package defines.
const FormatVersion = "1"

// The kinds of document, one per report.
const (
	KindPlan     = "plan"
	KindApply    = "apply"
	KindDrift    = "drift"
	KindStatus   = "status"
	KindValidate = "validate"
	KindImport   = "import"
)

// Header opens every document: its format version and kind.
type Header struct {
	FormatVersion string `json:"formatVersion"`
	Kind          string `json:"kind"`
}

func header(kind string) Header { return Header{FormatVersion: FormatVersion, Kind: kind} }
