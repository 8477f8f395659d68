package probe

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http/httpproxy"

	"github.com/arccheck/arccheck/internal/testnet"
)

// fakeProxy answers each CONNECT with answer(req) and, after a 200, writes extra bytes at once.
func fakeProxy(t *testing.T, answer func(*http.Request) string) string {
	return testnet.Serve(t, func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		if a := answer(req); a != "" {
			io.WriteString(c, a)
		}
		io.Copy(io.Discard, c) // hold the connection (never answering when a is empty)
	}).Addr
}

func mustProxy(t *testing.T, raw string) *Proxy {
	p, err := ParseProxy(raw, "test")
	require.NoError(t, err)
	return p
}

func TestConnectDialerKeepsBytesAfterTheResponse(t *testing.T) {
	var seen []*http.Request
	var mu sync.Mutex
	addr := fakeProxy(t, func(r *http.Request) string {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r)
		if r.Header.Get("Proxy-Authorization") == "" {
			return "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n"
		}
		return "HTTP/1.1 200 Connection established\r\n\r\nHELLO-FROM-TUNNEL"
	})
	d := &HTTPConnectDialer{Proxy: mustProxy(t, "http://alice:s3cret@"+addr), UserAgent: "arccheck/test"}
	conn, err := d.DialContext(context.Background(), "tcp", "management.azure.com:443")
	require.NoError(t, err)
	defer conn.Close()
	buf := make([]byte, 17)
	_, err = io.ReadFull(conn, buf)
	require.NoError(t, err)
	assert.Equal(t, "HELLO-FROM-TUNNEL", string(buf))
	assert.Equal(t, "200 Connection established", d.LastStatus)
	require.Len(t, seen, 2, "credentials are sent only after the proxy asks for them")
	assert.Empty(t, seen[0].Header.Get("Proxy-Authorization"), "no credentials before a challenge")
	for _, r := range seen {
		assert.Equal(t, "CONNECT", r.Method)
		assert.Equal(t, "management.azure.com:443", r.Host, "the host name goes to the proxy, not a local IP")
	}
	assert.Equal(t, "Basic YWxpY2U6czNjcmV0", seen[1].Header.Get("Proxy-Authorization"))
	assert.True(t, d.Authenticated)
}

// TestConnectDialerSendsNoCredentialsUnasked: a proxy that needs none never sees them, and the tunnel
// is not said to be authenticated (so the agent's lack of proxy authentication is no warning).
func TestConnectDialerSendsNoCredentialsUnasked(t *testing.T) {
	var auth []string
	addr := fakeProxy(t, func(r *http.Request) string {
		auth = append(auth, r.Header.Get("Proxy-Authorization"))
		return "HTTP/1.1 200 Connection established\r\n\r\n"
	})
	d := &HTTPConnectDialer{Proxy: mustProxy(t, "http://alice:s3cret@"+addr)}
	conn, err := d.DialContext(context.Background(), "tcp", "management.azure.com:443")
	require.NoError(t, err)
	conn.Close()
	assert.Equal(t, []string{""}, auth)
	assert.False(t, d.Authenticated)
}

// TestConnectDialerWrongCredentials: a second challenge after the credentials were sent says they were refused.
func TestConnectDialerWrongCredentials(t *testing.T) {
	for _, code := range []string{"407 Proxy Authentication Required", "401 Unauthorized"} {
		addr := fakeProxy(t, func(*http.Request) string {
			return "HTTP/1.1 " + code + "\r\nProxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n"
		})
		d := &HTTPConnectDialer{Proxy: mustProxy(t, "http://alice:wrong@"+addr)}
		_, err := d.DialContext(context.Background(), "tcp", "x.example:443")
		var pe *ProxyError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, ClassProxyAuthRequired, pe.Class, code)
		assert.True(t, pe.CredentialsSent, code)
		f := pe.finding(context.Background())
		assert.Equal(t, CauseProxyAnswered, f.Cause, code)
		require.NotNil(t, f.Refusal, code)
		assert.True(t, f.Refusal.CredentialsSent, "%s: it refused the credentials", code)
		assert.Equal(t, code, f.Refusal.Status)
		assert.NotContains(t, pe.Error(), "wrong")
		assert.NotContains(t, factText(&f), "wrong")
	}
}

