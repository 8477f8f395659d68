package probe

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// serveBytes answers every request with 200 and body.
func serveBytes(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(body) })
}

// TestProofOfPlainHTTPAnswers: a plain-HTTP answer counts only when its content proves where it came
// from (a CA certificate that verifies against the reference roots, the exact certificate a chain names,
// a CRL its issuer signed); a page that proves nothing is unverified, direct or through a proxy.
func TestProofOfPlainHTTPAnswers(t *testing.T) {
	public := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	issuing := public.Intermediate(t, "Lab Issuing CA", "Microsoft Corporation")
	other := testnet.NewCA(t, "Not Public", "Contoso")
	cases := []struct {
		name  string
		body  []byte
		proof Proof
		class Class // "" for reachable
	}{
		{"a public CA certificate", issuing.Cert.Raw, Proof{Kind: ProofCertificate}, ""},
		{"a public CA certificate in PEM", issuing.PEM, Proof{Kind: ProofCertificate}, ""},
		{"the certificate the chain names", issuing.Cert.Raw, Proof{Kind: ProofCertificate, Certificate: issuing.Cert.Raw}, ""},
		{"another certificate than the chain names", public.Cert.Raw, Proof{Kind: ProofCertificate, Certificate: issuing.Cert.Raw}, ClassHTTPUnverified},
		{"a CA certificate outside the public roots", other.Cert.Raw, Proof{Kind: ProofCertificate}, ClassHTTPUnverified},
		{"a web page", []byte("<html>Welcome to nginx!</html>"), Proof{Kind: ProofCertificate}, ClassHTTPUnverified},
		{"a CRL its issuer signed", issuing.CRL(t), Proof{Kind: ProofCRL, Issuer: issuing.Cert.Raw}, ""},
		{"a CRL another CA signed", other.CRL(t), Proof{Kind: ProofCRL, Issuer: issuing.Cert.Raw}, ClassHTTPUnverified},
		{"a page for a CRL", []byte("blocked"), Proof{Kind: ProofCRL, Issuer: issuing.Cert.Raw}, ClassHTTPUnverified},
	}
	for _, tc := range cases {
		srv := testnet.Serve(t, testnet.HandleHTTP(serveBytes(tc.body)))
		tg, ov := target(t, "http", "www.microsoft.com", srv.Addr)
		pf := tc.proof
		pf.Path = "/pkiops/certs/issuing.crt"
		tg.Proof = &pf
		// The inspecting box's CA ("other") is one this machine trusts: that proves nothing.
		r := New(Options{Overrides: ov, ReferenceRoots: rootsOf(public.Pool()), RootCAs: rootsOf(other.Pool()), Timeout: 5 * time.Second}).Probe(context.Background(), tg)
		if tc.class == "" {
			require.True(t, r.Reachable, "%s: %+v", tc.name, r.Failure)
			assert.True(t, r.HTTP.Proven, tc.name)
			continue
		}
		require.NotNil(t, r.Failure, tc.name)
		assert.Equal(t, tc.class, r.Failure.Class, "%s: %s", tc.name, factsJSON(r.Failure))
		assert.False(t, r.HTTP.Proven, tc.name)
	}
}

// TestProofRequestsTheProofPath: the request goes to the proof's path, through a proxy in absolute form.
func TestProofRequestsTheProofPath(t *testing.T) {
	public := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	var got string
	addr := fakeProxy(t, func(r *http.Request) string {
		got = r.RequestURI
		return "HTTP/1.1 200 OK\r\nContent-Length: " + itoa(len(public.Cert.Raw)) + "\r\n\r\n" + string(public.Cert.Raw)
	})
	r := through(t, "http://"+addr, Options{Timeout: 5 * time.Second, ReferenceRoots: rootsOf(public.Pool())},
		Target{Scheme: "http", Host: "www.microsoft.com", Port: 80, Path: "/pkiops/certs",
			Proof: &Proof{Kind: ProofCertificate, Path: "/pkiops/certs/x.crt"}})
	require.True(t, r.Reachable, "%+v", r.Failure)
	assert.Equal(t, "http://www.microsoft.com/pkiops/certs/x.crt", got)
	assert.True(t, r.HTTP.Proven)
}

func itoa(n int) string { return strconv.Itoa(n) }

// webServer is a plain web server (nginx serving files): it serves an absolute-form request itself and
// refuses CONNECT with 400.
func webServer(t *testing.T) string {
	return testnet.Serve(t, func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		if req.Method == http.MethodConnect {
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 7\r\nConnection: close\r\n\r\nwelcome")
	}).Addr
}

