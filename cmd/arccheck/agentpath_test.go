package main

import (
	"crypto/tls"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/report"
)

// revocationLab is a lab whose chain names a CRL, two OCSP responders and a CA-issuer URL on loopback
// HTTP servers; one OCSP responder answers, the other is black-holed.
type revocationLab struct {
	lab                          *testnet.Lab
	root                         *testnet.CA
	crl, ocsp, ocspGood, issuers string
	// hosts map the revocation hosts to their loopback address (all on 127.0.0.1, with their own ports).
	hosts map[string]string
}

func newRevocationLab(t *testing.T) *revocationLab {
	root := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	// The root's CRL and certificate, and its OCSP answers: what the issuing CA's CRL, CA-issuers and OCSP
	// URLs must serve to count.
	crl := root.CRL(t)
	responder := testnet.OCSPResponder(testnet.OCSPOptions{Issuer: root})
	good := testnet.Serve(t, testnet.HandleHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/ocsp/"):
			responder.ServeHTTP(w, r)
		case strings.HasSuffix(r.URL.Path, ".crl"):
			w.Write(crl)
		case strings.HasSuffix(r.URL.Path, ".crt"):
			w.Write(root.Cert.Raw)
		default:
			http.NotFound(w, r)
		}
	})))
	dead := testnet.BlackHole(t)
	_, deadPort, _ := strings.Cut(dead, ":")
	rl := &revocationLab{
		root:     root,
		crl:      "http://crl.lab.example:" + strconv.Itoa(good.Port) + "/issuing.crl",
		ocsp:     "http://ocsp.lab.example:" + deadPort + "/",
		ocspGood: "http://status.lab.example:" + strconv.Itoa(good.Port) + "/ocsp",
		issuers:  "http://cacerts.lab.example:" + strconv.Itoa(good.Port) + "/issuing.crt",
		hosts: map[string]string{"crl.lab.example": "127.0.0.1", "ocsp.lab.example": "127.0.0.1", "cacerts.lab.example": "127.0.0.1",
			"status.lab.example": "127.0.0.1"},
	}
	issuing := rl.root.IntermediateWith(t, "Lab Issuing CA", "DigiCert Inc",
		testnet.RevocationURLs{CRL: []string{rl.crl}, OCSP: []string{rl.ocsp, rl.ocspGood}, CAIssuers: []string{rl.issuers}})
	rl.lab = testnet.NewLab(t, testnet.LabOptions{CA: issuing})
	return rl
}

