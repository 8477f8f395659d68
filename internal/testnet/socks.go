package testnet

import (
	"io"
	"net"
	"testing"
	"time"
)

// SOCKSStall says where a stalling SOCKS5 server goes silent.
type SOCKSStall int

// The places a stalling SOCKS5 server goes silent.
const (
	// StallBeforeGreeting: it accepts the connection and never answers the greeting, as a port that is not
	// a SOCKS server, or a proxy that hangs.
	StallBeforeGreeting SOCKSStall = iota
	// StallAfterGreeting: it answers the greeting (no authentication) and never answers the CONNECT, as a
	// proxy still trying a destination that drops its packets.
	StallAfterGreeting
	// StallAtAuthentication: it asks for a username and password (RFC 1929) and never answers them, as a
	// proxy whose user directory does not answer.
	StallAtAuthentication
)

// StallingSOCKS starts a SOCKS5 server on loopback that goes silent at stall. It holds each connection
// until the client closes it or the test ends.
func StallingSOCKS(t testing.TB, stall SOCKSStall) *SOCKS {
	srv := listen(t, "", func(c net.Conn) {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		if !readSOCKSGreeting(c) {
			return
		}
		switch stall {
		case StallAfterGreeting:
			c.Write([]byte{5, 0})
		case StallAtAuthentication:
			c.Write([]byte{5, 2})
		}
		io.Copy(io.Discard, c)
	})
	return &SOCKS{Addr: srv.Addr}
}
