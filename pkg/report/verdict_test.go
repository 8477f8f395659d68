package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// suitesNote begins the catalog's notice of the suites Windows agents 1.56 to 1.63 require.
const suitesNote = "Connected Machine agent versions 1.56 to 1.63 on Windows"

// checkOutputs writes rep as a table, Markdown and JSON for a run on os.
func checkOutputs(t *testing.T, rep *check.Report, os string) (table, md string, doc CheckDocument) {
	t.Helper()
	host := Host{OS: os, Arch: "amd64", Hostname: "srv01"}
	var tb, mb, jb bytes.Buffer
	require.NoError(t, CheckTable(&tb, rep, Verdict{}, host, TableOptions{}))
	require.NoError(t, CheckMarkdown(&mb, sampleTool, host, sampleSettings(rep), rep, Verdict{}))
	require.NoError(t, CheckJSON(&jb, sampleTool, host, sampleSettings(rep), rep, Verdict{}))
	require.NoError(t, json.Unmarshal(jb.Bytes(), &doc))
	return tb.String(), mb.String(), doc
}

// noticeTexts are the texts of a JSON report's notices.
func noticeTexts(doc CheckDocument) string {
	var out []string
	for _, n := range doc.Notices {
		out = append(out, n.Notice)
	}
	return strings.Join(out, "\n")
}

// TestSuitesNoteOnlyWhereItApplies: the note of the suites Windows agents require is shown, in every
// format, on a run on Windows or where a row failed or warned for its cipher suites; not on every other
// run. The other notes of the selection are shown on every run.
func TestSuitesNoteOnlyWhereItApplies(t *testing.T) {
	rep := reporttest.SampleReport(t)
	require.True(t, hasNotice(rep.Plan.Notices, suitesNote), "the sample's selection has the note")
	table, md, doc := checkOutputs(t, rep, "linux")
	assert.NotContains(t, table, suitesNote)
	assert.NotContains(t, md, suitesNote)
	assert.NotContains(t, noticeTexts(doc), suitesNote)

	table, md, doc = checkOutputs(t, rep, "windows")
	assert.Contains(t, table, "Note: "+suitesNote)
	assert.Contains(t, md, "- "+suitesNote)
	assert.Contains(t, noticeTexts(doc), suitesNote)

	for _, f := range []check.Finding{
		{Finding: probe.Finding{Class: check.ClassCipherUnsupportedByAgent, Phase: probe.PhaseTLS}},
		{Finding: probe.Finding{Class: probe.ClassTLSHandshakeFailed, Phase: probe.PhaseTLS, Cause: probe.CauseNoCommonSuite,
			Facts: probe.Facts{Err: "remote error: tls: handshake failure"}}},
	} {
		rep := reporttest.SampleReport(t)
		rep.Results[2].Warnings = append(rep.Results[2].Warnings, f)
		table, md, doc := checkOutputs(t, rep, "linux")
		assert.Contains(t, table, "Note: "+suitesNote, f.Class)
		assert.Contains(t, md, suitesNote, f.Class)
		assert.Contains(t, noticeTexts(doc), suitesNote, f.Class)
	}

	cat, err := endpoints.Load()
	require.NoError(t, err)
	plan, err := cat.Select(endpoints.Selection{Location: "westeurope", Extensions: []string{"esu"}})
	require.NoError(t, err)
	esu := &check.Report{Plan: plan}
	table, _, doc = checkOutputs(t, esu, "linux")
	assert.NotContains(t, table, suitesNote)
	assert.Contains(t, table, "Note: Windows Server 2016 ESU", "a note about the selection is shown on every run")
	assert.Contains(t, noticeTexts(doc), "Windows Server 2016 ESU")
}

// hasNotice reports whether a notice's text begins with prefix.
func hasNotice(notices []endpoints.Notice, prefix string) bool {
	for _, n := range notices {
		if strings.HasPrefix(n.Text, prefix) {
			return true
		}
	}
	return false
}

