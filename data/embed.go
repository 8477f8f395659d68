// Package data holds the arccheck catalog as human-edited text files, embedded into the binary.
// The format is described in README.md beside this file; pkg/endpoints parses and validates it.
package data

import "embed"

// FS holds every catalog file (*.txt) of this folder.
//
//go:embed *.txt
var FS embed.FS
