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
	cases := []struct {
		name  string
		addr  string
		class Class
		msg   string
	}{
		{"greets, then never answers CONNECT", testnet.StallingSOCKS(t, testnet.StallAfterGreeting).Addr,
			ClassProxyUpstreamFailed, "did not answer the SOCKS CONNECT to management.azure.com:443 before the timeout"},
		{"never answers the greeting", testnet.StallingSOCKS(t, testnet.StallBeforeGreeting).Addr,
			ClassProxyUnreachable, "did not answer the SOCKS greeting"},
		{"refuses the connection", testnet.RefusedPort(t), ClassProxyUnreachable, "refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := through(t, "socks5h://"+tc.addr, Options{Timeout: 500 * time.Millisecond}, mgmt)
			require.NotNil(t, r.Failure)
			assert.Equal(t, tc.class, r.Failure.Class, r.Failure.Message)
			assert.Equal(t, PhaseProxy, r.Failure.Phase)
			assert.Contains(t, r.Failure.Message, tc.msg)
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
			assert.Equal(t, ClassProxyUpstreamFailed, r.Failure.Class, r.Failure.Message)
			assert.Contains(t, r.Failure.Message, "still trying the endpoint")
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
		ConnectTimeout: time.Second}, Target{Scheme: "http", Host: "multi.example", Port: srv.Port})
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
			assert.Equal(t, ClassProxyUnreachable, r.Failure.Class, "%s: %s", url, r.Failure.Message)
			if !strings.HasPrefix(url, "socks5://") { // there the tunnels' shared budget ends it
				assert.Contains(t, r.Failure.Message, "connect timeout", url)
			}
			assert.NotContains(t, r.Failure.Message, "time is up", url)
		}
	}
}

// TestAbsoluteFormAnswers: for plain http through an HTTP proxy, the proxy's own answers are told from
// the endpoint's, and an answer that could be either is not counted as reachable.
func TestAbsoluteFormAnswers(t *testing.T) {
	cases := []struct {
		answer string
		class  Class // "" for reachable
		msg    []string
	}{
		// Nothing proves these came from the endpoint: a proxy or web server serves such pages itself.
		{"200 OK\r\n", ClassHTTPUnverified, []string{"200 OK", "nothing in it proves that the endpoint sent it"}},
		{"301 Moved Permanently\r\nLocation: https://x.example/\r\n", ClassHTTPUnverified, []string{"301"}},
		{"401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n", ClassHTTPUnverified, []string{"401"}},
		{"404 Not Found\r\nServer: privoxy\r\n", ClassHTTPUnverified, []string{"404", "privoxy"}},
		// The endpoint's own evidence, or squid alone relaying (it marks every answer of its own).
		{"200 OK\r\nX-Ms-Request-Id: 1\r\n", "", nil},
		{"404 Not Found\r\nX-Azure-Ref: 1\r\nVia: 1.1 gw\r\n", "", nil},
		{"404 Not Found\r\nVia: 1.1 proxy.corp (squid/5.7)\r\n", "", nil},
		{"401 Unauthorized\r\nProxy-Authenticate: Basic realm=\"x\"\r\n", ClassProxyAuthRequired, []string{"401"}},
		{"403 Forbidden\r\n", ClassHTTPUnverified, []string{"403 Forbidden", "no Via or Server header"}},
		// A proxy product's own page (its Server header): the cause it gives.
		{"503 Service Unavailable\r\nVia: 1.1 corp-gw\r\nServer: BlueCoat\r\n", ClassProxyUpstreamFailed,
			[]string{"503 Service Unavailable", "Via: 1.1 corp-gw", "Server: BlueCoat"}},
		{"500 Unable to connect\r\nServer: tinyproxy/1.11.1\r\n", ClassProxyUpstreamFailed, []string{"tinyproxy"}},
		{"403 Filtered\r\nServer: tinyproxy/1.11.1\r\n", ClassProxyDenied, []string{"403 Filtered"}},
		{"503 Service Unavailable\r\nVia: 1.1 corp-gw\r\n", ClassHTTPUnverified, []string{"503"}},
		{"500 Internal Server Error\r\n", ClassHTTPUnverified, []string{"500"}},
		{"407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\n", ClassProxyAuthRequired,
			[]string{"Negotiate", "the Arc agent does not authenticate to proxies"}},
		{"403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\n", ClassProxyDenied, []string{"ERR_ACCESS_DENIED"}},
		{"502 Bad Gateway\r\n", ClassProxyUpstreamFailed, []string{"502"}},
		{"504 Gateway Timeout\r\n", ClassProxyUpstreamFailed, []string{"504"}},
		{"200 OK\r\nX-Transformed-From: HTTP/0.9\r\n", ClassHTTPError, []string{"did not answer HTTP", "X-Transformed-From: HTTP/0.9"}},
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
		assert.Equal(t, tc.class, r.Failure.Class, "%s: %s", tc.answer, r.Failure.Message)
		for _, m := range tc.msg {
			assert.Contains(t, r.Failure.Message, m)
		}
	}
}

