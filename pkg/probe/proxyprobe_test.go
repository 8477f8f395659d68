package probe

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// through probes a target through the proxy at rawURL.
func through(t *testing.T, rawURL string, opts Options, tg Target) Result {
	t.Helper()
	px := mustProxy(t, rawURL)
	opts.Proxy = &ProxyConfig{HTTPS: px, HTTP: px}
	return New(opts).Probe(context.Background(), tg)
}

func hasWarning(r Result, c Class) bool {
	for _, w := range r.Warnings {
		if w.Class == c {
			return true
		}
	}
	return false
}

var mgmt = Target{Scheme: "https", Host: "management.azure.com", Port: 443}

// TestSOCKSFailureClasses: a SOCKS proxy that answered the greeting and then nothing is still trying the
// destination (proxy_upstream_failed); one that cannot be reached or greeted is proxy_unreachable.
func TestSOCKSFailureClasses(t *testing.T) {
	// timedOut is a SOCKS handshake that the proxy did not answer at step before the timeout.
	timedOut := func(step SOCKSStep) func(t *testing.T, f *Finding) {
		return func(t *testing.T, f *Finding) {
			assert.Equal(t, CauseSOCKS, f.Cause)
			require.NotNil(t, f.SOCKS, factsJSON(f))
			assert.Equal(t, step, f.SOCKS.Step, factsJSON(f))
			assert.True(t, f.SOCKS.TimedOut, "it did not answer the %s before the timeout", step)
			assert.Empty(t, f.SOCKS.Answered, "it did not begin its answer")
			assert.False(t, f.SOCKS.Refused)
			assert.Equal(t, "management.azure.com:443", f.Connect)
		}
	}
	cases := []struct {
		name  string
		addr  string
		class Class
		check func(t *testing.T, f *Finding)
	}{
		{"greets, then never answers CONNECT", testnet.StallingSOCKS(t, testnet.StallAfterGreeting).Addr,
			ClassProxyUpstreamFailed, timedOut(SOCKSConnect)},
		{"never answers the greeting", testnet.StallingSOCKS(t, testnet.StallBeforeGreeting).Addr,
			ClassProxyUnreachable, timedOut(SOCKSGreeting)},
		{"refuses the connection", testnet.RefusedPort(t), ClassProxyUnreachable, func(t *testing.T, f *Finding) {
			assert.Equal(t, CauseProxyDial, f.Cause)
			assert.Contains(t, f.Err, "refused")
			assert.Equal(t, "connection refused", f.Detail)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := through(t, "socks5h://"+tc.addr, Options{Timeout: 500 * time.Millisecond}, mgmt)
			require.NotNil(t, r.Failure)
			assert.Equal(t, tc.class, r.Failure.Class, factsJSON(r.Failure))
			assert.Equal(t, PhaseProxy, r.Failure.Phase)
			assert.Equal(t, "socks5h://"+tc.addr, r.Failure.Proxy)
			tc.check(t, r.Failure)
		})
	}
}