// TestWebServerGivenAsProxy: a web server given as the proxy is named as such on https rows (it refuses
// CONNECT) and on plain-HTTP rows (its own page proves nothing, and it refuses CONNECT), with or
// without a proof to fetch.
func TestWebServerGivenAsProxy(t *testing.T) {
	addr := webServer(t)
	for _, tg := range []Target{
		{Scheme: "https", Host: "management.azure.com", Port: 443},
		{Scheme: "http", Host: "www.microsoft.com", Port: 80, Path: "/pkiops/certs"},
		{Scheme: "http", Host: "www.microsoft.com", Port: 80, Proof: &Proof{Kind: ProofCertificate, Path: "/pkiops/certs/x.crt"}},
	} {
		r := through(t, "http://"+addr, Options{Timeout: 5 * time.Second}, tg)
		require.NotNil(t, r.Failure, tg.URL())
		assert.Equal(t, ClassProxyNotAProxy, r.Failure.Class, "%s: %s", tg.URL(), factsJSON(r.Failure))
		assert.Equal(t, "http://"+addr, r.Failure.Proxy, tg.URL())
		if tg.Scheme == "https" {
			// It refused CONNECT as a web server does: not a forward proxy.
			assert.Equal(t, CauseProxyAnswered, r.Failure.Cause, tg.URL())
			if assert.NotNil(t, r.Failure.Refusal, tg.URL()) {
				assert.True(t, r.Failure.Refusal.NotAProxy, tg.URL())
				assert.Equal(t, "400 Bad Request", r.Failure.Refusal.Status, tg.URL())
			}
			continue
		}
		// It served its own page, and refuses CONNECT: a web server, not a forward proxy.
		assert.Equal(t, CauseWebServer, r.Failure.Cause, tg.URL())
		assert.Equal(t, 400, r.Failure.RefusedWith, tg.URL())
		if assert.NotNil(t, r.Failure.Answer, tg.URL()) {
			assert.Equal(t, "200 OK", r.Failure.Answer.Status, tg.URL())
			assert.Equal(t, "nginx", r.Failure.Answer.Server, tg.URL())
		}
	}
}

// TestSOCKSServerGivenAsHTTPProxy: a SOCKS5 server given as http:// is named as such on both kinds of row.
func TestSOCKSServerGivenAsHTTPProxy(t *testing.T) {
	s := testnet.SOCKSReplying(t, 0)
	for _, tg := range []Target{
		{Scheme: "https", Host: "management.azure.com", Port: 443},
		{Scheme: "http", Host: "www.microsoft.com", Port: 80},
	} {
		r := through(t, "http://"+s.Addr, Options{Timeout: 5 * time.Second}, tg)
		require.NotNil(t, r.Failure, tg.URL())
		assert.Equal(t, ClassProxySchemeMismatch, r.Failure.Class, "%s: %s", tg.URL(), factsJSON(r.Failure))
		assert.Equal(t, CauseSOCKSAsHTTP, r.Failure.Cause, tg.URL())
		assert.Equal(t, s.Addr, r.Failure.ProxyHost, "%s: give it as socks5h://%s", tg.URL(), s.Addr)
		assert.Equal(t, "http://"+s.Addr, r.Failure.Proxy, tg.URL())
	}
}

// TestHTTPWrittenIntoTheTunnel: a proxy that opens the tunnel and then writes an HTTP answer where the
// server's TLS handshake was expected is read, and classed by what it says, not as TLS tampering.
func TestHTTPWrittenIntoTheTunnel(t *testing.T) {
	cases := []struct {
		answer string
		class  Class
		want   Answer    // what of the answer tells who gave it
		by     *Answerer // who did, when its headers name it (nil: the proxy of the path)
	}{
		{"302 Found\r\nLocation: http://block.corp/denied\r\n", ClassHTTPBlockedByProxy,
			Answer{Status: "302 Found", Location: "http://block.corp/denied"}, nil},
		{"403 Forbidden\r\n", ClassProxyDenied, Answer{Status: "403 Forbidden"}, nil},
		{"503 Service Unavailable\r\nX-Squid-Error: ERR_DNS_FAIL 0\r\n", ClassProxyUpstreamFailed,
			Answer{Status: "503 Service Unavailable", SquidError: "ERR_DNS_FAIL 0"}, nil},
		{"502 Bad Gateway\r\nServer: mitmproxy 8.1.1\r\n", ClassProxyUpstreamFailed,
			Answer{Status: "502 Bad Gateway", Server: "mitmproxy 8.1.1"}, &Answerer{Server: "mitmproxy 8.1.1"}},
	}
	for _, tc := range cases {
		addr := fakeProxy(t, func(*http.Request) string {
			return "HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 " + tc.answer + "Content-Length: 0\r\n\r\n"
		})
		r := through(t, "http://"+addr, Options{Timeout: 5 * time.Second}, Target{Scheme: "https", Host: "management.azure.com", Port: 443})
		require.NotNil(t, r.Failure, tc.answer)
		assert.Equal(t, tc.class, r.Failure.Class, "%s: %s", tc.answer, factsJSON(r.Failure))
		// Answered in plain HTTP where the endpoint's TLS handshake was expected, by the proxy.
		assert.Equal(t, CauseHTTPInsteadOfTLS, r.Failure.Cause, tc.answer)
		assert.Equal(t, &tc.want, r.Failure.Answer, tc.answer)
		by := tc.by
		if by == nil {
			by = &Answerer{Proxy: "http://" + addr}
		}
		assert.Equal(t, by, r.Failure.By, tc.answer)
	}
}

