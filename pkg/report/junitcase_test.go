package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// TestJUnitOptionalFailureIsSystemOut: an optional endpoint's failure never fails its case (it never
// fails the run) but is said in the case's system-out, as the fleet's JUnit says it too; a required
// one's failure fails its case, with the class, phase and fix.
func TestJUnitOptionalFailureIsSystemOut(t *testing.T) {
	rep := reporttest.SampleReport(t)
	var out bytes.Buffer
	require.NoError(t, CheckJUnit(&out, sampleTool, sampleHost, sampleSettings(rep), rep, JUnitOptions{}))
	cases := reporttest.JUnitCases(t, out.Bytes())

	optional := cases["https://dc.services.visualstudio.com"]
	assert.Nil(t, optional.Failure, out.String())
	assert.Nil(t, optional.Error)
	assert.True(t, strings.HasPrefix(optional.SystemOut, "unreachable, but this endpoint never fails a run: dns_not_found (dns phase): "),
		"%q", optional.SystemOut)
	assert.Contains(t, optional.SystemOut, "\nfix: ")

	required := cases["https://gbl.his.arc.azure.com"]
	require.NotNil(t, required.Failure)
	assert.Equal(t, "tcp_timeout", required.Failure.Type)
	assert.True(t, strings.HasPrefix(required.Failure.Data, "tcp_timeout (tcp phase): "), "%q", required.Failure.Data)
	assert.Contains(t, required.Failure.Data, "\nfix: ")
}
