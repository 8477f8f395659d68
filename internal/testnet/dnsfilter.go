package testnet

import (
	"net/netip"
	"testing"
)

// Sinkhole is what a filtering DNS resolver answers for a name it blocks, instead of NXDOMAIN.
type Sinkhole int

// The sinkhole answers of filtering resolvers.
const (
	// SinkholeNull is 0.0.0.0 and :: (Pi-hole's default, AdGuard's "null IP", most DNS firewalls).
	SinkholeNull Sinkhole = iota
	// SinkholeNullIPv4 is 0.0.0.0 and no AAAA record (Pi-hole's IP-NODATA-AAAA).
	SinkholeNullIPv4
	// SinkholeLoopback is 127.0.0.1 and ::1 (hosts-file blocklists, some resolvers' block pages).
	SinkholeLoopback
	// SinkholeLinkLocal is 169.254.1.1 and fe80::1.
	SinkholeLinkLocal
)

// sinkholeRecords are the records of each sinkhole answer.
var sinkholeRecords = map[Sinkhole]DNSRecord{
	SinkholeNull:      {A: []netip.Addr{netip.IPv4Unspecified()}, AAAA: []netip.Addr{netip.IPv6Unspecified()}},
	SinkholeNullIPv4:  {A: []netip.Addr{netip.IPv4Unspecified()}},
	SinkholeLoopback:  {A: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, AAAA: []netip.Addr{netip.IPv6Loopback()}},
	SinkholeLinkLocal: {A: []netip.Addr{netip.MustParseAddr("169.254.1.1")}, AAAA: []netip.Addr{netip.MustParseAddr("fe80::1")}},
}

// NewDNSFilter starts a DNS server on 127.0.0.1 that answers as a filtering resolver does: each name of
// blocked with its sinkhole answer, each name of allowed with its addresses (as NewDNSServer), and
// other names NXDOMAIN.
func NewDNSFilter(t testing.TB, blocked map[string]Sinkhole, allowed map[string][]string) *DNSServer {
	t.Helper()
	s := NewDNSServer(t, DNSAnswer, allowed)
	for name, how := range blocked {
		rec, ok := sinkholeRecords[how]
		if !ok {
			t.Fatalf("no sinkhole answer %d", how)
		}
		s.Set(name, rec)
	}
	return s
}
