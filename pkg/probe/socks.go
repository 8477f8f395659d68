package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// arccheck speaks SOCKS5 (RFC 1928) and its username/password authentication (RFC 1929) itself rather
// than through golang.org/x/net/proxy, whose client returns the proxy's reply code and authentication
// status only inside error text: here they are read as values, and failures are classified from them.

// SOCKS5 wire values (RFC 1928, RFC 1929).
const (
	socksVersion      = 5
	socksNoAuth       = 0    // method: no authentication required
	socksUserPass     = 2    // method: username/password (RFC 1929)
	socksNoAcceptable = 0xff // method selection: none of the offered methods is acceptable
	socksConnect      = 1    // command: CONNECT
	socksIPv4         = 1    // address types
	socksDomain       = 3
	socksIPv6         = 4
)

// socksStep is how far a SOCKS5 handshake got: the last of the proxy's answers that was read.
type socksStep uint8

const (
	socksUnanswered   socksStep = iota // the greeting is sent; the proxy has not chosen a method
	socksMethodChosen                  // the proxy chose a method (RFC 1928, 3)
	socksAuthAnswered                  // the proxy answered the username and password (RFC 1929, 2)
	socksReplied                       // the proxy replied to CONNECT (RFC 1928, 6)
)

// socksReplies are the RFC 1928 reply codes (section 6) with the words and the class of each failure.
// A code RFC 1928 does not assign is still the proxy's refusal of this CONNECT: ClassProxyDenied.
var socksReplies = map[byte]struct {
	text  string
	class Class
}{
	1: {"general SOCKS server failure", ClassProxyUpstreamFailed},
	2: {"connection not allowed by ruleset", ClassProxyDenied},
	3: {"network unreachable", ClassProxyUpstreamFailed},
	4: {"host unreachable", ClassProxyUpstreamFailed},
	5: {"connection refused", ClassProxyUpstreamFailed},
	6: {"TTL expired", ClassProxyUpstreamFailed},
	7: {"command not supported", ClassProxyDenied},
	8: {"address type not supported", ClassProxyDenied},
}

// socksRefusal is a SOCKS5 proxy's refusal, as the value it answered with at step: after the greeting,
// the method it chose that arccheck cannot use (0xFF: none of those offered); after the username and
// password, the RFC 1929 status; after CONNECT, the RFC 1928 reply code.
type socksRefusal struct {
	step  socksStep
	code  byte
	proxy *Proxy
	addr  string
}

func (e *socksRefusal) class() Class {
	if e.step != socksReplied {
		return ClassProxyAuthRequired
	}
	if r, ok := socksReplies[e.code]; ok {
		return r.class
	}
	return ClassProxyDenied
}

func (e *socksRefusal) Error() string {
	switch {
	case e.step == socksReplied:
		text := "unassigned code"
		if r, ok := socksReplies[e.code]; ok {
			text = r.text
		}
		return fmt.Sprintf("proxy %s refused the SOCKS CONNECT to %s: reply %d, %s", e.proxy, e.addr, e.code, text)
	case e.step == socksAuthAnswered:
		return fmt.Sprintf("proxy %s refused the username and password of the proxy URL: username/password "+
			"authentication failed (status %d)", e.proxy, e.code)
	case e.code == socksNoAcceptable && e.proxy.HasCredentials():
		return fmt.Sprintf("proxy %s accepts neither no authentication nor a username and password: no acceptable "+
			"authentication methods", e.proxy)
	case e.code == socksNoAcceptable:
		return fmt.Sprintf("proxy %s does not accept clients without authentication, and the proxy URL has no "+
			"username and password: no acceptable authentication methods", e.proxy)
	case e.code == socksUserPass && e.proxy.HasCredentials():
		return fmt.Sprintf("proxy %s asks for a username and password, and those of the proxy URL cannot be sent: "+
			"RFC 1929 takes a username of 1 to 255 bytes and a password of at most 255", e.proxy)
	case e.code == socksUserPass:
		return fmt.Sprintf("proxy %s asks for a username and password, and the proxy URL has none", e.proxy)
	}
	return fmt.Sprintf("proxy %s asks for authentication method %d, which arccheck does not speak", e.proxy, e.code)
}

// socksDial is a tunnel opened through a SOCKS5 proxy; authenticated says the proxy asked for and took
// the credentials of the proxy URL.
type socksDial struct {
	conn          net.Conn
	authenticated bool
}