func TestConnectDialerReportsRefusals(t *testing.T) {
	// The refusal is what the proxy said (its status, its code, the schemes it offers) and what arccheck
	// makes of it: no credentials were sent (so the Arc agent, which does not authenticate to proxies,
	// must be let through without them), the proxy could not resolve the name, it is a web server.
	cases := []struct {
		answer string
		class  Class
		want   Refusal
	}{
		{"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n",
			ClassProxyAuthRequired, Refusal{Status: "407 Proxy Authentication Required", AuthSchemes: []string{"NTLM", "Negotiate"}}},
		{"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n",
			ClassProxyAuthRequired, Refusal{Status: "407 Proxy Authentication Required", AuthSchemes: []string{"Basic"}}},
		{"HTTP/1.1 403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Length: 5\r\n\r\nnope!",
			ClassProxyDenied, Refusal{Status: "403 Forbidden", ProxyCode: "ERR_ACCESS_DENIED"}},
		{"HTTP/1.1 503 Service Unavailable\r\nX-Squid-Error: ERR_DNS_FAIL 0\r\nContent-Length: 0\r\n\r\n",
			ClassProxyUpstreamFailed, Refusal{Status: "503 Service Unavailable", ProxyCode: "ERR_DNS_FAIL", UpstreamDNS: true}},
		{"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", ClassProxyUpstreamFailed, Refusal{Status: "502 Bad Gateway"}},
		{"HTTP/1.1 500 Internal Server Error\r\nX-Squid-Error: ERR_CANNOT_FORWARD 0\r\nContent-Length: 0\r\n\r\n",
			ClassProxyUpstreamFailed, Refusal{Status: "500 Internal Server Error", ProxyCode: "ERR_CANNOT_FORWARD"}},
		{"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n", ClassProxyNotAProxy,
			Refusal{Status: "400 Bad Request", NotAProxy: true}},
		{"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n", ClassProxyNotAProxy,
			Refusal{Status: "405 Method Not Allowed", NotAProxy: true}},
		{"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n", ClassProxyNotAProxy, Refusal{Status: "501 Not Implemented", NotAProxy: true}},
		{"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", ClassProxyAuthRequired, Refusal{Status: "401 Unauthorized"}},
		{"HTTP/1.1 404 No such domain\r\nContent-Length: 0\r\n\r\n", ClassProxyUpstreamFailed,
			Refusal{Status: "404 No such domain", UpstreamDNS: true}},
		{"HTTP/1.1 451 Unavailable For Legal Reasons\r\nContent-Length: 0\r\n\r\n", ClassProxyDenied,
			Refusal{Status: "451 Unavailable For Legal Reasons"}},
	}
	for _, tc := range cases {
		addr := fakeProxy(t, func(*http.Request) string { return tc.answer })
		d := &HTTPConnectDialer{Proxy: mustProxy(t, "http://"+addr)}
		_, err := d.DialContext(context.Background(), "tcp", "x.example:443")
		var pe *ProxyError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, tc.class, pe.Class)
		assert.Equal(t, "http://"+addr, pe.Proxy)
		assert.Contains(t, pe.Error(), tc.want.Status, "the log line names the proxy's status")
		f := pe.finding(context.Background())
		assert.Equal(t, tc.class, f.Class, tc.answer)
		assert.Equal(t, CauseProxyAnswered, f.Cause, tc.answer)
		assert.Equal(t, "http://"+addr, f.Proxy, tc.answer)
		assert.Equal(t, &tc.want, f.Refusal, tc.answer)
	}
}

func TestConnectDialerHonoursTheDeadline(t *testing.T) {
	addr := fakeProxy(t, func(*http.Request) string { return "" })
	d := &HTTPConnectDialer{Proxy: mustProxy(t, "http://"+addr)}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := d.DialContext(ctx, "tcp", "x.example:443")
	var pe *ProxyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ClassProxyUpstreamFailed, pe.Class)
}

