package reporttest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
)

// The RESULT words of LongReport, each longer than a terminal is wide.
const (
	LongReason  = "the DNS server answered that no such host exists in the zone it serves, after asking every forwarder configured for the corporate network"
	LongWarning = "re-signed by CN=Contoso Corporate TLS Inspection Issuing Certificate Authority 2026,OU=Network Security Operations,O=Contoso Ltd, which this machine trusts: not the endpoint's public chain"
)

// LongReport is the sample report with RESULT texts longer than any terminal: a failure whose words are
// the end of its message, and a warning whose words are its message.
func LongReport(t *testing.T) *check.Report {
	rep := SampleReport(t)
	dns := &rep.Results[1] // dc.services.visualstudio.com, dns_not_found
	dns.Probe.Failure.Facts = probe.Facts{Err: "lookup dc.services.visualstudio.com on 127.0.0.53:53: " + LongReason, Detail: LongReason}
	*dns = check.NewResult(dns.Probe, dns.Pattern, dns.Entry, dns.Origin, dns.Required)
	ok := &rep.Results[2] // management.azure.com, tls_intercepted
	ok.Probe.Warnings = []probe.Finding{{Class: probe.ClassTLSIntercepted, Phase: probe.PhaseTLS, Facts: probe.Facts{Err: LongWarning}}}
	*ok = check.NewResult(ok.Probe, ok.Pattern, ok.Entry, ok.Origin, ok.Required)
	return rep
}

// OneLine undoes the wrapping of paragraphs and the table's borders, so that a sentence can be found
// whole however the terminal's width broke it.
func OneLine(out string) string {
	return strings.Join(strings.Fields(ansiEscape.ReplaceAllString(out, "")), " ")
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// AssertWhole fails when a host is on no line whole, or when a line is wider than width; a table that
// says it needs more columns may be as wide as it says, no wider.
func AssertWhole(t *testing.T, what, out string, width int, hosts []string) {
	t.Helper()
	plainOut := ansiEscape.ReplaceAllString(out, "")
	screen := strings.Split(plainOut, "\n")
	for _, h := range hosts {
		whole := false
		for _, l := range screen {
			whole = whole || strings.Contains(l, h)
		}
		assert.True(t, whole, "%s: %s is split:\n%s", what, h, plainOut)
	}
	needs := width
	if m := regexp.MustCompile(`needs (\d+)`).FindStringSubmatch(OneLine(out)); m != nil {
		needs, _ = strconv.Atoi(m[1])
		assert.Greater(t, needs, width, what)
	}
	for _, l := range screen {
		limit := width
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "|") {
			limit = needs
		}
		assert.LessOrEqual(t, grid.DisplayWidth(l), limit, "%s: %q", what, l)
	}
}
