package report

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// TestJUnitSuiteTimeIsItsSpan: probes run at once, so a suite lasts from its first start to its last end,
// never the sum of its cases, and never longer than the run (the testsuites' time) that holds it.
func TestJUnitSuiteTimeIsItsSpan(t *testing.T) {
	start := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	rep := &check.Report{Start: start, Duration: time.Second}
	for _, h := range []string{"a.example", "b.example", "c.example"} {
		rep.Results = append(rep.Results, check.Result{Origin: check.OriginUser, Pattern: "https://" + h, Reachable: true,
			Probe: probe.Result{Target: probe.Target{Scheme: "https", Host: h, Port: 443}, Reachable: true,
				Start: start.Add(50 * time.Millisecond), Duration: 900 * time.Millisecond}})
	}
	var out bytes.Buffer
	require.NoError(t, CheckJUnit(&out, Tool{}, Host{}, Settings{}, rep, JUnitOptions{}))
	var doc struct {
		Time   string `xml:"time,attr"`
		Suites []struct {
			Time string `xml:"time,attr"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(out.Bytes(), &doc), out.String())
	require.Len(t, doc.Suites, 1)
	all, _ := strconv.ParseFloat(doc.Time, 64)
	suite, _ := strconv.ParseFloat(doc.Suites[0].Time, 64)
	assert.InDelta(t, 0.9, suite, 0.001, "the span, not the sum 2.7")
	assert.LessOrEqual(t, suite, all)
}
