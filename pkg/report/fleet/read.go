package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/inert"
)

// MaxReportSize bounds a report file that merge reads: far more than a check of every endpoint of every
// scenario writes (a few hundred KiB), far less than would exhaust a machine merging hundreds of them.
const MaxReportSize = 64 << 20

// ErrNotACheckReport is wrapped by the error for a file that is not an arccheck check report this
// version can read: not a JSON object, no schema, or another schema. In a directory of reports merge
// passes such a file over with a warning (a fleet view written there, say).
var ErrNotACheckReport = errors.New("not an arccheck check report")

// ErrBrokenReport is wrapped by the error for a file that is, or says it is, an arccheck check report
// (schema arccheck.check/v1) but cannot be read whole: larger than MaxReportSize, cut short, not valid
// JSON, a field of the wrong type, or no results. It is never passed over: a fleet view that silently
// lacks a server would be wrong.
var ErrBrokenReport = errors.New("broken arccheck check report")

// ReadCheckReport reads one `arccheck check -o json` report, at most MaxReportSize bytes. Reports of any
// arccheck version with the schema arccheck.check/v1 are read (fields added since are ignored); any
// other schema is refused (ErrNotACheckReport), and so is a report that cannot be read whole
// (ErrBrokenReport): the error says why. Every string of the document it returns is escaped
// (safetext): a report may be hostile, and merge shows its text on terminals and in other files.
func ReadCheckReport(r io.Reader) (report.CheckDocument, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxReportSize+1))
	if err != nil {
		return report.CheckDocument{}, err
	}
	doc, err := decodeCheckReport(data)
	if err != nil {
		return doc, err
	}
	return inert.Value(doc), nil
}

// decodeCheckReport decodes a report, once, as ReadCheckReport does, escaping nothing: the Merger
// escapes what it keeps.
func decodeCheckReport(data []byte) (report.CheckDocument, error) {
	if len(data) > MaxReportSize {
		return report.CheckDocument{}, fmt.Errorf("%w: larger than %d MiB, which no check report is (nothing of it was merged)",
			ErrBrokenReport, MaxReportSize>>20)
	}
	if err := checkSchema(data); err != nil {
		return report.CheckDocument{}, err
	}
	var doc report.CheckDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return report.CheckDocument{}, fmt.Errorf("%w: %s", ErrBrokenReport, jsonProblem(err, data))
	}
	if doc.Results == nil {
		return report.CheckDocument{}, fmt.Errorf("%w: it has no results", ErrBrokenReport)
	}
	return doc, nil
}

// checkSchema refuses a file that is not a JSON object with the schema report.CheckSchema.
func checkSchema(data []byte) error {
	schema, object := peekSchema(data)
	switch {
	case !object:
		return fmt.Errorf("%w: not a JSON object", ErrNotACheckReport)
	case schema == "" && !json.Valid(data):
		var v any
		return fmt.Errorf("%w: %s, and no schema before that", ErrNotACheckReport, jsonProblem(json.Unmarshal(data, &v), data))
	case schema == "":
		return fmt.Errorf("%w: it has no schema", ErrNotACheckReport)
	case schema != report.CheckSchema && strings.HasPrefix(schema, "arccheck.check/"):
		return fmt.Errorf("%w: its schema is %q, which a newer arccheck writes; this one reads %q (merge with the newer arccheck)",
			ErrNotACheckReport, safetext.Escape(schema), report.CheckSchema)
	case schema != report.CheckSchema:
		return fmt.Errorf("%w: its schema is %q (merge reads the reports of arccheck check -o json, %q)",
			ErrNotACheckReport, safetext.Escape(schema), report.CheckSchema)
	}
	return nil
}

// peekSchema finds the top-level "schema" string of a JSON object by reading tokens up to it, so that
// a report cut short after its schema (which arccheck writes first) is still known as a report.
// object is false when data does not start as a JSON object.
func peekSchema(data []byte) (schema string, object bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", true
		}
		if key != "schema" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return "", true
			}
			continue
		}
		value, err := dec.Token()
		if s, ok := value.(string); ok && err == nil {
			return s, true
		}
		return "", true
	}
	return "", true
}

// jsonProblem says why data is not valid JSON or not a report's shape (err, from json.Unmarshal),
// naming the byte or the field.
func jsonProblem(err error, data []byte) string {
	var syntax *json.SyntaxError
	var kind *json.UnmarshalTypeError
	switch {
	case errors.As(err, &kind):
		return fmt.Sprintf("the field %s has the wrong type (a JSON %s)", safetext.Escape(kind.Field), safetext.Escape(kind.Value))
	case cutShort(data):
		return fmt.Sprintf("cut short: the JSON ends after %d bytes, before the document does (an interrupted write or copy?)", len(data))
	case errors.As(err, &syntax):
		return fmt.Sprintf("not valid JSON at byte %d", syntax.Offset)
	}
	return safetext.Escape(err.Error())
}

// cutShort reports whether data is the start of a JSON value that ends too soon.
func cutShort(data []byte) bool {
	var v json.RawMessage
	return errors.Is(json.NewDecoder(bytes.NewReader(data)).Decode(&v), io.ErrUnexpectedEOF)
}
