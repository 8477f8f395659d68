package probe

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Fuzz targets for every parser of untrusted input in this package: proxy URLs, --resolve entries,
// NO_PROXY lists, a proxy's reply to CONNECT (HTTP and SOCKS5), and the bounded read of an answer's head. Each asserts properties, not just
// the absence of a panic. The seeds are inputs of the unit tests. .ci/run runs each for a few seconds;
// run one longer with, e.g.:
//
//	go test -run '^$' -fuzz '^FuzzParseProxy$' -fuzztime 10m ./pkg/probe

// FuzzParseProxy: a parsed proxy URL writes back (scheme://host:port, and with its credentials) to one
// that parses the same, and the String form never holds credentials.
func FuzzParseProxy(f *testing.F) {
	for _, s := range []string{"http://alice:2024?Spring@proxy:3128", "http://a:12345678#x@p:3128", "http://u:p@ss@h:1",
		"http://u:a/b:c@h:1/", "http://u:100%@h:1", "HTTP://alice:p%40ss@Proxy.Corp:3128", "alice:pa://ss@proxy:3128",
		"socks5h://bob@s", "https://[::1]:8443/", "http://[fe80::1%eth0]:3128", " proxy.corp ", "http://10.0.0.1",
		"http://bücher.example:3128", "http://h:3128?x=1", "http://::1:3128", "gopher://u:topsecret@x:1", "socks5://s:0",
		"http://u:secret@[bad", "http://h:3128//", "http://h_$:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := ParseProxy(raw, "fuzz")
		if err != nil {
			return
		}
		again, err := ParseProxy(p.String(), "fuzz")
		if err != nil {
			t.Fatalf("%q parsed as %s, which does not parse: %v", raw, p, err)
		}
		if again.Scheme != p.Scheme || again.Host != p.Host || again.HasCredentials() {
			t.Fatalf("%q parsed as %s, which parses as %s", raw, p, again)
		}
		if p.HasCredentials() && strings.Contains(p.String(), "@") {
			t.Fatalf("String() %q shows user information", p.String())
		}
		withCreds := p.Scheme + "://" + url.UserPassword(p.Username, p.Password.Reveal()).String() + "@" + p.Host
		again, err = ParseProxy(withCreds, "fuzz")
		if err != nil || again.Username != p.Username || again.Password.Reveal() != p.Password.Reveal() || again.Host != p.Host {
			t.Fatalf("%q parsed as user %q on %s; written back with its credentials it parses as %+v, %v", raw, p.Username, p, again, err)
		}
	})
}

// FuzzProxyPassword: the password of a proxy URL changes nothing in what parsing it shows (the error, the
// String form, the %+v form), so no part of it can ever appear there.
func FuzzProxyPassword(f *testing.F) {
	f.Add("http", "alice", "Zq9?K#x/7@W:v", "proxy:3128")
	f.Add("socks5h", "bob", "s0cks-secret", "[::1]:1080/")
	f.Add("ftp", "u", "topsecret", "h:1")
	f.Add("http", "mxyzptlk", "Zq9?K#x/7@W:v", "h:3128?x=1")
	f.Add("", "u", "p%40ss", "h:0")
	f.Fuzz(func(t *testing.T, scheme, user, password, hostPort string) {
		if strings.Contains(hostPort, "@") || strings.Contains(user, ":") || strings.ContainsAny(scheme, ":/@") {
			t.Skip("then the password is not the password")
		}
		show := func(pw string) string {
			p, err := ParseProxy(scheme+"://"+user+":"+pw+"@"+hostPort, "fuzz")
			if err != nil {
				return "error: " + err.Error()
			}
			return fmt.Sprintf("%s %+v %v", p, *p, p.Password)
		}
		// The stand-in is as empty as the password (a Secret shows "" when empty, "[redacted]" otherwise).
		standIn := "x"
		if password == "" {
			standIn = ""
		}
		if got, want := show(password), show(standIn); got != want {
			t.Fatalf("the password changes what is shown:\n%s\n%s", got, want)
		}
	})
}

// FuzzParseOverride: a parsed --resolve entry writes back to one that parses the same.
func FuzzParseOverride(f *testing.F) {
	for _, s := range []string{"Management.Azure.com:443:127.0.0.1", "x.example:*:[::1]", "x.example:443:::1",
		"x.example:443:127.0.0.2,[::1],127.0.0.3", "x.example:443:fe80::1%eth0", "*:443:127.0.0.1", "*:*:127.0.0.1",
		"bücher.example:443:127.0.0.1", "x.example:443:[::1", "+x.example:443:127.0.0.1", "x.example:443:127.0.0.1,",
		"x.example:+443:127.0.0.1", "x/y.example:443:127.0.0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, addrs, err := ParseOverride(s)
		if err != nil {
			return
		}
		list := make([]string, len(addrs))
		for i, a := range addrs {
			list[i] = a.String()
			if a.Is6() {
				list[i] = "[" + list[i] + "]"
			}
		}
		key2, addrs2, err := ParseOverride(key + ":" + strings.Join(list, ","))
		if err != nil || key2 != key || !slices.Equal(addrs2, addrs) {
			t.Fatalf("%q parsed as %s → %v; written back it parses as %s → %v, %v", s, key, addrs, key2, addrs2, err)
		}
		host, port, _ := strings.Cut(key, ":")
		n := 443
		if port != "*" {
			n, _ = parsePort(port)
		}
		if _, got, ok := (Overrides{key: addrs}).Match(host, n); !ok || !slices.Equal(got, addrs) {
			t.Fatalf("the override %s does not match its own host and port", key)
		}
	})
}

