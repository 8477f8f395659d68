package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	xproxy "golang.org/x/net/proxy"
)

// Proxy failure classes.
const (
	ClassProxyUnreachable    Class = "proxy_unreachable"     // cannot connect to, or handshake with, the proxy
	ClassProxyAuthRequired   Class = "proxy_auth_required"   // the proxy wants (other) credentials
	ClassProxyDenied         Class = "proxy_denied"          // the proxy refused the destination
	ClassProxyUpstreamFailed Class = "proxy_upstream_failed" // the proxy could not resolve or reach the destination
	// ClassProxyNotAProxy: the proxy address is a web server, not a forward proxy: it refused CONNECT as a
	// method it does not know (400, 405, 501), or served its own page for an absolute-form request.
	ClassProxyNotAProxy Class = "proxy_not_a_proxy"
	// ClassProxySchemeMismatch: the proxy was given as http:// or https://, but it speaks SOCKS5.
	ClassProxySchemeMismatch Class = "proxy_scheme_mismatch"
	// ClassProxyTLSUntrusted: the https:// proxy's own certificate is not trusted by this machine.
	ClassProxyTLSUntrusted Class = "proxy_tls_untrusted"
)

// Proxy is a proxy server to connect through: http (CONNECT), https (TLS to the proxy, then CONNECT),
// socks5 (names resolved locally) or socks5h (names resolved by the proxy).
type Proxy struct {
	Scheme   string
	Host     string // host:port
	Username string
	// Password is sent to the proxy and never shown.
	Password Secret
	// Source says where the setting came from: the flag or the environment variable's name.
	Source string
	// RootCAs verifies an https proxy's own certificate; nil means the system roots.
	RootCAs *x509.CertPool
}

// String shows the proxy without credentials: scheme://host:port. It is what every output prints.
func (p *Proxy) String() string { return p.Scheme + "://" + p.Host }

// HasCredentials reports whether the proxy URL had a user name or password.
func (p *Proxy) HasCredentials() bool { return p.Username != "" || !p.Password.IsZero() }

// authorize adds Basic credentials for the proxy, if it has any.
func (p *Proxy) authorize(h http.Header) {
	if p.HasCredentials() {
		h.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(p.Username+":"+p.Password.Reveal())))
	}
}

// forwardsHTTP reports whether plain-HTTP requests go to this proxy in absolute form (not CONNECT).
func (p *Proxy) forwardsHTTP() bool { return p.Scheme == "http" || p.Scheme == "https" }

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// classifyProxyStatus names the failure a proxy's answer to CONNECT stands for. Unlike an answer in the
// endpoint's place (boxStatus), an answer to CONNECT can only be the proxy's: any 401 is its challenge,
// a 400, 405 or 501 refuses the method as a web server does, and a 404 finds no such host.
func classifyProxyStatus(resp *http.Response) Class {
	code := resp.StatusCode
	switch {
	case proxyChallenged(resp, true):
		return ClassProxyAuthRequired
	case code == http.StatusBadRequest, code == http.StatusMethodNotAllowed, code == http.StatusNotImplemented:
		// A forward proxy knows CONNECT; a web server refuses it as a bad or unknown method.
		return ClassProxyNotAProxy
	case code == http.StatusNotFound:
		// privoxy: "404 No such domain"; there is no page to find in a CONNECT.
		return ClassProxyUpstreamFailed
	case code >= 500:
		// 502/503/504, and squid's 500 ERR_CANNOT_FORWARD when it cannot resolve the name.
		return ClassProxyUpstreamFailed
	}
	return ClassProxyDenied
}

// squidDNSErrors are squid's error codes for a name it could not resolve.
var squidDNSErrors = []string{"ERR_DNS_FAIL"}

// proxyErrorFromResponse reads what a proxy's refusal of a CONNECT says: status, auth schemes, squid's
// error code.
func proxyErrorFromResponse(resp *http.Response) *ProxyError {
	e := &ProxyError{Class: classifyProxyStatus(resp), Cause: CauseProxyAnswered, Code: resp.StatusCode, Status: resp.Status}
	for _, v := range resp.Header.Values("Proxy-Authenticate") {
		scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		if scheme != "" && !containsFold(e.AuthSchemes, scheme) {
			e.AuthSchemes = append(e.AuthSchemes, scheme)
		}
	}
	if code := squidCode(resp); code != "" {
		e.ProxyCode = code
		if containsFold(squidDNSErrors, code) {
			e.Class, e.UpstreamDNS = ClassProxyUpstreamFailed, true
		}
	}
	if resp.StatusCode == http.StatusNotFound {
		e.UpstreamDNS = true
	}
	return e
}

