package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// labHosts maps every host of a selection to the lab, for a proxy's hosts file.
func labHosts(lab *testnet.Lab, hosts []string) map[string]string {
	m := map[string]string{}
	for _, h := range hosts {
		m[h] = lab.IP
	}
	return m
}

var esuWesteurope = endpoints.Selection{Location: "westeurope", Extensions: []string{"esu"}}

// allowed are the squid dstdomains of the allowlist tests; everything else of the catalog is denied.
var allowed = []string{".his.arc.azure.com", ".guestconfiguration.azure.com", "management.azure.com",
	"login.microsoftonline.com", "www.microsoft.com"}

func isAllowed(endpoint string) bool {
	host := strings.SplitN(strings.SplitN(endpoint, "://", 2)[1], "/", 2)[0]
	for _, a := range allowed {
		if host == strings.TrimPrefix(a, ".") || (strings.HasPrefix(a, ".") && strings.HasSuffix(host, a)) {
			return true
		}
	}
	return false
}

func TestSquidAllowlist(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	hosts := planHosts(t, esuWesteurope)
	squid := testnet.StartSquid(t, testnet.SquidOptions{Allow: allowed, Hosts: labHosts(lab, hosts)})
	r := runCLI(t, nil, "check", "-l", "westeurope", "-e", "esu", "--proxy", squid.URL("", ""), "--ca-file", lab.CA.WritePEM(t),
		"--public-roots", lab.CA.WritePEM(t), "--timeout", "5s")
	require.Equal(t, 1, r.code, "denied required endpoints fail the run\n%s%s", r.stdout, r.stderr)
	rows := tableRows(t, r.stdout)
	require.Len(t, rows, 14)
	var ok, denied int
	for _, row := range rows {
		assert.Equal(t, squid.URL("", ""), row["PROXY"], row["ENDPOINT"])
		assert.Equal(t, "unknown", row["PRIVATE"], "the proxy resolves names: PRIVATE is unknown, as azcmagent shows")
		if isAllowed(row["ENDPOINT"]) {
			ok++
			assert.Equal(t, "true", row["REACHABLE"], "%s: %s", row["ENDPOINT"], row["RESULT"])
			if strings.HasPrefix(row["ENDPOINT"], "https://") {
				assert.Equal(t, "TLS 1.3", row["TLS"])
			}
		} else {
			denied++
			assert.Equal(t, "false", row["REACHABLE"], row["ENDPOINT"])
			assert.Contains(t, row["RESULT"], "proxy_denied", row["ENDPOINT"])
		}
	}
	assert.Equal(t, 7, ok, "gbl, agentserviceapi, westeurope-gas, management, login and pkiops over http and https")
	assert.Equal(t, 7, denied)

	doc, _ := checkJSON(t, nil, "-l", "westeurope", "--proxy", squid.URL("", ""), "--ca-file", lab.CA.WritePEM(t))
	require.NotEmpty(t, doc.Results)
	for _, res := range doc.Results {
		hop := res.ProxyHop
		require.NotNil(t, hop, res.Endpoint)
		assert.Equal(t, "--proxy", hop.Source)
		if res.Reachable {
			assert.Equal(t, "200 Connection established", hop.Status)
			continue
		}
		f := res.Failure
		require.NotNil(t, f, res.Endpoint)
		assert.Equal(t, "proxy_denied", string(f.Class))
		assert.Contains(t, f.Message, "ERR_ACCESS_DENIED", "squid's own error code is in the message")
		assert.Equal(t, "ERR_ACCESS_DENIED", hop.ProxyCode)
	}
	assert.Contains(t, squid.AccessLog(), "CONNECT management.azure.com:443", "the host name, not an IP, went to the proxy")
}

func TestSquidUpstreamFailure(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	// login.microsoftonline.com is allowed but squid cannot resolve it: its hosts file lacks it.
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: map[string]string{"management.azure.com": lab.IP}})
	doc, r := checkJSON(t, nil, "--catalog", "none", "--endpoint", "login.microsoftonline.com", "--endpoint", "management.azure.com",
		"--proxy", squid.URL("", ""), "--ca-file", lab.CA.WritePEM(t))
	require.Equal(t, 1, r.code)
	require.Len(t, doc.Results, 2)
	login := resultFor(t, doc, "https://login.microsoftonline.com")
	require.NotNil(t, login.Failure)
	assert.Equal(t, "proxy_upstream_failed", string(login.Failure.Class))
	assert.Contains(t, login.Failure.Message, "ERR_CANNOT_FORWARD", "squid 5's answer when it cannot resolve")
	assert.True(t, resultFor(t, doc, "https://management.azure.com").Reachable)
}

