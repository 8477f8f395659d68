package report

import (
	"encoding/json"
	"io"
)

// errWriter remembers the first failed write and writes nothing after it, so that a writer of many
// lines can check for a failure once, at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// writeJSON writes v as indented JSON, every string in it escaped (see inert): JSON escapes control
// characters itself, but not bidirectional overrides.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(inert(v))
}
