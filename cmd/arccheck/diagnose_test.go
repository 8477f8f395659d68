package main

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// bundle writes the CAs' certificates into one PEM file.
func bundle(t *testing.T, cas ...*testnet.CA) string {
	var pem []byte
	for _, ca := range cas {
		pem = append(pem, ca.PEM...)
	}
	return testnet.WriteFile(t, "bundle.pem", pem)
}

// TestInterceptedBySquidSSLBump re-signs every endpoint with a second CA in a real squid (ssl_bump) and
// checks that every https row names that CA, as a warning in direct mode and a failure in gateway mode.
func TestInterceptedBySquidSSLBump(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	corp := testnet.NewCA(t, "Corp Inspection CA", "Contoso")
	hosts := append(planHosts(t, esuWesteurope), "contoso.gw.arc.azure.com", "westeurope.login.microsoft.com")
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: labHosts(lab, hosts), Bump: corp, UpstreamCA: lab.CA})
	publicRoots := lab.CA.WritePEM(t)

	// Direct mode, the inspection CA trusted by this machine: reachable, with a warning naming the CA.
	doc, r := checkJSON(t, nil, "-l", "westeurope", "-e", "esu", "--proxy", squid.URL("", ""),
		"--ca-file", bundle(t, lab.CA, corp), "--public-roots", publicRoots)
	require.Equal(t, 0, r.code, "interception is a warning in direct mode: %s", r.stderr)
	https := 0
	for _, res := range doc.Results {
		if !strings.HasPrefix(res.Endpoint, "https://") {
			assert.Empty(t, res.Warnings, "plain http is not inspected")
			continue
		}
		https++
		assert.True(t, res.Reachable, res.Endpoint)
		require.Len(t, res.Warnings, 1, res.Endpoint)
		w := res.Warnings[0]
		assert.Equal(t, "tls_intercepted", string(w.Class))
		assert.Contains(t, w.Message, "CN=Corp Inspection CA,O=Contoso")
		// The fix names what a rule can hold: the host, not the URL path of the pattern.
		allow, _, _ := strings.Cut(res.Pattern, "/")
		assert.Contains(t, w.Fix.Hint, "exempt `"+allow+"` from TLS inspection on "+squid.Addr)
		if assert.NotNil(t, res.TLS, res.Endpoint) {
			assert.Contains(t, res.TLS.Interceptor, "Corp Inspection CA")
		}
	}
	assert.Equal(t, 13, https)
	r = runCLI(t, nil, "check", "-l", "westeurope", "--proxy", squid.URL("", ""), "--ca-file", bundle(t, lab.CA, corp),
		"--public-roots", publicRoots)
	assert.Contains(t, r.stdout, "What to fix:\n  - Exempt from TLS inspection on "+squid.Addr+" (re-signed by CN=Corp Inspection CA,O=Contoso): ")

	// Not trusted by this machine: tls_intercepted, not a generic tls_untrusted.
	r = runCLI(t, nil, "check", "-l", "westeurope", "--proxy", squid.URL("", ""), "--ca-file", lab.CA.WritePEM(t), "--public-roots", publicRoots)
	require.Equal(t, 1, r.code)
	for _, row := range tableRows(t, r.stdout) {
		assert.Contains(t, row["RESULT"], "tls_intercepted", row["ENDPOINT"])
	}

	// Gateway mode: the gateway path does not work through TLS inspection, so every https row fails.
	r = runCLI(t, nil, "check", "--gateway-url", "https://contoso.gw.arc.azure.com", "-l", "westeurope", "--proxy", squid.URL("", ""),
		"--ca-file", bundle(t, lab.CA, corp), "--public-roots", publicRoots)
	require.Equal(t, 1, r.code)
	rows := tableRows(t, r.stdout)
	require.NotEmpty(t, rows)
	assert.Equal(t, "https://contoso.gw.arc.azure.com", rows[0]["ENDPOINT"], "the gateway URL is probed")
	for _, row := range rows {
		assert.Equal(t, "false", row["REACHABLE"], row["ENDPOINT"])
		assert.Contains(t, row["RESULT"], "tls_intercepted", row["ENDPOINT"])
	}
}

