package reporttest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// Evil is what a hostile peer, agent or report writes: a screen clear and a bell, a right-to-left
// override, a spreadsheet formula and bytes that are not UTF-8.
const Evil = "\x1b[2J\a\u202e=1+2\xff\xfe"

// AssertInert fails when out holds a character a terminal, an editor or a reader would act on: a
// control character other than the format's own line breaks, a bidirectional control, invalid UTF-8.
func AssertInert(t *testing.T, format, out string) {
	t.Helper()
	require.NotEmpty(t, out, format)
	for i, l := range strings.Split(out, "\n") {
		l = strings.TrimLeft(l, "\t") // the indentation of XML
		assert.True(t, safetext.IsSafe(l), "%s, line %d: %q", format, i+1, l)
	}
}

// AssertJSONInert fails when a JSON document, once decoded, holds a string (key or value) that is not
// inert: JSON escapes control characters, but a reader of the decoded text sees them.
func AssertJSONInert(t *testing.T, format string, data []byte) {
	t.Helper()
	AssertInert(t, format, string(data))
	var v any
	require.NoError(t, json.Unmarshal(data, &v), format)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			assert.True(t, safetext.IsSafe(v), "%s: %q", format, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for k, e := range v {
				walk(k)
				walk(e)
			}
		}
	}
	walk(v)
}

// AssertXMLInert parses XML with encoding/xml and requires every text and attribute to be inert.
func AssertXMLInert(t *testing.T, format string, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return
		}
		require.NoError(t, err, "%s: %s", format, data)
		switch tok := tok.(type) {
		case xml.StartElement:
			for _, a := range tok.Attr {
				assert.True(t, safetext.IsSafe(a.Value), "%s: attribute %s=%q", format, a.Name.Local, a.Value)
			}
		case xml.CharData:
			for _, l := range strings.Split(string(tok), "\n") {
				l = strings.TrimLeft(l, "\t")
				assert.True(t, safetext.IsSafe(l), "%s: text %q", format, l)
			}
		}
	}
}

// EvilReport is the sample report with hostile text everywhere a peer or the user's input can put it:
// the endpoint, its pattern, the messages, the certificates, a proxy's status, the classes.
func EvilReport(t *testing.T) *check.Report {
	rep := SampleReport(t)
	timeout := &rep.Results[0]                                        // tcp_timeout, required
	timeout.Probe.Target.Host = "gbl\n" + Evil + ".his.arc.azure.com" // a line break cannot forge a line of a cell
	timeout.Probe.Failure.Facts = probe.Facts{Err: "dial tcp: " + Evil, Detail: Evil}
	px, err := probe.ParseProxy("http://proxy.corp:3128", "test")
	require.NoError(t, err)
	timeout.Probe.Proxy = &probe.ProxyPhase{Proxy: px, Status: "403 " + Evil, ProxyCode: Evil, AuthSchemes: []string{Evil}}
	*timeout = check.NewResult(timeout.Probe, "*"+Evil+".his.arc.azure.com", timeout.Entry, timeout.Origin, timeout.Required)
	timeout.Failure.Fix.Proxy, timeout.Failure.Fix.Issuer = "proxy"+Evil+":3128", Evil

	ok := &rep.Results[2] // management.azure.com, reachable with an interception warning
	leaf := *ok.Probe.TLS.Leaf
	leaf.Subject, leaf.Issuer, leaf.DNSNames, leaf.CRL = "CN="+Evil, "CN=Evil CA "+Evil, []string{Evil}, []string{"http://crl" + Evil}
	tlsPhase := *ok.Probe.TLS
	tlsPhase.Leaf, tlsPhase.Chain, tlsPhase.Interceptor = &leaf, []probe.Certificate{leaf}, "CN="+Evil
	ok.Probe.TLS = &tlsPhase
	ok.Probe.HTTP = &probe.HTTPPhase{Status: 200, StatusText: "200 " + Evil, BlockedBy: &probe.Answerer{Server: Evil}, Evidence: Evil}
	ok.Probe.Warnings = []probe.Finding{{Class: probe.ClassTLSIntercepted, Phase: probe.PhaseTLS, Cause: probe.CauseResigned,
		Facts: probe.Facts{Interceptor: Evil}}, {Class: check.ClassRevocationNotProbed, Phase: probe.PhaseTLS, Facts: probe.Facts{Err: Evil}}}
	*ok = check.NewResult(ok.Probe, ok.Pattern, ok.Entry, ok.Origin, ok.Required)
	ok.Warnings[1].Fix.Revocation = []string{"ldap://" + Evil}

	classless := probe.Result{Target: probe.Target{Scheme: "https", Host: "x" + Evil + ".example", Port: 443},
		Failure: &probe.Finding{Class: probe.Class("class" + Evil), Phase: probe.Phase(Evil), Facts: probe.Facts{Err: Evil}}}
	rep.Results = append(rep.Results, check.NewResult(classless, Evil, nil, check.OriginUser, true))

	rep.Warnings = []check.Finding{{Finding: probe.Finding{Class: check.ClassClockSkew, Phase: probe.PhaseHTTP},
		Fix: check.Fix{Host: Evil, URL: "https://" + Evil, ClockOffset: time.Hour}}}
	rep.Revocation = []check.Revocation{{URL: "http://crl" + Evil, Kind: check.RevocationCRL, NeededBy: []string{Evil},
		Probe: probe.Result{Failure: &probe.Finding{Class: probe.ClassTCPTimeout, Facts: probe.Facts{Err: Evil}}}},
		{URL: "http://ocsp" + Evil, Kind: check.RevocationOCSP, NeededBy: []string{Evil}, NotProbed: check.CauseUnparsable,
			ParseError: errors.New(Evil), Probe: probe.Result{Failure: &probe.Finding{Class: check.ClassRevocationNotProbed}}}}
	rep.NotTested = append(rep.NotTested, check.NotTested{Pattern: Evil, Reason: Evil, Required: true})
	rep.Discoveries = append(rep.Discoveries, check.Discovery{Token: Evil, URL: Evil, Hosts: []string{Evil},
		Failure: &probe.Finding{Class: probe.ClassHTTPTooLarge, Facts: probe.Facts{Err: Evil}}},
		check.Discovery{Token: Evil, URL: Evil, Failure: &probe.Finding{Class: probe.ClassHTTPError}, AnswerError: errors.New(Evil)})
	return rep
}
