package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

var sampleTool, sampleHost = Tool{Name: "arccheck", Version: "v1.0.0"}, Host{OS: "linux", Arch: "amd64", Hostname: "srv01"}

func sampleSettings(rep *check.Report) Settings {
	sel := NewSelectionJSON(rep.Plan)
	return Settings{Selection: &sel, Catalog: "embedded", TimeoutMs: 10000, Concurrency: 1024, PublicRoots: "embedded",
		Proxy: ProxySetting{HTTPS: "http://proxy.corp:3128"}}
}

// hostile is a certificate whose subject holds a terminal escape sequence and a Markdown link, seen
// through a TLS-inspecting box: its name lands in the warning and in the fix.
const hostile = "CN=Evil \x1b[2J\x1b[31mCA\x1b]0;pwned\x07 [click](https://evil.example) <b>x</b> | \u202ereversed"

func hostileReport(t *testing.T) *check.Report {
	rep := reporttest.SampleReport(t)
	r := &rep.Results[2] // management.azure.com, reachable with an interception warning
	r.Probe.TLS.Interceptor = hostile
	r.Probe.Warnings = []probe.Finding{{Class: probe.ClassTLSIntercepted, Phase: probe.PhaseTLS, Facts: probe.Facts{Err: "re-signed by " + hostile}}}
	*r = check.NewResult(r.Probe, r.Pattern, r.Entry, r.Origin, r.Required)
	return rep
}

// TestHostileNamesAreInert: a certificate name with an escape sequence and a Markdown link is shown
// as the characters it holds, in the table, the progress line and the Markdown.
func TestHostileNamesAreInert(t *testing.T) {
	rep := hostileReport(t)
	var table bytes.Buffer
	require.NoError(t, CheckTable(&table, rep, Verdict{}, sampleHost, TableOptions{}))
	assert.NotContains(t, table.String(), "\x1b")
	assert.NotContains(t, table.String(), "\u202e")
	assert.Contains(t, table.String(), `\x1b[2J`)
	assert.NotContains(t, ProgressStatus(1, 2, 0, "https://x\x1b[2J"), "\x1b")

	var md bytes.Buffer
	require.NoError(t, CheckMarkdown(&md, sampleTool, sampleHost, sampleSettings(rep), rep, Verdict{}))
	assert.NotContains(t, md.String(), "\x1b")
	assert.NotContains(t, md.String(), "[click](https://evil.example)", "no link")
	assert.Contains(t, md.String(), `\[click\]\(https://evil.example\)`)
	assert.NotContains(t, md.String(), "<b>")
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "| https://management") {
			assert.Equal(t, 7, strings.Count(l, "|")-strings.Count(l, `\|`), "the name cannot add a column: %s", l)
		}
	}
}

func TestCheckMarkdownGolden(t *testing.T) {
	var buf bytes.Buffer
	rep := reporttest.SampleReport(t)
	require.NoError(t, CheckMarkdown(&buf, sampleTool, sampleHost, sampleSettings(rep), rep, Verdict{}))
	reporttest.Golden(t, "check.md", buf.Bytes())
}