func TestGenuineChainHasNoFinding(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	hosts := planHosts(t, esuWesteurope)
	args := append([]string{"-l", "westeurope", "-e", "esu", "--ca-file", lab.CA.WritePEM(t), "--public-roots", lab.CA.WritePEM(t)},
		lab.ResolveArgs(hosts...)...)
	doc, r := checkJSON(t, nil, args...)
	require.Equal(t, 0, r.code)
	require.NotEmpty(t, doc.Results)
	for _, res := range doc.Results {
		assert.Empty(t, res.Warnings, res.Endpoint)
	}
	assert.Empty(t, doc.WhatToFix)
	// With the embedded public roots, the lab's own CA is not public: every https row is flagged.
	doc, _ = checkJSON(t, nil, append([]string{"-l", "westeurope", "--ca-file", lab.CA.WritePEM(t)}, lab.ResolveArgs(hosts...)...)...)
	require.NotEmpty(t, doc.Results)
	for _, res := range doc.Results {
		assert.NotEmpty(t, res.Warnings, res.Endpoint)
	}
}

func TestGatewayModeWarnsWhenNoProxyBypassesTheProxy(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	hosts := append(planHosts(t, endpoints.Selection{Mode: endpoints.ModeGateway, GatewayURL: "https://contoso.gw.arc.azure.com",
		Location: "westeurope"}), "contoso.gw.arc.azure.com")
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: labHosts(lab, hosts)})
	vars := map[string]string{"HTTPS_PROXY": squid.URL("", ""), "NO_PROXY": "management.azure.com"}
	args := append([]string{"check", "--gateway-url", "contoso.gw.arc.azure.com", "-l", "westeurope", "--ca-file", lab.CA.WritePEM(t),
		"--public-roots", lab.CA.WritePEM(t)}, lab.ResolveArgs("management.azure.com")...)
	r := runCLI(t, vars, args...)
	require.Equal(t, 0, r.code, r.stdout)
	sawManagement := false
	for _, row := range tableRows(t, r.stdout) {
		if row["ENDPOINT"] == "https://management.azure.com" {
			sawManagement = true
			assert.Contains(t, row["RESULT"], "warn gateway_proxy_bypass")
		} else {
			assert.NotContains(t, row["RESULT"], "gateway_proxy_bypass")
		}
	}
	assert.True(t, sawManagement, "https://management.azure.com is probed")
	assert.Contains(t, r.stdout, "Remove gateway endpoints from NO_PROXY: management.azure.com")
	r = runCLI(t, nil, "check", "--gateway-url", "contoso.gw.arc.azure.com", "--proxy-bypass", "Arc")
	assert.Equal(t, 2, r.code)
	assert.Equal(t, "arccheck: --proxy-bypass: the Arc gateway does not support proxy bypass (with --mode \"gateway\")\n", r.stderr)
}

// privateHosts are the hosts of the private-link endpoints of the default AzureCloud list.
var privateHosts = []string{"gbl.his.arc.azure.com", "agentserviceapi.guestconfiguration.azure.com", "westeurope-gas.guestconfiguration.azure.com"}

