package testnet

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Server is a loopback server a test started; it stops when the test ends.
type Server struct {
	// Addr is the listening address, ip:port.
	Addr string
	// Port is the listening port.
	Port int
	// Accepted counts the connections accepted.
	Accepted atomic.Int64
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	// settling maps the source address of a Settle connection to the channel its arrival closes.
	settling map[string]chan struct{}
}

// Settle returns once the server has accepted, and counted in Accepted, every connection made to it
// before the call: it connects once more, from a loopback address of its own, and waits until the
// accept loop, which takes connections in the order they were made, reaches that connection (which is
// not counted). A readiness signal where a test would otherwise sleep before reading Accepted.
func (s *Server) Settle(t testing.TB) {
	t.Helper()
	src := RandomLoopback()
	arrived := make(chan struct{})
	s.mu.Lock()
	s.settling[src] = arrived
	s.mu.Unlock()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: HangGuard}
	c, err := d.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatalf("settling %s: %v", s.Addr, err)
	}
	defer c.Close()
	Await(t, arrived, "settling "+s.Addr+": the server's accepting the settling connection")
}

// settled reports whether c is a Settle connection, and tells its Settle that it arrived.
func (s *Server) settled(c net.Conn) bool {
	ip, _, _ := net.SplitHostPort(c.RemoteAddr().String())
	s.mu.Lock()
	defer s.mu.Unlock()
	arrived, ok := s.settling[ip]
	if ok {
		delete(s.settling, ip)
		close(arrived)
	}
	return ok
}

// Close stops the server and closes its connections.
func (s *Server) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// listen starts a server on addr ("127.0.0.1:0" when empty) that hands each connection to handle.
func listen(t testing.TB, addr string, handle func(net.Conn)) *Server {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	return ServeOn(t, ln, handle)
}

// ServeOn serves the connections of ln (a listener in a test namespace, say) with handle, which may
// return at any time: the connection is closed after it. It stops when the test ends.
func ServeOn(t testing.TB, ln net.Listener, handle func(net.Conn)) *Server {
	s := &Server{ln: ln, Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port, conns: map[net.Conn]struct{}{},
		settling: map[string]chan struct{}{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if s.settled(c) {
				c.Close()
				continue
			}
			s.Accepted.Add(1)
			s.mu.Lock()
			s.conns[c] = struct{}{}
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() {
					c.Close()
					s.mu.Lock()
					delete(s.conns, c)
					s.mu.Unlock()
				}()
				handle(c)
			}()
		}
	}()
	t.Cleanup(s.Close)
	return s
}

// Serve starts a loopback server that hands each connection to handle (and closes it after); for tests
// that need a peer with behaviour of their own, such as a fake proxy.
func Serve(t testing.TB, handle func(net.Conn)) *Server { return listen(t, "", handle) }

// TLSOptions shape a TLS server.
type TLSOptions struct {
	// Addr to listen on; "127.0.0.1:0" when empty.
	Addr string
	// Certificate to present (GetCertificate, if set, takes precedence).
	Certificate    tls.Certificate
	GetCertificate func(*tls.ClientHelloInfo) (*tls.Certificate, error)
	// MinVersion and MaxVersion bound the TLS versions offered.
	MinVersion, MaxVersion uint16
	// CipherSuites, if set, are the only TLS 1.2 (and older) suites the server accepts.
	CipherSuites []uint16
	// Delay is waited before each handshake (injected latency).
	Delay time.Duration
	// Trickle, if set, makes the server send one byte at a time with this pause between bytes.
	Trickle time.Duration
	// Handler answers HTTP requests after the handshake; nil answers 200 to everything.
	Handler http.Handler
}

// TLSServer serves TLS on loopback and answers any HTTP request with 200.
func TLSServer(t testing.TB, o TLSOptions) *Server {
	return listen(t, o.Addr, HandleTLS(o))
}

// HandleTLS is what TLSServer does with each connection, for ServeOn; o.Addr is not used.
func HandleTLS(o TLSOptions) func(net.Conn) {
	cfg := &tls.Config{Certificates: []tls.Certificate{o.Certificate}, GetCertificate: o.GetCertificate,
		MinVersion: o.MinVersion, MaxVersion: o.MaxVersion, CipherSuites: o.CipherSuites}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return func(c net.Conn) {
		if o.Delay > 0 {
			time.Sleep(o.Delay)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if o.Trickle > 0 {
			c = &trickleConn{Conn: c, pause: o.Trickle}
		}
		tc := tls.Server(c, cfg)
		if err := tc.Handshake(); err != nil {
			return
		}
		serveHTTP(tc, o.Handler)
	}
}

// HTTPServer serves plain HTTP on loopback, answering every request with 200.
func HTTPServer(t testing.TB, addr string) *Server {
	return listen(t, addr, HandleHTTP(nil))
}

// HandleHTTP answers one HTTP request on each connection with h (200 to everything when nil), for ServeOn.
func HandleHTTP(h http.Handler) func(net.Conn) {
	return func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		serveHTTP(c, h)
	}
}

// EvidenceHeader and OriginRequestID are what the test servers' default handler adds to every answer,
// as Azure's front ends add a request id: the endpoint's own evidence, which no proxy adds.
const (
	EvidenceHeader  = "X-Ms-Request-Id"
	OriginRequestID = "arccheck-test-origin"
)