// TestRevocationEndpoints: the revocation URLs of the chain are probed once each, over the path the agent
// uses (direct, then through squid), each answer proven by its content (the CRL and OCSP answers signed
// for the issuer, the issuer's certificate), and the black-holed OCSP responder is a warning on the row.
func TestRevocationEndpoints(t *testing.T) {
	rl := newRevocationLab(t)
	roots := rl.root.WritePEM(t)
	check := func(t *testing.T, doc report.CheckDocument, r result, proxy string) {
		require.Equal(t, 0, r.code, "revocation is a warning: %s", r.stderr)
		require.Len(t, doc.Revocation, 4, "each URL once, however many rows name it")
		byURL := map[string]report.RevocationJSON{}
		for _, rv := range doc.Revocation {
			byURL[rv.URL] = rv
			assert.Equal(t, proxy, rv.Proxy, rv.URL)
			assert.Len(t, rv.NeededBy, 2, rv.URL)
		}
		assert.True(t, byURL[rl.crl].Reachable)
		assert.Equal(t, "crl", byURL[rl.crl].Kind)
		assert.True(t, byURL[rl.issuers].Reachable)
		assert.Equal(t, "caIssuers", byURL[rl.issuers].Kind)
		assert.True(t, byURL[rl.ocspGood].Reachable, "%+v", byURL[rl.ocspGood].Failure)
		assert.Equal(t, "ocsp", byURL[rl.ocspGood].Kind)
		assert.False(t, byURL[rl.ocsp].Reachable)
		require.NotNil(t, byURL[rl.ocsp].Failure)
		for _, res := range doc.Results {
			require.True(t, res.Reachable, res.Endpoint)
			require.Len(t, res.Warnings, 1, res.Endpoint)
			w := res.Warnings[0]
			assert.Equal(t, "revocation_unreachable", string(w.Class))
			assert.Contains(t, w.Message, rl.ocsp)
			assert.NotContains(t, w.Message, rl.crl)
			assert.NotContains(t, w.Message, rl.ocspGood)
			assert.Equal(t, "ocsp.lab.example", w.Fix.Pattern)
			assert.Len(t, res.Revocation, 4)
		}
	}
	endpoints := []string{"--catalog", "none", "--endpoint", "https://management.azure.com", "--endpoint", "https://login.microsoftonline.com"}
	t.Run("direct", func(t *testing.T) {
		args := append([]string{"--timeout", "2s", "--ca-file", roots}, endpoints...)
		args = append(args, rl.lab.ResolveArgs("management.azure.com", "login.microsoftonline.com")...)
		for h, ip := range rl.hosts {
			args = append(args, "--resolve", h+":*:"+ip)
		}
		doc, r := checkJSON(t, nil, args...)
		check(t, doc, r, "not used")
		r = runCLI(t, nil, append([]string{"check"}, args...)...)
		assert.Contains(t, r.stdout, "\nRevocation endpoints (named by the certificate chains; Windows checks them):\n")
		assert.Contains(t, r.stdout, "\n  "+rl.crl+" (crl): ok; named by 2 endpoints\n")
		assert.Contains(t, r.stdout, "\n  "+rl.ocsp+" (ocsp): tcp_timeout: ")
		assert.Contains(t, r.stdout, "warn revocation_unreachable: ")
		assert.Contains(t, r.stdout, "  - Allow outbound HTTP (TCP 80) to the certificate revocation endpoints: ocsp.lab.example\n")
	})
	t.Run("through squid", func(t *testing.T) {
		hosts := labHosts(rl.lab, []string{"management.azure.com", "login.microsoftonline.com"})
		for h, ip := range rl.hosts {
			hosts[h] = ip
		}
		squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: hosts})
		args := append([]string{"--timeout", "2s", "--ca-file", roots, "--proxy", squid.URL("", "")}, endpoints...)
		doc, r := checkJSON(t, nil, args...)
		check(t, doc, r, squid.URL("", ""))
		assert.Contains(t, squid.AccessLog(), rl.crl, "the CRL was fetched through the proxy")
	})
}

// TestClockSkew: a server whose Date is ten minutes ahead makes the run warn, with the offset, whether
// the run sends requests of its own (--http) or only the one cheap request for the clock.
func TestClockSkew(t *testing.T) {
	ca := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	const host = "clock.example"
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host), Handler: http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", time.Now().Add(10*time.Minute).UTC().Format(http.TimeFormat))
		})})
	url := "https://" + host + ":" + strconv.Itoa(srv.Port)
	base := append([]string{"--catalog", "none", "--ca-file", ca.WritePEM(t)}, endpointArgs(host, srv.Port)...)
	for _, extra := range [][]string{nil, {"--http"}} {
		doc, r := checkJSON(t, nil, append(base, extra...)...)
		require.Equal(t, 0, r.code, "a warning: %s", r.stderr)
		require.NotNil(t, doc.Clock, extra)
		assert.InDelta(t, 600_000, doc.Clock.OffsetMs, 3_000)
		assert.Equal(t, url, doc.Clock.Source)
		assert.True(t, doc.Clock.Skewed)
		require.Len(t, doc.Warnings, 1)
		assert.Equal(t, "clock_skew", string(doc.Warnings[0].Class))
		assert.Contains(t, doc.Warnings[0].Message, "behind the Date of "+url)
		assert.Contains(t, doc.Warnings[0].Fix.Hint, "w32tm /resync")
		assert.Equal(t, 1, doc.Summary.Warnings)
	}
	r := runCLI(t, nil, append([]string{"check", "--fail-on", "warning"}, base...)...)
	assert.Equal(t, exitUnreachable, r.code, "--fail-on warning fails on the run's warning: %s", r.stderr)
	r = runCLI(t, nil, append([]string{"check"}, base...)...)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "\nwarn clock_skew: this server's clock is 10m0s behind the Date of "+url)
	assert.Contains(t, r.stdout, "  - Synchronise this server's clock (NTP; on Windows w32tm): "+host+"\n")
}

// agentSuiteServer serves host with an RSA certificate over TLS 1.2 with only the suites given.
func agentSuiteServer(t *testing.T, ca *testnet.CA, host string, suites ...uint16) []string {
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.LeafWith(t, testnet.LeafOptions{Names: []string{host}, RSA: true}),
		MaxVersion: tls.VersionTLS12, CipherSuites: suites})
	return endpointArgs(host, srv.Port)
}