func TestProbeThroughStoppedProxyIsUnreachable(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	px := mustProxy(t, "http://bob:hunter2@"+addr)
	r := New(Options{Proxy: &ProxyConfig{HTTPS: px, HTTP: px}}).Probe(context.Background(),
		Target{Scheme: "https", Host: "management.azure.com", Port: 443})
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassProxyUnreachable, r.Failure.Class)
	assert.Equal(t, PhaseProxy, r.Failure.Phase)
	assert.Equal(t, CauseProxyDial, r.Failure.Cause)
	assert.Equal(t, "http://"+addr, r.Failure.Proxy)
	assert.Contains(t, r.Failure.Detail, "connection refused")
	assert.NotContains(t, factText(r.Failure), "hunter2")
	assert.Equal(t, "http://"+addr, r.Proxy.Proxy.String())
	assert.Equal(t, SourceProxy, r.DNS.Source.Kind)
	_, known := r.Private()
	assert.False(t, known, "the proxy resolved the name")
}

func TestParseProxy(t *testing.T) {
	p := mustProxy(t, "HTTP://alice:p%40ss@proxy.corp:3128")
	assert.Equal(t, "http://proxy.corp:3128", p.String())
	assert.Equal(t, "alice", p.Username)
	assert.Equal(t, "p@ss", p.Password.Reveal())
	for _, shown := range []string{p.Password.String(), fmt.Sprintf("%v %+v %#v %s %q %x", p.Password, p, p, p.Password, p.Password, p.Password)} {
		assert.NotContains(t, shown, "p@ss")
		assert.NotContains(t, shown, "p@")
	}
	j, err := json.Marshal(p)
	require.NoError(t, err)
	assert.NotContains(t, string(j), "p@ss")
	assert.Equal(t, "http://proxy.corp:80", mustProxy(t, "proxy.corp").String())
	assert.Equal(t, "socks5h://s:1080", mustProxy(t, "socks5h://s").String())
	for _, bad := range []string{"ftp://x:1", "http://", "http://x:99999", "http://u:secret@x:1/path", "http://u:secret@[bad"} {
		_, err := ParseProxy(bad, "test")
		require.Error(t, err, bad)
		assert.NotContains(t, err.Error(), "secret", "errors never repeat the password")
	}
}

func TestNoProxyMatching(t *testing.T) {
	np, err := ParseNoProxy("localhost, .azure.com,example.org:8443 10.0.0.0/8,::1,192.168.1.5,fd00::/16,[fd01::1]:8443,"+
		"bücher.example,_acme.example,*.windows.net", "NO_PROXY")
	require.NoError(t, err)
	cases := []struct {
		host  string
		port  int
		match string
	}{
		{"management.azure.com", 443, ".azure.com"},
		{"azure.com", 443, ""}, // Go: a leading dot matches subdomains only (curl would match)
		{"notazure.com", 443, ""},
		{"example.org", 8443, "example.org:8443"},
		{"example.org", 443, ""},
		{"sub.example.org", 8443, "example.org:8443"},
		{"10.1.2.3", 443, "10.0.0.0/8"},
		{"::1", 443, "::1"},
		{"192.168.1.5", 80, "192.168.1.5"},
		{"192.168.1.6", 80, ""},
		{"LOCALHOST", 80, "localhost"},
		{"fd00::5", 443, "fd00::/16"},
		{"fd01::1", 8443, "[fd01::1]:8443"},
		{"fd01::1", 443, ""},
		{"xn--bcher-kva.example", 443, "bücher.example"},
		{"x._acme.example", 443, "_acme.example"},
		{"login.windows.net", 443, "*.windows.net"},
	}
	for _, tc := range cases {
		got, ok := np.Match(tc.host, tc.port)
		assert.Equal(t, tc.match != "", ok, tc.host)
		assert.Equal(t, tc.match, got, tc.host)
	}
	all, _ := ParseNoProxy("*", "--no-proxy")
	_, ok := all.Match("anything.example", 1)
	assert.True(t, ok)
	_, err = ParseNoProxy("example.org:port", "NO_PROXY")
	assert.Error(t, err)
}

