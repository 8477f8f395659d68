package probe

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// socksScript is what a test SOCKS5 server answers at each step of the handshake.
type socksScript struct {
	version byte // of the method selection; 5 when zero
	method  byte // the method chosen
	status  byte // the RFC 1929 status, when the method is username/password
	reply   []byte
	tunnel  string // written after the reply: the tunnel's first bytes
	hangUp  bool   // close the connection after the reply
}

// socksSeen is what the client sent to a test SOCKS5 server.
type socksSeen struct {
	methods, user, password, request []byte
}

// replyCode is a whole RFC 1928 reply with code and an IPv4 bound address.
func replyCode(code byte) []byte { return []byte{5, code, 0, 1, 127, 0, 0, 1, 0x04, 0x38} }

// scriptedSOCKS5 starts a SOCKS5 server on loopback that answers as sc says; what each client sent is
// delivered on the channel when its connection ends.
func scriptedSOCKS5(t *testing.T, sc socksScript) (string, <-chan socksSeen) {
	seenc := make(chan socksSeen, 8)
	if sc.version == 0 {
		sc.version = 5
	}
	addr := testnet.Serve(t, func(c net.Conn) {
		var seen socksSeen
		defer func() { seenc <- seen }()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		seen.methods = readCounted(c, 1)
		c.Write([]byte{sc.version, sc.method})
		if sc.method == socksUserPass {
			seen.user = readCounted(c, 1)
			seen.password = readCounted(c, 0)
			c.Write([]byte{1, sc.status})
		}
		head := make([]byte, 5)
		if _, err := io.ReadFull(c, head); err != nil {
			return
		}
		rest := map[byte]int{1: 3 + 2, 3: int(head[4]) + 2, 4: 15 + 2}[head[3]]
		tail := make([]byte, rest)
		io.ReadFull(c, tail)
		seen.request = append(head, tail...)
		c.Write(sc.reply)
		io.WriteString(c, sc.tunnel)
		if !sc.hangUp {
			io.Copy(io.Discard, c)
		}
	}).Addr
	return addr, seenc
}

// readCounted reads skip bytes, then a count byte and that many bytes, which it returns.
func readCounted(c net.Conn, skip int) []byte {
	b := make([]byte, skip+1)
	if _, err := io.ReadFull(c, b); err != nil {
		return nil
	}
	v := make([]byte, b[skip])
	io.ReadFull(c, v)
	return v
}

