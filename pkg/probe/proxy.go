package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
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

// ParseProxy parses a proxy URL. Errors never repeat the URL, which may hold a password.
func ParseProxy(raw, source string) (*Proxy, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s // as curl and the agent do
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("not a valid URL (want http://[user:password@]host:port; the value is not shown as it may hold a password)")
	}
	p := &Proxy{Scheme: strings.ToLower(u.Scheme), Source: source}
	defaultPort := map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[p.Scheme]
	if defaultPort == "" {
		return nil, fmt.Errorf("unsupported scheme %q (valid: http, https, socks5, socks5h)", u.Scheme)
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
		return nil, errors.New("want scheme://[user:password@]host:port with nothing after the port")
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("bad port %q", port)
	}
	p.Host = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		p.Username = u.User.Username()
		pw, _ := u.User.Password()
		p.Password = NewSecret(pw)
	}
	return p, nil
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

// ProxyError is a failure to get a connection through a proxy.
type ProxyError struct {
	Class Class
	// Status is the proxy's status line ("403 Forbidden"); empty when it did not answer.
	Status string
	// AuthSchemes are the schemes of the proxy's Proxy-Authenticate headers.
	AuthSchemes []string
	// ProxyCode is the proxy's own error code (squid's X-Squid-Error, e.g. ERR_ACCESS_DENIED).
	ProxyCode string
	Err       error
}

func (e *ProxyError) Error() string {
	var b strings.Builder
	if e.Status != "" {
		b.WriteString("proxy answered " + e.Status)
		if e.ProxyCode != "" {
			b.WriteString(" (" + e.ProxyCode + ")")
		}
		if len(e.AuthSchemes) > 0 {
			b.WriteString("; it offers " + strings.Join(e.AuthSchemes, ", ") + " authentication")
			if !containsFold(e.AuthSchemes, "Basic") {
				b.WriteString(": arccheck and the Arc agent support only Basic")
			}
		}
	}
	if e.Err != nil {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *ProxyError) Unwrap() error { return e.Err }

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// classifyProxyStatus names the failure a proxy's HTTP answer stands for.
func classifyProxyStatus(code int) Class {
	switch {
	case code == http.StatusProxyAuthRequired:
		return ClassProxyAuthRequired
	case code >= 500:
		// 502/503/504, and squid's 500 ERR_CANNOT_FORWARD when it cannot resolve the name.
		return ClassProxyUpstreamFailed
	}
	return ClassProxyDenied
}

// proxyErrorFromResponse reads what a proxy's refusal says: status, auth schemes, squid's error code.
func proxyErrorFromResponse(resp *http.Response) *ProxyError {
	e := &ProxyError{Class: classifyProxyStatus(resp.StatusCode), Status: resp.Status}
	for _, v := range resp.Header.Values("Proxy-Authenticate") {
		scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		if scheme != "" && !containsFold(e.AuthSchemes, scheme) {
			e.AuthSchemes = append(e.AuthSchemes, scheme)
		}
	}
	if code, _, _ := strings.Cut(resp.Header.Get("X-Squid-Error"), " "); code != "" {
		e.ProxyCode = code
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
}

var _ xproxy.ContextDialer = (*HTTPConnectDialer)(nil)

// DialContext returns a connection to addr (host:port) through the proxy. It honours ctx's deadline and
// cancellation; bytes the proxy sent after its response are kept for the caller.
func (d *HTTPConnectDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := d.dialProxy(ctx)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	d.Proxy.authorize(req.Header)
	if d.UserAgent != "" {
		req.Header.Set("User-Agent", d.UserAgent)
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, d.unreachable(ctx, fmt.Errorf("sending CONNECT: %w", err))
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		if ctx.Err() != nil || isTimeout(err) {
			// The proxy took the connection but did not answer in time: it is still trying the endpoint.
			return nil, &ProxyError{Class: ClassProxyUpstreamFailed,
				Err: fmt.Errorf("proxy %s did not answer CONNECT %s before the timeout", d.Proxy, addr)}
		}
		return nil, d.unreachable(ctx, fmt.Errorf("no answer to CONNECT: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		io.CopyN(io.Discard, resp.Body, 64<<10)
		resp.Body.Close()
		conn.Close()
		return nil, proxyErrorFromResponse(resp)
	}
	d.LastStatus = resp.Status
	conn.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// dialProxy connects to the proxy, with TLS for an https proxy.
func (d *HTTPConnectDialer) dialProxy(ctx context.Context) (net.Conn, error) {
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "tcp", d.Proxy.Host)
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
		return nil, d.unreachable(ctx, fmt.Errorf("TLS handshake with the proxy: %w", err))
	}
	return tconn, nil
}

func (d *HTTPConnectDialer) unreachable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (%v)", err, context.Cause(ctx))
	}
	return &ProxyError{Class: ClassProxyUnreachable, Err: fmt.Errorf("proxy %s: %w", d.Proxy, err)}
}

// bufferedConn is a connection whose first bytes were already read into r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// recordingDialer remembers whether the connection to the proxy itself failed.
type recordingDialer struct {
	err error
}

func (d *recordingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	d.err = err
	return c, err
}

func (d *recordingDialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

// dialSOCKS opens a connection to addr through a SOCKS5 proxy and names a failure.
func dialSOCKS(ctx context.Context, p *Proxy, addr string) (net.Conn, error) {
	var auth *xproxy.Auth
	if p.HasCredentials() {
		auth = &xproxy.Auth{User: p.Username, Password: p.Password.Reveal()}
	}
	fwd := &recordingDialer{}
	d, err := xproxy.SOCKS5("tcp", p.Host, auth, fwd)
	if err != nil {
		return nil, &ProxyError{Class: ClassProxyUnreachable, Err: err}
	}
	conn, err := d.(xproxy.ContextDialer).DialContext(ctx, "tcp", addr)
	if err == nil {
		return conn, nil
	}
	if fwd.err != nil {
		return nil, &ProxyError{Class: ClassProxyUnreachable, Err: fmt.Errorf("proxy %s: %w", p, fwd.err)}
	}
	return nil, &ProxyError{Class: classifySOCKS(err), Err: err}
}

// classifySOCKS maps a SOCKS5 failure (RFC 1928 reply codes, RFC 1929 authentication) to a class.
func classifySOCKS(err error) Class {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "authentication failed"), strings.Contains(msg, "no acceptable authentication methods"),
		strings.Contains(msg, "username/password"):
		return ClassProxyAuthRequired
	case strings.Contains(msg, "not allowed by ruleset"):
		return ClassProxyDenied
	case strings.Contains(msg, "host unreachable"), strings.Contains(msg, "network unreachable"),
		strings.Contains(msg, "connection refused"), strings.Contains(msg, "TTL expired"),
		strings.Contains(msg, "general SOCKS server failure"):
		return ClassProxyUpstreamFailed
	case strings.Contains(msg, "command not supported"), strings.Contains(msg, "address type not supported"):
		return ClassProxyDenied
	}
	return ClassProxyUnreachable
}
