package testnet

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// trickleConn sends what is written one byte at a time, pausing between bytes: a peer on a link so
// slow that nothing completes in time.
type trickleConn struct {
	net.Conn
	pause time.Duration
}

func (c *trickleConn) Write(b []byte) (int, error) {
	for i := range b {
		if _, err := c.Conn.Write(b[i : i+1]); err != nil {
			return i, err
		}
		time.Sleep(c.pause)
	}
	return len(b), nil
}

// HandleHTTPStall reads the request and never answers, until the client closes.
func HandleHTTPStall(c net.Conn) {
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
		return
	}
	io.Copy(io.Discard, c)
}

// HandleTrickle reads the client's first bytes, then sends answer one byte at a time with pause between
// bytes.
func HandleTrickle(answer string, pause time.Duration) func(net.Conn) {
	return func(c net.Conn) {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		c.Read(make([]byte, 4096))
		(&trickleConn{Conn: c, pause: pause}).Write([]byte(answer))
	}
}

// FakeProxyOptions say how a fake HTTP proxy answers every request, CONNECT or absolute-form.
type FakeProxyOptions struct {
	// Answer is written once the request's head is read; "" answers nothing.
	Answer string
	// Trickle, if set, writes Answer one byte at a time with this pause between bytes.
	Trickle time.Duration
	// Close closes the connection after the answer; otherwise it is held until the client closes it.
	Close bool
}

// FakeProxy starts an HTTP proxy on loopback that answers as o says, whatever it is asked.
func FakeProxy(t testing.TB, o FakeProxyOptions) *Server {
	return listen(t, "", func(c net.Conn) {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		var w io.Writer = c
		if o.Trickle > 0 {
			w = &trickleConn{Conn: c, pause: o.Trickle}
		}
		io.WriteString(w, o.Answer)
		if o.Close {
			// Close the proxy's side only, and read what the client still sends until it closes too: a full
			// close with the client's bytes unread would answer them with a RST, which the client may read
			// instead of the end of the stream, depending on timing.
			if tc, ok := c.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
		}
		io.Copy(io.Discard, c)
	})
}

// SOCKSReplying starts a SOCKS5 server on loopback that takes any client without authentication and
// answers every CONNECT with the given RFC 1928 reply code (and a zero IPv4 bound address).
func SOCKSReplying(t testing.TB, code byte) *SOCKS {
	srv := listen(t, "", func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if !readSOCKSGreeting(c) {
			return
		}
		c.Write([]byte{5, 0})
		req := make([]byte, 5)
		if _, err := io.ReadFull(c, req); err != nil { // VER CMD RSV ATYP and the first address byte
			return
		}
		rest := map[byte]int{1: 3 + 2, 3: int(req[4]) + 2, 4: 15 + 2}[req[3]]
		if _, err := io.ReadFull(c, make([]byte, rest)); err != nil {
			return
		}
		c.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0})
	})
	return &SOCKS{Addr: srv.Addr}
}

// readSOCKSGreeting reads a client's greeting: version, method count, methods.
func readSOCKSGreeting(c net.Conn) bool {
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return false
	}
	_, err := io.ReadFull(c, make([]byte, hdr[1]))
	return err == nil
}