// TestSOCKSRefusalsAreClassified feeds every RFC 1928 reply code, unassigned ones, and every refusal of
// authentication, and checks the class read from the value and the facts that carry it: the step, the
// value the proxy answered with, whether the proxy URL has credentials.
func TestSOCKSRefusalsAreClassified(t *testing.T) {
	reply := func(code byte) SOCKSFacts { return SOCKSFacts{Step: SOCKSConnect, Refused: true, Code: code} }
	cases := []struct {
		name     string
		sc       socksScript
		userinfo string
		class    Class
		want     SOCKSFacts
	}{
		// The words of each code (general SOCKS server failure, connection not allowed by ruleset, ...,
		// unassigned code) are pkg/report's: here, the code and the class it stands for.
		{"reply 1", socksScript{reply: replyCode(1)}, "", ClassProxyUpstreamFailed, reply(1)},
		{"reply 2", socksScript{reply: replyCode(2)}, "", ClassProxyDenied, reply(2)},
		{"reply 3", socksScript{reply: replyCode(3)}, "", ClassProxyUpstreamFailed, reply(3)},
		{"reply 4", socksScript{reply: replyCode(4)}, "", ClassProxyUpstreamFailed, reply(4)},
		{"reply 5", socksScript{reply: replyCode(5)}, "", ClassProxyUpstreamFailed, reply(5)},
		{"reply 6", socksScript{reply: replyCode(6)}, "", ClassProxyUpstreamFailed, reply(6)},
		{"reply 7", socksScript{reply: replyCode(7)}, "", ClassProxyDenied, reply(7)},
		{"reply 8", socksScript{reply: replyCode(8)}, "", ClassProxyDenied, reply(8)},
		{"reply 9", socksScript{reply: replyCode(9)}, "", ClassProxyDenied, reply(9)},
		{"reply 255", socksScript{reply: replyCode(255)}, "", ClassProxyDenied, reply(255)},
		{"reply 4 after authentication", socksScript{method: socksUserPass, reply: replyCode(4)}, "bob:s3cret@",
			ClassProxyUpstreamFailed, SOCKSFacts{Step: SOCKSConnect, Refused: true, Code: 4, Credentials: true}},
		// No acceptable authentication methods, and the proxy URL has no username and password.
		{"no acceptable method", socksScript{method: 0xff}, "", ClassProxyAuthRequired,
			SOCKSFacts{Step: SOCKSGreeting, Refused: true, Code: 0xff}},
		// It accepts neither no authentication nor a username and password.
		{"no acceptable method with credentials", socksScript{method: 0xff}, "bob:s3cret@", ClassProxyAuthRequired,
			SOCKSFacts{Step: SOCKSGreeting, Refused: true, Code: 0xff, Credentials: true}},
		// It refused the username and password of the proxy URL (RFC 1929 status 1).
		{"credentials refused", socksScript{method: socksUserPass, status: 1}, "bob:s3cret@", ClassProxyAuthRequired,
			SOCKSFacts{Step: SOCKSCredentials, Refused: true, Code: 1, Credentials: true}},
		{"credentials refused, status 255", socksScript{method: socksUserPass, status: 0xff}, "bob:s3cret@", ClassProxyAuthRequired,
			SOCKSFacts{Step: SOCKSCredentials, Refused: true, Code: 0xff, Credentials: true}},
		// It asks for a username and password, and the proxy URL has none.
		{"username and password asked, none given", socksScript{method: socksUserPass}, "", ClassProxyAuthRequired,
			SOCKSFacts{Step: SOCKSGreeting, Refused: true, Code: socksUserPass}},
		// RFC 1929 takes a username of 1 to 255 bytes: those of the proxy URL cannot be sent.
		{"password without a username", socksScript{method: socksUserPass}, ":s3cret@", ClassProxyAuthRequired,
			SOCKSFacts{Step: SOCKSGreeting, Refused: true, Code: socksUserPass, Credentials: true, TooLong: true}},
		// Authentication method 1, which arccheck does not speak.
		{"GSSAPI asked", socksScript{method: 1}, "bob:s3cret@", ClassProxyAuthRequired,
			SOCKSFacts{Step: SOCKSGreeting, Refused: true, Code: 1, Credentials: true}},
		// It did not answer the greeting as a SOCKS5 server: version 4.
		{"not SOCKS5", socksScript{version: 4}, "", ClassProxyUnreachable, SOCKSFacts{Step: SOCKSGreeting, Version: 4}},
		// It did not reply to the CONNECT as a SOCKS5 server.
		{"reply not SOCKS5", socksScript{reply: []byte{4, 0, 0, 1, 0, 0, 0, 0, 0, 0}}, "", ClassProxyUnreachable,
			SOCKSFacts{Step: SOCKSConnect, Version: 4}},
		// A malformed reply: its reserved byte, its address type.
		{"reserved byte set", socksScript{reply: []byte{5, 0, 1, 1, 0, 0, 0, 0, 0, 0}}, "", ClassProxyUnreachable,
			SOCKSFacts{Step: SOCKSConnect, Malformed: true, Reserved: 1, AddrType: 1}},
		{"unknown address type", socksScript{reply: []byte{5, 0, 0, 9, 0, 0, 0, 0, 0, 0}}, "", ClassProxyUnreachable,
			SOCKSFacts{Step: SOCKSConnect, Malformed: true, AddrType: 9}},
		// Reading the reply to the SOCKS CONNECT failed.
		{"reply cut short", socksScript{reply: []byte{5, 0, 0, 1, 0}, hangUp: true}, "", ClassProxyUnreachable,
			SOCKSFacts{Step: SOCKSConnect, Reading: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, _ := scriptedSOCKS5(t, tc.sc)
			px := mustProxy(t, "socks5h://"+tc.userinfo+addr)
			s, err := dialSOCKS(context.Background(), px, "management.azure.com:443", 0)
			var pe *ProxyError
			require.ErrorAs(t, err, &pe)
			assert.Nil(t, s.conn)
			assert.Equal(t, tc.class, pe.Class, err.Error())
			f := pe.finding(context.Background())
			assert.Equal(t, tc.class, f.Class)
			assert.Equal(t, CauseSOCKS, f.Cause)
			require.NotNil(t, f.SOCKS, err.Error())
			assert.Equal(t, tc.want, *f.SOCKS, err.Error())
			assert.Equal(t, "socks5h://"+addr, f.Proxy, "the proxy, without its credentials")
			assert.Equal(t, "management.azure.com:443", f.Connect)
			if tc.want.Reading {
				assert.NotEmpty(t, f.Err, "the connection's error")
			} else {
				assert.Empty(t, f.Err, "the proxy's answer ended it, no error of the connection's")
			}
			assert.Contains(t, err.Error(), "proxy socks5h://"+addr)
			assert.NotContains(t, err.Error(), "s3cret")
			assert.NotContains(t, factText(&f), "s3cret")
		})
	}
}

