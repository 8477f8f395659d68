package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// regionlessReport is a run where every probed endpoint answered but two required patterns needed a
// region: a regional host, and a discovery call made per region.
func regionlessReport(t *testing.T) *check.Report {
	rep := sampleReport(t)
	rep.Results = rep.Results[2:] // the reachable rows
	rep.NotTested = []check.NotTested{
		{Pattern: "*.guestconfiguration.azure.com", Required: true, Reason: "needs the server's region to name the regional host",
			Needs: endpoints.FieldLocation},
		{Pattern: "*.his.arc.azure.com", Required: true, Token: endpoints.TokenHISShard, Needs: endpoints.FieldLocation},
		{Pattern: "*.blob.core.windows.net", Reason: "the storage accounts are chosen by the service; allow the wildcard"},
	}
	return rep
}

// TestRegionMissingFailsEveryFormat: required patterns left untested for want of a region fail the
// run in every format, each saying so and naming -l/--location.
func TestRegionMissingFailsEveryFormat(t *testing.T) {
	rep := regionlessReport(t)
	require.Zero(t, rep.Summary().RequiredUnreachable)
	assert.True(t, rep.Failed())
	assert.Contains(t, SummaryLine(rep), " Failed: 2 required patterns not tested for want of a region; give the server's region with -l/--location (e.g. -l westeurope).")

	var md bytes.Buffer
	require.NoError(t, CheckMarkdown(&md, sampleTool, sampleHost, sampleSettings(rep), rep))
	assert.Contains(t, md.String(), "# arccheck: failed")
	assert.Contains(t, md.String(), "-l/--location")

	var js bytes.Buffer
	require.NoError(t, CheckJSON(&js, sampleTool, sampleHost, sampleSettings(rep), rep))
	dec := json.NewDecoder(&js)
	dec.DisallowUnknownFields()
	var doc CheckDocument
	require.NoError(t, dec.Decode(&doc))
	assert.Equal(t, 2, doc.Summary.RequiredNeedRegion)
	needs := map[string]string{}
	for _, n := range doc.NotTested {
		needs[n.Pattern] = n.Needs
	}
	assert.Equal(t, map[string]string{"*.guestconfiguration.azure.com": "location", "*.his.arc.azure.com": "location",
		"*.blob.core.windows.net": ""}, needs)

	var junitOut bytes.Buffer
	require.NoError(t, CheckJUnit(&junitOut, sampleTool, sampleHost, sampleSettings(rep), rep, JUnitOptions{}))
	validateJUnit(t, junitOut.Bytes())
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
				} `xml:"failure"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(junitOut.Bytes(), &suites))
	assert.Equal(t, 2, suites.Failures, junitOut.String())
	failed, skipped := map[string]string{}, map[string]bool{}
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				failed[c.Name] = c.Failure.Type + ": " + c.Failure.Message
			}
			skipped[c.Name] = c.Skipped != nil
		}
	}
	for _, p := range []string{"*.guestconfiguration.azure.com", "*.his.arc.azure.com"} {
		assert.Contains(t, failed[p], "required_needs_region: not tested for want of a region: give the server's region with -l/--location")
	}
	assert.True(t, skipped["*.blob.core.windows.net"], "a pattern no region would name stays skipped")

	var prom bytes.Buffer
	require.NoError(t, CheckPrometheus(&prom, rep))
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(prom.Bytes()))
	require.NoError(t, err, prom.String())
	states := map[string]float64{}
	for _, m := range families["arccheck_run_endpoints"].GetMetric() {
		states[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	assert.Equal(t, 2.0, states["required_needs_region"], prom.String())
	assert.Zero(t, states["required_unreachable"])
	assert.Zero(t, families["arccheck_run_success"].GetMetric()[0].GetGauge().GetValue())
}

// TestMergeCountsRegionMissing: merge counts a report that failed for want of a region as failed, in
// every format, and reads a report written before requiredNeedRegion and needs as it did.
func TestMergeCountsRegionMissing(t *testing.T) {
	rep := regionlessReport(t)
	doc := NewCheckDocument(sampleTool, sampleHost, sampleSettings(rep), rep)
	f := NewFleet([]CheckDocument{doc}, []string{"srv01.json"})
	assert.True(t, f.Failed())
	assert.Equal(t, []string{"srv01"}, f.NeedRegion)

	var table bytes.Buffer
	require.NoError(t, FleetTable(&table, f, TableOptions{}))
	assert.Contains(t, table.String(), "1 report merged: 1 failed, 0 passed.")
	assert.Contains(t, table.String(), "Required patterns not tested for want of a region on srv01; give the server's region with -l/--location (e.g. -l westeurope).")
	var md bytes.Buffer
	require.NoError(t, FleetMarkdown(&md, f))
	assert.Contains(t, md.String(), "for want of a region on srv01")
	var junitOut bytes.Buffer
	require.NoError(t, FleetJUnit(&junitOut, []CheckDocument{doc}, f))
	validateJUnit(t, junitOut.Bytes())
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
	for _, n := range raw["notTested"].([]any) {
		delete(n.(map[string]any), "needs")
	}
	b, err = json.Marshal(raw)
	require.NoError(t, err)
	old, err := ReadCheckReport(bytes.NewReader(b))
	require.NoError(t, err)
	f = NewFleet([]CheckDocument{old}, []string{"srv01.json"})
	assert.False(t, f.Failed(), "an older report is judged as it was: on its required unreachable and canceled endpoints")
	assert.Empty(t, f.NeedRegion)
	junitOut.Reset()
	require.NoError(t, FleetJUnit(&junitOut, []CheckDocument{old}, f))
	assert.NotContains(t, junitOut.String(), "<failure")
}

// validateJUnit checks JUnit XML against the JUnit XSD with xmllint.
func validateJUnit(t *testing.T, out []byte) {
	t.Helper()
	xmllint := testnet.RequireBinary(t, "xmllint", "libxml2-utils")
	file := filepath.Join(t.TempDir(), "report.xml")
	require.NoError(t, os.WriteFile(file, out, 0o644))
	msg, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), file).CombinedOutput()
	require.NoError(t, err, "%s\n%s", msg, out)
}