// dialSOCKS opens a connection to addr (host:port) through a SOCKS5 proxy, connecting to the proxy
// within connectTimeout (zero: ctx alone), and names a failure. The returned socksDial is never nil.
func dialSOCKS(ctx context.Context, px *Proxy, addr string, connectTimeout time.Duration) (*socksDial, error) {
	s := &socksDial{}
	conn, err := dialProxyTCP(ctx, px, "tcp", connectTimeout)
	if err != nil {
		return s, proxyUnreachable(ctx, px, err)
	}
	h := &socksHandshake{conn: conn, px: px, addr: addr}
	if err := h.run(ctx); err != nil {
		conn.Close()
		return s, h.failure(ctx, err)
	}
	s.conn, s.authenticated = conn, h.method == socksUserPass
	return s, nil
}

// socksHandshake is one SOCKS5 handshake on conn, and what the proxy answered, as values read.
type socksHandshake struct {
	conn net.Conn
	px   *Proxy
	addr string
	step socksStep
	// method is the method the proxy chose (from socksMethodChosen on).
	method byte
}

// run greets the proxy, authenticates when it asks for a username and password, and asks it to CONNECT
// to h.addr. Every read has a fixed size (at most a 255-byte name), within ctx's deadline.
func (h *socksHandshake) run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { h.conn.Close() })
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		h.conn.SetDeadline(deadline)
	}
	req, err := socksRequest(h.addr)
	if err != nil {
		return fmt.Errorf("SOCKS CONNECT to %s: %w", h.addr, err)
	}
	if err := h.greet(); err != nil {
		return err
	}
	if h.method == socksUserPass {
		if err := h.authenticate(); err != nil {
			return err
		}
	}
	if err := h.connect(req); err != nil {
		return err
	}
	h.conn.SetDeadline(time.Time{})
	return nil
}

// greet offers "no authentication", and "username/password" when the proxy URL has credentials, and
// reads the proxy's choice (RFC 1928, 3).
func (h *socksHandshake) greet() error {
	greeting := []byte{socksVersion, 1, socksNoAuth}
	if h.px.HasCredentials() {
		greeting = []byte{socksVersion, 2, socksNoAuth, socksUserPass}
	}
	if _, err := h.conn.Write(greeting); err != nil {
		return h.ioError("sending the SOCKS greeting", err)
	}
	var choice [2]byte
	if _, err := io.ReadFull(h.conn, choice[:]); err != nil {
		return h.ioError("reading the answer to the SOCKS greeting", err)
	}
	if choice[0] != socksVersion {
		return fmt.Errorf("proxy %s did not answer the greeting as a SOCKS5 server: version %d", h.px, choice[0])
	}
	h.step, h.method = socksMethodChosen, choice[1]
	if h.method == socksNoAuth || (h.method == socksUserPass && h.px.HasCredentials()) {
		return nil
	}
	return &socksRefusal{step: socksMethodChosen, code: h.method, proxy: h.px}
}

// authenticate sends the proxy URL's username and password and reads the status (RFC 1929, 2). As curl
// does, only the status is read: some servers answer with the SOCKS version instead of 1.
func (h *socksHandshake) authenticate() error {
	user, pass := h.px.Username, h.px.Password.Reveal()
	if len(user) == 0 || len(user) > 255 || len(pass) > 255 {
		return &socksRefusal{step: socksMethodChosen, code: socksUserPass, proxy: h.px}
	}
	msg := append(append([]byte{1, byte(len(user))}, user...), byte(len(pass)))
	if _, err := h.conn.Write(append(msg, pass...)); err != nil {
		return h.ioError("sending the username and password", err)
	}
	var status [2]byte
	if _, err := io.ReadFull(h.conn, status[:]); err != nil {
		return h.ioError("reading the answer to the username and password", err)
	}
	h.step = socksAuthAnswered
	if status[1] != 0 {
		return &socksRefusal{step: socksAuthAnswered, code: status[1], proxy: h.px}
	}
	return nil
}

