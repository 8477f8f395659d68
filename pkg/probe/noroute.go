package probe

import (
	"errors"
	"net"
	"net/netip"
)

// unreachable reports whether err says the network or host is unreachable (ENETUNREACH, EHOSTUNREACH):
// either this machine has no route, or a router or firewall on the way answered with an ICMP
// unreachable or prohibited message, which the system reports with the same errors.
func unreachable(err error) bool {
	for _, errno := range unreachableErrnos {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// noRouteHere reports whether err is an unreachable error that this machine's routing table raised, not
// an answer from the network: a UDP "connection" to the same address, which consults the routes and
// sends nothing, fails the same way.
func noRouteHere(err error) bool {
	if !unreachable(err) {
		return false
	}
	var oe *net.OpError
	if !errors.As(err, &oe) {
		return false
	}
	to, ok := oe.Addr.(*net.TCPAddr)
	if !ok || to.IP == nil {
		return false
	}
	port := to.Port
	if port == 0 {
		port = 9 // connect(2) wants a port; no packet is sent to it
	}
	c, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: to.IP, Port: port, Zone: to.Zone})
	if err == nil {
		c.Close()
		return false
	}
	return unreachable(err)
}

// noRouteTo is the address of a failure that noRouteHere recognised; invalid when the error does not say.
func noRouteTo(err error) netip.Addr {
	var oe *net.OpError
	if errors.As(err, &oe) {
		if a, ok := oe.Addr.(*net.TCPAddr); ok {
			if ip, ok := netip.AddrFromSlice(a.IP); ok {
				return ip.Unmap()
			}
		}
	}
	return netip.Addr{}
}
