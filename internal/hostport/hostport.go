// Package hostport writes a target's host and port the one way arccheck writes them: in a URL, and as
// the address to dial. pkg/endpoints and pkg/probe both write targets with it, so the URL a selection
// lists is the URL the probe reports, and it parses back to the same host and port.
package hostport

import (
	"net"
	"strconv"
	"strings"
)

// DefaultPort returns the port a URL of scheme leaves out: 443 for https, 80 for http, 0 for any other.
func DefaultPort(scheme string) int {
	switch scheme {
	case "https":
		return 443
	case "http":
		return 80
	}
	return 0
}

// URL writes scheme://Authority(scheme, host, port) followed by path, which is written as it is: a path
// and query already escaped, or "".
func URL(scheme, host string, port int, path string) string {
	return scheme + "://" + Authority(scheme, host, port) + path
}

// Authority writes host[:port] as in a URL or a Host header: the port left out when it is the scheme's
// default, an IPv6 literal in brackets with its zone written %25zone (RFC 6874: fe80::1%eth0 is
// [fe80::1%25eth0]), so that the URL parses back to the same host. (Go's HTTP client leaves the zone out
// of the Host header it sends, as RFC 6874 asks.)
func Authority(scheme, host string, port int) string {
	h := Unbracketed(host)
	ipv6 := strings.Contains(h, ":")
	h = strings.ReplaceAll(h, "%", "%25") // an IPv6 zone's '%', the only one a valid host has
	if ipv6 {
		h = "[" + h + "]"
	}
	if d := DefaultPort(scheme); d != 0 && port == d {
		return h
	}
	return h + ":" + strconv.Itoa(port)
}

// Address writes host:port to dial, as net.JoinHostPort does: an IPv6 literal in brackets with its zone
// as the dialler reads it ([fe80::1%eth0]:443), and the port always written.
func Address(host string, port int) string {
	return net.JoinHostPort(Unbracketed(host), strconv.Itoa(port))
}

// Unbracketed is host without the brackets an IPv6 literal may come in ("[::1]" is "::1"), so that
// neither form writes "[[::1]]" and an address parses; any other host is returned as it is.
func Unbracketed(host string) string {
	if inner, ok := strings.CutPrefix(host, "["); ok {
		if inner, ok := strings.CutSuffix(inner, "]"); ok {
			return inner
		}
	}
	return host
}