// endpointArgs checks https://host:port, connecting to the addresses (127.0.0.1 when none are given).
func endpointArgs(host string, port int, addrs ...string) []string {
	if len(addrs) == 0 {
		addrs = []string{"127.0.0.1"}
	}
	p := strconv.Itoa(port)
	return []string{"--endpoint", "https://" + host + ":" + p, "--resolve", host + ":" + p + ":" + strings.Join(addrs, ",")}
}

// TestCipherUnsupportedByAgent: a TLS 1.2 server that offers only CBC suites works for Go (and a
// browser) but not for the agent; one that offers only static-RSA suites is named, not a bare
// "handshake failure".
func TestCipherUnsupportedByAgent(t *testing.T) {
	ca := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	args := []string{"--catalog", "none", "--ca-file", ca.WritePEM(t)}
	args = append(args, agentSuiteServer(t, ca, "cbc.example", tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA)...)
	args = append(args, agentSuiteServer(t, ca, "rsa.example", tls.TLS_RSA_WITH_AES_128_CBC_SHA)...)
	args = append(args, agentSuiteServer(t, ca, "gcm.example", tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)...)
	doc, r := checkJSON(t, nil, args...)
	require.Equal(t, 1, r.code, r.stderr)
	for _, res := range doc.Results {
		host := strings.SplitN(strings.TrimPrefix(res.Endpoint, "https://"), ":", 2)[0]
		switch host {
		case "gcm.example":
			assert.True(t, res.Reachable, "an agent suite")
		case "cbc.example":
			// Without an agent that enforces the suites (TestCipherRuleScope), a warning.
			assert.True(t, res.Reachable)
			require.Len(t, res.Warnings, 1)
			w := res.Warnings[0]
			assert.Equal(t, "cipher_unsupported_by_agent", string(w.Class))
			assert.Contains(t, w.Message, "TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")
			assert.Contains(t, w.Message, "the server must offer one of them")
			assert.Contains(t, w.Fix.Hint, "cbc.example speaks TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, which Arc agents 1.56 to 1.63 on Windows")
			assert.Contains(t, w.Fix.Hint, "on the server or load balancer that answers for cbc.example")
			require.NotNil(t, res.TLS.SuiteRetry)
			assert.False(t, res.TLS.SuiteRetry.Accepted)
		case "rsa.example":
			require.NotNil(t, res.Failure)
			assert.Equal(t, "cipher_unsupported_by_agent", string(res.Failure.Class))
			assert.Contains(t, res.Failure.Message, "no cipher suite in common: the server (or a box in the path) speaks only legacy suites such as TLS_RSA_WITH_AES_128_CBC_SHA")
			require.NotNil(t, res.TLS.Legacy)
			assert.Equal(t, "TLS_RSA_WITH_AES_128_CBC_SHA", res.TLS.Legacy.Cipher)
		default:
			t.Errorf("unexpected row %s", res.Endpoint)
		}
	}
}

// TestAllAddresses: a name with a working IPv4 address and a black-holed IPv6 one passes without
// --all-addresses (the agent falls back to the next address) and fails with it, naming the family.
func TestAllAddresses(t *testing.T) {
	ca := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	const host = "dual.example"
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host)})
	testnet.BlackHole6On(t, srv.Port)
	port := strconv.Itoa(srv.Port)
	args := append([]string{"--catalog", "none", "--ca-file", ca.WritePEM(t), "--timeout", "2s", "--connect-timeout", "1s"},
		endpointArgs(host, srv.Port, "127.0.0.1", "[::1]")...)
	doc, r := checkJSON(t, nil, args...)
	require.Equal(t, 0, r.code, r.stdout)
	assert.False(t, doc.Settings.AllAddresses)
	assert.Empty(t, doc.Results[0].Addresses)

	doc, r = checkJSON(t, nil, append(args, "--all-addresses")...)
	require.Equal(t, 1, r.code, r.stdout)
	assert.True(t, doc.Settings.AllAddresses)
	res := doc.Results[0]
	require.NotNil(t, res.Failure)
	assert.Equal(t, "address_unreachable", string(res.Failure.Class))
	assert.Contains(t, res.Failure.Message, "IPv6 path black-holed: [::1]:"+port)
	require.Len(t, res.Addresses, 2)
	assert.Equal(t, report.AddressProbeJSON{Address: "127.0.0.1:" + port, Family: "IPv4", Reachable: true}, res.Addresses[0])
	assert.Equal(t, "IPv6", res.Addresses[1].Family)
	assert.False(t, res.Addresses[1].Reachable)
	assert.Contains(t, res.Fix.Hint, "allow outbound TCP "+port+" to all of `")
}

