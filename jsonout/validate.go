package jsonout

import (
	"errors"

	"github.com/ldtokens/ldtokens/spec"
)

// Validate is the outcome of checking a spec offline.
type Validate struct {
	Header
	Valid bool `json:"valid"`
	// Files are the files read; absent when the spec could not be read.
	Files []string `json:"files,omitempty"`
	// Tokens counts the declared tokens of a valid spec.
	Tokens   int       `json:"tokens"`
	Problems []Problem `json:"problems"`
}

// Problem is one problem in a spec; File, Line and Column are absent when
// it has no position (a file that cannot be read).
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// ValidateOf builds the document of a spec check: s is the spec loaded,
// err what loading it found (nil when valid).
func ValidateOf(s *spec.Spec, err error) Validate {
	out := Validate{Header: header(KindValidate), Valid: err == nil, Problems: []Problem{}}
	if s != nil {
		out.Files, out.Tokens = s.Files, len(s.Tokens)
	}
	var list spec.Errors
	var one *spec.Error
	switch {
	case err == nil:
	case errors.As(err, &list):
		for _, e := range list {
			out.Problems = append(out.Problems, problem(e))
		}
	case errors.As(err, &one):
		out.Problems = append(out.Problems, problem(one))
	default:
		out.Problems = append(out.Problems, Problem{Message: err.Error()})
	}
	return out
}

func problem(e *spec.Error) Problem {
	return Problem{File: e.Pos.File, Line: e.Pos.Line, Column: e.Pos.Column, Message: e.Msg}
}