// TestDNSMasqPrivateLink answers the private-link names from a real dnsmasq: public addresses make the rows
// private_link_dns_public; private ones pass the DNS check, and the connection goes to the lab (through
// --resolve), never to the private-range address.
func TestDNSMasqPrivateLink(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	hosts := planHosts(t, endpoints.Selection{Location: "westeurope", Mode: endpoints.ModePrivateLink})
	base := append([]string{"-l", "westeurope", "--ca-file", lab.CA.WritePEM(t), "--public-roots", lab.CA.WritePEM(t)}, lab.ResolveArgs(hosts...)...)

	public := testnet.StartDNSMasq(t, map[string][]string{"his.arc.azure.com": {"20.50.60.70"}, "guestconfiguration.azure.com": {"20.50.60.71"}})
	accepted := lab.HTTPS.Accepted.Load()
	doc, r := checkJSON(t, nil, append([]string{"--mode", "private-link", "--dns-server", public.Addr}, base...)...)
	require.Equal(t, 1, r.code)
	seen := 0
	for _, res := range doc.Results {
		if !slices.Contains(privateHosts, hostOf(res.Endpoint)) {
			assert.True(t, res.Reachable, "public endpoints are checked as usual: %s", res.Endpoint)
			continue
		}
		seen++
		require.NotNil(t, res.Failure, res.Endpoint)
		assert.Equal(t, "private_link_dns_public", string(res.Failure.Class), res.Endpoint)
		assert.Contains(t, res.Failure.Message, "resolves to public 20.50.60.7")
		require.NotNil(t, res.Fix, res.Endpoint)
		assert.Contains(t, res.Fix.Hint, "DNS forwarder")
		assert.Nil(t, res.TCP, "no connection after a public answer")
	}
	assert.Equal(t, len(privateHosts), seen, "every private endpoint is probed")
	// Connections: the public endpoints, and the notification allowlist call (a public endpoint); the
	// identity discovery call is refused too, as its host resolves publicly.
	assert.Equal(t, accepted+int64(len(hosts)-len(privateHosts))+1, lab.HTTPS.Accepted.Load(), "only the public endpoints were connected to")
	assert.Contains(t, r.stdout, "the discovery call https://gbl.his.arc.azure.com/discovery?location=westeurope&api-version=1.1-preview failed (private_link_dns_public")

	private := testnet.StartDNSMasq(t, map[string][]string{"his.arc.azure.com": {"10.9.8.7"}, "guestconfiguration.azure.com": {"10.9.8.6"}})
	doc, r = checkJSON(t, nil, append([]string{"-p", "--dns-server", private.Addr}, base...)...)
	require.Equal(t, 0, r.code, r.stdout)
	seen = 0
	for _, res := range doc.Results {
		assert.True(t, res.Reachable, res.Endpoint)
		if slices.Contains(privateHosts, hostOf(res.Endpoint)) {
			seen++
			require.NotNil(t, res.PrivateDNS, res.Endpoint)
			require.NotEmpty(t, res.PrivateDNS.Addresses, res.Endpoint)
			addr := res.PrivateDNS.Addresses[0]
			assert.True(t, addr.Private)
			assert.True(t, strings.HasPrefix(addr.IP, "10.9.8."), addr.IP)
			require.NotNil(t, res.TCP, res.Endpoint)
			assert.Equal(t, lab.IP+":443", res.TCP.Address, "connected to the lab, not to 10.9.8.x")
		}
	}
	assert.Equal(t, len(privateHosts), seen, "every private endpoint is probed")
	require.NotEmpty(t, doc.Excluded)
	assert.Contains(t, doc.Excluded[0].Endpoint, "*.blob.core.windows.net")

	// Through a proxy, private endpoints need the agent's bypass; --proxy-bypass Arc mirrors it.
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: labHosts(lab, hosts)})
	doc, _ = checkJSON(t, nil, append([]string{"-p", "--dns-server", private.Addr, "--proxy", squid.URL("", "")}, base...)...)
	seen = 0
	for _, res := range doc.Results {
		if slices.Contains(privateHosts, hostOf(res.Endpoint)) {
			seen++
			require.NotEmpty(t, res.Warnings, res.Endpoint)
			assert.Equal(t, "private_link_via_proxy", string(res.Warnings[0].Class))
		}
	}
	assert.Equal(t, len(privateHosts), seen, "every private endpoint is probed")
	doc, _ = checkJSON(t, nil, append([]string{"-p", "--dns-server", private.Addr, "--proxy", squid.URL("", ""), "--proxy-bypass", "arc"}, base...)...)
	seen = 0
	for _, res := range doc.Results {
		if slices.Contains(privateHosts, hostOf(res.Endpoint)) {
			seen++
			assert.Equal(t, "not used", res.Proxy, res.Endpoint)
			assert.Equal(t, "proxy bypass", res.Bypassed)
			assert.Empty(t, res.Warnings)
		} else {
			assert.Equal(t, squid.URL("", ""), res.Proxy, res.Endpoint)
		}
	}
	assert.Equal(t, len(privateHosts), seen, "every private endpoint is probed")
}

// discoveryHandler answers the hybrid identity discovery and the notification allowlist like Azure. A
// discovery call is answered once after is closed (nil: at once). release lets waiting calls go; call it
// when the test ends, before the lab stops.
func discoveryHandler(after <-chan struct{}) (h http.Handler, release func()) {
	released := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(released) }) }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if after != nil && isDiscoveryCall(r) {
			select {
			case <-after:
			case <-released:
				return
			}
		}
		loc := r.URL.Query().Get("location")
		switch {
		case r.Host == "gbl.his.arc.azure.com" && r.URL.Path == "/discovery" && loc == "westeurope" &&
			r.URL.Query().Get("api-version") == "1.1-preview":
			w.Write([]byte(`"https://weu.his.arc.azure.com"`))
		case r.Host == "guestnotificationservice.azure.com" && r.URL.Path == "/urls/allowlist" && loc == "westeurope" &&
			r.URL.Query().Get("api-version") == "2020-01-01":
			w.Write([]byte(`["azgn-westeurope-public-1p-weu-001.servicebus.windows.net",
				"azgn-westeurope-public-1p-weu-002.servicebus.windows.net",
				"azgn-westeurope-public-1p-weu-001.servicebus.windows.net"]`))
		default:
			w.Write([]byte("ok"))
		}
	}), release
}

