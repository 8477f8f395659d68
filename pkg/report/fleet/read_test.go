package fleet

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// spaces is an endless reader of blanks: whitespace JSON allows anywhere.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestReadCheckReportIsBoundedAndStrict: a report is read whole within MaxReportSize or refused saying
// why; one that says it is a check report but cannot be read whole is broken (never passed over), one
// that is something else is not a check report.
func TestReadCheckReportIsBoundedAndStrict(t *testing.T) {
	var good bytes.Buffer
	rep := reporttest.SampleReport(t)
	require.NoError(t, report.CheckJSON(&good, sampleTool, sampleHost, sampleSettings(rep), rep, report.Verdict{}))
	_, err := ReadCheckReport(bytes.NewReader(good.Bytes()))
	require.NoError(t, err)

	cut := good.Len() / 2
	for _, tc := range []struct {
		name   string
		input  io.Reader
		broken bool // ErrBrokenReport, else ErrNotACheckReport
		says   string
	}{
		{"cut short", bytes.NewReader(good.Bytes()[:cut]), true,
			"broken arccheck check report: cut short: the JSON ends after " + strconv.Itoa(cut) + " bytes, before the document does"},
		{"garbled", strings.NewReader(`{"schema":"arccheck.check/v1","results":[}`), true, "broken arccheck check report: not valid JSON at byte 42"},
		{"a field of another type", strings.NewReader(`{"schema":"arccheck.check/v1","results":[{"endpoint":5}]}`), true,
			"broken arccheck check report: the field results.endpoint has the wrong type (a JSON number)"},
		{"more after it", strings.NewReader(good.String() + "{}"), true, "broken arccheck check report: not valid JSON at byte"},
		{"no results", strings.NewReader(`{"schema":"arccheck.check/v1"}`), true, "broken arccheck check report: it has no results"},
		{"too large", io.MultiReader(strings.NewReader(`{"schema":"arccheck.check/v1",`), io.LimitReader(spaces{}, MaxReportSize)), true,
			"broken arccheck check report: larger than 64 MiB, which no check report is"},
		{"not an object", strings.NewReader("[1, 2]"), false, "not an arccheck check report: not a JSON object"},
		{"not JSON", strings.NewReader("<html>"), false, "not an arccheck check report: not a JSON object"},
		{"cut before its schema", strings.NewReader(`{"results":[`), false,
			"not an arccheck check report: cut short: the JSON ends after 12 bytes, before the document does (an interrupted write or copy?), and no schema before that"},
		{"no schema", strings.NewReader(`{"results":[]}`), false, "not an arccheck check report: it has no schema"},
		{"a fleet view", strings.NewReader(`{"schema":"arccheck.fleet/v1"}`), false, `its schema is "arccheck.fleet/v1"`},
		{"a hostile schema", strings.NewReader(`{"schema":"x\u202e\u001b[2J"}`), false, `its schema is "x\\u202e\\x1b[2J"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCheckReport(tc.input)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.says)
			assert.Equal(t, tc.broken, errors.Is(err, ErrBrokenReport), "broken: %v", err)
			assert.Equal(t, !tc.broken, errors.Is(err, ErrNotACheckReport), "not a report: %v", err)
		})
	}

	// Exactly MaxReportSize bytes is within the bound.
	padded := io.MultiReader(bytes.NewReader(good.Bytes()), io.LimitReader(spaces{}, int64(MaxReportSize-good.Len())))
	doc, err := ReadCheckReport(padded)
	require.NoError(t, err)
	assert.Len(t, doc.Results, len(rep.Results))
}
