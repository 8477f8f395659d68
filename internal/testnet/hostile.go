package testnet

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Hostile peers: servers that answer as a broken or malicious endpoint or proxy does, to show that a
// client reading them stays within its bounds of memory and time, and never prints the credentials it
// sent. Each stops when its test ends; each connection lasts at most hostileTime and sends at most
// hostileCap bytes.

// hostileCap bounds what a hostile server sends on one connection: far more than any bounded client
// reads, little enough that an unbounded one fails its test rather than the machine.
const hostileCap = 256 << 20

// hostileTime bounds each connection of a hostile server.
const hostileTime = 30 * time.Second

// Hostile is a hostile server; Sent counts the bytes of its answers that the clients took.
type Hostile struct {
	*Server
	Sent atomic.Int64
}

// HostileOptions say where a hostile server's answer goes.
type HostileOptions struct {
	// Certificate, if set, makes the server speak TLS with it and answer inside.
	Certificate *tls.Certificate
	// Tunnel makes the server a proxy that opens every CONNECT (200) and then writes its answer into the
	// tunnel in plain HTTP, where the client expects the endpoint's TLS handshake.
	Tunnel bool
	// Status is the status of the answer (EndlessBody); 0 means 200.
	Status int
}

// EndlessHeaders starts a server on loopback that answers every request (GET, absolute-form or CONNECT,
// and a TLS ClientHello alike) with a status line and then headers that never end.
func EndlessHeaders(t testing.TB, o HostileOptions) *Hostile {
	line := "X-Endless: " + strings.Repeat("a", 1000) + "\r\n"
	block := []byte(strings.Repeat(line, 64))
	return hostile(t, o, func(w io.Writer) {
		if _, err := io.WriteString(w, "HTTP/1.1 200 OK\r\n"); err != nil {
			return
		}
		for sent := 0; sent < hostileCap; sent += len(block) {
			if _, err := w.Write(block); err != nil {
				return
			}
		}
	})
}

// EndlessBody starts a server on loopback that answers every request with a short head (o.Status, the
// endpoint's evidence header, a chunked body; no Connection: close) and then a body that never ends.
func EndlessBody(t testing.TB, o HostileOptions) *Hostile {
	status := o.Status
	if status == 0 {
		status = http.StatusOK
	}
	head := fmt.Sprintf("HTTP/1.1 %d %s\r\n%s: %s\r\nContent-Type: application/octet-stream\r\n"+
		"Transfer-Encoding: chunked\r\n\r\n", status, http.StatusText(status), EvidenceHeader, OriginRequestID)
	chunk := []byte(fmt.Sprintf("%x\r\n%s\r\n", 32<<10, bytes.Repeat([]byte{'b'}, 32<<10)))
	return hostile(t, o, func(w io.Writer) {
		if _, err := io.WriteString(w, head); err != nil {
			return
		}
		for sent := 0; sent < hostileCap; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
}

// hostile starts a server that reads what the client sends first (a request, or a TLS ClientHello where
// it answers in plain HTTP), then answers with answer, counting the bytes written.
func hostile(t testing.TB, o HostileOptions, answer func(io.Writer)) *Hostile {
	h := &Hostile{}
	h.Server = listen(t, "", func(c net.Conn) {
		c.SetDeadline(time.Now().Add(hostileTime))
		if o.Certificate != nil {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{*o.Certificate}, MinVersion: tls.VersionTLS12})
			if err := tc.Handshake(); err != nil {
				return
			}
			c = tc
		}
		br := bufio.NewReader(c)
		if !readOpening(c, br, o.Tunnel) {
			return
		}
		answer(&countingWriter{w: c, n: &h.Sent})
	})
	return h
}

// readOpening reads the client's first words: a TLS ClientHello (left unread), or a request; with tunnel,
// a CONNECT is opened and what the client then sends first is awaited. It reports false when the client
// went away.
func readOpening(c net.Conn, br *bufio.Reader, tunnel bool) bool {
	first, err := br.Peek(1)
	if err != nil {
		return false
	}
	if first[0] == 0x16 { // a TLS handshake record
		return true
	}
	req, err := http.ReadRequest(br)
	if err != nil {
		return false
	}
	if tunnel && req.Method == http.MethodConnect {
		if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			return false
		}
		_, err = br.Peek(1)
		return err == nil
	}
	return true
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// EchoingProxy is an HTTP proxy that quotes the credentials it receives; Echoed counts the answers
// that quoted them.
type EchoingProxy struct {
	*Server
	Echoed atomic.Int64
}