// connect sends the CONNECT request and reads the reply (RFC 1928, 6), bound address included, so that
// what follows on the connection is the tunnel's.
func (h *socksHandshake) connect(req []byte) error {
	if _, err := h.conn.Write(req); err != nil {
		return h.ioError("sending the SOCKS CONNECT", err)
	}
	var head [5]byte // VER REP RSV ATYP, and the first byte of the bound address
	if _, err := io.ReadFull(h.conn, head[:2]); err != nil {
		return h.ioError("reading the reply to the SOCKS CONNECT", err)
	}
	if head[0] != socksVersion {
		return fmt.Errorf("proxy %s did not reply to the CONNECT as a SOCKS5 server: version %d", h.px, head[0])
	}
	h.step = socksReplied
	if head[1] != 0 {
		return &socksRefusal{step: socksReplied, code: head[1], proxy: h.px, addr: h.addr}
	}
	if _, err := io.ReadFull(h.conn, head[2:]); err != nil {
		return h.ioError("reading the reply to the SOCKS CONNECT", err)
	}
	rest := map[byte]int{socksIPv4: 3 + 2, socksDomain: int(head[4]) + 2, socksIPv6: 15 + 2}[head[3]]
	if head[2] != 0 || rest == 0 {
		return fmt.Errorf("proxy %s replied to the SOCKS CONNECT with a malformed reply (reserved %d, address type %d)",
			h.px, head[2], head[3])
	}
	if _, err := io.ReadFull(h.conn, make([]byte, rest)); err != nil {
		return h.ioError("reading the reply to the SOCKS CONNECT", err)
	}
	return nil
}

func (h *socksHandshake) ioError(doing string, err error) error {
	return fmt.Errorf("proxy %s: %s: %w", h.px, doing, err)
}

// socksRequest is the CONNECT request for addr: an IP address as such, any other host as a domain name
// for the proxy to resolve.
func socksRequest(addr string) ([]byte, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || port == 0 {
		return nil, fmt.Errorf("invalid port %q", portText)
	}
	req := []byte{socksVersion, socksConnect, 0}
	ip, err := netip.ParseAddr(host)
	switch {
	case err == nil && ip.Unmap().Is4():
		req = append(append(req, socksIPv4), ip.Unmap().AsSlice()...)
	case err == nil:
		a := ip.As16()
		req = append(append(req, socksIPv6), a[:]...)
	case len(host) == 0 || len(host) > 255:
		return nil, fmt.Errorf("the name %q cannot be sent in a SOCKS request (1 to 255 bytes)", host)
	default:
		req = append(append(req, socksDomain, byte(len(host))), host...)
	}
	return binary.BigEndian.AppendUint16(req, uint16(port)), nil
}

// failure names why the tunnel failed: the proxy refused (the value it answered), or took too long, or
// answered something else. A proxy that answered the greeting and then nothing is still trying the
// destination.
func (h *socksHandshake) failure(ctx context.Context, err error) *ProxyError {
	var refusal *socksRefusal
	switch {
	case errors.As(err, &refusal):
		return &ProxyError{Class: refusal.class(), Err: err}
	case ctx.Err() == nil && !isTimeout(err):
		return &ProxyError{Class: ClassProxyUnreachable, Err: err}
	case h.step == socksMethodChosen && h.method == socksUserPass:
		return &ProxyError{Class: ClassProxyUnreachable,
			Err: fmt.Errorf("proxy %s asked for a username and password and did not answer them before the timeout", h.px)}
	case h.step == socksReplied:
		return &ProxyError{Class: ClassProxyUnreachable,
			Err: fmt.Errorf("proxy %s began its reply to the SOCKS CONNECT to %s but did not finish it before the timeout", h.px, h.addr)}
	case h.step >= socksMethodChosen:
		return &ProxyError{Class: ClassProxyUpstreamFailed,
			Err: fmt.Errorf("proxy %s did not answer the SOCKS CONNECT to %s before the timeout: it is still trying the endpoint", h.px, h.addr)}
	}
	return &ProxyError{Class: ClassProxyUnreachable,
		Err: fmt.Errorf("proxy %s took the connection but did not answer the SOCKS greeting before the timeout", h.px)}
}

// speaksSOCKS5 reports whether the server at px.Host answers a SOCKS5 greeting (RFC 1928: version 5,
// one method, "no authentication") with a SOCKS5 method selection.
func speaksSOCKS5(ctx context.Context, px *Proxy, connectTimeout time.Duration) bool {
	conn, err := dialProxyTCP(ctx, px, "tcp", connectTimeout)
	if err != nil {
		return false
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	if _, err := conn.Write([]byte{socksVersion, 1, socksNoAuth}); err != nil {
		return false
	}
	var reply [2]byte
	_, err = io.ReadFull(conn, reply[:])
	return err == nil && reply[0] == socksVersion
}
