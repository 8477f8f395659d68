package report

import (
	"bytes"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// evil is what a hostile peer, agent or report writes (reporttest.Evil).
const evil = reporttest.Evil

// The tool, host and settings a hostile report says it was written with.
var (
	evilHost     = Host{OS: "linux", Arch: "amd64", Hostname: "srv" + evil}
	evilTool     = Tool{Name: "arccheck", Version: "v1" + evil}
	evilSettings = Settings{Catalog: evil, DNSServer: evil, Endpoints: []string{evil}, Proxy: ProxySetting{HTTPS: "http://p" + evil},
		Sources: map[string]string{evil: evil}, Agent: &AgentJSON{Path: evil, WinHTTPProxy: evil}}
)

// TestHostileTextNeverReachesAReader: hostile text in every field a check report shows goes through
// every format of check as visible escapes; the XML still parses, and so does the Prometheus text.
func TestHostileTextNeverReachesAReader(t *testing.T) {
	rep := reporttest.EvilReport(t)
	var buf bytes.Buffer
	for _, width := range []int{0, 80} {
		buf.Reset()
		require.NoError(t, CheckTable(&buf, rep, Verdict{}, sampleHost, TableOptions{Width: width}))
		reporttest.AssertInert(t, "table", buf.String())
		if width == 0 {
			assert.Contains(t, buf.String(), `\x1b[2J\x07\u202e=1+2\xff\xfe`, "shown as the characters it holds")
			assert.Contains(t, buf.String(), `https://gbl\x0a\x1b`, "a line break in a value is escaped, not a new line of the cell")
		}
	}
	for i := range rep.Results {
		reporttest.AssertInert(t, "-v", ProgressLine(&rep.Results[i]))
	}
	reporttest.AssertInert(t, "summary", SummaryLine(rep, Verdict{}))
	reporttest.AssertInert(t, "agent line", AgentLine(agent.Settings{Path: evil, WinHTTPProxy: evil}, nil, false))
	reporttest.AssertInert(t, "agent line", AgentLine(agent.Settings{Path: evil, WinHTTPProxy: evil}, []endpoints.Field{endpoints.FieldLocation}, true))

	buf.Reset()
	require.NoError(t, CheckMarkdown(&buf, evilTool, evilHost, evilSettings, rep, Verdict{}))
	reporttest.AssertInert(t, "markdown", buf.String())

	for _, failOnWarning := range []bool{false, true} {
		buf.Reset()
		require.NoError(t, CheckJUnit(&buf, evilTool, evilHost, evilSettings, rep, JUnitOptions{FailOnWarning: failOnWarning}))
		reporttest.AssertInert(t, "junit", buf.String())
		reporttest.AssertXMLInert(t, "junit", buf.Bytes())
	}

	buf.Reset()
	require.NoError(t, CheckPrometheus(&buf, rep, Verdict{Passed: !rep.Failed() && !rep.Interrupted}), "a label that is not UTF-8 would make client_golang panic")
	reporttest.AssertInert(t, "prometheus", buf.String())
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err, buf.String())
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				assert.True(t, safetext.IsSafe(l.GetValue()), "label %s=%q", l.GetName(), l.GetValue())
			}
		}
	}

	buf.Reset()
	require.NoError(t, CheckJSON(&buf, evilTool, evilHost, evilSettings, rep, Verdict{}))
	reporttest.AssertJSONInert(t, "json", buf.Bytes())
	assert.NotContains(t, buf.String(), "\u202e", "encoding/json does not escape a bidirectional override")
}
