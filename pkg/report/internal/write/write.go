// Package write is how every format of pkg/report and its sub-packages writes: through a Writer that
// keeps the first failure, and JSON documents with every string inert.
package write

import (
	"encoding/json"
	"io"

	"github.com/arccheck/arccheck/pkg/report/internal/inert"
)

// Writer remembers the first failed write and writes nothing after it, so that a writer of many lines
// can check for a failure once, at the end (Err).
type Writer struct {
	w   io.Writer
	err error
}

// To returns a Writer that writes to w.
func To(w io.Writer) *Writer { return &Writer{w: w} }

func (e *Writer) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// Err is the first failed write's error, nil when every write succeeded.
func (e *Writer) Err() error { return e.err }

// JSON writes v as indented JSON, every string in it escaped (inert.Value): JSON escapes control
// characters itself, but not bidirectional overrides.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(inert.Value(v))
}

// NonNil returns s, or an empty slice when s is nil: a list a document writes as [], not null.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
