package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// TestRegionMissingFailsEveryFormat: required patterns left untested for want of a region fail the
// run in every format, each saying so and naming -l/--location.
func TestRegionMissingFailsEveryFormat(t *testing.T) {
	rep := reporttest.RegionlessReport(t)
	require.Zero(t, rep.Summary().RequiredUnreachable)
	assert.True(t, rep.Failed())
	assert.Contains(t, SummaryLine(rep, Verdict{}), " Failed: 2 required patterns not tested for want of a region; give the server's region with -l/--location (e.g. -l westeurope).")

	var md bytes.Buffer
	require.NoError(t, CheckMarkdown(&md, sampleTool, sampleHost, sampleSettings(rep), rep, Verdict{}))
	assert.Contains(t, md.String(), "# arccheck: failed")
	assert.Contains(t, md.String(), "-l/--location")

	var js bytes.Buffer
	require.NoError(t, CheckJSON(&js, sampleTool, sampleHost, sampleSettings(rep), rep, Verdict{}))
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
	reporttest.ValidateJUnit(t, junitOut.Bytes())
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
	require.NoError(t, CheckPrometheus(&prom, rep, Verdict{Passed: !rep.Failed() && !rep.Interrupted}))
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
