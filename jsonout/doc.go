// Package jsonout holds the JSON documents ldtokens prints and saves: plan
// (also the PLANFILE), apply, drift, status, validate and import. Each is a
// type of its own, built from the model and never embedding its structs,
// so that renaming a Go field cannot change a format; every document
// carries FormatVersion and its Kind. Within a format version, fields may
// be added; none is renamed or removed.
//
// It converts and nothing more: it makes no decisions, does no I/O, and
// never sees a secret.
package jsonout