// TestBlockPageFromSquidSSLBump: squid bumps the tunnel and denies the request inside it, serving its
// error page; with --http that is http_blocked_by_proxy, naming squid, not a reachable row.
func TestBlockPageFromSquidSSLBump(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	corp := testnet.NewCA(t, "Corp Inspection CA", "Contoso")
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: labHosts(lab, []string{"login.microsoftonline.com"}),
		Bump: corp, UpstreamCA: lab.CA, DenyBumped: true})
	doc, r := checkJSON(t, nil, "--catalog", "none", "--endpoint", "https://login.microsoftonline.com", "--http",
		"--proxy", squid.URL("", ""), "--ca-file", bundle(t, lab.CA, corp))
	require.Equal(t, 1, r.code, r.stdout)
	res := doc.Results[0]
	require.NotNil(t, res.Failure)
	assert.Equal(t, "http_blocked_by_proxy", string(res.Failure.Class))
	assert.Contains(t, res.Failure.Message, "squid")
	assert.Contains(t, res.Failure.Message, "ERR_ACCESS_DENIED")
	assert.Contains(t, res.HTTP.BlockedBy, "squid")
	assert.Contains(t, res.Fix.Action, "Allow on squid")
}

// TestNegativeSerialWarns: a chain with a negative serial number passes (the agent accepts it until
// February 2027) with a warning naming the issuer and the date.
func TestNegativeSerialWarns(t *testing.T) {
	ca := testnet.NewCA(t, "Appliance CA", "Contoso")
	const host = "neg.example"
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.LeafWith(t, testnet.LeafOptions{Names: []string{host}, NegativeSerial: true})})
	doc, r := checkJSON(t, nil, append([]string{"--catalog", "none", "--ca-file", ca.WritePEM(t)}, endpointArgs(host, srv.Port)...)...)
	require.Equal(t, 0, r.code, r.stdout)
	res := doc.Results[0]
	require.True(t, res.Reachable, "not a false failure")
	require.Len(t, res.Warnings, 1)
	assert.Equal(t, "negative_serial", string(res.Warnings[0].Class))
	assert.Contains(t, res.Warnings[0].Message, "issued by CN=Appliance CA,O=Contoso")
	assert.Contains(t, res.Warnings[0].Message, "February 2027")
	assert.True(t, res.TLS.Leaf.NegativeSerial)

	r = runCLI(t, nil, append([]string{"check", "--fail-on", "warning", "--catalog", "none", "--ca-file", ca.WritePEM(t)}, endpointArgs(host, srv.Port)...)...)
	assert.Equal(t, exitUnreachable, r.code, "--fail-on warning fails on a row's warning: %s", r.stderr)
}