// FuzzParseNoProxy: a parsed NO_PROXY list writes back to one that parses the same and matches the same
// hosts; read leniently (from the environment), any list parses.
func FuzzParseNoProxy(f *testing.F) {
	for _, s := range []string{"localhost, .azure.com,example.org:8443 10.0.0.0/8,::1,192.168.1.5,fd00::/16,[fd01::1]:8443,bücher.example,_acme.example,*.windows.net",
		"*", "10.*,<local>,.corp.example", "[::1]/128,fd00::/8", "10.0.0.0/99", "example.org:port", "a*b.example", ".", "ex:am:ple"} {
		f.Add(s)
	}
	hosts := []string{"management.azure.com", "azure.com", "example.org", "10.1.2.3", "::1", "fd01::1", "xn--bcher-kva.example", "localhost"}
	f.Fuzz(func(t *testing.T, list string) {
		if _, err := parseNoProxyList(list, "NO_PROXY", true); err != nil {
			t.Fatalf("a lenient read failed: %v", err)
		}
		np, err := ParseNoProxy(list, "--no-proxy")
		if err != nil {
			if !strings.Contains(err.Error(), "--no-proxy") {
				t.Fatalf("the error does not name the list: %v", err)
			}
			return
		}
		again, err := ParseNoProxy(np.String(), "--no-proxy")
		if err != nil || again.String() != np.String() {
			t.Fatalf("%q written back as %q parses as %v, %v", list, np.String(), again, err)
		}
		for _, h := range hosts {
			for _, port := range []int{443, 8443} {
				e1, ok1 := np.Match(h, port)
				e2, ok2 := again.Match(h, port)
				if e1 != e2 || ok1 != ok2 {
					t.Fatalf("%s:%d: %q matches %q, written back it matches %q", h, port, list, e1, e2)
				}
			}
		}
	})
}

// FuzzConnectReply: whatever an HTTP proxy answers to CONNECT, only a 200 status yields a tunnel, and
// the bytes after the answer's head reach the caller.
func FuzzConnectReply(f *testing.F) {
	for _, s := range []string{"HTTP/1.1 200 Connection established\r\n\r\n",
		"HTTP/1.1 200 Connection established\r\n\r\nHELLO-FROM-TUNNEL",
		"HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\n",
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Length: 5\r\n\r\nnope!",
		"HTTP/1.1 302 Found\r\nLocation: http://login.corp.example/\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 200\r\n\r\n", "SSH-2.0-OpenSSH_9.2\r\n\r\n", "HTTP/1.1 200 Connection est"} {
		f.Add([]byte(s))
	}
	px := &Proxy{Scheme: "http", Host: "proxy.example:3128"}
	f.Fuzz(func(t *testing.T, reply []byte) {
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			server.SetDeadline(time.Now().Add(time.Second))
			if _, err := http.ReadRequest(bufio.NewReader(server)); err == nil {
				server.Write(reply)
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn, err := (&HTTPConnectDialer{Proxy: px}).connect(ctx, client, "management.azure.com:443", true)
		if err != nil {
			var pe *ProxyError
			if !asProxyError(err, &pe) {
				t.Fatalf("not a ProxyError: %v", err)
			}
			return
		}
		defer conn.Close()
		br := bufio.NewReader(bytes.NewReader(reply))
		resp, perr := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
		if perr != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("a tunnel from the answer %q (status %v, %v)", reply, statusOf(resp), perr)
		}
		rest, _ := io.ReadAll(br)
		conn.SetDeadline(time.Now().Add(time.Second))
		got, _ := io.ReadAll(conn)
		if !bytes.Equal(got, rest) {
			t.Fatalf("after the answer the proxy sent %q; the tunnel gave %q", rest, got)
		}
	})
}