// TestMicrosocksUpstreamFailures: a real SOCKS server that cannot reach the destination (dropped
// packets, a DNS server that never answers) is proxy_upstream_failed, not proxy_unreachable.
func TestMicrosocksUpstreamFailures(t *testing.T) {
	hole := netip.MustParseAddrPort(testnet.BlackHole(t))
	socks := testnet.StartSOCKSWith(t, testnet.SOCKSOptions{Hosts: map[string]string{"dropped.example": hole.Addr().String()},
		DNS: testnet.DNSSilent})
	dropped := Target{Scheme: "https", Host: "dropped.example", Port: int(hole.Port())}
	cases := []struct {
		name, url string
		tg        Target
		opts      Options
	}{
		{"black-holed destination, socks5h", socks.URL("socks5h", "", ""), dropped, Options{}},
		{"DNS that never answers, socks5h", socks.URL("socks5h", "", ""), Target{Scheme: "https", Host: "unknown.example", Port: 443}, Options{}},
		{"black-holed destination, socks5", socks.URL("socks5", "", ""), dropped,
			Options{Overrides: Overrides{"dropped.example:*": []netip.Addr{hole.Addr()}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Timeout = 700 * time.Millisecond
			r := through(t, tc.url, tc.opts, tc.tg)
			require.NotNil(t, r.Failure)
			assert.Equal(t, ClassProxyUpstreamFailed, r.Failure.Class, factsJSON(r.Failure))
			// It took the CONNECT and did not answer it before the timeout: still trying the endpoint.
			assert.Equal(t, CauseSOCKS, r.Failure.Cause)
			require.NotNil(t, r.Failure.SOCKS, factsJSON(r.Failure))
			assert.Equal(t, SOCKSConnect, r.Failure.SOCKS.Step, factsJSON(r.Failure))
			assert.True(t, r.Failure.SOCKS.TimedOut)
			assert.Empty(t, r.Failure.SOCKS.Answered, "it did not begin its reply")
		})
	}
}

// TestSOCKS5TriesEveryAddress: with socks5:// arccheck resolves the name and opens a tunnel to each
// address in turn, sharing the connect timeout, until one works.
func TestSOCKS5TriesEveryAddress(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	socks := testnet.StartSOCKS(t, nil, "", "")
	dead := netip.MustParseAddrPort(testnet.BlackHoleOn(t, srv.Port)).Addr()
	refused := netip.MustParseAddr(testnet.RandomLoopback()) // nothing listens on the server's port there
	list := []netip.Addr{dead, refused, netip.MustParseAddr("127.0.0.1")}
	r := through(t, socks.URL("socks5", "", ""), Options{Overrides: Overrides{"multi.example:*": list}, Timeout: 5 * time.Second,
		ConnectTimeout: time.Second}, Target{Scheme: "http", Host: "multi.example", Port: srv.Port, EvidenceHeaders: evidence})
	require.True(t, r.Reachable, "%+v", r.Failure)
	require.Len(t, r.Proxy.Attempts, 3)
	for i, at := range r.Proxy.Attempts {
		assert.Equal(t, netip.AddrPortFrom(list[i], uint16(srv.Port)), at.Address)
		assert.Equal(t, i < 2, at.Error != "", "attempt %d: %q", i, at.Error)
	}
	private, known := r.Private()
	assert.True(t, known)
	assert.False(t, private)
	assert.Equal(t, 200, r.HTTP.Status)
}

// TestProxyConnectTimeout: the connect timeout bounds the connection to the proxy, whatever its kind.
func TestProxyConnectTimeout(t *testing.T) {
	hole := testnet.BlackHole(t)
	for _, url := range []string{"http://" + hole, "https://" + hole, "socks5h://" + hole, "socks5://" + hole} {
		for _, scheme := range []string{"https", "http"} {
			// An hour for the probe: only the connect timeout can have ended it.
			opts := Options{Timeout: time.Hour, ConnectTimeout: 300 * time.Millisecond,
				Overrides: Overrides{"management.azure.com:*": loopback}}
			r := through(t, url, opts, Target{Scheme: scheme, Host: "management.azure.com", Port: 443})
			require.NotNil(t, r.Failure, url)
			assert.Equal(t, ClassProxyUnreachable, r.Failure.Class, "%s: %s", url, factsJSON(r.Failure))
			assert.Equal(t, CauseProxyDial, r.Failure.Cause, url)
			if !strings.HasPrefix(url, "socks5://") { // there the tunnels' shared budget ends it
				assert.True(t, r.Failure.ConnectTimedOut, "%s: the connect timeout ended it: %s", url, factsJSON(r.Failure))
			}
			assert.False(t, r.Failure.TimedOut, "%s: the probe's time is not up", url)
			assert.Empty(t, r.Failure.Ended, url)
		}
	}
}

// TestAbsoluteFormAnswers: for plain http through an HTTP proxy, the proxy's own answers are told from
// the endpoint's, and an answer that could be either is not counted as reachable.
func TestAbsoluteFormAnswers(t *testing.T) {
	// unproven is an answer the proxy relayed that proves nothing ("nothing in it proves that the endpoint
	// sent it"); box one a proxy product gave in the endpoint's place; refusal the proxy's own refusal.
	unproven := func(a Answer) want { return want{cause: CauseUnproven, answer: &a, gap: GapNothing} }
	box := func(a Answer) want {
		return want{cause: CauseInPlace, answer: &a, by: &Answerer{Server: a.Server, Via: a.Via}}
	}
	refusal := func(rf Refusal) want { return want{cause: CauseProxyAnswered, refusal: &rf} }
	cases := []struct {
		answer string
		class  Class // "" for reachable
		want   want
	}{
		// Nothing proves these came from the endpoint: a proxy or web server serves such pages itself.
		{"200 OK\r\n", ClassHTTPUnverified, unproven(Answer{Status: "200 OK"})},
		{"301 Moved Permanently\r\nLocation: https://x.example/\r\n", ClassHTTPUnverified,
			unproven(Answer{Status: "301 Moved Permanently", Location: "https://x.example/"})},
		{"401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n", ClassHTTPUnverified, unproven(Answer{Status: "401 Unauthorized"})},
		{"404 Not Found\r\nServer: privoxy\r\n", ClassHTTPUnverified, unproven(Answer{Status: "404 Not Found", Server: "privoxy"})},
		// The endpoint's own evidence, or squid alone relaying (it marks every answer of its own).
		{"200 OK\r\nX-Ms-Request-Id: 1\r\n", "", want{}},
		{"404 Not Found\r\nX-Azure-Ref: 1\r\nVia: 1.1 gw\r\n", "", want{}},
		{"404 Not Found\r\nVia: 1.1 proxy.corp (squid/5.7)\r\n", "", want{}},
		{"401 Unauthorized\r\nProxy-Authenticate: Basic realm=\"x\"\r\n", ClassProxyAuthRequired,
			refusal(Refusal{Status: "401 Unauthorized", AuthSchemes: []string{"Basic"}})},
		// No Via or Server header.
		{"403 Forbidden\r\n", ClassHTTPUnverified, unproven(Answer{Status: "403 Forbidden"})},
		// A proxy product's own page (its Server header): the cause it gives.
		{"503 Service Unavailable\r\nVia: 1.1 corp-gw\r\nServer: BlueCoat\r\n", ClassProxyUpstreamFailed,
			box(Answer{Status: "503 Service Unavailable", Via: "1.1 corp-gw", Server: "BlueCoat"})},
		{"500 Unable to connect\r\nServer: tinyproxy/1.11.1\r\n", ClassProxyUpstreamFailed,
			box(Answer{Status: "500 Unable to connect", Server: "tinyproxy/1.11.1"})},
		{"403 Filtered\r\nServer: tinyproxy/1.11.1\r\n", ClassProxyDenied, box(Answer{Status: "403 Filtered", Server: "tinyproxy/1.11.1"})},
		{"503 Service Unavailable\r\nVia: 1.1 corp-gw\r\n", ClassHTTPUnverified,
			unproven(Answer{Status: "503 Service Unavailable", Via: "1.1 corp-gw"})},
		{"500 Internal Server Error\r\n", ClassHTTPUnverified, unproven(Answer{Status: "500 Internal Server Error"})},
		// No credentials sent: the Arc agent does not authenticate to proxies either.
		{"407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\n", ClassProxyAuthRequired,
			refusal(Refusal{Status: "407 Proxy Authentication Required", AuthSchemes: []string{"Negotiate"}})},
		{"403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\n", ClassProxyDenied,
			refusal(Refusal{Status: "403 Forbidden", ProxyCode: "ERR_ACCESS_DENIED"})},
		{"502 Bad Gateway\r\n", ClassProxyUpstreamFailed, refusal(Refusal{Status: "502 Bad Gateway"})},
		{"504 Gateway Timeout\r\n", ClassProxyUpstreamFailed, refusal(Refusal{Status: "504 Gateway Timeout"})},
		// The endpoint did not answer HTTP: squid's mark of what it relayed.
		{"200 OK\r\nX-Transformed-From: HTTP/0.9\r\n", ClassHTTPError,
			want{cause: CauseNotHTTP, answer: &Answer{Status: "200 OK", TransformedFrom: "HTTP/0.9"}}},
	}
	for _, tc := range cases {
		addr := fakeProxy(t, func(*http.Request) string { return "HTTP/1.1 " + tc.answer + "Content-Length: 0\r\n\r\n" })
		r := through(t, "http://"+addr, Options{Timeout: 5 * time.Second}, Target{Scheme: "http", Host: "www.microsoft.com", Port: 80,
			EvidenceHeaders: evidence})
		if tc.class == "" {
			assert.True(t, r.Reachable, "%s: %+v", tc.answer, r.Failure)
			continue
		}
		require.NotNil(t, r.Failure, tc.answer)
		assert.False(t, r.Reachable)
		assert.Equal(t, tc.class, r.Failure.Class, "%s: %s", tc.answer, factsJSON(r.Failure))
		tc.want.check(t, tc.answer, r.Failure)
		if tc.want.cause == CauseUnproven || tc.want.cause == CauseProxyAnswered {
			assert.Equal(t, "http://"+addr, r.Failure.Proxy, tc.answer)
		}
	}
}

// want is what a finding about an answer through a proxy says: its cause, the answer (what of it tells
// who gave it), who gave it, why it proves nothing, or the proxy's refusal; nil and "" for none.
type want struct {
	cause   Cause
	answer  *Answer
	by      *Answerer
	gap     GapKind
	refusal *Refusal
}

func (w want) check(t *testing.T, name string, f *Finding) {
	t.Helper()
	assert.Equal(t, w.cause, f.Cause, "%s: %s", name, factsJSON(f))
	assert.Equal(t, w.answer, f.Answer, name)
	assert.Equal(t, w.by, f.By, name)
	if w.gap != "" {
		if assert.NotNil(t, f.Gap, name) {
			assert.Equal(t, w.gap, f.Gap.Why, name)
		}
	} else {
		assert.Nil(t, f.Gap, name)
	}
	assert.Equal(t, w.refusal, f.Refusal, name)
}

// TestRefusingProxy: another proxy's own 403 or 503, without squid's headers, is never the endpoint's
// answer: unverified for plain http, the proxy's refusal of a CONNECT.
func TestRefusingProxy(t *testing.T) {
	for status, connectClass := range map[int]Class{403: ClassProxyDenied, 503: ClassProxyUpstreamFailed} {
		px := testnet.RefusingProxy(t, status)
		r := through(t, "http://"+px.Addr, Options{Timeout: 5 * time.Second}, Target{Scheme: "http", Host: "www.microsoft.com", Port: 80})
		require.NotNil(t, r.Failure, status)
		assert.False(t, r.Reachable)
		assert.Equal(t, ClassHTTPUnverified, r.Failure.Class, factsJSON(r.Failure))
		assert.Equal(t, CauseUnproven, r.Failure.Cause)
		require.NotNil(t, r.Failure.Answer, status)
		assert.True(t, strings.HasPrefix(r.Failure.Answer.Status, strconv.Itoa(status)+" "), r.Failure.Answer.Status)
		assert.Equal(t, "1.1 arccheck-test-proxy", r.Failure.Answer.Via)
		assert.Equal(t, "arccheck-test-proxy", r.Failure.Answer.Server)
		assert.Equal(t, "http://"+px.Addr, r.Failure.Proxy, "the proxy relayed it")

		r = through(t, "http://"+px.Addr, Options{Timeout: 5 * time.Second}, mgmt)
		require.NotNil(t, r.Failure, status)
		assert.Equal(t, connectClass, r.Failure.Class, factsJSON(r.Failure))
	}
}

// TestSquidRelaysWhatIsNotHTTP: squid relays a server that does not speak HTTP as an HTTP/0.9 answer
// (200, X-Transformed-From); that is no HTTP endpoint.
func TestSquidRelaysWhatIsNotHTTP(t *testing.T) {
	garbage := testnet.NonHTTPServer(t, "SSH-2.0-OpenSSH_9.2\r\n")
	web := testnet.HTTPServer(t, "")
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: map[string]string{"ssh.example": "127.0.0.1", "web.example": "127.0.0.1"}})
	r := through(t, squid.URL("", ""), Options{Timeout: 5 * time.Second}, Target{Scheme: "http", Host: "ssh.example", Port: garbage.Port})
	require.NotNil(t, r.Failure)
	assert.False(t, r.Reachable)
	assert.Equal(t, ClassHTTPError, r.Failure.Class, factsJSON(r.Failure))
	assert.Equal(t, CauseNotHTTP, r.Failure.Cause)
	require.NotNil(t, r.Failure.Answer)
	assert.Equal(t, "HTTP/0.9", r.Failure.Answer.TransformedFrom)

	r = through(t, squid.URL("", ""), Options{Timeout: 5 * time.Second}, Target{Scheme: "http", Host: "web.example", Port: web.Port})
	require.True(t, r.Reachable, "%+v", r.Failure)
	assert.Equal(t, 200, r.HTTP.Status)
	assert.Empty(t, r.Warnings)
}