// TestInspectedAnswers: behind a box that re-signs with a CA this machine trusts, a request is always
// sent through the tunnel, and the answer decides: the endpoint's evidence is reachable (with the
// warning), the box's own answer is the cause it gives, and an answer with neither cannot be told.
func TestInspectedAnswers(t *testing.T) {
	public := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	corp := testnet.NewCA(t, "Corp Inspection CA", "Contoso")
	host := "management.azure.com"
	answer := func(status int, header ...string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			w.WriteHeader(status)
		})
	}
	cases := []struct {
		name    string
		handler http.Handler
		expect  *Expectation
		class   Class // "" for reachable
	}{
		{"the endpoint's request id", answer(404, "x-ms-request-id", "abc"), nil, ""},
		{"Front Door's reference", answer(200, "X-Azure-Ref", "abc"), nil, ""},
		{"the documented answer", answer(401), &Expectation{Status: 401}, ""},
		{"the box cannot reach the endpoint", answer(502, "Server", "nginx"), nil, ClassProxyUpstreamFailed},
		{"the box times out", answer(504), nil, ClassProxyUpstreamFailed},
		{"the box refuses, bare", answer(403), nil, ClassProxyDenied},
		{"squid's error page", answer(503, "X-Squid-Error", "ERR_CONNECT_FAIL 111"), nil, ClassProxyUpstreamFailed},
		{"squid's denial", answer(403, "X-Squid-Error", "ERR_ACCESS_DENIED 0"), nil, ClassProxyDenied},
		{"a redirect to the block page", answer(302, "Location", "https://block.corp/"), &Expectation{Status: 200}, ClassHTTPBlockedByProxy},
		{"an unmarked 200", answer(200), nil, ClassTLSInterceptedUnverified},
		{"an unmarked 404 where 200 is documented", answer(404), &Expectation{Status: 200}, ClassTLSInterceptedUnverified},
	}
	for _, tc := range cases {
		srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: corp.ValidLeaf(t, host), Handler: tc.handler})
		tg, ov := target(t, "https", host, srv.Addr)
		tg.ExpectIssuers, tg.Expect, tg.EvidenceHeaders = []string{"DigiCert Inc"}, tc.expect, evidence
		// No --http: the request is sent because the chain is re-signed.
		r := New(Options{Overrides: ov, RootCAs: rootsOf(pool(public, corp)), ReferenceRoots: rootsOf(public.Pool()), Timeout: 5 * time.Second}).
			Probe(context.Background(), tg)
		require.NotNil(t, r.HTTP, tc.name)
		assert.True(t, r.TLS.Intercepted, tc.name)
		if tc.class == "" {
			require.True(t, r.Reachable, "%s: %+v", tc.name, r.Failure)
			assert.True(t, hasWarning(r, ClassTLSIntercepted), tc.name)
			assert.NotEmpty(t, r.HTTP.Evidence, tc.name)
			continue
		}
		require.NotNil(t, r.Failure, tc.name)
		assert.Equal(t, tc.class, r.Failure.Class, "%s: %s", tc.name, factsJSON(r.Failure))
		if tc.class == ClassTLSInterceptedUnverified {
			// Neither the endpoint's evidence nor the box's marks: who answered cannot be told.
			assert.Equal(t, CauseUnmarked, r.Failure.Cause, tc.name)
			require.NotNil(t, r.Failure.By, tc.name)
			assert.Equal(t, r.TLS.Interceptor, r.Failure.By.Interceptor, tc.name)
		}
	}
}

// TestFirstBytesKeepsOnlyHTTP: what a handshake reads is kept only while it may be an HTTP answer, so a
// TLS handshake costs no copy of its records.
func TestFirstBytesKeepsOnlyHTTP(t *testing.T) {
	for _, tc := range []struct {
		sent string
		kept int
	}{
		{"\x16\x03\x03\x00\x7a" + strings.Repeat("x", 4000), 0},
		{"HTTP/1.1 302 Found\r\nLocation: http://block/\r\n\r\n", 47},
		{"HTTP/1.1 200 OK\r\n" + strings.Repeat("x", 100<<10), 64 << 10},
	} {
		client, server := net.Pipe()
		go func() { io.WriteString(server, tc.sent); server.Close() }()
		c := &firstBytesConn{Conn: client}
		_, err := io.Copy(io.Discard, c)
		require.NoError(t, err)
		assert.Equal(t, tc.kept, c.first.Len(), "%.20q", tc.sent)
	}
}