func TestSquidAuthentication(t *testing.T) {
	const password = "Pr0xy-Pa55word!"
	lab := testnet.NewLab(t, testnet.LabOptions{})
	hosts := planHosts(t, esuWesteurope)
	squid := testnet.StartSquid(t, testnet.SquidOptions{Allow: allowed, Hosts: labHosts(lab, hosts),
		Users: map[string]string{"alice": password}})
	caFile := lab.CA.WritePEM(t)
	base := []string{"check", "-l", "westeurope", "-e", "esu", "--ca-file", caFile, "--public-roots", caFile, "--timeout", "5s", "-v"}

	// Without credentials every row wants authentication, and says which schemes the proxy offered.
	r := runCLI(t, nil, append(base, "--proxy", squid.URL("", ""))...)
	require.Equal(t, 1, r.code)
	for _, row := range tableRows(t, r.stdout) {
		assert.Contains(t, row["RESULT"], "proxy_auth_required", row["ENDPOINT"])
	}
	doc, _ := checkJSON(t, nil, "-l", "westeurope", "--proxy", squid.URL("", ""), "--ca-file", caFile)
	require.NotEmpty(t, doc.Results)
	for _, res := range doc.Results {
		require.NotNil(t, res.ProxyHop, res.Endpoint)
		assert.Equal(t, []string{"Basic"}, res.ProxyHop.AuthSchemes, res.Endpoint)
	}

	// With the right credentials every allowed row is reachable.
	r = runCLI(t, nil, append(base, "--proxy", squid.URL("alice", password))...)
	for _, row := range tableRows(t, r.stdout) {
		if isAllowed(row["ENDPOINT"]) {
			assert.Equal(t, "true", row["REACHABLE"], "%s: %s", row["ENDPOINT"], row["RESULT"])
		} else {
			assert.Contains(t, row["RESULT"], "proxy_denied")
		}
	}

	// The password appears in no output format, in success, failure or bad input.
	var outputs []string
	for _, args := range [][]string{
		append(base, "--proxy", squid.URL("alice", password)),
		append(base, "--proxy", squid.URL("alice", password), "-o", "json"),
		append(base, "--proxy", squid.URL("alice", password+"wrong")),
		append(base, "--proxy", squid.URL("alice", password+"wrong"), "-o", "json"),
		append(base, "--proxy", "ftp://alice:"+password+"@127.0.0.1:1"),
		append(base, "--proxy", "http://alice:"+password+"@[bad"),
		append(base, "--proxy", "http://alice:"+password+"@"+testnet.RefusedPort(t), "-o", "json"),
	} {
		r := runCLI(t, nil, args...)
		outputs = append(outputs, r.stdout, r.stderr)
	}
	r = runCLI(t, map[string]string{"HTTPS_PROXY": squid.URL("alice", password)}, append(base, "-o", "json")...)
	outputs = append(outputs, r.stdout, r.stderr)
	assert.Equal(t, "alice", decodeCheck(t, r).Settings.Proxy.User)
	for _, out := range outputs {
		assert.NotContains(t, out, password)
		assert.NotContains(t, out, "UHIweHktUGE1NXdvcmQh", "nor its base64")
	}
}

