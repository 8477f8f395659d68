//go:build linux

package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// manyAddresses are n addresses counting up from first.
func manyAddresses(first string, n int) []netip.Addr {
	out := make([]netip.Addr, 0, n)
	for a := netip.MustParseAddr(first); len(out) < n; a = a.Next() {
		out = append(out, a)
	}
	return out
}

// TestHugeDNSAnswerIsBounded: an answer of thousands of records (over TCP, after a truncated UDP answer)
// keeps maxAddresses of them, both families sharing the places; nothing is dialled here.
func TestHugeDNSAnswerIsBounded(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSAnswer, nil)
	dns.Set("v4.example", testnet.DNSRecord{A: manyAddresses("198.18.0.1", 4000)})
	dns.Set("dual.example", testnet.DNSRecord{A: manyAddresses("198.18.0.1", 4000), AAAA: manyAddresses("2001:db8::1", 2000)})
	dns.Set("few6.example", testnet.DNSRecord{A: manyAddresses("198.18.0.1", 4000), AAAA: manyAddresses("2001:db8::1", 3)})
	res, err := NewServerResolver(dns.Addr)
	require.NoError(t, err)
	for host, want := range map[string][2]int{"v4.example": {32, 0}, "dual.example": {16, 16}, "few6.example": {29, 3}} {
		before := dns.TCPQueries.Load()
		addrs, err := res.Lookup(context.Background(), host)
		require.NoError(t, err, host)
		assert.Equal(t, want, families(addrs), host)
		assert.Positive(t, dns.TCPQueries.Load()-before, "%s: the answer came over TCP, after a truncated one", host)
	}
}

// TestAllAddressesProbeIsBounded: the all-addresses probe of a name with thousands of addresses opens
// at most maxAddresses connections. (The name is a .localhost name so that its loopback answer counts.)
func TestAllAddressesProbeIsBounded(t *testing.T) {
	port := netip.MustParseAddrPort(testnet.RefusedPort(t)).Port()
	dns := testnet.NewDNSServer(t, testnet.DNSAnswer, nil)
	dns.Set("many.localhost", testnet.DNSRecord{A: manyAddresses("127.1.0.1", 4000)})
	res, err := NewServerResolver(dns.Addr)
	require.NoError(t, err)
	r := New(Options{Resolver: res, AllAddresses: true, Timeout: 5 * time.Second}).Probe(context.Background(),
		Target{Scheme: "https", Host: "many.localhost", Port: int(port)})
	require.NotNil(t, r.Failure)
	assert.Len(t, r.DNS.Addresses, maxAddresses)
	assert.Len(t, r.Addresses, maxAddresses, "one probe per address kept")
	assert.LessOrEqual(t, len(r.TCP.Attempts), maxAddresses)
}

func TestCapAddresses(t *testing.T) {
	v4, v6 := manyAddresses("192.0.2.1", 40), manyAddresses("2001:db8::1", 40)
	cases := []struct {
		in     []netip.Addr
		v4, v6 int
	}{
		{v4[:10], 10, 0},
		{v4, 32, 0},
		{v6, 0, 32},
		{append(append([]netip.Addr{}, v4...), v6...), 16, 16},
		{append(append([]netip.Addr{}, v6[:5]...), v4...), 27, 5},
		{append(append([]netip.Addr{}, v6...), v4[:10]...), 10, 22},
	}
	for _, c := range cases {
		out := capAddresses(c.in, 32)
		for i := 1; i < len(out); i++ {
			assert.Less(t, indexOf(c.in, out[i-1]), indexOf(c.in, out[i]), "the order is kept")
		}
		assert.Equal(t, [2]int{c.v4, c.v6}, families(out))
	}
}

// families counts the IPv4 and the IPv6 addresses.
func families(addrs []netip.Addr) [2]int {
	var n [2]int
	for _, a := range addrs {
		if a.Is4() {
			n[0]++
		} else {
			n[1]++
		}
	}
	return n
}

func indexOf(addrs []netip.Addr, a netip.Addr) int {
	for i, b := range addrs {
		if b == a {
			return i
		}
	}
	return -1
}