// TestCheckJUnitValidates checks the JUnit XML against the JUnit XSD with xmllint, and its content.
func TestCheckJUnitValidates(t *testing.T) {
	rep := hostileReport(t)
	for _, failOnWarning := range []bool{false, true} {
		var buf bytes.Buffer
		require.NoError(t, CheckJUnit(&buf, sampleTool, sampleHost, sampleSettings(rep), rep, JUnitOptions{FailOnWarning: failOnWarning}))
		xmllint := testnet.RequireBinary(t, "xmllint", "libxml2-utils")
		file := filepath.Join(t.TempDir(), "report.xml")
		require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))
		out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), file).CombinedOutput()
		require.NoError(t, err, "%s\n%s", out, buf.String())

		var doc struct {
			Suites []struct {
				Name     string `xml:"name,attr"`
				Failures int    `xml:"failures,attr"`
				Skipped  int    `xml:"skipped,attr"`
				Cases    []struct {
					Name    string `xml:"name,attr"`
					Failure *struct {
						Message string `xml:"message,attr"`
					} `xml:"failure"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc))
		failed := map[string]string{}
		for _, s := range doc.Suites {
			for _, c := range s.Cases {
				if c.Failure != nil {
					failed[c.Name] = c.Failure.Message
				}
			}
		}
		assert.Contains(t, failed["https://gbl.his.arc.azure.com"], "tcp_timeout: Allow outbound TCP 443")
		assert.NotContains(t, failed, "https://dc.services.visualstudio.com", "optional: never a failure")
		_, warned := failed["https://management.azure.com"]
		assert.Equal(t, failOnWarning, warned, "a warning fails the case only with --fail-on warning")
		assert.NotContains(t, buf.String(), "\x1b")
	}
}

// TestCheckPrometheusParses reads the output back with Prometheus' own text parser.
func TestCheckPrometheusParses(t *testing.T) {
	var buf bytes.Buffer
	rep := hostileReport(t)
	require.NoError(t, CheckPrometheus(&buf, rep, Verdict{Passed: !rep.Failed() && !rep.Interrupted}))
	// The legacy (strictest) name validation: what node_exporter's textfile collector accepts.
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err, buf.String())
	for _, name := range []string{"arccheck_endpoint_reachable", "arccheck_endpoint_phase_duration_seconds",
		"arccheck_endpoint_tls_version_info", "arccheck_endpoint_certificate_expiry_timestamp_seconds",
		"arccheck_run_duration_seconds", "arccheck_run_endpoints", "arccheck_run_success", "arccheck_run_timestamp_seconds"} {
		require.Contains(t, families, name)
	}
	var failed int
	for _, m := range families["arccheck_endpoint_reachable"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "class" && l.GetValue() == "tcp_timeout" {
				failed++
				assert.Zero(t, m.GetGauge().GetValue())
			}
		}
	}
	assert.Equal(t, 1, failed)
	assert.Zero(t, families["arccheck_run_success"].GetMetric()[0].GetGauge().GetValue())
}

// TestTablesFitTheTerminal: at 60, 80 and 120 columns no line of the check table (with warnings and a
// hostile certificate name) or of the list is wider than the terminal, but for a table that says how wide
// it must be (a word is never cut); without a width the layout is the stable, unwrapped one.
func TestTablesFitTheTerminal(t *testing.T) {
	rep := hostileReport(t)
	for _, width := range []int{60, 80, 120} {
		var buf bytes.Buffer
		require.NoError(t, CheckTable(&buf, rep, Verdict{}, sampleHost, TableOptions{Width: width, Color: true}))
		reporttest.AssertWhole(t, "check", buf.String(), width, nil)
		assert.Contains(t, buf.String(), "ENDPOINT")
		assert.Contains(t, buf.String(), "REACHABLE", "shown, or named as hidden")
		buf.Reset()
		require.NoError(t, ListTable(&buf, rep.Plan, TableOptions{Width: width}))
		reporttest.AssertWhole(t, "list", buf.String(), width, nil)
	}
	var wide, unwrapped bytes.Buffer
	require.NoError(t, CheckTable(&wide, reporttest.SampleReport(t), Verdict{}, sampleHost, TableOptions{Width: 1000}))
	require.NoError(t, CheckTable(&unwrapped, reporttest.SampleReport(t), Verdict{}, sampleHost, TableOptions{}))
	assert.Equal(t, unwrapped.String(), wide.String(), "a table that fits is not changed")
}

// TestRunFindingsInEveryFormat: the clock and the revocation endpoints reach JUnit and Prometheus too.
func TestRunFindingsInEveryFormat(t *testing.T) {
	rep := reporttest.SampleReport(t)
	rep.Clock = &check.Clock{Offset: 10 * time.Minute, Source: "https://management.azure.com", Answers: 3}
	rep.Warnings = []check.Finding{{Finding: probe.Finding{Class: check.ClassClockSkew, Phase: probe.PhaseHTTP},
		Fix: check.Fix{Host: "management.azure.com", URL: "https://management.azure.com", ClockOffset: 10 * time.Minute}}}
	rep.Revocation = []check.Revocation{{URL: "http://crl.example/ca.crl", Kind: check.RevocationCRL,
		NeededBy: []string{"https://management.azure.com"}}}

	var prom bytes.Buffer
	require.NoError(t, CheckPrometheus(&prom, rep, Verdict{Passed: !rep.Failed() && !rep.Interrupted}))
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(prom.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, 600.0, families["arccheck_run_clock_offset_seconds"].GetMetric()[0].GetGauge().GetValue())
	assert.Equal(t, 1.0, families["arccheck_run_warnings"].GetMetric()[0].GetGauge().GetValue())
	assert.Zero(t, families["arccheck_revocation_reachable"].GetMetric()[0].GetGauge().GetValue())

	var xmlOut bytes.Buffer
	require.NoError(t, CheckJUnit(&xmlOut, sampleTool, sampleHost, sampleSettings(rep), rep, JUnitOptions{FailOnWarning: true}))
	assert.Contains(t, xmlOut.String(), `<testcase name="run" classname="arccheck.run">`)
	assert.Contains(t, xmlOut.String(), `<failure message="clock_skew: `)
	assert.Contains(t, xmlOut.String(), "revocation crl http://crl.example/ca.crl: unreachable")
	xmllint := testnet.RequireBinary(t, "xmllint", "libxml2-utils")
	file := filepath.Join(t.TempDir(), "report.xml")
	require.NoError(t, os.WriteFile(file, xmlOut.Bytes(), 0o644))
	out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), file).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// TestCheckPrometheusGolden pins the text format byte for byte, for a report with every kind of result
// and hostile names (escaped), a run warning, a clock offset and revocation URLs.
func TestCheckPrometheusGolden(t *testing.T) {
	rep := hostileReport(t)
	rep.Clock = &check.Clock{Offset: -1500 * time.Millisecond, Source: "https://management.azure.com", Answers: 3}
	rep.Warnings = []check.Finding{{Finding: probe.Finding{Class: check.ClassClockSkew, Phase: probe.PhaseHTTP}}}
	rep.Revocation = []check.Revocation{
		{URL: "http://crl.example/ca.crl", Kind: check.RevocationCRL, Probe: probe.Result{Reachable: true}},
		{URL: "http://ocsp.example/\"q\"\\\n", Kind: check.RevocationOCSP},
		{URL: "http://skipped.example/", Kind: check.RevocationOCSP,
			Probe: probe.Result{Failure: &probe.Finding{Class: check.ClassRevocationNotProbed}}},
	}
	var buf bytes.Buffer
	require.NoError(t, CheckPrometheus(&buf, rep, Verdict{Passed: false}))
	reporttest.Golden(t, "check.prom", buf.Bytes())
}