// EchoOptions shape an echoing proxy's answer to a request that carries credentials.
type EchoOptions struct {
	// Status is the answer's status; 0 means 403. With 407, the proxy also offers the credentials as
	// authentication schemes.
	Status int
	// Tunnel opens a CONNECT with credentials (200) and writes the answer into the tunnel in plain HTTP,
	// where the client expects the endpoint's TLS handshake.
	Tunnel bool
	// Unmarked leaves out squid's X-Squid-Error header: the answer is judged by its status, Server, Via
	// and Location.
	Unmarked bool
}

// EchoProxy starts an HTTP proxy on loopback that asks every request without credentials for them (407,
// Basic) and answers every request with credentials, CONNECT or absolute-form, by quoting them: the raw
// Proxy-Authorization header, the decoded user:password, the password, their percent-encodings (upper-
// and lower-case hex) and base64 forms, in its status line (with a control and a bidirectional
// character), its Server, Via, X-Squid-Error and Location headers, and its error page.
func EchoProxy(t testing.TB, o EchoOptions) *EchoingProxy {
	if o.Status == 0 {
		o.Status = http.StatusForbidden
	}
	p := &EchoingProxy{}
	p.Server = listen(t, "", func(c net.Conn) {
		c.SetDeadline(time.Now().Add(hostileTime))
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		auth := req.Header.Get("Proxy-Authorization")
		if auth == "" {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"echo\"\r\n"+
				"Content-Length: 0\r\nConnection: close\r\n\r\n")
			closeAfterAnswer(c)
			return
		}
		if o.Tunnel && req.Method == http.MethodConnect {
			if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
				return
			}
			if _, err := br.Peek(1); err != nil { // the client's ClientHello
				return
			}
		}
		p.Echoed.Add(1)
		io.WriteString(c, echoAnswer(o, auth))
		closeAfterAnswer(c)
	})
	return p
}

// echoAnswer is an answer with o.Status that quotes the credentials of a Proxy-Authorization header.
func echoAnswer(o EchoOptions, auth string) string {
	status, quote := o.Status, echoForms(auth)
	decoded := quote[1]
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s for %s \x1b[2J\u202e\r\n", status, http.StatusText(status), strings.Join(quote, " "))
	fmt.Fprintf(&b, "Server: echo-proxy (%s)\r\nVia: 1.1 echo-proxy %s\r\n", quote[0], quote[2])
	if !o.Unmarked {
		fmt.Fprintf(&b, "X-Squid-Error: ERR_%s 0\r\n", strings.ReplaceAll(decoded, " ", "_"))
	}
	if status >= 300 && status < 400 {
		fmt.Fprintf(&b, "Location: http://block.example/denied?who=%s\r\n", url.QueryEscape(decoded))
	}
	if status == http.StatusProxyAuthRequired {
		fmt.Fprintf(&b, "Proxy-Authenticate: %s\r\nProxy-Authenticate: Basic realm=%q\r\n", strings.ReplaceAll(decoded, " ", "_"), decoded)
	}
	page := "<html><body>Denied: " + strings.Join(quote, "<br>") + "</body></html>\n"
	fmt.Fprintf(&b, "Content-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(page), page)
	return b.String()
}

// echoForms are the forms in which the proxy quotes a Proxy-Authorization header: the raw value, the
// decoded user:password, the password, and their encodings.
func echoForms(auth string) []string {
	_, b64, _ := strings.Cut(auth, " ")
	raw, _ := base64.StdEncoding.DecodeString(b64)
	decoded := string(raw)
	user, password, _ := strings.Cut(decoded, ":")
	return []string{auth, decoded, password, url.QueryEscape(decoded), url.PathEscape(password),
		lowerHex(url.QueryEscape(password)), url.UserPassword(user, password).String(),
		base64.RawURLEncoding.EncodeToString(raw), base64.StdEncoding.EncodeToString([]byte(password))}
}

// lowerHex writes the hex digits of s's percent-escapes in lower case (%2F → %2f), as some proxies do.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = bytes.ToLower(b[i+1 : i+2])[0], bytes.ToLower(b[i+2 : i+3])[0]
		}
	}
	return string(b)
}

// closeAfterAnswer closes the proxy's side once its answer is written, and reads what the client still
// sends until it closes too: a full close with the client's bytes unread would answer them with a RST.
func closeAfterAnswer(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	io.Copy(io.Discard, c)
}
