package probe

import (
	"net/netip"
	"slices"
	"strings"
)

// sinkholes are the ranges no server on a network has an address in: what a DNS filter (Pi-hole, a
// resolver's blocklist or response policy zone, a DNS firewall) or a hosts-file entry answers for a name
// it blocks, rather than NXDOMAIN.
var sinkholes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network": 0.0.0.0, the usual null answer
	netip.MustParsePrefix("127.0.0.0/8"),        // loopback
	netip.MustParsePrefix("169.254.0.0/16"),     // IPv4 link-local
	netip.MustParsePrefix("255.255.255.255/32"), // limited broadcast
	netip.MustParsePrefix("::/128"),             // unspecified
	netip.MustParsePrefix("::1/128"),            // loopback
	netip.MustParsePrefix("fe80::/10"),          // IPv6 link-local
}

// isSinkhole reports whether no server on a network can have the address.
func isSinkhole(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	for _, p := range sinkholes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// loopbackName reports whether host names this machine by nature (RFC 6761's localhost and its
// subdomains, and the names Linux distributions give loopback in /etc/hosts): its loopback answer is
// the right one, not a filter's.
func loopbackName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	switch h {
	case "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback":
		return true
	}
	return strings.HasSuffix(h, ".localhost") || strings.HasSuffix(h, ".localhost.localdomain")
}

// filteredAnswer reports whether a DNS answer for host holds only addresses no server has, as a finding.
func filteredAnswer(phase Phase, host string, addrs []netip.Addr) (Finding, bool) {
	if len(addrs) == 0 || loopbackName(host) {
		return Finding{}, false
	}
	for _, a := range addrs {
		if !isSinkhole(a) {
			return Finding{}, false
		}
	}
	return Finding{Class: ClassDNSFiltered, Phase: phase,
		Facts: Facts{Host: host, Addrs: slices.SortedFunc(slices.Values(addrs), netip.Addr.Compare)}}, true
}
