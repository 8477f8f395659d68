package fleet

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// evil is what a hostile peer, agent or report writes (reporttest.Evil).
const evil = reporttest.Evil

// The tool, host and settings a hostile report says it was written with.
var (
	evilHost     = report.Host{OS: "linux", Arch: "amd64", Hostname: "srv" + evil}
	evilTool     = report.Tool{Name: "arccheck", Version: "v1" + evil}
	evilSettings = report.Settings{Catalog: evil, DNSServer: evil, Endpoints: []string{evil}, Proxy: report.ProxySetting{HTTPS: "http://p" + evil},
		Sources: map[string]string{evil: evil}, Agent: &report.AgentJSON{Path: evil, WinHTTPProxy: evil}}
)

// evilDocument is a check report as a hostile server (or anyone who can write into the reports'
// directory) writes it: control characters escaped as JSON requires, a right-to-left override and
// bytes that are not UTF-8 as they are.
func evilDocument(t *testing.T) []byte {
	rep := reporttest.EvilReport(t)
	doc := report.NewCheckDocument(evilTool, evilHost, evilSettings, rep, report.Verdict{})
	doc.Results[0].Failure.Class = probe.Class("tcp_timeout" + evil) // a class map key of the fleet
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	// json.Marshal writes invalid UTF-8 as U+FFFD: put raw bytes back where a file may hold them.
	data = bytes.ReplaceAll(data, []byte(`\ufffd`), []byte("\xff"))
	require.Contains(t, string(data), "\u202e")
	return data
}

// TestHostileReportsNeverReachAReader: reports read for merge are escaped when read, and every fleet
// format shows only inert text, from files whose names are hostile too; fleet JSON carries the escaped
// text; fleet JUnit parses and keeps no right-to-left override.
func TestHostileReportsNeverReachAReader(t *testing.T) {
	data := evilDocument(t)
	doc, err := ReadCheckReport(bytes.NewReader(data))
	require.NoError(t, err)
	for _, s := range []string{doc.Host.Hostname, doc.Settings.Proxy.HTTPS, doc.Results[0].Endpoint, doc.Results[0].Pattern,
		string(doc.Results[0].Failure.Class), doc.Results[0].Failure.Message, doc.Results[0].Fix.Hint} {
		assert.True(t, safetext.IsSafe(s), "read as %q", s)
	}
	// encoding/json reads bytes that are not UTF-8 as U+FFFD, which is inert.
	assert.Equal(t, `srv\x1b[2J\x07\u202e=1+2`+"\ufffd\ufffd", doc.Host.Hostname)

	// The reports as read, and as a caller might hand them over without reading them (unescaped).
	var raw report.CheckDocument
	require.NoError(t, json.Unmarshal(data, &raw))
	reports := []report.CheckDocument{doc, raw}
	f := New(reports, []string{"a" + evil + ".json", "b\u202e.json"})
	for _, s := range f.Servers {
		assert.True(t, safetext.IsSafe(s.Name) && safetext.IsSafe(s.File) && safetext.IsSafe(s.Proxy), "%+v", s)
	}
	for _, e := range f.Endpoints {
		for c := range e.Classes {
			assert.True(t, safetext.IsSafe(c), "class %q", c)
		}
	}

	var buf bytes.Buffer
	for _, width := range []int{0, 80} {
		buf.Reset()
		require.NoError(t, Table(&buf, f, report.TableOptions{Width: width}))
		reporttest.AssertInert(t, "fleet table", buf.String())
	}
	buf.Reset()
	require.NoError(t, Markdown(&buf, f))
	reporttest.AssertInert(t, "fleet markdown", buf.String())
	buf.Reset()
	require.NoError(t, JUnit(&buf, f))
	reporttest.AssertInert(t, "fleet junit", buf.String())
	reporttest.AssertXMLInert(t, "fleet junit", buf.Bytes())
	buf.Reset()
	require.NoError(t, JSON(&buf, evilTool, f))
	reporttest.AssertJSONInert(t, "fleet json", buf.Bytes())
	assert.Contains(t, buf.String(), `\\u202e`, "the escaped text, as JSON writes a backslash")
}
