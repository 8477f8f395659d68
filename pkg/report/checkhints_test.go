package report

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// TestCheckFindingsAreWordedHere: pkg/check gives its own findings a class, a cause and facts, never a
// message; the message every format shows is made here from them, and a probe's message passes through.
func TestCheckFindingsAreWordedHere(t *testing.T) {
	proxy := check.Fix{Proxy: "proxy.corp:3128", ProxyURL: "http://proxy.corp:3128"}
	with := func(f check.Fix, set func(*check.Fix)) check.Fix { set(&f); return f }
	reSigned := "re-signed by CN=Corp CA, which this machine trusts: not the endpoint's public chain"
	legacy := "the TLS handshake failed: no cipher suite in common: the server (or a box in the path) speaks only legacy suites such as TLS_RSA_WITH_AES_128_CBC_SHA (TLS 1.2)"
	cases := []struct {
		name string
		f    check.Finding
		want string
	}{
		{"revocation unreachable", wordsFinding(check.ClassRevocationUnreachable, probe.PhaseHTTP, "", check.Fix{Revocation: []string{"http://ocsp.example/", "http://crl.example/ca.crl"}}),
			"the chain names revocation endpoints that cannot be reached: http://ocsp.example/, http://crl.example/ca.crl; Windows checks revocation, so TLS may stall or fail for the agent"},
		{"revocation not probed", wordsFinding(check.ClassRevocationNotProbed, probe.PhaseHTTP, "", check.Fix{Revocation: []string{"http://bad host/crl"}}),
			"the chain names revocation endpoints arccheck did not probe to a verdict (not an http:// URL it can parse, past the run's cap of 32, cut short by the run's deadline, or an OCSP answer outside its validity): http://bad host/crl"},
		{"cipher: the agent's suites refused", wordsFinding(check.ClassCipherUnsupportedByAgent, probe.PhaseTLS, "",
			check.Fix{Cause: check.CauseSuiteRefused, Suite: tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, SuiteRefusal: "remote error: tls: handshake failure"}),
			"the path negotiated TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA and refused a handshake offering only the suites the Arc agent accepts " +
				"(TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256): the server must offer one of them (remote error: tls: handshake failure)"},
		{"cipher: the agent's suites refused through a proxy", wordsFinding(check.ClassCipherUnsupportedByAgent, probe.PhaseTLS, "",
			with(proxy, func(f *check.Fix) { f.Cause, f.Suite = check.CauseSuiteRefused, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA })),
			"the path negotiated TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA and refused a handshake offering only the suites the Arc agent accepts " +
				"(TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256): the server or the TLS-inspecting proxy in the path must offer one of them"},
		{"cipher: legacy suites only", wordsFinding(check.ClassCipherUnsupportedByAgent, probe.PhaseTLS, legacy, check.Fix{Cause: check.CauseLegacySuites}),
			legacy + ", which the Arc agent does not accept: the server must offer TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		{"negative serial", wordsFinding(check.ClassNegativeSerial, probe.PhaseTLS, "", check.Fix{Issuer: "CN=Leaf CA", NegativeSerial: []string{"CN=Appliance CA,O=Contoso", "CN=Root"}}),
			"a certificate of the chain issued by CN=Appliance CA,O=Contoso and CN=Root has a negative serial number: the Arc agent accepts it until February 2027 and rejects it from then on"},
		{"clock behind", wordsFinding(check.ClassClockSkew, probe.PhaseHTTP, "", check.Fix{ClockOffset: 10 * time.Minute}),
			"this server's clock is 10m0s behind the Date of https://gbl.his.arc.azure.com (more than 2m0s): tokens and certificates fail on a wrong clock"},
		{"clock ahead", wordsFinding(check.ClassClockSkew, probe.PhaseHTTP, "", check.Fix{ClockOffset: -3 * time.Minute}),
			"this server's clock is 3m0s ahead of the Date of https://gbl.his.arc.azure.com (more than 2m0s): tokens and certificates fail on a wrong clock"},
		{"gateway bypass", wordsFinding(check.ClassGatewayProxyBypass, probe.PhaseProxy, "",
			check.Fix{Bypass: &probe.Bypass{By: probe.BypassByNoProxy, List: "NO_PROXY", Entry: ".arc.azure.com"}}),
			"NO_PROXY entry .arc.azure.com bypasses the proxy for this endpoint, but the Arc gateway does not support proxy bypass"},
		{"private link through the proxy", wordsFinding(check.ClassPrivateLinkViaProxy, probe.PhaseProxy, "", proxy),
			"reached through the proxy http://proxy.corp:3128, which resolves the name itself rather than to your private endpoint"},
		{"interception fails the gateway", wordsFinding(probe.ClassTLSIntercepted, probe.PhaseTLS, reSigned, check.Fix{Cause: check.CauseGatewayInspection}),
			reSigned + "; the Arc gateway does not work through TLS inspection"},
		{"interception unsupported", wordsFinding(probe.ClassTLSIntercepted, probe.PhaseTLS, reSigned, check.Fix{Cause: check.CauseInspectionUnsupported}),
			reSigned + "; TLS inspection is not supported for this endpoint"},
		{"interception as the probe saw it", wordsFinding(probe.ClassTLSIntercepted, probe.PhaseTLS, reSigned, check.Fix{}), reSigned},
		{"the box answered the run", wordsFinding(probe.ClassTLSInterceptedUnverified, probe.PhaseHTTP, "",
			check.Fix{Cause: check.CauseBoxAnsweredRun, Status: "200 OK", Interceptor: "CN=Corp CA", BoxAnswered: "https://his.arc.azure.com/discovery"}),
			"answered 200 OK, the documented status, but the TLS-inspecting box re-signing as CN=Corp CA answered this run's own request to " +
				"https://his.arc.azure.com/discovery in the endpoint's place: it could have answered this one too"},
		{"unverified as the probe saw it", wordsFinding(probe.ClassTLSInterceptedUnverified, probe.PhaseHTTP, "the probe's words", check.Fix{}), "the probe's words"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, messageOf(tc.f))

			// The JSON's message, and -v, carry the same sentence.
			rep := reporttest.SampleReport(t)
			if tc.f.Class == check.ClassClockSkew {
				rep.Warnings = []check.Finding{tc.f}
			} else {
				rep.Results[0].Warnings = []check.Finding{tc.f}
				rep.Results[1].Failure = &tc.f
			}
			var buf bytes.Buffer
			require.NoError(t, CheckJSON(&buf, sampleTool, sampleHost, sampleSettings(rep), rep, Verdict{}))
			var doc CheckDocument
			require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
			if tc.f.Class == check.ClassClockSkew {
				assert.Equal(t, tc.want, doc.Warnings[0].Message)
				return
			}
			assert.Equal(t, tc.want, doc.Results[0].Warnings[0].Message)
			assert.Equal(t, tc.want, doc.Results[1].Failure.Message)
			assert.Contains(t, ProgressLine(&rep.Results[1]), tc.want)
		})
	}
}