// isDiscoveryCall tells the discovery calls from the probes.
func isDiscoveryCall(r *http.Request) bool {
	return (r.Host == "gbl.his.arc.azure.com" && r.URL.Path == "/discovery") ||
		(r.Host == "guestnotificationservice.azure.com" && r.URL.Path == "/urls/allowlist")
}

var discovered = []string{"weu.his.arc.azure.com", "azgn-westeurope-public-1p-weu-001.servicebus.windows.net",
	"azgn-westeurope-public-1p-weu-002.servicebus.windows.net"}

func TestDiscoveryMakesWildcardsConcrete(t *testing.T) {
	h, _ := discoveryHandler(nil)
	lab := testnet.NewLab(t, testnet.LabOptions{Handler: h})
	hosts := append(planHosts(t, endpoints.Selection{Location: "westeurope"}), discovered...)
	args := append([]string{"check", "-l", "westeurope", "--ca-file", lab.CA.WritePEM(t), "--public-roots", lab.CA.WritePEM(t)},
		lab.ResolveArgs(hosts...)...)
	r := runCLI(t, nil, args...)
	require.Equal(t, 0, r.code, r.stdout)
	var got []string
	for _, row := range tableRows(t, r.stdout) {
		got = append(got, row["ENDPOINT"])
		assert.Equal(t, "true", row["REACHABLE"], row["ENDPOINT"])
	}
	for _, h := range discovered {
		assert.Contains(t, got, "https://"+h)
	}
	assert.Equal(t, 1, strings.Count(r.stdout, "weu-001.servicebus"), "duplicates are dropped")
	assert.NotContains(t, r.stdout, "*.his.arc.azure.com: the regional")

	doc, _ := checkJSON(t, nil, args[1:]...)
	res := resultFor(t, doc, "https://weu.his.arc.azure.com")
	assert.Equal(t, "discovered", res.Origin)
	assert.Equal(t, "*.his.arc.azure.com", res.Pattern)
	assert.Len(t, doc.Discoveries, 2)
}

// TestDiscoveredHostTheUserNamed: a host the user names with --endpoint that discovery also finds is the
// user's row, once (pkg/check's TestDiscoveredHostStaysTheUsers holds the discovery's answer back to
// prove it whatever the timing).
func TestDiscoveredHostTheUserNamed(t *testing.T) {
	h, _ := discoveryHandler(nil)
	lab := testnet.NewLab(t, testnet.LabOptions{Handler: h})
	hosts := append(planHosts(t, endpoints.Selection{Location: "westeurope"}), discovered...)
	ca := lab.CA.WritePEM(t)
	args := append([]string{"-l", "westeurope", "--ca-file", ca, "--public-roots", ca, "--endpoint", "https://weu.his.arc.azure.com"},
		lab.ResolveArgs(hosts...)...)
	doc, r := checkJSON(t, nil, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	res := resultFor(t, doc, "https://weu.his.arc.azure.com")
	assert.Equal(t, "user", res.Origin)
	n := 0
	for _, x := range doc.Results {
		if x.Endpoint == "https://weu.his.arc.azure.com" {
			n++
		}
	}
	assert.Equal(t, 1, n, "one row")
}

func TestDiscoveryDownListsThePatternsAsNotTested(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{Handler: http.NotFoundHandler()})
	hosts := planHosts(t, endpoints.Selection{Location: "westeurope"})
	r := runCLI(t, nil, append([]string{"check", "-l", "westeurope", "--ca-file", lab.CA.WritePEM(t), "--public-roots", lab.CA.WritePEM(t)},
		lab.ResolveArgs(hosts...)...)...)
	require.Equal(t, 0, r.code, "patterns not tested do not fail the run")
	assert.Contains(t, r.stdout, "*.his.arc.azure.com: the regional hybrid identity shard: the discovery call "+
		"https://gbl.his.arc.azure.com/discovery?location=westeurope&api-version=1.1-preview failed (http_error: answered 404 Not Found")
	assert.Contains(t, r.stdout, "azgn*.servicebus.windows.net: the notification-service Service Bus hosts: the discovery call "+
		"https://guestnotificationservice.azure.com/urls/allowlist?api-version=2020-01-01&location=westeurope failed")

	// Discovery services that cannot be reached at all (DNS fails): the same, never a guess.
	dns := testnet.NewDNSServer(t, testnet.DNSNXDomain, nil)
	r = runCLI(t, nil, "check", "-l", "westeurope", "--dns-server", dns.Addr)
	assert.Contains(t, r.stdout, "discovery call https://gbl.his.arc.azure.com/discovery?location=westeurope&api-version=1.1-preview failed (dns_not_found")
}

