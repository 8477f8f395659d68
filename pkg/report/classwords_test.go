package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// newClasses are the classes of issue 20, with the words the README quotes.
var newClasses = []probe.Class{probe.ClassHTTPTooLarge, probe.ClassDNSFiltered, probe.ClassNoRoute, probe.ClassLocalResources,
	check.ClassRevocationNotProbed}

// wordsFinding is a finding of class c for gbl.his.arc.azure.com with the facts of fix.
func wordsFinding(c probe.Class, phase probe.Phase, msg string, fix check.Fix) check.Finding {
	fix.Pattern, fix.Host, fix.Port, fix.URL = "*.his.arc.azure.com", "gbl.his.arc.azure.com", 443, "https://gbl.his.arc.azure.com"
	return check.Finding{Finding: probe.Finding{Class: c, Phase: phase, Facts: probe.Facts{Err: msg}}, Fix: fix}
}

// TestNewClassesHaveTheirWords: every new class has RESULT words, a fix title and a fix text of its own,
// which name the box to act on and never send the user to a firewall that cannot help.
func TestNewClassesHaveTheirWords(t *testing.T) {
	for _, c := range newClasses {
		h, ok := hints[c]
		require.True(t, ok, "%s has no words", c)
		assert.NotNil(t, h.result, "%s has no RESULT words of its own", c)
	}
	proxy := check.Fix{Proxy: "proxy.corp:3128"}
	addr := check.Fix{Address: netip.MustParseAddrPort("10.1.2.3:443")}
	server := check.Fix{DNSServer: netip.MustParseAddrPort("10.0.0.4:53")}
	revocation := check.Fix{Revocation: []string{"ldap://dir.example/cn=CA?certificateRevocationList", "http://crl.example/ca.crl"}}
	for _, tc := range []struct {
		name                string
		f                   check.Finding
		result, action, fix string
	}{
		{"too large, direct", wordsFinding(probe.ClassHTTPTooLarge, probe.PhaseHTTP, "the answer's head ran past 64 KiB", check.Fix{}),
			"oversized answer (http phase): a broken or hostile box in the path",
			"Find and fix or bypass the device in the path that sends oversized answers",
			"an oversized answer came for gbl.his.arc.azure.com (a head past 64 KiB, or a body past its bound), which the endpoint never sends: find the device answering for gbl.his.arc.azure.com (the message says which phase: proxy = the proxy's reply to CONNECT) and fix or bypass it"},
		{"too large, proxy", wordsFinding(probe.ClassHTTPTooLarge, probe.PhaseProxy, "the proxy's reply to CONNECT ran past 64 KiB", proxy),
			"oversized reply to CONNECT: a broken or hostile proxy",
			"Find and fix or bypass the proxy proxy.corp:3128, or the device behind it, that sends oversized answers",
			"find the proxy proxy.corp:3128 or a device behind it (the message says which phase"},
		{"filtered", wordsFinding(probe.ClassDNSFiltered, probe.PhaseDNS, "resolved only to 0.0.0.0", check.Fix{}),
			"blocked by a DNS filter or the hosts file (a sinkhole address)",
			"Allow these names in the DNS filter, or remove their hosts-file entries",
			"gbl.his.arc.azure.com resolves only to a sinkhole address (0.0.0.0, ::, loopback, link-local or broadcast): a DNS filter or a hosts-file entry blocks it; allow `*.his.arc.azure.com` in the DNS filter, or remove the entry from this server's hosts file (/etc/hosts; C:\\Windows\\System32\\drivers\\etc\\hosts)"},
		{"filtered at a server", wordsFinding(probe.ClassDNSFiltered, probe.PhaseDNS, "resolved only to 0.0.0.0", server),
			"blocked by a DNS filter (a sinkhole address) (DNS server 10.0.0.4:53)",
			"Allow these names in the DNS filter of the DNS server 10.0.0.4:53",
			"the DNS server 10.0.0.4:53 answers gbl.his.arc.azure.com only with a sinkhole address (0.0.0.0, ::, loopback, link-local or broadcast): a DNS filter blocks it; allow `*.his.arc.azure.com` in the DNS filter of the DNS server 10.0.0.4:53"},
		{"no route", wordsFinding(probe.ClassNoRoute, probe.PhaseTCP, "dial tcp 10.1.2.3:443: connect: network is unreachable", addr),
			"this server has no route to 10.1.2.3 (gbl.his.arc.azure.com's address) (local routing, not a firewall)",
			"Add a route (or default gateway) on this server to these addresses, or use a proxy it can reach",
			"this server has no route to 10.1.2.3 (gbl.his.arc.azure.com's address): its own network stack refused, no firewall was asked; add a route or default gateway for it (Linux: ip route get 10.1.2.3; Windows: route print, or Find-NetRoute -RemoteIPAddress 10.1.2.3), or go through a proxy this server can reach"},
		{"no files left", wordsFinding(probe.ClassLocalResources, probe.PhaseTCP, "dial tcp: socket: too many open files", check.Fix{}),
			"not tested: out of file descriptors or buffers here",
			"Raise the open-files limit (ulimit -n, LimitNOFILE=) or lower --concurrency, then run the check again",
			"gbl.his.arc.azure.com was not tested: this server ran out of file descriptors or socket buffers (no verdict on the endpoint); raise the open-files limit (ulimit -n, or LimitNOFILE= in the service's unit) or lower --concurrency, and run the check again"},
		{"revocation not probed", wordsFinding(check.ClassRevocationNotProbed, probe.PhaseTLS, "2 revocation URLs not probed", revocation),
			"not probed, reachability unknown: ldap://dir.example/cn=CA?certificateRevocationList, http://crl.example/ca.crl",
			"Check that this server reaches the revocation URLs arccheck did not probe",
			"the certificate chain of gbl.his.arc.azure.com names revocation URLs arccheck did not probe to a verdict (not http://, past the run's cap on revocation probes, cut short by the run's deadline, or an OCSP answer outside its validity: is this server's clock right?), so whether the agent reaches them is unknown: check that this server can reach ldap://dir.example/cn=CA?certificateRevocationList, http://crl.example/ca.crl, e.g. allow them in the proxy or firewall"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fix := FixOf(tc.f)
			assert.Equal(t, tc.result, resultText(tc.f))
			assert.Equal(t, tc.action, fix.Action)
			assert.Contains(t, fix.Hint, tc.fix)
			if tc.f.Class != check.ClassRevocationNotProbed {
				assert.NotContains(t, fix.Hint, "in the firewall", "opening a firewall cannot help")
				assert.NotContains(t, fix.Action, "firewall")
			}
		})
	}
}