// HTTPConnectDialer opens tunnels through an HTTP or HTTPS proxy with CONNECT. It has the shape of
// golang.org/x/net/proxy's ContextDialer.
type HTTPConnectDialer struct {
	Proxy *Proxy
	// UserAgent is sent with the CONNECT request.
	UserAgent string
	// LastStatus is the status line of the last successful CONNECT ("200 Connection established").
	LastStatus string
	// ConnectTimeout bounds the TCP connection to the proxy within ctx; zero means ctx alone bounds it.
	ConnectTimeout time.Duration
	// Authenticated is set when the last tunnel opened only with the proxy URL's credentials: they are
	// sent only after the proxy asked for them (a 407 or 401), as curl's --proxy-anyauth does.
	Authenticated bool
}

var _ xproxy.ContextDialer = (*HTTPConnectDialer)(nil)

// DialContext returns a connection to addr (host:port) through the proxy. It honours ctx's deadline and
// cancellation; bytes the proxy sent after its response are kept for the caller. Its errors and
// LastStatus hold no form of the proxy's password, and no control character, whatever the proxy quoted;
// an answer whose head runs past maxResponseHead fails as ClassHTTPTooLarge.
func (d *HTTPConnectDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := d.dial(ctx, addr)
	s := newScrubber(d.Proxy)
	d.LastStatus = s.clean(d.LastStatus)
	return conn, s.proxyError(err)
}

// dial is DialContext before its error is cleaned.
func (d *HTTPConnectDialer) dial(ctx context.Context, addr string) (net.Conn, error) {
	d.Authenticated = false
	conn, err := d.dialProxy(ctx)
	if err != nil {
		return nil, err
	}
	tunnel, err := d.connect(ctx, conn, addr, false)
	var pe *ProxyError
	if !errors.As(err, &pe) || pe.Class != ClassProxyAuthRequired || !d.Proxy.HasCredentials() {
		return tunnel, d.schemeMismatch(ctx, err)
	}
	// Asked for credentials: a new connection, as proxies may close the one they refused.
	if conn, err = d.dialProxy(ctx); err != nil {
		return nil, err
	}
	tunnel, err = d.connect(ctx, conn, addr, true)
	if errors.As(err, &pe) && pe.Class == ClassProxyAuthRequired {
		pe.CredentialsSent = true
	}
	d.Authenticated = err == nil
	return tunnel, err
}

// connect asks the proxy at the other end of conn for a tunnel to addr, and returns it; only a 200 answer
// opens one. conn is closed unless it is returned. withCredentials sends the proxy URL's credentials.
func (d *HTTPConnectDialer) connect(ctx context.Context, conn net.Conn, addr string, withCredentials bool) (net.Conn, error) {
	defer bind(ctx, conn)()
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	if withCredentials {
		d.Proxy.authorize(req.Header)
	}
	if d.UserAgent != "" {
		req.Header.Set("User-Agent", d.UserAgent)
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		pe := d.unreachable(ctx, err)
		pe.Cause, pe.Facts.TimedOut = CauseConnectUnsent, ctx.Err() != nil || isTimeout(err)
		return nil, pe
	}
	rr := newResponseReader(conn)
	resp, err := rr.readResponse(req, PeerProxy)
	if err != nil {
		conn.Close()
		return nil, d.noAnswer(ctx, addr, rr, err)
	}
	if resp.StatusCode != http.StatusOK {
		discardBody(resp.Body, maxRefusalBody)
		conn.Close()
		pe := proxyErrorFromResponse(resp)
		pe.Proxy = d.Proxy.String()
		return nil, pe
	}
	d.LastStatus = resp.Status
	conn.SetDeadline(time.Time{})
	if rr.br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: rr.br}, nil
	}
	return conn, nil
}

// noAnswer names why no answer to CONNECT addr came: a head past its bound, the timeout (with or without
// the start of an answer), or something that is not HTTP.
func (d *HTTPConnectDialer) noAnswer(ctx context.Context, addr string, rr *responseReader, err error) error {
	late := ctx.Err() != nil || isTimeout(err) || deadlinePassed(ctx)
	switch {
	case tooLarge(err):
		return &ProxyError{Class: ClassHTTPTooLarge, Cause: CauseTooLarge, Proxy: d.Proxy.String(), Err: err,
			Facts: Facts{Connect: addr}}
	case late && rr.read() > 0:
		// It began its answer and did not finish it: the proxy, or the way to it, is the trouble.
		pe := d.unreachable(ctx, nil)
		pe.Cause, pe.Facts.Connect, pe.Facts.Read = CauseConnectHalfAnswered, addr, int(rr.read())
		return pe
	case late:
		// The proxy took the connection but did not answer in time: it is still trying the endpoint.
		return &ProxyError{Class: ClassProxyUpstreamFailed, Cause: CauseProxySilent, Proxy: d.Proxy.String(),
			Facts: Facts{Connect: addr}}
	}
	pe := d.unreachable(ctx, &notHTTPError{err})
	pe.Cause = CauseConnectNotHTTP
	return pe
}

