package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

func TestCheckTableGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, CheckTable(&buf, reporttest.SampleReport(t), Verdict{}, sampleHost, TableOptions{}))
	reporttest.Golden(t, "check-table.txt", buf.Bytes())
	buf.Reset()
	require.NoError(t, CheckTable(&buf, reporttest.SampleReport(t), Verdict{}, sampleHost, TableOptions{Color: true}))
	reporttest.Golden(t, "check-table-color.txt", buf.Bytes())
}

func TestCheckJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	rep := reporttest.SampleReport(t)
	sel := NewSelectionJSON(rep.Plan)
	settings := Settings{Selection: &sel, Catalog: "embedded", Endpoints: []string{"http://www.microsoft.com/pkiops/certs"},
		TimeoutMs: 10000, Concurrency: 64, DNSServer: "10.0.0.4", Resolve: []string{}, ProxyBypass: []string{}, PublicRoots: "embedded"}
	require.NoError(t, CheckJSON(&buf, Tool{Name: "arccheck", Version: "v1.0.0"}, Host{OS: "linux", Arch: "amd64", Hostname: "srv01"}, settings, rep, Verdict{}))
	reporttest.Golden(t, "check.json", buf.Bytes())
}

func TestSummaryLine(t *testing.T) {
	rep := reporttest.SampleReport(t)
	assert.Equal(t, "FAILED: 4 endpoints: 2 reachable, 2 unreachable (1 required), 1 warning; 1 not tested. Took 10.0s.", SummaryLine(rep, Verdict{}))
	assert.Equal(t, "FAILED: 4 endpoints: 2 reachable, 2 unreachable (1 required), 1 warning (warnings fail this run); 1 not tested. Took 10.0s.",
		SummaryLine(rep, Verdict{WarningsFail: true}))
	rep.Interrupted = true
	rep.Results[0].Failure.Class = probe.ClassCanceled
	rep.Results[0].Failure.Cause, rep.Results[0].Failure.Err = probe.CauseNotStarted, "interrupted (Ctrl-C)"
	assert.Equal(t, "FAILED: 4 endpoints: 2 reachable, 1 unreachable (0 required), 1 not probed (1 required: not started: interrupted (Ctrl-C)), 1 warning; 1 not tested. Took 10.0s. Interrupted.", SummaryLine(rep, Verdict{}))
	rep.Results = rep.Results[:1]
	rep.NotTested = nil
	rep.Interrupted = false
	rep.Results[0].Failure.Cause, rep.Results[0].Failure.Err = probe.CauseNotStarted, ""
	assert.Equal(t, "FAILED: 1 endpoint: 0 reachable, 0 unreachable (0 required), 1 not probed (1 required: not started before the run's deadline). Took 10.0s.", SummaryLine(rep, Verdict{}))
	assert.True(t, rep.Failed(), "a required endpoint not probed fails the run")
	rep.Results[0].Failure, rep.Results[0].Reachable = nil, true
	assert.Equal(t, "PASSED: 1 endpoint: 1 reachable, 0 unreachable (0 required). Took 10.0s.", SummaryLine(rep, Verdict{Passed: true}))
}

// TestVerdictInEveryFormat: the table's and Markdown's summary lines begin with the verdict the command
// passes, Markdown's title says it, and the JSON records it.
func TestVerdictInEveryFormat(t *testing.T) {
	rep := reporttest.SampleReport(t)
	for _, v := range []Verdict{{Passed: true}, {}} {
		word := map[bool]string{true: "PASSED", false: "FAILED"}[v.Passed]
		var table, md, js bytes.Buffer
		require.NoError(t, CheckTable(&table, rep, v, sampleHost, TableOptions{}))
		assert.Contains(t, table.String(), "\n"+word+": 4 endpoints: ")
		require.NoError(t, CheckMarkdown(&md, sampleTool, sampleHost, sampleSettings(rep), rep, v))
		assert.True(t, strings.HasPrefix(md.String(), "# arccheck: "+strings.ToLower(word)+" (2 of 4 endpoints reachable)\n\n"+word+": 4 endpoints: "), md.String())
		require.NoError(t, CheckJSON(&js, sampleTool, sampleHost, sampleSettings(rep), rep, v))
		var doc CheckDocument
		require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
		assert.Equal(t, strings.ToLower(word), doc.Verdict)
	}
}
