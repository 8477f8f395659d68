package fleet

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// TestJUnitOptionalFailureAsTheCheckHasIt: the fleet JUnit shows a server's endpoint as the check's
// JUnit does: a required endpoint's failure fails its case; an optional endpoint's failure (which never
// fails a run) is a passing case that says it in system-out, never dropped; warnings are in system-out.
func TestJUnitOptionalFailureAsTheCheckHasIt(t *testing.T) {
	rep := reporttest.SampleReport(t)
	doc := report.NewCheckDocument(sampleTool, sampleHost, sampleSettings(rep), rep, report.Verdict{})
	var fleetOut, checkOut bytes.Buffer
	require.NoError(t, JUnit(&fleetOut, New([]report.CheckDocument{doc}, []string{"srv01.json"})))
	require.NoError(t, report.CheckJUnit(&checkOut, sampleTool, sampleHost, sampleSettings(rep), rep, report.JUnitOptions{}))
	fleetCases, checkCases := reporttest.JUnitCases(t, fleetOut.Bytes()), reporttest.JUnitCases(t, checkOut.Bytes())

	optional := fleetCases["https://dc.services.visualstudio.com"]
	assert.Nil(t, optional.Failure, fleetOut.String())
	assert.Nil(t, optional.Error)
	assert.True(t, strings.HasPrefix(optional.SystemOut, "unreachable, but this endpoint never fails a run: dns_not_found (dns phase): "),
		"%q", optional.SystemOut)
	assert.Contains(t, optional.SystemOut, "lookup dc.services.visualstudio.com on 127.0.0.53:53: no such host")
	assert.Contains(t, optional.SystemOut, "\nfix: ")
	inCheck := checkCases["https://dc.services.visualstudio.com"]
	assert.Nil(t, inCheck.Failure)
	assert.Equal(t, firstWords(inCheck.SystemOut), firstWords(optional.SystemOut), "the check's JUnit says it alike")

	required := fleetCases["https://gbl.his.arc.azure.com"]
	require.NotNil(t, required.Failure, fleetOut.String())
	assert.Equal(t, checkCases["https://gbl.his.arc.azure.com"].Failure.Message, required.Failure.Message)
	assert.Equal(t, "tcp_timeout", required.Failure.Type)
	assert.True(t, strings.HasPrefix(required.Failure.Data, "tcp_timeout (tcp phase): dial tcp 10.1.2.3:443: i/o timeout"), "%q", required.Failure.Data)

	warned := fleetCases["https://management.azure.com"]
	assert.Nil(t, warned.Failure)
	assert.True(t, strings.HasPrefix(warned.SystemOut, "warning tls_intercepted: "), "%q", warned.SystemOut)
	assert.Equal(t, firstWords(checkCases["https://management.azure.com"].SystemOut), firstWords(warned.SystemOut))

	reporttest.ValidateJUnit(t, fleetOut.Bytes())
}

// firstWords is a system-out's first line up to the message: "unreachable, but …: class (phase phase)".
func firstWords(out string) string {
	first, _, _ := strings.Cut(out, "\n")
	head, _, _ := strings.Cut(first, "): ")
	return head
}