// TestHTTPStatusInResult: a reachable row answered over HTTP says the status in RESULT, in the table
// and in Markdown.
func TestHTTPStatusInResult(t *testing.T) {
	rep := reporttest.SampleReport(t)
	ok := &rep.Results[2] // management.azure.com, with a warning
	ok.Probe.HTTP = &probe.HTTPPhase{Status: 404, StatusText: "404 Not Found"}
	table, md, _ := checkOutputs(t, rep, "linux")
	assert.Regexp(t, `\| https://management\.azure\.com +\| true .*\| ok \(HTTP 404 Not Found\) +\|`, table)
	assert.Regexp(t, `\| http://www\.microsoft\.com/pkiops/certs +\| true .*\| ok \(HTTP 200 OK\) +\|`, table)
	assert.Contains(t, md, `| ok \(HTTP 404 Not Found\)<br>warn tls\_intercepted:`, "escaped for Markdown")
	rep.Results[2].Probe.HTTP = &probe.HTTPPhase{Status: 204}
	table, _, _ = checkOutputs(t, rep, "linux")
	assert.Contains(t, table, "| ok (HTTP 204 No Content) ")
	// A peer's own reason phrase may run to the head's bound: RESULT shows the standard words.
	rep.Results[2].Probe.HTTP = &probe.HTTPPhase{Status: 200, StatusText: "200 " + strings.Repeat("very long reason ", 200)}
	table, _, _ = checkOutputs(t, rep, "linux")
	assert.Contains(t, table, "| ok (HTTP 200 OK) ")
	assert.NotContains(t, table, "very long reason")
	rep.Results[2].Probe.HTTP = &probe.HTTPPhase{Status: 599}
	table, _, _ = checkOutputs(t, rep, "linux")
	assert.Contains(t, table, "| ok (HTTP 599) ", "a code with no standard text")
}

// TestLoopbackIsNotPublic: a private endpoint's name that resolves to a loopback or link-local address
// is said to, never to a public one.
func TestLoopbackIsNotPublic(t *testing.T) {
	addrs := func(s ...string) []netip.Addr {
		var out []netip.Addr
		for _, a := range s {
			out = append(out, netip.MustParseAddr(a))
		}
		return out
	}
	for _, tc := range []struct {
		f    probe.Finding
		want string
	}{
		{probe.Finding{Class: probe.ClassPrivateDNSPublic, Facts: probe.Facts{Host: "gbl.his.arc.azure.com", Addrs: addrs("127.0.0.2")}},
			"gbl.his.arc.azure.com resolves to loopback 127.0.0.2, not to a private endpoint address"},
		{probe.Finding{Class: probe.ClassPrivateDNSPublic, Facts: probe.Facts{Host: "a.example", Addrs: addrs("127.0.0.2", "20.1.2.3", "20.1.2.4")}},
			"a.example resolves to loopback 127.0.0.2 and public 20.1.2.3, 20.1.2.4, not to a private endpoint address"},
		{probe.Finding{Class: probe.ClassPrivateDNSPublic, Facts: probe.Facts{Host: "a.example", Addrs: addrs("169.254.1.1")}},
			"a.example resolves to link-local 169.254.1.1, not to a private endpoint address"},
		{probe.Finding{Class: probe.ClassPrivateDNSAAAAPublic, Facts: probe.Facts{Host: "a.example", Addrs: addrs("::1")}},
			"an AAAA record (loopback ::1) exists beside the private A record; the agent prefers IPv4, but other software may not"},
		{probe.Finding{Class: probe.ClassPrivateDNSAAAAPublic, Facts: probe.Facts{Host: "a.example", Addrs: addrs("2001:db8::1")}},
			"an AAAA record (public 2001:db8::1) exists beside the private A record; the agent prefers IPv4, but other software may not"},
	} {
		f := check.Finding{Finding: tc.f, Fix: check.Fix{Host: tc.f.Host}}
		assert.Equal(t, tc.want, messageOf(f))
		if tc.f.Addrs[0].IsLoopback() {
			assert.NotContains(t, messageOf(f)+FixOf(f).Action+FixOf(f).Hint, "public AAAA")
			assert.NotContains(t, messageOf(f), "public 127.")
			assert.NotContains(t, messageOf(f), "public ::1")
		}
	}
}