func TestSOCKS5(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	hosts := planHosts(t, esuWesteurope)
	socks := testnet.StartSOCKS(t, labHosts(lab, hosts), "", "")
	caFile := lab.CA.WritePEM(t)

	// socks5h: the proxy resolves the names (from its own hosts file).
	r := runCLI(t, nil, "check", "-l", "westeurope", "-e", "esu", "--proxy", socks.URL("socks5h", "", ""), "--ca-file", caFile, "--public-roots", caFile)
	require.Equal(t, 0, r.code, r.stdout)
	for _, row := range tableRows(t, r.stdout) {
		assert.Equal(t, "true", row["REACHABLE"], "%s: %s", row["ENDPOINT"], row["RESULT"])
		assert.Equal(t, socks.URL("socks5h", "", ""), row["PROXY"])
		assert.Equal(t, "unknown", row["PRIVATE"])
	}
	// socks5: arccheck resolves (here with --resolve) and hands the address to the proxy.
	r = runCLI(t, nil, append([]string{"check", "-l", "westeurope", "--proxy", socks.URL("socks5", "", ""), "--ca-file", caFile},
		lab.ResolveArgs(hosts...)...)...)
	require.Equal(t, 0, r.code, r.stdout)
	for _, row := range tableRows(t, r.stdout) {
		assert.Equal(t, "false", row["PRIVATE"], "resolved locally: PRIVATE is known")
	}
	// A name the proxy cannot resolve: its failure is the proxy's, not ours.
	r = runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "nowhere.example", "--proxy", socks.URL("socks5h", "", ""))
	require.Equal(t, 1, r.code)
	assert.Contains(t, tableRows(t, r.stdout)[0]["RESULT"], "proxy_upstream_failed")
}

func TestSOCKS5Authentication(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	socks := testnet.StartSOCKS(t, map[string]string{"management.azure.com": lab.IP}, "bob", "s0cks-secret")
	args := []string{"check", "--catalog", "none", "--endpoint", "management.azure.com", "--ca-file", lab.CA.WritePEM(t)}
	r := runCLI(t, nil, append(args, "--proxy", socks.URL("socks5h", "bob", "s0cks-secret"))...)
	assert.Equal(t, 0, r.code, r.stdout)
	r = runCLI(t, nil, append(args, "--proxy", socks.URL("socks5h", "bob", "wrong"))...)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, tableRows(t, r.stdout)[0]["RESULT"], "proxy_auth_required")
	assert.NotContains(t, r.stdout+r.stderr, "wrong@")
}

// TestStoppedProxyIsUnreachableOnEveryRowWithinOneTimeout: every row says proxy_unreachable, none
// canceled: every probe started, and ended, before the run's deadline, one timeout after its start (a
// row not started by then would say canceled). The counts are the proof, not the clock.
func TestStoppedProxyIsUnreachableOnEveryRowWithinOneTimeout(t *testing.T) {
	dead := testnet.RefusedPort(t)
	for _, scheme := range []string{"http", "socks5h"} {
		r := runCLI(t, nil, "check", "-l", "westeurope", "-e", "esu", "--proxy", scheme+"://"+dead, "--timeout", "2s")
		require.Equal(t, 1, r.code)
		rows := tableRows(t, r.stdout)
		require.Len(t, rows, 14)
		for _, row := range rows {
			assert.Contains(t, row["RESULT"], "proxy_unreachable", "%s via %s", row["ENDPOINT"], scheme)
		}
	}
}