// TestCheckRunNotesAreWordedHere: a revocation URL arccheck did not probe, and a discovery answer it
// could not read, are worded here from their causes.
func TestCheckRunNotesAreWordedHere(t *testing.T) {
	notProbed := probe.Result{Failure: &probe.Finding{Class: check.ClassRevocationNotProbed, Phase: probe.PhaseQueue}}
	capped := check.Revocation{URL: "http://crl.example/ca.crl", Kind: check.RevocationCRL, Probe: notProbed, NotProbed: check.CauseOverCap}
	bad := check.Revocation{URL: "http://bad host/crl", Kind: check.RevocationCRL, Probe: notProbed, NotProbed: check.CauseUnparsable,
		ParseError: errors.New("\"http://bad host/crl\": not a valid URL\nsecond line")}
	assert.Equal(t, "not probed: the run probes at most 32 revocation URLs", revocationFailure(capped).Message)
	assert.Equal(t, `not probed: not a URL arccheck can parse ("http://bad host/crl": not a valid URL)`, revocationFailure(bad).Message)
	assert.Zero(t, notProbed.Failure.Facts, "the check's finding is not changed")
	assert.Equal(t, "http://crl.example/ca.crl (crl): revocation_not_probed: the run probes at most 32 revocation URLs; named by 0 endpoints", revocationLine(capped))

	d := check.Discovery{Token: "his", URL: "https://gbl.his.arc.azure.com/discovery",
		Failure: &probe.Finding{Class: probe.ClassHTTPError, Phase: probe.PhaseHTTP}, AnswerError: errors.New("answer is an empty list")}
	assert.Equal(t, "answer is an empty list", discoveryFailure(d).Message)
	n := check.NotTested{Pattern: "*.his.arc.azure.com", Token: "his", Discovery: &d}
	assert.Contains(t, notTestedReason(n), "the discovery call https://gbl.his.arc.azure.com/discovery failed (http_error: answer is an empty list); allow the pattern")
	rep := reporttest.SampleReport(t)
	rep.Revocation, rep.Discoveries = []check.Revocation{capped}, []check.Discovery{d}
	var buf bytes.Buffer
	require.NoError(t, CheckJSON(&buf, sampleTool, sampleHost, sampleSettings(rep), rep, Verdict{}))
	assert.Contains(t, buf.String(), `"message": "not probed: the run probes at most 32 revocation URLs"`)
	assert.Contains(t, buf.String(), `"message": "answer is an empty list"`)

	probed := check.Discovery{Failure: &probe.Finding{Class: probe.ClassTCPTimeout, Facts: probe.Facts{Err: "dial tcp: i/o timeout"}}}
	assert.Equal(t, "dial tcp: i/o timeout", discoveryFailure(probed).Message, "the probe's message passes through")
}