// TestSOCKSTunnel: a success reply opens the tunnel, whatever the bound address's type, and the bytes
// after the reply are the tunnel's; credentials are sent only when the proxy asks for them.
func TestSOCKSTunnel(t *testing.T) {
	bound := map[string][]byte{
		"IPv4":   replyCode(0),
		"IPv6":   append([]byte{5, 0, 0, 4}, append(net.IPv6loopback, 0x04, 0x38)...),
		"domain": append(append([]byte{5, 0, 0, 3, 11}, "proxy.local"...), 0x04, 0x38),
	}
	for name, reply := range bound {
		for _, method := range []byte{socksNoAuth, socksUserPass} {
			t.Run(fmt.Sprintf("%s, method %d", name, method), func(t *testing.T) {
				addr, seenc := scriptedSOCKS5(t, socksScript{method: method, reply: reply, tunnel: "HELLO"})
				s, err := dialSOCKS(context.Background(), mustProxy(t, "socks5h://bob:s3cret@"+addr), "management.azure.com:443", 0)
				require.NoError(t, err)
				buf := make([]byte, 5)
				_, err = io.ReadFull(s.conn, buf)
				require.NoError(t, err)
				assert.Equal(t, "HELLO", string(buf))
				s.conn.Close()
				seen := <-seenc
				assert.Equal(t, []byte{socksNoAuth, socksUserPass}, seen.methods)
				assert.Equal(t, method == socksUserPass, s.authenticated)
				if method == socksUserPass {
					assert.Equal(t, "bob", string(seen.user))
					assert.Equal(t, "s3cret", string(seen.password))
				} else {
					assert.Nil(t, seen.user, "no credentials unasked")
				}
			})
		}
	}
}

// TestSOCKSRequest: a name goes to the proxy as a name (socks5h: the proxy resolves it), an address as
// an IPv4 or IPv6 address; only "no authentication" is offered without credentials.
func TestSOCKSRequest(t *testing.T) {
	cases := []struct {
		addr string
		want []byte
	}{
		{"management.azure.com:443", append(append([]byte{5, 1, 0, 3, 20}, "management.azure.com"...), 1, 187)},
		{"192.0.2.7:8443", []byte{5, 1, 0, 1, 192, 0, 2, 7, 0x20, 0xfb}},
		{"[::ffff:192.0.2.7]:443", []byte{5, 1, 0, 1, 192, 0, 2, 7, 1, 187}},
		{"[2001:db8::1]:443", []byte{5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 187}},
		{"[fe80::1%eth0]:80", []byte{5, 1, 0, 4, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80}},
	}
	for _, tc := range cases {
		addr, seenc := scriptedSOCKS5(t, socksScript{reply: replyCode(0)})
		s, err := dialSOCKS(context.Background(), mustProxy(t, "socks5h://"+addr), tc.addr, 0)
		require.NoError(t, err, tc.addr)
		s.conn.Close()
		seen := <-seenc
		assert.Equal(t, []byte{socksNoAuth}, seen.methods, tc.addr)
		assert.Equal(t, tc.want, seen.request, tc.addr)
	}
	for _, bad := range []string{"management.azure.com", "h:0", "h:65536", "h:x"} {
		_, err := socksRequest(bad)
		assert.Error(t, err, bad)
	}
}

// TestSOCKSStepsOfATimeout: a proxy that goes silent is named by the last answer it gave.
func TestSOCKSStepsOfATimeout(t *testing.T) {
	halfReply, _ := scriptedSOCKS5(t, socksScript{reply: []byte{5, 0, 0, 1, 0}})
	cases := []struct {
		addr, userinfo string
		class          Class
		// step is the step the proxy did not answer before the timeout; answered the one whose answer it
		// began and did not finish.
		step, answered SOCKSStep
	}{
		// It did not answer the SOCKS greeting before the timeout.
		{testnet.StallingSOCKS(t, testnet.StallBeforeGreeting).Addr, "", ClassProxyUnreachable, SOCKSGreeting, ""},
		// It asked for a username and password and did not answer them.
		{testnet.StallingSOCKS(t, testnet.StallAtAuthentication).Addr, "bob:s3cret@", ClassProxyUnreachable, SOCKSCredentials, ""},
		// It did not answer the SOCKS CONNECT before the timeout.
		{testnet.StallingSOCKS(t, testnet.StallAfterGreeting).Addr, "", ClassProxyUpstreamFailed, SOCKSConnect, ""},
		// It began its reply to the SOCKS CONNECT but did not finish it.
		{halfReply, "", ClassProxyUnreachable, SOCKSConnect, SOCKSConnect},
	}
	for _, tc := range cases {
		px := mustProxy(t, "socks5h://"+tc.userinfo+tc.addr)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := dialSOCKS(ctx, px, "management.azure.com:443", 0)
		cancel()
		var pe *ProxyError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, tc.class, pe.Class, err.Error())
		assert.Equal(t, CauseSOCKS, pe.Cause)
		require.NotNil(t, pe.Facts.SOCKS, err.Error())
		s := pe.Facts.SOCKS
		assert.Equal(t, tc.step, s.Step, err.Error())
		assert.Equal(t, tc.answered, s.Answered, err.Error())
		assert.True(t, s.TimedOut, "%s: before the timeout", err.Error())
		assert.False(t, s.Refused, err.Error())
		assert.Equal(t, "management.azure.com:443", pe.Facts.Connect)
		assert.Equal(t, "socks5h://"+tc.addr, pe.Proxy)
	}
}
