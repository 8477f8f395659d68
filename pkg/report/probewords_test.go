package report

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/arccheck/arccheck/pkg/probe"
)

// TestProbeWords: the sentences a probe's facts make, cause by cause: the message, and RESULT's reason.
func TestProbeWords(t *testing.T) {
	const px = "http://proxy.corp:3128"
	deny := probe.Answer{Status: "403 Forbidden", Via: "1.1 proxy.corp (squid/5.7)", Server: "squid/5.7"}
	for _, tc := range []struct {
		name         string
		f            probe.Finding
		long, reason string
	}{
		{"refused", probe.Finding{Class: probe.ClassTCPRefused, Facts: probe.Facts{Err: "dial tcp 10.0.0.1:443: connect: connection refused",
			Detail: "connection refused"}}, "dial tcp 10.0.0.1:443: connect: connection refused", "connection refused"},
		{"no route", probe.Finding{Class: probe.ClassNoRoute, Facts: probe.Facts{Err: "dial tcp 10.9.9.9:443: connect: network is unreachable",
			Detail: "network is unreachable", NoRouteTo: netip.MustParseAddr("10.9.9.9")}},
			"dial tcp 10.9.9.9:443: connect: network is unreachable (raised by this server's own routing table, which has no route to 10.9.9.9: no packet left the machine)",
			"network is unreachable (raised by this server's own routing table, which has no route to 10.9.9.9: no packet left the machine)"},
		{"local resources", probe.Finding{Class: probe.ClassLocalResources, Facts: probe.Facts{Err: "dial tcp: socket: too many open files",
			Detail: "too many open files", Shortage: probe.ShortProcessFiles}},
			"dial tcp: socket: too many open files (this process has no file descriptor left: its open-file limit (ulimit -n) is reached; nothing was sent, so this says nothing about the endpoint or the network)",
			"too many open files (this process has no file descriptor left: its open-file limit (ulimit -n) is reached; nothing was sent, so this says nothing about the endpoint or the network)"},
		{"cut short", probe.Finding{Class: probe.ClassCanceled, Cause: probe.CauseCutShort, Facts: probe.Facts{Granted: 1200 * time.Millisecond,
			Budget: 5 * time.Second, Cut: &probe.Finding{Class: probe.ClassTCPTimeout, Facts: probe.Facts{Err: "dial tcp 10.0.0.1:443: i/o timeout"}}}},
			"cut short by the run's deadline: started late, it had 1.2s of its 5s (dial tcp 10.0.0.1:443: i/o timeout)",
			"started late, it had 1.2s of its 5s (dial tcp 10.0.0.1:443: i/o timeout)"},
		{"filtered", probe.Finding{Class: probe.ClassDNSFiltered, Facts: probe.Facts{Host: "x.example", Addrs: []netip.Addr{netip.MustParseAddr("0.0.0.0")}}},
			"the DNS answer for x.example is 0.0.0.0, an address no server has: a DNS filter (or a hosts-file entry) blocks this name",
			"a DNS filter (or a hosts-file entry) blocks this name"},
		{"blocked", probe.Finding{Class: probe.ClassHTTPBlockedByProxy, Cause: probe.CauseBlocked, Facts: probe.Facts{
			Answer: &probe.Answer{Status: "302 Found", Location: "https://portal.corp/login"}, By: &probe.Answerer{Portal: "portal.corp"}}},
			"a proxy or portal at portal.corp answered 302 Found in the endpoint's place, redirecting to https://portal.corp/login: the request never reached the endpoint",
			"the request never reached the endpoint"},
		{"in place", probe.Finding{Class: probe.ClassProxyDenied, Cause: probe.CauseInPlace, Facts: probe.Facts{Answer: &deny,
			By: &probe.Answerer{Server: "squid/5.7", Via: "1.1 proxy.corp (squid/5.7)"}}},
			"squid/5.7 (Via: 1.1 proxy.corp (squid/5.7)) answered 403 Forbidden (Via: 1.1 proxy.corp (squid/5.7); Server: squid/5.7) in the endpoint's place",
			"squid/5.7 (Via: 1.1 proxy.corp (squid/5.7)) answered 403 Forbidden (Via: 1.1 proxy.corp (squid/5.7); Server: squid/5.7) in the endpoint's place"},
		{"unproven through a proxy", probe.Finding{Class: probe.ClassHTTPUnverified, Cause: probe.CauseUnproven, Facts: probe.Facts{
			Answer: &probe.Answer{Status: "200 OK"}, Proxy: px, Gap: &probe.ProofGap{Why: probe.GapNotCRL}}},
			"the proxy relayed 200 OK (no Via or Server header), but the answer is not a CRL: it may be the proxy's own page or refusal",
			"it may be the proxy's own page or refusal"},
		{"unproven directly", probe.Finding{Class: probe.ClassHTTPUnverified, Cause: probe.CauseUnproven, Facts: probe.Facts{
			Answer: &probe.Answer{Status: "200 OK"}, Gap: &probe.ProofGap{Why: probe.GapNotOCSP}}},
			"answered 200 OK (no Via or Server header), but the answer is not an OCSP response about the certificate signed for its issuer",
			"answered 200 OK (no Via or Server header), but the answer is not an OCSP response about the certificate signed for its issuer"},
		{"web server", probe.Finding{Class: probe.ClassProxyNotAProxy, Cause: probe.CauseWebServer, Facts: probe.Facts{
			Answer: &probe.Answer{Status: "200 OK", Server: "nginx"}, Proxy: px, RefusedWith: 405}},
			"proxy " + px + " answered 200 OK (Server: nginx) and refuses CONNECT with 405: it is a web server serving its own pages, not a forward proxy",
			"it is a web server serving its own pages, not a forward proxy"},
		{"proxy asks for credentials", probe.Finding{Class: probe.ClassProxyAuthRequired, Cause: probe.CauseProxyAnswered, Facts: probe.Facts{
			Proxy: px, Refusal: &probe.Refusal{Status: "407 Proxy Authentication Required", AuthSchemes: []string{"Basic", "NTLM"}}}},
			"proxy answered 407 Proxy Authentication Required; it offers Basic, NTLM authentication: the Arc agent does not authenticate to proxies, so the proxy must let this server through without credentials",
			"the Arc agent does not authenticate to proxies, so the proxy must let this server through without credentials"},
		{"proxy refused credentials", probe.Finding{Class: probe.ClassProxyAuthRequired, Cause: probe.CauseProxyAnswered, Facts: probe.Facts{
			Proxy: px, Refusal: &probe.Refusal{Status: "407 Proxy Authentication Required", CredentialsSent: true}}},
			"proxy answered 407 Proxy Authentication Required: it refused the credentials of the proxy URL",
			"it refused the credentials of the proxy URL"},
		{"proxy cannot resolve", probe.Finding{Class: probe.ClassProxyUpstreamFailed, Cause: probe.CauseProxyAnswered, Facts: probe.Facts{
			Proxy: px, Refusal: &probe.Refusal{Status: "503 Service Unavailable", ProxyCode: "ERR_DNS_FAIL", UpstreamDNS: true}}},
			"proxy answered 503 Service Unavailable (ERR_DNS_FAIL): the proxy could not resolve the name",
			"the proxy could not resolve the name"},
		{"proxy down", probe.Finding{Class: probe.ClassProxyUnreachable, Cause: probe.CauseProxyDial, Facts: probe.Facts{Proxy: px,
			Err: "dial tcp 10.0.0.9:3128: i/o timeout", Detail: "i/o timeout", ConnectTimedOut: true}},
			"proxy " + px + ": dial tcp 10.0.0.9:3128: i/o timeout (no answer within the connect timeout)", "i/o timeout"},
		{"proxy silent", probe.Finding{Class: probe.ClassProxyUpstreamFailed, Cause: probe.CauseProxySilent, Facts: probe.Facts{Proxy: px,
			Connect: "x.example:443"}}, "proxy " + px + " did not answer CONNECT x.example:443 before the timeout",
			"proxy " + px + " did not answer CONNECT x.example:443 before the timeout"},
		{"socks reply", probe.Finding{Class: probe.ClassProxyDenied, Cause: probe.CauseSOCKS, Facts: probe.Facts{Proxy: "socks5h://s:1080",
			Connect: "x.example:443", SOCKS: &probe.SOCKSFacts{Step: probe.SOCKSConnect, Refused: true, Code: 2}}},
			"proxy socks5h://s:1080 refused the SOCKS CONNECT to x.example:443: reply 2, connection not allowed by ruleset",
			"reply 2, connection not allowed by ruleset"},
		{"socks needs credentials", probe.Finding{Class: probe.ClassProxyAuthRequired, Cause: probe.CauseSOCKS, Facts: probe.Facts{Proxy: "socks5h://s:1080",
			SOCKS: &probe.SOCKSFacts{Step: probe.SOCKSGreeting, Refused: true, Code: 0xff}}},
			"proxy socks5h://s:1080 does not accept clients without authentication, and the proxy URL has no username and password: no acceptable authentication methods",
			"no acceptable authentication methods"},
		{"socks read", probe.Finding{Class: probe.ClassProxyUnreachable, Cause: probe.CauseSOCKS, Facts: probe.Facts{Proxy: "socks5h://s:1080",
			Err: "EOF", Detail: "EOF", SOCKS: &probe.SOCKSFacts{Step: probe.SOCKSGreeting, Reading: true}}},
			"proxy socks5h://s:1080: reading the answer to the SOCKS greeting: EOF", "EOF"},
		{"too large", probe.Finding{Class: probe.ClassHTTPTooLarge, Cause: probe.CauseTooLarge, Facts: probe.Facts{
			Bound: &probe.TooLargeError{Part: "head", Bound: 64 << 10, Peer: probe.PeerEndpoint}}},
			"the answer's head ran past 64 KiB: a broken or hostile peer; the endpoint never sends that",
			"the answer's head ran past 64 KiB: a broken or hostile peer; the endpoint never sends that"},
		{"re-signed by another public CA", probe.Finding{Class: probe.ClassTLSIntercepted, Cause: probe.CauseResigned, Facts: probe.Facts{
			Interceptor: "CN=Other CA", PublicNotOf: []string{"Microsoft Corporation", "DigiCert Inc"}}},
			"re-signed by CN=Other CA (a public CA, but not Microsoft Corporation or DigiCert Inc), which this machine trusts: not the endpoint's public chain",
			"not the endpoint's public chain"},
		{"families", probe.Finding{Class: probe.ClassAddressUnreachable, Cause: probe.CauseFamilies, Facts: probe.Facts{
			All: []probe.AddressResult{{Address: netip.MustParseAddrPort("[::1]:443")}, {Address: netip.MustParseAddrPort("127.0.0.1:443")}},
			Failed: []probe.AddressResult{{Address: netip.MustParseAddrPort("[::1]:443"), Failure: &probe.Finding{Class: probe.ClassTCPTimeout,
				Facts: probe.Facts{Err: "i/o timeout"}}}}}},
			"IPv6 path black-holed: [::1]:443 (tcp_timeout: i/o timeout); the connection succeeded to another address, but clients that pick these fail",
			"IPv6 path black-holed: [::1]:443 (tcp_timeout: i/o timeout); the connection succeeded to another address, but clients that pick these fail"},
		{"curl", probe.Finding{Class: probe.ClassNoProxyCurlDiffers, Cause: probe.CauseCurlDiffers, Facts: probe.Facts{
			Curl: &probe.CurlRoute{Bypass: true, Entry: ".azure.com"}}},
			"curl would go direct (NO_PROXY entry .azure.com); arccheck follows Go's NO_PROXY rules (golang.org/x/net/http/httpproxy)",
			"curl would go direct (NO_PROXY entry .azure.com); arccheck follows Go's NO_PROXY rules (golang.org/x/net/http/httpproxy)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.long, findingText(tc.f))
			assert.Equal(t, tc.reason, findingShort(tc.f))
		})
	}
}

// TestEveryGapHasWords: every reason an answer's content proves nothing is worded, each in its own words,
// and a proof that was not served is named for what it is.
func TestEveryGapHasWords(t *testing.T) {
	fallback := gapText(nil)
	seen := map[string]probe.GapKind{}
	for _, g := range probe.Gaps {
		words := gapText(&probe.ProofGap{Why: g, Kind: probe.ProofCRL, Status: 404, Subject: "CN=Issuing CA"})
		if g != probe.GapNothing {
			assert.NotEqual(t, fallback, words, g)
		}
		assert.NotContains(t, seen, words, "%s words as %s", g, seen[words])
		seen[words] = g
	}
	for _, k := range probe.Proofs {
		assert.NotEmpty(t, proofWords[k], k)
	}
	assert.Equal(t, "the OCSP response to prove the endpoint's answer was not served (404)",
		gapText(&probe.ProofGap{Why: probe.GapNotServed, Kind: probe.ProofOCSP, Status: 404}))
}