// answerOK is the test servers' default answer: 200 with the endpoint's evidence header, and a body
// that names who answered (server) and what was asked for.
func answerOK(server string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(EvidenceHeader, OriginRequestID)
		io.WriteString(w, server+": "+r.Host+r.URL.Path+"\n")
	})
}

// serveHTTP answers one request on c with h, or with 200 OK when h is nil.
func serveHTTP(c net.Conn, h http.Handler) {
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil {
		return
	}
	if h == nil {
		h = answerOK("arccheck test server")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Close = true
	resp.Write(c)
}

// SilentServer accepts connections and never sends a byte.
func SilentServer(t testing.TB) *Server {
	return listen(t, "", HandleSilent)
}

// HandleSilent reads whatever the client sends and never answers, until the client closes.
func HandleSilent(c net.Conn) { io.Copy(io.Discard, c) }

// ResetServer accepts connections and resets them (RST, not FIN) once the client has sent its first
// bytes, as a firewall that filters on the TLS ClientHello does. Waiting for those bytes keeps the reset
// out of the client's connect: a reset sent right after accept can race it.
func ResetServer(t testing.TB) *Server {
	return listen(t, "", HandleReset)
}

// HandleReset resets the connection (RST) once the client has sent its first bytes.
func HandleReset(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	c.Read(make([]byte, 1))
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
}

// HandleClose closes the connection (FIN) once the client has sent its first bytes. It reads all the
// client sent first: closing with unread data would send a RST instead.
func HandleClose(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	if _, err := c.Read(buf); err != nil {
		return
	}
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// RefusedPort returns a loopback address where nothing listens: connections are refused.
func RefusedPort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// BlackHole returns a loopback address whose listener never accepts and whose accept queue is full,
// so that new connection attempts get no answer at all and time out, as behind a dropping firewall.
func BlackHole(t testing.TB) string {
	t.Helper()
	addr, err := blackHoleAt(t, netip.MustParseAddrPort("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// BlackHoleOn returns a black-holed address (see BlackHole) on a random 127.x.y.z address and the given
// port, for a name with several addresses on the port of a working server, some of them dead.
func BlackHoleOn(t testing.TB, port int) string {
	t.Helper()
	var err error
	for range 20 {
		var addr string
		ap := netip.AddrPortFrom(netip.MustParseAddr(RandomLoopback()), uint16(port))
		if addr, err = blackHoleAt(t, ap); err == nil {
			return addr
		}
		if port < 1024 {
			requirePrivilegedPort(t, fmt.Sprintf("a black hole on port %d of a loopback address (127.x.y.z)", port), err)
		}
	}
	t.Fatalf("no black hole on port %d: %v", port, err)
	return ""
}

// BlackHole6On returns a black-holed address (see BlackHole) on ::1 and the given port, for a name whose
// IPv6 path is black-holed beside a working IPv4 address.
func BlackHole6On(t testing.TB, port int) string {
	t.Helper()
	addr, err := blackHoleAt(t, netip.AddrPortFrom(netip.IPv6Loopback(), uint16(port)))
	if err != nil {
		t.Fatalf("no IPv6 black hole on port %d: %v", port, err)
	}
	return addr
}

func blackHoleAt(t testing.TB, ap netip.AddrPort) (string, error) {
	var family int
	var sa syscall.Sockaddr
	if ap.Addr().Is6() {
		family, sa = syscall.AF_INET6, &syscall.SockaddrInet6{Addr: ap.Addr().As16(), Port: int(ap.Port())}
	} else {
		family, sa = syscall.AF_INET, &syscall.SockaddrInet4{Addr: ap.Addr().As4(), Port: int(ap.Port())}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, 0)
	if err != nil {
		return "", err
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return "", err
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Listen(fd, 0); err != nil {
		return "", err
	}
	sa, err = syscall.Getsockname(fd)
	if err != nil {
		return "", err
	}
	port := 0
	switch bound := sa.(type) {
	case *syscall.SockaddrInet4:
		port = bound.Port
	case *syscall.SockaddrInet6:
		port = bound.Port
	}
	addr := net.JoinHostPort(ap.Addr().String(), strconv.Itoa(port))
	// Fill the accept queue; once it is full the kernel drops further SYNs.
	var fill []net.Conn
	t.Cleanup(func() {
		for _, c := range fill {
			c.Close()
		}
	})
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				break
			}
			return "", err
		}
		fill = append(fill, c)
	}
	return addr, nil
}

// NonHTTPServer accepts connections, writes banner (bytes that are not an HTTP response, such as an SSH
// banner) and closes them, as a server that does not speak HTTP where HTTP is expected.
func NonHTTPServer(t testing.TB, banner string) *Server {
	return listen(t, "", HandleBanner(banner))
}

// HandleBanner reads the client's first bytes, answers banner and closes.
func HandleBanner(banner string) func(net.Conn) {
	return func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Read(make([]byte, 4096)) // the request, or its start
		io.WriteString(c, banner)
	}
}

// RefusingProxy is an HTTP proxy that answers every request, CONNECT or absolute-form, with status and
// a short page, as a proxy other than squid refuses: with Via and Server headers, none of squid's.
func RefusingProxy(t testing.TB, status int) *Server {
	return listen(t, "", func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		body := http.StatusText(status) + " by the arccheck test proxy\n"
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nServer: arccheck-test-proxy\r\nVia: 1.1 arccheck-test-proxy\r\n"+
			"Content-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			status, http.StatusText(status), len(body), body)
	})
}