// TestDiscoveryRunsAlongsideTheProbes: discovery runs alongside the probes, not before them, so that a
// slow discovery service does not add its time to the run's. The discovery service answers only once the
// probe of management.azure.com has said hello to the lab: run before the probes, discovery would wait
// to the run's end and find nothing.
func TestDiscoveryRunsAlongsideTheProbes(t *testing.T) {
	probed := make(chan struct{})
	var once sync.Once
	h, release := discoveryHandler(probed)
	lab := testnet.NewLab(t, testnet.LabOptions{Handler: h, OnHello: func(name string) {
		if name == "management.azure.com" {
			once.Do(func() { close(probed) })
		}
	}})
	t.Cleanup(release) // after NewLab's: runs before the lab stops
	hosts := append(planHosts(t, endpoints.Selection{Location: "westeurope"}), discovered...)
	r := runCLI(t, nil, append([]string{"check", "-l", "westeurope", "--timeout", "30s", "--ca-file", lab.CA.WritePEM(t),
		"--public-roots", lab.CA.WritePEM(t)}, lab.ResolveArgs(hosts...)...)...)
	require.Equal(t, 0, r.code, r.stdout)
	assert.Contains(t, r.stdout, "https://weu.his.arc.azure.com")
}

func TestPublicRootsFlag(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none.pem")
	r := runCLI(t, nil, "check", "--public-roots", none)
	assert.Equal(t, 2, r.code)
	assert.Equal(t, "arccheck: --public-roots: "+none+": no such file or directory\n", r.stderr)
	empty := filepath.Join(t.TempDir(), "empty.pem")
	require.NoError(t, os.WriteFile(empty, []byte("nothing"), 0o644))
	r = runCLI(t, nil, "check", "--public-roots", empty)
	assert.Equal(t, 2, r.code)
	r = runCLI(t, nil, "check", "-p", "--mode", "gateway")
	assert.Equal(t, "arccheck: -p/--enable-pls-check: conflicts with --mode gateway (it means --mode private-link)\n", r.stderr)
	r = runCLI(t, nil, "check", "--proxy-bypass", "everything")
	assert.Equal(t, "arccheck: --proxy-bypass: unknown category \"everything\" (valid: AAD, ARM, Arc, AMA, ArcData)\n", r.stderr)
}

func hostOf(u string) string {
	return strings.SplitN(strings.SplitN(u, "://", 2)[1], "/", 2)[0]
}

// TestDiscoveryAnswerOutsideThePatternIsNotProbed: a wrong or hostile answer cannot send probes elsewhere.
func TestDiscoveryAnswerOutsideThePatternIsNotProbed(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/discovery":
			w.Write([]byte(`"https://evil.example"`))
		case "/urls/allowlist":
			w.Write([]byte(`["azgn-ok.servicebus.windows.net","attacker.example.com"]`))
		}
	})})
	hosts := append(planHosts(t, endpoints.Selection{Location: "westeurope"}), "azgn-ok.servicebus.windows.net", "evil.example", "attacker.example.com")
	r := runCLI(t, nil, append([]string{"check", "-l", "westeurope", "--ca-file", lab.CA.WritePEM(t), "--public-roots", lab.CA.WritePEM(t)},
		lab.ResolveArgs(hosts...)...)...)
	require.Equal(t, 0, r.code, r.stdout)
	assert.NotContains(t, r.stdout, "| https://evil.example")
	assert.NotContains(t, r.stdout, "| https://attacker.example.com")
	assert.Contains(t, r.stdout, "| https://azgn-ok.servicebus.windows.net", "the answers within the pattern are still probed")
	assert.Contains(t, r.stdout, "*.his.arc.azure.com: discovery answered evil.example, which is not under *.his.arc.azure.com; not probed")
	assert.Contains(t, r.stdout, "azgn*.servicebus.windows.net: discovery answered attacker.example.com, which is not under azgn*.servicebus.windows.net; not probed")
}