func TestProxyFromEnvironmentPrecedence(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	route := func(c *ProxyConfig, scheme, host string) string {
		p, why, _ := c.Route(Target{Scheme: scheme, Host: host, Port: map[string]int{"https": 443, "http": 80}[scheme]})
		if p == nil {
			if why == nil {
				return "direct "
			}
			return fmt.Sprintf("direct %s %s %q", why.By, why.List, why.Entry)
		}
		return p.String() + " " + p.Source
	}
	c, err := ProxyFromEnvironment(env(), nil, "")
	require.NoError(t, err)
	assert.Nil(t, c, "no variables, no proxy")

	c, _ = ProxyFromEnvironment(env("HTTPS_PROXY", "http://a:1", "https_proxy", "http://b:1", "ALL_PROXY", "socks5://c:1"), nil, "")
	assert.Equal(t, "http://a:1 HTTPS_PROXY", route(c, "https", "x.example"), "HTTPS_PROXY first")
	assert.Equal(t, "direct ", route(c, "http", "x.example"), "ALL_PROXY is curl's, not Go's: the agent goes direct")

	c, _ = ProxyFromEnvironment(env("https_proxy", "http://b:1", "all_proxy", "http://c:1", "http_proxy", "http://d:1"), nil, "")
	assert.Equal(t, "http://b:1 https_proxy", route(c, "https", "x.example"))
	assert.Equal(t, "http://d:1 http_proxy", route(c, "http", "x.example"))

	c, _ = ProxyFromEnvironment(env("ALL_PROXY", "http://c:1"), nil, "")
	assert.Equal(t, "direct ", route(c, "https", "x.example"), "ALL_PROXY is curl's, not Go's")
	_, _, curl := c.Route(Target{Scheme: "https", Host: "x.example", Port: 443})
	require.NotNil(t, curl, "where curl would differ, it is said")
	assert.Equal(t, "http://c:1 (ALL_PROXY)", curl.Proxy)

	c, _ = ProxyFromEnvironment(env("HTTPS_PROXY", "http://a:1", "NO_PROXY", ".azure.com"), nil, "")
	assert.Equal(t, `direct no-proxy NO_PROXY ".azure.com"`, route(c, "https", "management.azure.com"))
	assert.Equal(t, "http://a:1 HTTPS_PROXY", route(c, "https", "login.microsoftonline.com"))

	override := "login.microsoftonline.com"
	c, _ = ProxyFromEnvironment(env("HTTPS_PROXY", "http://a:1", "NO_PROXY", ".azure.com"), &override, "--no-proxy")
	assert.Equal(t, "http://a:1 HTTPS_PROXY", route(c, "https", "management.azure.com"), "--no-proxy replaces NO_PROXY")
	assert.Equal(t, `direct no-proxy --no-proxy "login.microsoftonline.com"`, route(c, "https", "login.microsoftonline.com"))

	_, err = ProxyFromEnvironment(env("HTTPS_PROXY", "ftp://u:topsecret@x:1"), nil, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTPS_PROXY: unsupported scheme")
	assert.NotContains(t, err.Error(), "topsecret")

	// A flag wins over the environment; NO_PROXY does not apply to it, --no-proxy does; "none" ignores both.
	e := env("HTTPS_PROXY", "http://a:1", "NO_PROXY", "*")
	flag := func(url string, noProxy *string) ProxyChoice {
		return ProxyChoice{URL: url, URLSource: "--proxy", NoProxy: noProxy, NoProxySource: "--no-proxy"}
	}
	c, _ = ChooseProxy(flag("http://f:1", nil), e)
	assert.Equal(t, "http://f:1 --proxy", route(c, "https", "management.azure.com"))
	assert.Equal(t, "http://f:1 --proxy", route(c, "http", "www.microsoft.com"), "the flag serves plain http too")
	c, _ = ChooseProxy(flag("http://f:1", &override), e)
	assert.Equal(t, `direct no-proxy --no-proxy "login.microsoftonline.com"`, route(c, "https", "login.microsoftonline.com"))
	c, _ = ChooseProxy(flag("", nil), e)
	assert.Equal(t, `direct no-proxy NO_PROXY "*"`, route(c, "https", "x.example"), "no flag: the environment")
	_, err = ChooseProxy(flag("gopher://u:topsecret@x:1", nil), e)
	assert.EqualError(t, err, `--proxy: unsupported scheme "gopher" (valid: http, https, socks5, socks5h)`)

	c, _ = ProxyFromEnvironment(env("HTTPS_PROXY", "http://a:1"), nil, "")
	p, why, _ := c.Route(Target{Scheme: "https", Host: "gbl.his.arc.azure.com", Port: 443, NoProxy: true})
	assert.Nil(t, p)
	assert.Equal(t, &Bypass{By: BypassByTarget}, why)
	assert.True(t, strings.HasPrefix(route(nil, "https", "x"), "direct"))
}

// TestEnvironmentNoProxyIsLenient: a NO_PROXY written for other tools (Java's "10.*", Windows' "<local>")
// does not stop arccheck: those entries match nothing and are reported; the flag's list stays strict.
func TestEnvironmentNoProxyIsLenient(t *testing.T) {
	env := map[string]string{"HTTPS_PROXY": "http://a:1", "NO_PROXY": "10.*,<local>,.corp.example"}
	c, err := ProxyFromEnvironment(func(k string) string { return env[k] }, nil, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"10.*", "<local>"}, c.NoProxy.Skipped)
	entry, ok := c.NoProxy.Match("x.corp.example", 443)
	assert.True(t, ok)
	assert.Equal(t, ".corp.example", entry)
	list := "<local>"
	_, err = ProxyFromEnvironment(func(k string) string { return env[k] }, &list, "--no-proxy")
	assert.ErrorContains(t, err, `--no-proxy: "<local>"`)
}