// TestAllDiagnosesInOneTimeout runs every diagnosis of this file at once: the revocation probes, the
// per-address probes and the handshakes that explain a suite join the same deadline, so the run lasts
// about one --timeout (the black holes take all of it), never two.
func TestAllDiagnosesInOneTimeout(t *testing.T) {
	rl := newRevocationLab(t)
	appliance := testnet.NewCA(t, "Appliance CA", "Contoso")
	corp := testnet.NewCA(t, "Corp Inspection CA", "Contoso")
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: labHosts(rl.lab, []string{"login.microsoftonline.com"}),
		Bump: corp, UpstreamCA: rl.lab.CA, DenyBumped: true})
	const timeout = 2 * time.Second
	args := []string{"--catalog", "none", "--timeout", timeout.String(), "--connect-timeout", "1s", "--http", "--all-addresses",
		"--proxy", squid.URL("", ""), "--ca-file", bundle(t, rl.root, corp, appliance), "--endpoint", "https://management.azure.com",
		"--endpoint", "https://login.microsoftonline.com"}
	args = append(args, rl.lab.ResolveArgs("management.azure.com")...)
	noProxy := []string{"management.azure.com", "lab.example", "cbc.example", "rsa.example", "neg.example", "dual.example", "clock.example"}
	for h, ip := range rl.hosts {
		args = append(args, "--resolve", h+":*:"+ip)
	}
	args = append(args, agentSuiteServer(t, rl.root, "cbc.example", tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)...)
	args = append(args, agentSuiteServer(t, rl.root, "rsa.example", tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA)...)
	serve := func(host string, o testnet.TLSOptions, more ...string) {
		srv := testnet.TLSServer(t, o)
		if len(more) > 0 {
			testnet.BlackHole6On(t, srv.Port)
		}
		args = append(args, endpointArgs(host, srv.Port, append([]string{"127.0.0.1"}, more...)...)...)
	}
	serve("neg.example", testnet.TLSOptions{Certificate: appliance.LeafWith(t, testnet.LeafOptions{Names: []string{"neg.example"}, NegativeSerial: true})})
	serve("dual.example", testnet.TLSOptions{Certificate: appliance.ValidLeaf(t, "dual.example")}, "[::1]")
	serve("clock.example", testnet.TLSOptions{Certificate: appliance.ValidLeaf(t, "clock.example"), Handler: http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", time.Now().Add(-10*time.Minute).UTC().Format(http.TimeFormat))
		})})
	args = append(args, "--no-proxy", strings.Join(noProxy, ",")+",.lab.example")

	doc, r := checkJSON(t, nil, args...)
	require.Equal(t, 1, r.code, r.stderr)
	classes := map[string]string{}
	for _, res := range doc.Results {
		host := strings.SplitN(strings.TrimPrefix(res.Endpoint, "https://"), ":", 2)[0]
		if res.Failure != nil {
			classes[host] = string(res.Failure.Class)
		}
		for _, w := range res.Warnings {
			classes[host] += "+" + string(w.Class)
		}
	}
	assert.Equal(t, map[string]string{
		"management.azure.com":      "+revocation_unreachable",
		"login.microsoftonline.com": "http_blocked_by_proxy",
		"cbc.example":               "+cipher_unsupported_by_agent",
		"rsa.example":               "cipher_unsupported_by_agent",
		"neg.example":               "+negative_serial",
		"dual.example":              "address_unreachable",
	}, classes)
	// The clock is judged on the median of every Date received: one server ten minutes off among servers
	// that agree with this machine is that server's clock, not this one's (TestClockSkew has it alone).
	require.NotNil(t, doc.Clock)
	assert.Equal(t, 2, doc.Clock.Answers, "the clock server and squid send a Date; the other test servers do not")
	assert.False(t, doc.Clock.Skewed)
	assert.Empty(t, doc.Warnings)
	// That the black holes take one timeout, not two (revocation after the probes, say), is
	// BenchmarkBlackHoled's claim (pkg/check): timing claims live in benchmarks.
}

// TestDocumentedAnswers: with --http, catalog endpoints with a documented answer are asked for it (the
// OpenID configuration of login.microsoftonline.com, the SQL telemetry host's 401) and judged.
func TestDocumentedAnswers(t *testing.T) {
	const openid = "/common/v2.0/.well-known/openid-configuration"
	lab := testnet.NewLab(t, testnet.LabOptions{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Host == "login.microsoftonline.com" && r.URL.Path == openid:
			w.WriteHeader(http.StatusNotFound) // not what is documented
		case strings.HasPrefix(r.Host, "telemetry."):
			w.WriteHeader(http.StatusUnauthorized) // as documented
		}
	})})
	sel := esuWesteurope
	sel.Extensions = []string{"sql"}
	hosts := planHosts(t, sel)
	args := append([]string{"-l", "westeurope", "-e", "sql", "--http", "--ca-file", lab.CA.WritePEM(t), "--public-roots", lab.CA.WritePEM(t)},
		lab.ResolveArgs(hosts...)...)
	doc, r := checkJSON(t, nil, args...)
	require.Equal(t, 0, r.code, r.stdout)
	login := resultFor(t, doc, "https://login.microsoftonline.com")
	require.Len(t, login.Warnings, 1)
	assert.Equal(t, "http_unexpected_answer", string(login.Warnings[0].Class))
	assert.Contains(t, login.Warnings[0].Message, "answered 404 Not Found where 200 is documented")
	telemetry := resultFor(t, doc, "https://telemetry.westeurope.arcdataservices.com")
	assert.Empty(t, telemetry.Warnings, "401 is the telemetry host's documented answer")
	assert.Equal(t, 401, telemetry.HTTP.Status)
}
