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

// socksError is a SOCKS5 handshake that failed: the facts of it (the proxy's refusal as the value it
// answered with, an answer that is not SOCKS5, a malformed reply), and the error of the connection
// when reading or writing failed.
type socksError struct {
	facts SOCKSFacts
	err   error
}

func (e *socksError) Error() string {
	s := fmt.Sprintf("socks %s: refused %t, code %d, version %d, malformed %t", e.facts.Step, e.facts.Refused, e.facts.Code,
		e.facts.Version, e.facts.Malformed)
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

func (e *socksError) Unwrap() error { return e.err }

// class is the class of a refusal: after CONNECT, the reply code's; before it, the authentication's.
func (e *socksError) class() Class {
	if e.facts.Step == SOCKSConnect {
		return SOCKSReplyClass(e.facts.Code)
	}
	return ClassProxyAuthRequired
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
	defer bind(ctx, h.conn)()
	req, err := socksRequest(h.addr)
	if err != nil {
		return h.ioError(SOCKSConnect, false, err)
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
		return h.ioError(SOCKSGreeting, false, err)
	}
	var choice [2]byte
	if _, err := io.ReadFull(h.conn, choice[:]); err != nil {
		return h.ioError(SOCKSGreeting, true, err)
	}
	if choice[0] != socksVersion {
		return h.refused(SOCKSFacts{Step: SOCKSGreeting, Version: choice[0]})
	}
	h.step, h.method = socksMethodChosen, choice[1]
	if h.method == socksNoAuth || (h.method == socksUserPass && h.px.HasCredentials()) {
		return nil
	}
	return h.refused(SOCKSFacts{Step: SOCKSGreeting, Refused: true, Code: h.method})
}

// authenticate sends the proxy URL's username and password and reads the status (RFC 1929, 2). As curl
// does, only the status is read: some servers answer with the SOCKS version instead of 1.
func (h *socksHandshake) authenticate() error {
	user, pass := h.px.Username, h.px.Password.Reveal()
	if len(user) == 0 || len(user) > 255 || len(pass) > 255 {
		return h.refused(SOCKSFacts{Step: SOCKSGreeting, Refused: true, Code: socksUserPass, TooLong: true})
	}
	msg := append(append([]byte{1, byte(len(user))}, user...), byte(len(pass)))
	if _, err := h.conn.Write(append(msg, pass...)); err != nil {
		return h.ioError(SOCKSCredentials, false, err)
	}
	var status [2]byte
	if _, err := io.ReadFull(h.conn, status[:]); err != nil {
		return h.ioError(SOCKSCredentials, true, err)
	}
	h.step = socksAuthAnswered
	if status[1] != 0 {
		return h.refused(SOCKSFacts{Step: SOCKSCredentials, Refused: true, Code: status[1]})
	}
	return nil
}

// connect sends the CONNECT request and reads the reply (RFC 1928, 6), bound address included, so that
// what follows on the connection is the tunnel's.
func (h *socksHandshake) connect(req []byte) error {
	if _, err := h.conn.Write(req); err != nil {
		return h.ioError(SOCKSConnect, false, err)
	}
	var head [5]byte // VER REP RSV ATYP, and the first byte of the bound address
	if _, err := io.ReadFull(h.conn, head[:2]); err != nil {
		return h.ioError(SOCKSConnect, true, err)
	}
	if head[0] != socksVersion {
		return h.refused(SOCKSFacts{Step: SOCKSConnect, Version: head[0]})
	}
	h.step = socksReplied
	if head[1] != 0 {
		return h.refused(SOCKSFacts{Step: SOCKSConnect, Refused: true, Code: head[1]})
	}
	if _, err := io.ReadFull(h.conn, head[2:]); err != nil {
		return h.ioError(SOCKSConnect, true, err)
	}
	rest := map[byte]int{socksIPv4: 3 + 2, socksDomain: int(head[4]) + 2, socksIPv6: 15 + 2}[head[3]]
	if head[2] != 0 || rest == 0 {
		return h.refused(SOCKSFacts{Step: SOCKSConnect, Malformed: true, Reserved: head[2], AddrType: head[3]})
	}
	if _, err := io.ReadFull(h.conn, make([]byte, rest)); err != nil {
		return h.ioError(SOCKSConnect, true, err)
	}
	return nil
}

// ioError is a failure to send (or, reading, to read the answer to) step.
func (h *socksHandshake) ioError(step SOCKSStep, reading bool, err error) error {
	return &socksError{facts: SOCKSFacts{Step: step, Reading: reading}, err: err}
}

// refused is an answer of the proxy that ends the handshake.
func (h *socksHandshake) refused(f SOCKSFacts) error { return &socksError{facts: f} }

// socksRequest is the CONNECT request for addr: an IP address as such, any other host as a domain name
// for the proxy to resolve.
func socksRequest(addr string) ([]byte, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || port == 0 {
		return nil, fmt.Errorf("socks: port %q out of range", portText)
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
		return nil, fmt.Errorf("socks: name %q not 1 to 255 bytes", host)
	default:
		req = append(append(req, socksDomain, byte(len(host))), host...)
	}
	return binary.BigEndian.AppendUint16(req, uint16(port)), nil
}

// failure names why the tunnel failed: the proxy refused (the value it answered), or took too long, or
// answered something else. A proxy that answered the greeting and then nothing is still trying the
// destination.
func (h *socksHandshake) failure(ctx context.Context, err error) *ProxyError {
	pe := &ProxyError{Class: ClassProxyUnreachable, Cause: CauseSOCKS, Proxy: h.px.String(), Facts: Facts{Connect: h.addr}}
	var se *socksError
	facts := SOCKSFacts{}
	if errors.As(err, &se) {
		facts = se.facts
		pe.Err = se.err
	} else {
		pe.Err = err
	}
	// A timeout is told by the step whose answer was awaited (and whether it had begun), not by an error.
	timedOut := SOCKSFacts{TimedOut: true}
	switch {
	case facts.Refused:
		pe.Class = se.class()
	case ctx.Err() == nil && !isTimeout(err):
	case h.step == socksMethodChosen && h.method == socksUserPass:
		facts, pe.Err = timedOut, nil
		facts.Step = SOCKSCredentials
	case h.step == socksReplied:
		facts, pe.Err = timedOut, nil
		facts.Step, facts.Answered = SOCKSConnect, SOCKSConnect
	case h.step >= socksMethodChosen:
		facts, pe.Err = timedOut, nil
		facts.Step = SOCKSConnect
		pe.Class = ClassProxyUpstreamFailed // it took the greeting: it is still trying the endpoint
	default:
		facts, pe.Err = timedOut, nil
		facts.Step = SOCKSGreeting
	}
	facts.Credentials = h.px.HasCredentials()
	pe.Facts.SOCKS = &facts
	return pe
}

// speaksSOCKS5 reports whether the server at px.Host answers a SOCKS5 greeting (RFC 1928: version 5,
// one method, "no authentication") with a SOCKS5 method selection.
func speaksSOCKS5(ctx context.Context, px *Proxy, connectTimeout time.Duration) bool {
	conn, err := dialProxyTCP(ctx, px, "tcp", connectTimeout)
	if err != nil {
		return false
	}
	defer conn.Close()
	defer bind(ctx, conn)()
	if _, err := conn.Write([]byte{socksVersion, 1, socksNoAuth}); err != nil {
		return false
	}
	var reply [2]byte
	_, err = io.ReadFull(conn, reply[:])
	return err == nil && reply[0] == socksVersion
}