// TestNoProxyAsGoReadsIt: NO_PROXY is matched as Go's golang.org/x/net/http/httpproxy (which the Arc
// agent, a Go program, uses) decides, checked against that package on a table of cases; where curl
// would decide otherwise, Route says so.
func TestNoProxyAsGoReadsIt(t *testing.T) {
	list := "example.com,.dot.example,*.star.example,10.1.0.0/16,192.0.2.7,[2001:db8::1]:8443,port.example:8080,bücher.example"
	hosts := []struct {
		host      string
		port      int
		curlDiffs bool
	}{
		{"example.com", 443, false}, {"a.example.com", 443, false}, {"notexample.com", 443, false},
		{"dot.example", 443, true}, {"a.dot.example", 443, false},
		{"star.example", 443, true}, {"b.star.example", 443, false},
		{"10.1.2.3", 443, false}, {"10.2.0.1", 443, false}, {"192.0.2.7", 443, false},
		{"2001:db8::1", 8443, false}, {"2001:db8::1", 443, false},
		{"port.example", 8080, false}, {"port.example", 443, false},
		{"xn--bcher-kva.example", 443, false},
		{"localhost", 443, true}, {"127.0.0.1", 443, true}, {"::1", 443, true},
	}
	np, err := ParseNoProxy(list, "NO_PROXY")
	require.NoError(t, err)
	px := mustProxy(t, "http://proxy.corp:3128")
	c := &ProxyConfig{HTTPS: px, HTTP: px, NoProxy: np}
	goProxy := (&httpproxy.Config{HTTPSProxy: "http://proxy.corp:3128", NoProxy: list}).ProxyFunc()
	for _, h := range hosts {
		u := &url.URL{Scheme: "https", Host: net.JoinHostPort(h.host, strconv.Itoa(h.port))}
		want, err := goProxy(u)
		require.NoError(t, err)
		got, _, curl := c.Route(Target{Scheme: "https", Host: h.host, Port: h.port})
		assert.Equal(t, want != nil, got != nil, "%s:%d: Go's httpproxy proxies it: %v", h.host, h.port, want != nil)
		assert.Equal(t, h.curlDiffs, curl != nil, "%s:%d: curl differs", h.host, h.port)
	}
}