// TestRefusingProxy: another proxy's own 403 or 503, without squid's headers, is never the endpoint's
// answer: unverified for plain http, the proxy's refusal of a CONNECT.
func TestRefusingProxy(t *testing.T) {
	for status, connectClass := range map[int]Class{403: ClassProxyDenied, 503: ClassProxyUpstreamFailed} {
		px := testnet.RefusingProxy(t, status)
		r := through(t, "http://"+px.Addr, Options{Timeout: 5 * time.Second}, Target{Scheme: "http", Host: "www.microsoft.com", Port: 80})
		require.NotNil(t, r.Failure, status)
		assert.False(t, r.Reachable)
		assert.Equal(t, ClassHTTPUnverified, r.Failure.Class, r.Failure.Message)
		assert.Contains(t, r.Failure.Message, strconv.Itoa(status))
		assert.Contains(t, r.Failure.Message, "Via: 1.1 arccheck-test-proxy")
		assert.Contains(t, r.Failure.Message, "Server: arccheck-test-proxy")

		r = through(t, "http://"+px.Addr, Options{Timeout: 5 * time.Second}, mgmt)
		require.NotNil(t, r.Failure, status)
		assert.Equal(t, connectClass, r.Failure.Class, r.Failure.Message)
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
	assert.Equal(t, ClassHTTPError, r.Failure.Class, r.Failure.Message)
	assert.Contains(t, r.Failure.Message, "X-Transformed-From: HTTP/0.9")

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
		assert.Equal(t, ClassProxyUpstreamFailed, r.Failure.Class, r.Failure.Message)
		assert.Equal(t, PhaseProxy, r.Failure.Phase)
		assert.Contains(t, r.Failure.Message, "before the timeout")
		assert.NotContains(t, r.Failure.Message, "closed network connection")
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
	}{
		{"TLS", "", tg, ClassTLSHandshakeFailed},
		{"HTTP", "", plain, ClassHTTPError},
		{"CONNECT", "http://" + silentProxy, tg, ClassProxyUpstreamFailed},
		{"absolute form", "http://" + silentProxy, plain, ClassProxyUpstreamFailed},
		{"TLS in a tunnel", "http://" + tunnel, tg, ClassTLSHandshakeFailed},
		{"SOCKS", "socks5h://" + stalled.Addr, tg, ClassProxyUpstreamFailed},
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
			assert.Equal(t, tc.class, r.Failure.Class, "%s: %s", tc.name, r.Failure.Message)
			assert.NotContains(t, r.Failure.Message, "closed network connection", tc.name)
			assert.Contains(t, r.Failure.Message, "timeout", tc.name)
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
	opts := Options{RootCAs: lab.CA.Pool(), Timeout: 5 * time.Second}
	web := Target{Scheme: "http", Host: "www.microsoft.com", Port: 80}
	for _, tg := range []Target{mgmt, web} {
		r := through(t, squid.URL("alice", password), opts, tg)
		require.True(t, r.Reachable, "%s: %+v", tg.Scheme, r.Failure)
		assert.True(t, r.Proxy.Authenticated)
		require.True(t, hasWarning(r, ClassProxyAuthAgentUnsupported), "%s: %+v", tg.Scheme, r.Warnings)
		for _, w := range r.Warnings {
			if w.Class == ClassProxyAuthAgentUnsupported {
				assert.Equal(t, PhaseProxy, w.Phase)
				assert.Contains(t, w.Message, "the Arc agent cannot authenticate to a proxy")
				assert.NotContains(t, w.Message, password)
			}
		}

		r = through(t, squid.URL("", ""), opts, tg)
		require.NotNil(t, r.Failure, tg.Scheme)
		assert.Equal(t, ClassProxyAuthRequired, r.Failure.Class)
		assert.Contains(t, r.Failure.Message, "offers Basic authentication")
		assert.Contains(t, r.Failure.Message, "the Arc agent does not authenticate to proxies")
		assert.NotContains(t, r.Failure.Message, "support")
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
