package fleet

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// The tool, host and settings of the sample reports (pkg/report's tests write them alike).
var sampleTool, sampleHost = report.Tool{Name: "arccheck", Version: "v1.0.0"}, report.Host{OS: "linux", Arch: "amd64", Hostname: "srv01"}

func sampleSettings(rep *check.Report) report.Settings {
	sel := report.NewSelectionJSON(rep.Plan)
	return report.Settings{Selection: &sel, Catalog: "embedded", TimeoutMs: 10000, Concurrency: 1024, PublicRoots: "embedded",
		Proxy: report.ProxySetting{HTTPS: "http://proxy.corp:3128"}}
}

// TestMergeCountsRegionMissing: merge counts a report that failed for want of a region as failed, in
// every format, and reads a report written before requiredNeedRegion and needs as it did.
func TestMergeCountsRegionMissing(t *testing.T) {
	rep := reporttest.RegionlessReport(t)
	doc := report.NewCheckDocument(sampleTool, sampleHost, sampleSettings(rep), rep, report.Verdict{})
	f := New([]report.CheckDocument{doc}, []string{"srv01.json"})
	assert.True(t, f.Failed())
	assert.Equal(t, []string{"srv01"}, f.NeedRegion)
	var js bytes.Buffer
	require.NoError(t, JSON(&js, sampleTool, f))
	assert.Contains(t, js.String(), `"needRegion": [
    "srv01"
  ]`, "a script sees why the server failed")

	var table bytes.Buffer
	require.NoError(t, Table(&table, f, report.TableOptions{}))
	assert.Contains(t, table.String(), "1 report merged: 1 failed, 0 passed.")
	assert.Contains(t, table.String(), "Required patterns not tested for want of a region on srv01; give the server's region with -l/--location (e.g. -l westeurope).")
	var md bytes.Buffer
	require.NoError(t, Markdown(&md, f))
	assert.Contains(t, md.String(), "for want of a region on srv01")
	var junitOut bytes.Buffer
	require.NoError(t, JUnit(&junitOut, f))
	reporttest.ValidateJUnit(t, junitOut.Bytes())
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	require.NoError(t, xml.Unmarshal(junitOut.Bytes(), &suites))
	assert.Equal(t, 2, suites.Failures, junitOut.String())

	// The same report as an arccheck before the change wrote it: no requiredNeedRegion, no needs.
	var raw map[string]any
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &raw))
	delete(raw["summary"].(map[string]any), "requiredNeedRegion")
	delete(raw, "verdict") // written later than requiredNeedRegion: an older report has neither
	for _, n := range raw["notTested"].([]any) {
		delete(n.(map[string]any), "needs")
	}
	b, err = json.Marshal(raw)
	require.NoError(t, err)
	old, err := ReadCheckReport(bytes.NewReader(b))
	require.NoError(t, err)
	f = New([]report.CheckDocument{old}, []string{"srv01.json"})
	assert.False(t, f.Failed(), "an older report is judged as it was: on its required unreachable and canceled endpoints")
	assert.Empty(t, f.NeedRegion)
	junitOut.Reset()
	require.NoError(t, JUnit(&junitOut, f))
	assert.NotContains(t, junitOut.String(), "<failure")
}

// TestLocalResourcesIsNoVerdict: the fleet view says local_resources is no verdict on the endpoint.
func TestLocalResourcesIsNoVerdict(t *testing.T) {
	assert.Equal(t, "local_resources ×2 (not tested: the server ran out of file descriptors or buffers), tcp_timeout ×1",
		classWords(map[string]int{"local_resources": 2, "tcp_timeout": 1}))
}

// TestRunFailuresFirst: endpoints are listed by the failures that failed runs, then by failures, then by
// name: a required endpoint failing on one server comes before an optional one failing on all of them.
func TestRunFailuresFirst(t *testing.T) {
	f := &Fleet{}
	f.sort(map[string]*Endpoint{
		"optional": {Endpoint: "https://optional.example", Servers: 3, Failed: 3},
		"required": {Endpoint: "https://required.example", Required: true, Servers: 3, Failed: 1, RequiredFailed: 1},
		"mixed":    {Endpoint: "https://mixed.example", Required: true, Servers: 3, Failed: 3, RequiredFailed: 1},
		"fine":     {Endpoint: "https://fine.example", Required: true, Servers: 3},
		"other":    {Endpoint: "https://another.example", Servers: 3, Failed: 3},
	}, nil, nil)
	var order []string
	for _, e := range f.Endpoints {
		order = append(order, e.Endpoint)
	}
	assert.Equal(t, []string{"https://mixed.example", "https://required.example", "https://another.example",
		"https://optional.example", "https://fine.example"}, order)
}