func TestProxyFromEnvironmentAndNoProxy(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: map[string]string{"login.microsoftonline.com": lab.IP, "management.azure.com": lab.IP}})
	caFile := lab.CA.WritePEM(t)
	args := append([]string{"check", "--catalog", "none", "--endpoint", "login.microsoftonline.com", "--endpoint", "management.azure.com",
		"--ca-file", caFile, "-o", "json"}, lab.ResolveArgs("management.azure.com", "login.microsoftonline.com")...)
	proxyOf := func(vars map[string]string, extra ...string) map[string]string {
		r := runCLI(t, vars, append(slices.Clone(args), extra...)...)
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		doc := decodeCheck(t, r)
		out := map[string]string{}
		for _, ep := range []string{"https://login.microsoftonline.com", "https://management.azure.com"} {
			out[ep] = resultFor(t, doc, ep).Proxy
		}
		return out
	}
	sq := squid.URL("", "")
	// HTTPS_PROXY with NO_PROXY: management bypasses the proxy (reached directly through --resolve).
	got := proxyOf(map[string]string{"HTTPS_PROXY": sq, "NO_PROXY": ".azure.com"})
	assert.Equal(t, "not used", got["https://management.azure.com"])
	assert.Equal(t, sq, got["https://login.microsoftonline.com"])
	// ALL_PROXY is curl's and Go ignores it, as the agent does: not used, and each row says how curl would
	// have gone (the warning no_proxy_curl_differs and the JSON's curlRoute).
	r := runCLI(t, map[string]string{"ALL_PROXY": sq}, args...)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	for _, ep := range []string{"https://login.microsoftonline.com", "https://management.azure.com"} {
		res := resultFor(t, decodeCheck(t, r), ep)
		assert.Equal(t, "not used", res.Proxy, ep)
		assert.Equal(t, "through "+sq+" (ALL_PROXY)", res.CurlRoute, ep)
		require.Len(t, res.Warnings, 1, ep)
		assert.Equal(t, "no_proxy_curl_differs", string(res.Warnings[0].Class))
		assert.Contains(t, res.Warnings[0].Fix.Hint, "curl and the Arc agent route")
	}
	// A NO_PROXY entry with a leading dot: Go bypasses only subdomains, curl the name too.
	r = runCLI(t, map[string]string{"HTTPS_PROXY": sq, "NO_PROXY": ".management.azure.com"}, args...)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	res := resultFor(t, decodeCheck(t, r), "https://management.azure.com")
	assert.Equal(t, sq, res.Proxy, "Go's rule: .management.azure.com does not match management.azure.com")
	assert.Equal(t, `direct (NO_PROXY entry ".management.azure.com")`, res.CurlRoute)
	require.Len(t, res.Warnings, 1)
	assert.Equal(t, "no_proxy_curl_differs", string(res.Warnings[0].Class))
	got = proxyOf(map[string]string{"https_proxy": sq, "no_proxy": "login.microsoftonline.com"})
	assert.Equal(t, sq, got["https://management.azure.com"])
	assert.Equal(t, "not used", got["https://login.microsoftonline.com"])
	// --no-proxy overrides NO_PROXY.
	got = proxyOf(map[string]string{"HTTPS_PROXY": sq, "NO_PROXY": ".azure.com"}, "--no-proxy", "login.microsoftonline.com")
	assert.Equal(t, sq, got["https://management.azure.com"])
	assert.Equal(t, "not used", got["https://login.microsoftonline.com"])
	// --proxy none ignores the environment.
	got = proxyOf(map[string]string{"HTTPS_PROXY": "http://" + testnet.RefusedPort(t)}, "--proxy", "none")
	assert.Equal(t, "not used", got["https://management.azure.com"])
	// --proxy wins over the environment, and NO_PROXY does not apply to it.
	got = proxyOf(map[string]string{"HTTPS_PROXY": "http://" + testnet.RefusedPort(t), "NO_PROXY": "*"}, "--proxy", sq)
	assert.Equal(t, sq, got["https://management.azure.com"])

	// The JSON says where the setting came from.
	doc := decodeCheck(t, runCLI(t, map[string]string{"HTTPS_PROXY": sq, "NO_PROXY": ".azure.com"}, args...))
	assert.Equal(t, "HTTPS_PROXY", doc.Settings.Proxy.HTTPSSource)
	assert.Equal(t, "NO_PROXY", doc.Settings.Proxy.NoProxySource)
	assert.Equal(t, `NO_PROXY entry ".azure.com"`, resultFor(t, doc, "https://management.azure.com").Bypassed)
}

func TestSquidHTTPSProxy(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	proxyCA := testnet.NewCA(t, "Proxy CA", "Contoso")
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: map[string]string{"management.azure.com": lab.IP}, TLS: proxyCA})
	args := []string{"check", "--catalog", "none", "--endpoint", "management.azure.com", "--proxy", squid.URL("", ""),
		"--ca-file", lab.CA.WritePEM(t)}
	r := runCLI(t, nil, append(args, "--proxy-ca-file", proxyCA.WritePEM(t))...)
	require.Equal(t, 0, r.code, r.stdout)
	row := tableRows(t, r.stdout)[0]
	assert.Equal(t, "https://"+squid.Addr, row["PROXY"])
	assert.Equal(t, "TLS 1.3", row["TLS"], "the endpoint's TLS runs inside the proxy's")
	// Without the proxy's CA, the TLS handshake with the proxy fails: the proxy is unreachable.
	r = runCLI(t, nil, args...)
	require.Equal(t, 1, r.code)
	assert.Contains(t, tableRows(t, r.stdout)[0]["RESULT"], "proxy_tls_untrusted")
	assert.Contains(t, r.stdout, "Trust the certificate of the https proxy")
	doc, _ := checkJSON(t, nil, append(args[1:], "-o", "json")...)
	require.NotNil(t, doc.Results[0].Failure)
	require.NotNil(t, doc.Results[0].Fix)
	assert.Contains(t, doc.Results[0].Fix.Hint, "--proxy-ca-file")
}