// TestSquidStillTryingTheEndpoint: plain http through squid to a black-holed endpoint ends with the
// probe's deadline while squid is still trying: proxy_upstream_failed, as for a CONNECT.
func TestSquidStillTryingTheEndpoint(t *testing.T) {
	hole := netip.MustParseAddrPort(testnet.BlackHoleOn(t, 443)) // squid tunnels to port 443 only
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: map[string]string{"dropped.example": hole.Addr().String()}})
	for _, scheme := range []string{"http", "https"} {
		r := through(t, squid.URL("", ""), Options{Timeout: time.Second}, Target{Scheme: scheme, Host: "dropped.example", Port: 443})
		require.NotNil(t, r.Failure, scheme)
		assert.Equal(t, ClassProxyUpstreamFailed, r.Failure.Class, factsJSON(r.Failure))
		assert.Equal(t, PhaseProxy, r.Failure.Phase)
		// It did not answer before the timeout.
		assert.Equal(t, CauseProxySilent, r.Failure.Cause, scheme)
		assert.Equal(t, map[string]string{"http": "", "https": "dropped.example:443"}[scheme], r.Failure.Connect, scheme)
		assert.NotContains(t, factText(r.Failure), "closed network connection")
	}
}

// TestDeadlineMessagesNeverSayClosedConnection: the connection is closed when the deadline fires; no
// path may then report "use of closed network connection" instead of the timeout.
func TestDeadlineMessagesNeverSayClosedConnection(t *testing.T) {
	silent := testnet.SilentServer(t)
	silentProxy := fakeProxy(t, func(*http.Request) string { return "" })
	tunnel := fakeProxy(t, func(*http.Request) string { return "HTTP/1.1 200 Connection established\r\n\r\n" })
	stalled := testnet.StallingSOCKS(t, testnet.StallAfterGreeting)
	tg, ov := target(t, "https", "management.azure.com", silent.Addr)
	plain, _ := target(t, "http", "management.azure.com", silent.Addr)
	cases := []struct {
		name, proxy string
		tg          Target
		class       Class
		cause       Cause // each a timeout's
	}{
		{"TLS", "", tg, ClassTLSHandshakeFailed, CauseNoHandshake},
		{"HTTP", "", plain, ClassHTTPError, CauseNoAnswer},
		{"CONNECT", "http://" + silentProxy, tg, ClassProxyUpstreamFailed, CauseProxySilent},
		{"absolute form", "http://" + silentProxy, plain, ClassProxyUpstreamFailed, CauseProxySilent},
		{"TLS in a tunnel", "http://" + tunnel, tg, ClassTLSHandshakeFailed, CauseNoHandshake},
		{"SOCKS", "socks5h://" + stalled.Addr, tg, ClassProxyUpstreamFailed, CauseSOCKS},
	}
	for _, tc := range cases {
		for range 5 {
			opts := Options{Overrides: ov, Timeout: 100 * time.Millisecond}
			var r Result
			if tc.proxy == "" {
				r = New(opts).Probe(context.Background(), tc.tg)
			} else {
				r = through(t, tc.proxy, opts, tc.tg)
			}
			require.NotNil(t, r.Failure, tc.name)
			assert.Equal(t, tc.class, r.Failure.Class, "%s: %s", tc.name, factsJSON(r.Failure))
			assert.NotContains(t, factText(r.Failure), "closed network connection", tc.name)
			// The timeout, as a cause that is one, or a fact that says it.
			assert.Equal(t, tc.cause, r.Failure.Cause, "%s: %s", tc.name, factsJSON(r.Failure))
			switch tc.cause {
			case CauseNoAnswer:
				assert.True(t, r.Failure.TimedOut, "%s: %s", tc.name, factsJSON(r.Failure))
			case CauseSOCKS:
				if assert.NotNil(t, r.Failure.SOCKS, tc.name) {
					assert.True(t, r.Failure.SOCKS.TimedOut, "%s: %s", tc.name, factsJSON(r.Failure))
				}
			}
		}
	}
}