// TestLocalResourcesIsNoVerdict: RESULT does not read as a verdict on the endpoint, JUnit records an
// error (the test could not run), not a failure; the fleet view's words are tested in pkg/report/fleet.
func TestLocalResourcesIsNoVerdict(t *testing.T) {
	pr := probe.Result{Target: probe.Target{Scheme: "https", Host: "management.azure.com", Port: 443},
		Failure: &probe.Finding{Class: probe.ClassLocalResources, Phase: probe.PhaseTCP, Facts: probe.Facts{Err: "dial tcp: socket: too many open files"}}}
	rep := &check.Report{Results: []check.Result{check.NewResult(pr, "management.azure.com", nil, check.OriginCatalog, true)}}
	assert.Equal(t, "local_resources: not tested: out of file descriptors or buffers here", resultCell(&rep.Results[0])[0].Text)

	var buf bytes.Buffer
	require.NoError(t, CheckJUnit(&buf, sampleTool, sampleHost, Settings{}, rep, JUnitOptions{}))
	var doc struct {
		Cases []struct {
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc), buf.String())
	require.Len(t, doc.Cases, 1)
	assert.Nil(t, doc.Cases[0].Failure)
	require.NotNil(t, doc.Cases[0].Error, buf.String())
	assert.Equal(t, "local_resources: Raise the open-files limit (ulimit -n, LimitNOFILE=) or lower --concurrency, then run the check again", doc.Cases[0].Error.Message)
	xmllint := testnet.RequireBinary(t, "xmllint", "libxml2-utils")
	file := filepath.Join(t.TempDir(), "report.xml")
	require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))
	out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), file).CombinedOutput()
	require.NoError(t, err, "%s\n%s", out, buf.String())
}

// dnsServer is the DNS server of the tests that name it.
var dnsServer = netip.MustParseAddrPort("10.0.0.4:53")

// dnsResult is a result for gbl.his.arc.azure.com that failed (or warned) with a DNS class, looked up at
// dnsServer: through the probe's DNS phase, as pkg/check finds it, or (private-link DNS) set on the fix.
func dnsResultOf(t *testing.T, c probe.Class, phase probe.Phase, warning bool) check.Result {
	t.Helper()
	f := probe.Finding{Class: c, Phase: phase, Facts: probe.Facts{Err: "lookup gbl.his.arc.azure.com on 10.0.0.4:53: no such host"}}
	pr := probe.Result{Target: probe.Target{Scheme: "https", Host: "gbl.his.arc.azure.com", Port: 443}}
	src := probe.DNSSource{Kind: probe.SourceServer, Server: dnsServer}
	if phase == probe.PhaseDNS {
		pr.DNS = &probe.DNSPhase{Source: src}
	} else {
		pr.PrivateDNS = &probe.DNSPhase{Source: src}
	}
	if warning {
		pr.Reachable, pr.Warnings = true, []probe.Finding{f}
	} else {
		pr.Failure = &f
	}
	r := check.NewResult(pr, "*.his.arc.azure.com", nil, check.OriginCatalog, true)
	for _, f := range append([]*check.Finding{r.Failure}, ptrs(r.Warnings)...) {
		if f != nil {
			f.Fix.DNSServer = dnsServer // what fixFacts finds in pr.DNS; for the private-link check, set here
		}
	}
	return r
}