// dialProxy connects to the proxy, with TLS for an https proxy.
func (d *HTTPConnectDialer) dialProxy(ctx context.Context) (net.Conn, error) {
	conn, err := dialProxyTCP(ctx, d.Proxy, "tcp", d.ConnectTimeout)
	if err != nil {
		return nil, d.unreachable(ctx, err)
	}
	if d.Proxy.Scheme != "https" {
		return conn, nil
	}
	host, _, _ := net.SplitHostPort(d.Proxy.Host)
	tconn := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: d.Proxy.RootCAs, MinVersion: tls.VersionTLS12})
	if err := tconn.HandshakeContext(ctx); err != nil {
		conn.Close()
		pe := d.unreachable(ctx, err)
		pe.Cause, pe.Facts.TimedOut = CauseProxyTLS, ctx.Err() != nil || isTimeout(err)
		var unknown x509.UnknownAuthorityError
		if errors.As(err, &unknown) {
			pe.Class = ClassProxyTLSUntrusted
		}
		return nil, pe
	}
	return tconn, nil
}

// notHTTPError is a proxy's answer that is not HTTP, or none at all (the connection closed).
type notHTTPError struct{ err error }

func (e *notHTTPError) Error() string { return e.err.Error() }
func (e *notHTTPError) Unwrap() error { return e.err }

// schemeMismatch turns a proxy's non-HTTP answer into ClassProxySchemeMismatch when the proxy answers a
// SOCKS5 greeting: a SOCKS server given as http:// (or https://). Any other error is returned as it is.
func (d *HTTPConnectDialer) schemeMismatch(ctx context.Context, err error) error {
	var nh *notHTTPError
	var pe *ProxyError
	if !errors.As(err, &nh) || !errors.As(err, &pe) || d.Proxy.Scheme != "http" || ctx.Err() != nil {
		return err
	}
	if speaksSOCKS5(ctx, d.Proxy, d.ConnectTimeout) {
		pe.Class, pe.Cause, pe.Facts.ProxyHost = ClassProxySchemeMismatch, CauseSOCKSAsHTTP, d.Proxy.Host
	}
	return err
}

func (d *HTTPConnectDialer) unreachable(ctx context.Context, err error) *ProxyError {
	return proxyUnreachable(ctx, d.Proxy, err)
}

// proxyUnreachable is a failure to connect to, or handshake with, the proxy itself.
// err may be nil when no error of the library's says why (the caller sets the Cause and Facts).
func proxyUnreachable(ctx context.Context, px *Proxy, err error) *ProxyError {
	pe := &ProxyError{Class: ClassProxyUnreachable, Cause: CauseProxyDial, Proxy: px.String(), Err: err}
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errTimedOut):
		pe.Facts.TimedOut = true // the probe's time is up
	case cause != nil && !errors.Is(cause, context.DeadlineExceeded):
		pe.Facts.Ended = cause.Error() // the run was interrupted
	}
	var ct *connectTimeoutError
	pe.Facts.ConnectTimedOut = errors.As(err, &ct)
	switch {
	case err == nil:
	case localExhaustion(err):
		pe.Class = ClassLocalResources
	case noRouteHere(err):
		pe.Class = ClassNoRoute
	}
	return pe
}

// connectTimeoutError is a connection to a proxy that the connect timeout, not the probe's, ended.
type connectTimeoutError struct{ err error }

func (e *connectTimeoutError) Error() string { return e.err.Error() }
func (e *connectTimeoutError) Unwrap() error { return e.err }

// dialProxyTCP opens the TCP connection to the proxy itself, within connectTimeout (zero: ctx alone).
func dialProxyTCP(ctx context.Context, px *Proxy, network string, connectTimeout time.Duration) (net.Conn, error) {
	own := time.Now().Add(connectTimeout)
	dctx := ctx
	if connectTimeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithDeadline(ctx, own)
		defer cancel()
	}
	var nd net.Dialer
	conn, err := nd.DialContext(dctx, network, px.Host)
	// Whose deadline ended the attempt is read from the deadlines: the dialer's timeout error can come a
	// moment before the context reports it.
	if deadline, ok := ctx.Deadline(); err != nil && connectTimeout > 0 && (!ok || own.Before(deadline)) &&
		(dctx.Err() != nil || isTimeout(err)) {
		err = &connectTimeoutError{err}
	}
	return conn, err
}

// bufferedConn is a connection whose first bytes were already read into r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