// TestCredentialsUsedWarning: getting through a proxy with the credentials of its URL works for arccheck
// but not for the Arc agent, which cannot authenticate to a proxy: a warning on the reachable row.
func TestCredentialsUsedWarning(t *testing.T) {
	const password = "Pr0xy-Pa55word!"
	lab := testnet.NewLab(t, testnet.LabOptions{})
	hosts := map[string]string{"management.azure.com": lab.IP, "www.microsoft.com": lab.IP}
	squid := testnet.StartSquid(t, testnet.SquidOptions{Hosts: hosts, Users: map[string]string{"alice": password}})
	opts := Options{RootCAs: rootsOf(lab.CA.Pool()), Timeout: 5 * time.Second}
	web := Target{Scheme: "http", Host: "www.microsoft.com", Port: 80}
	for _, tg := range []Target{mgmt, web} {
		r := through(t, squid.URL("alice", password), opts, tg)
		require.True(t, r.Reachable, "%s: %+v", tg.Scheme, r.Failure)
		assert.True(t, r.Proxy.Authenticated)
		require.True(t, hasWarning(r, ClassProxyAuthAgentUnsupported), "%s: %+v", tg.Scheme, r.Warnings)
		for _, w := range r.Warnings {
			if w.Class == ClassProxyAuthAgentUnsupported {
				assert.Equal(t, PhaseProxy, w.Phase)
				// The class says it all: the Arc agent cannot authenticate to a proxy.
				assert.Empty(t, w.Cause)
				assert.NotContains(t, factText(&w), password)
			}
		}

		r = through(t, squid.URL("", ""), opts, tg)
		require.NotNil(t, r.Failure, tg.Scheme)
		assert.Equal(t, ClassProxyAuthRequired, r.Failure.Class)
		assert.Equal(t, CauseProxyAnswered, r.Failure.Cause)
		require.NotNil(t, r.Failure.Refusal, factsJSON(r.Failure))
		assert.Equal(t, []string{"Basic"}, r.Failure.Refusal.AuthSchemes, "it offers Basic authentication")
		assert.False(t, r.Failure.Refusal.CredentialsSent, "none sent: the Arc agent does not authenticate to proxies either")
		assert.NotContains(t, factText(r.Failure), "support")
	}

	socks := testnet.StartSOCKS(t, hosts, "bob", "s0cks-secret")
	r := through(t, socks.URL("socks5h", "bob", "s0cks-secret"), opts, mgmt)
	require.True(t, r.Reachable, "%+v", r.Failure)
	assert.True(t, hasWarning(r, ClassProxyAuthAgentUnsupported))

	// No credentials used, or credentials the proxy never asked for: no warning.
	open := testnet.StartSquid(t, testnet.SquidOptions{Hosts: hosts})
	openSOCKS := testnet.StartSOCKS(t, hosts, "", "")
	for _, url := range []string{open.URL("", ""), openSOCKS.URL("socks5h", "", ""), openSOCKS.URL("socks5h", "bob", "unused")} {
		r := through(t, url, opts, mgmt)
		require.True(t, r.Reachable, "%s: %+v", url, r.Failure)
		assert.False(t, hasWarning(r, ClassProxyAuthAgentUnsupported), url)
	}
	// A relayed refusal is no pass.
	refusing := testnet.RefusingProxy(t, 403)
	r = through(t, "http://alice:"+password+"@"+refusing.Addr, opts, web)
	require.NotNil(t, r.Failure)
	assert.Empty(t, r.Warnings)
}