func ptrs(fs []check.Finding) []*check.Finding {
	var out []*check.Finding
	for i := range fs {
		out = append(out, &fs[i])
	}
	return out
}

// TestDNSServerIsNamed: with --dns-server, every DNS class names the server asked in RESULT (table and
// Markdown), in the fix (table's What to fix, JSON), and without it names none.
func TestDNSServerIsNamed(t *testing.T) {
	for _, tc := range []struct {
		class   probe.Class
		phase   probe.Phase
		warning bool
	}{
		{probe.ClassDNSNotFound, probe.PhaseDNS, false}, {probe.ClassDNSTimeout, probe.PhaseDNS, false},
		{probe.ClassDNSError, probe.PhaseDNS, false}, {probe.ClassDNSFiltered, probe.PhaseDNS, false},
		{probe.ClassDNSNotFound, probe.PhasePrivateDNS, false}, {probe.ClassPrivateDNSPublic, probe.PhasePrivateDNS, false},
		{probe.ClassPrivateDNSAAAAPublic, probe.PhasePrivateDNS, true},
	} {
		t.Run(string(tc.class)+" "+string(tc.phase), func(t *testing.T) {
			r := dnsResultOf(t, tc.class, tc.phase, tc.warning)
			f := r.Failure
			if tc.warning {
				f = &r.Warnings[0]
			}
			assert.Contains(t, resultText(*f), "(DNS server 10.0.0.4:53)", "RESULT")
			assert.Contains(t, FixOf(*f).Hint, "the DNS server 10.0.0.4:53", "the fix")
			assert.Contains(t, FixOf(*f).Action, "the DNS server 10.0.0.4:53", "the fix's title: that server is the box to change")
			assert.Contains(t, progressText(*f), "(DNS server 10.0.0.4:53)", "-v and JUnit")

			rep := &check.Report{Results: []check.Result{r}}
			var table bytes.Buffer
			require.NoError(t, CheckTable(&table, rep, Verdict{}, sampleHost, TableOptions{}))
			lead := string(tc.class) + ": "
			if tc.warning {
				lead = "warn " + lead
			}
			assert.Contains(t, table.String(), lead+resultText(*f), "RESULT")
			assert.Contains(t, table.String(), "  - "+FixOf(*f).Action+": *.his.arc.azure.com", "What to fix")

			var js bytes.Buffer
			require.NoError(t, CheckJSON(&js, sampleTool, sampleHost, Settings{DNSServer: "10.0.0.4"}, rep, Verdict{}))
			var doc CheckDocument
			require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
			hint := ""
			if tc.warning {
				hint = doc.Results[0].Warnings[0].Fix.Hint
			} else {
				hint = doc.Results[0].Fix.Hint
			}
			assert.Contains(t, hint, "the DNS server 10.0.0.4:53", "the JSON's fix")

			// The system resolver: no server is named, and no stray parenthesis is left.
			f.Fix.DNSServer = netip.AddrPort{}
			assert.NotContains(t, resultText(*f), "DNS server")
			assert.NotContains(t, FixOf(*f).Hint, "10.0.0.4")
		})
	}

}

// TestRevocationNotProbedIsUnknown: a revocation URL arccheck did not probe is never shown as reachable,
// nor as unreachable: JUnit says it is unknown, Prometheus has no sample for it.
func TestRevocationNotProbedIsUnknown(t *testing.T) {
	rep := reporttest.SampleReport(t)
	rep.Revocation = []check.Revocation{
		{URL: "ldap://dir.example/ca", Kind: check.RevocationCRL, NeededBy: []string{"https://management.azure.com"},
			Probe: probe.Result{Failure: &probe.Finding{Class: check.ClassRevocationNotProbed, Phase: probe.PhaseQueue, Facts: probe.Facts{Err: "not an http:// URL"}}}},
		{URL: "http://crl.example/ca.crl", Kind: check.RevocationCRL, NeededBy: []string{"https://management.azure.com"},
			Probe: probe.Result{Reachable: true}},
	}
	var buf bytes.Buffer
	require.NoError(t, CheckJUnit(&buf, sampleTool, sampleHost, sampleSettings(rep), rep, JUnitOptions{}))
	assert.Contains(t, buf.String(), "revocation crl ldap://dir.example/ca: not probed, reachability unknown")
	assert.Contains(t, buf.String(), "revocation crl http://crl.example/ca.crl: reachable")

	buf.Reset()
	require.NoError(t, CheckPrometheus(&buf, rep, Verdict{Passed: !rep.Failed() && !rep.Interrupted}))
	assert.NotContains(t, buf.String(), `url="ldap://dir.example/ca"`)
	assert.Contains(t, buf.String(), `arccheck_revocation_reachable{kind="crl",url="http://crl.example/ca.crl"} 1`)
}
