package testnet

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// dialHostile connects to a hostile server with a deadline that ends the test's reads.
func dialHostile(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// TestEndlessHeaders: the server sends headers past any bound a client has, and its handler ends when
// the client goes away and the server closes, long before its cap.
func TestEndlessHeaders(t *testing.T) {
	srv := EndlessHeaders(t, HostileOptions{})
	c := dialHostile(t, srv.Addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	status, err := br.ReadString('\n')
	if err != nil || status != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("status line %q, %v", status, err)
	}
	n, err := io.CopyN(io.Discard, br, 4<<20)
	if err != nil || n != 4<<20 {
		t.Fatalf("read %d bytes of headers: %v", n, err)
	}
	c.Close()
	srv.Close() // returns when every handler has
	if sent := srv.Sent.Load(); sent >= hostileCap {
		t.Fatalf("the server sent %d bytes, its cap, after the client went away", sent)
	}
}

// TestEndlessBodyBehindTLS: the TLS server's answer is a valid head, then a chunked body without end.
func TestEndlessBodyBehindTLS(t *testing.T) {
	ca := NewCA(t, "Test Root", "DigiCert Inc")
	leaf := ca.ValidLeaf(t, "body.example")
	srv := EndlessBody(t, HostileOptions{Certificate: &leaf})
	c := tls.Client(dialHostile(t, srv.Addr), &tls.Config{ServerName: "body.example", RootCAs: ca.Pool()})
	req, _ := http.NewRequest(http.MethodGet, "https://body.example/", nil)
	if err := req.Write(c); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get(EvidenceHeader) != OriginRequestID {
		t.Fatalf("answered %s %v", resp.Status, resp.Header)
	}
	if n, err := io.CopyN(io.Discard, resp.Body, 4<<20); err != nil || n != 4<<20 {
		t.Fatalf("read %d bytes of the body: %v", n, err)
	}
}

// TestEchoProxyQuotesCredentials: the proxy asks for credentials, then quotes them, decoded and encoded,
// in its status line, headers and page, for CONNECT and absolute-form requests.
func TestEchoProxyQuotesCredentials(t *testing.T) {
	const user, password = "alice", "p@ss:w/rd%1"
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	for _, req := range []string{"CONNECT x.example:443 HTTP/1.1\r\nHost: x.example:443\r\n",
		"GET http://x.example/ HTTP/1.1\r\nHost: x.example\r\n"} {
		px := EchoProxy(t, EchoOptions{})
		c := dialHostile(t, px.Addr)
		io.WriteString(c, req+"\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != http.StatusProxyAuthRequired {
			t.Fatalf("%q without credentials: %v, %v", req, resp, err)
		}
		c = dialHostile(t, px.Addr)
		io.WriteString(c, req+"Proxy-Authorization: "+auth+"\r\n\r\n")
		resp, err = http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		for _, form := range []string{password, user + ":" + password, url.QueryEscape(password), auth} {
			if !strings.Contains(resp.Status, form) || !strings.Contains(string(page), form) {
				t.Errorf("%q: the status %q or the page %q does not quote %q", req, resp.Status, page, form)
			}
		}
		if via := resp.Header.Get("Via"); !strings.Contains(via, password) {
			t.Errorf("%q: Via %q does not quote the password", req, via)
		}
		if !strings.Contains(resp.Status, "\x1b") || px.Echoed.Load() != 1 {
			t.Errorf("%q: status %q, %d answers quoted the credentials", req, resp.Status, px.Echoed.Load())
		}
	}
}