// FuzzResponseHead: whatever a peer sends (a head, then line repeated, then tail: a few bytes can make
// a head of any size), the bounded head reader never panics and never takes more than maxResponseHead
// bytes of the stream for the head; a head that net/http, unbounded, reads past the bound is always a
// TooLargeError; a head within it reads as net/http reads it, body included.
func FuzzResponseHead(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), []byte{}, uint16(0), []byte{})
	f.Add([]byte("HTTP/1.1 200 OK\r\nX-Long: "), []byte("a"), uint16(65535), []byte("\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\n"), []byte("X-Endless: aaaaaaaaaaaaaaaaaaaa\r\n"), uint16(4000), []byte("\r\nbody"))
	f.Add([]byte("HTTP/1.1 200 OK\r\n"), []byte("X-Endless: aaaaaaaaaaaaaaaaaaaa\r\n"), uint16(2000), []byte("\r\nbody"))
	f.Add([]byte("HTTP/1.1 407 Denied \x1b[2J\u202e Basic YWxpY2U6cEBzczp3L3JkJTE=\r\nProxy-Authenticate: Basic\r\n\r\n"),
		[]byte{}, uint16(0), []byte{})
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), []byte("4\r\nbbbb\r\n"), uint16(100), []byte("0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, head, line []byte, repeat uint16, tail []byte) {
		if n := len(line) * int(repeat); n > 1<<20 {
			repeat = uint16((1 << 20) / len(line))
		}
		data := slices.Concat(head, bytes.Repeat(line, int(repeat)), tail)
		src := bytes.NewReader(data)
		ref := bufio.NewReader(src)
		want, werr := http.ReadResponse(ref, nil)
		headLen := len(data) - src.Len() - ref.Buffered()

		rr := newResponseReader(bytes.NewReader(data))
		got, gerr := rr.readResponse(nil, "the endpoint")
		if rr.read() > maxResponseHead {
			t.Fatalf("the head reader took %d bytes, past the bound of %d", rr.read(), maxResponseHead)
		}
		if tooLarge(gerr) && rr.read() != maxResponseHead {
			t.Fatalf("too large after %d bytes", rr.read())
		}
		switch {
		case werr != nil:
			if gerr == nil {
				t.Fatalf("net/http fails (%v), the bounded reader reads %q", werr, got.Status)
			}
		case headLen > maxResponseHead:
			if !tooLarge(gerr) {
				t.Fatalf("a head of %d bytes read as %v, not as too large", headLen, gerr)
			}
		case gerr != nil:
			t.Fatalf("a head of %d bytes fails the bounded reader: %v", headLen, gerr)
		default:
			if got.Status != want.Status || !reflect.DeepEqual(got.Header, want.Header) {
				t.Fatalf("read as %q %v, net/http reads %q %v", got.Status, got.Header, want.Status, want.Header)
			}
			gb, gerr := io.ReadAll(got.Body)
			wb, werr := io.ReadAll(want.Body)
			if !bytes.Equal(gb, wb) || (gerr == nil) != (werr == nil) {
				t.Fatalf("the body reads %d bytes (%v), net/http's %d (%v)", len(gb), gerr, len(wb), werr)
			}
		}
	})
}

func asProxyError(err error, pe **ProxyError) bool {
	e, ok := err.(*ProxyError)
	*pe = e
	return ok && slices.Contains(Classes, e.Class)
}

func statusOf(resp *http.Response) any {
	if resp == nil {
		return nil
	}
	return resp.StatusCode
}

// FuzzSOCKSReply: whatever a SOCKS5 server answers, a tunnel opens only on a success reply (code 0) in
// its place, and no error shows the password.
func FuzzSOCKSReply(f *testing.F) {
	const password = "fuzz-Secret-42"
	for _, s := range [][]byte{{5, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0}, {5, 0, 5, 1, 0, 1, 0, 0, 0, 0, 0, 0},
		{5, 0, 5, 2, 0, 1, 0, 0, 0, 0, 0, 0}, {5, 0, 5, 9, 0, 1, 0, 0, 0, 0, 0, 0}, {5, 0xff}, {5, 2, 1, 1}, {5, 2, 1, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0},
		{5, 0, 5, 0, 0, 3, 4, 'a', '.', 'b', 'c', 1, 187}, {5, 0, 5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 187},
		[]byte("HTTP/1.1 400 Bad Request\r\n\r\n"), {4, 0}, {5}} {
		f.Add(s, false)
		f.Add(s, true)
	}
	var current atomic.Pointer[[]byte]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(2 * time.Second))
				c.Write(*current.Load())
				c.(*net.TCPConn).CloseWrite() // and nothing more: the client reads EOF, never waits
				io.Copy(io.Discard, c)
			}()
		}
	}()
	f.Fuzz(func(t *testing.T, reply []byte, withCredentials bool) {
		current.Store(&reply)
		px := &Proxy{Scheme: "socks5h", Host: ln.Addr().String()}
		if withCredentials {
			px.Username, px.Password = "arc", NewSecret(password)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s, err := dialSOCKS(ctx, px, "management.azure.com:443", 0)
		if err != nil {
			if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "Secret") {
				t.Fatalf("the error shows the password: %v", err)
			}
			return
		}
		defer s.conn.Close()
		at := 2 // the reply follows the method selection …
		if len(reply) > 1 && reply[1] == socksUserPass && withCredentials {
			at += 2 // … and the answer to the credentials
		}
		if len(reply) < at+2 || reply[at] != 5 || reply[at+1] != 0 {
			t.Fatalf("a tunnel from the reply %v", reply)
		}
	})
}
