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

// TestNoRoute: in a namespace with no route to the address (no default route), the connection fails at
// once as no_route, this server's routing table's doing, never as a firewall's refusal.
func TestNoRoute(t *testing.T) {
	ns := testnet.NewNetns(t)
	for _, host := range []string{"192.0.2.1", "2001:db8::1"} { // TEST-NET-1 and the IPv6 documentation prefix
		var r Result
		ns.Run(t, func() {
			r = New(Options{Timeout: 5 * time.Second}).Probe(context.Background(), Target{Scheme: "https", Host: host, Port: 443})
		})
		require.NotNil(t, r.Failure, host)
		assert.Equal(t, ClassNoRoute, r.Failure.Class, factsJSON(r.Failure))
		assert.Equal(t, PhaseTCP, r.Failure.Phase)
		assert.Contains(t, r.Failure.Err, "network is unreachable")
		assert.Equal(t, "network is unreachable", r.Failure.Detail)
		assert.Equal(t, netip.MustParseAddr(host), r.Failure.NoRouteTo, "this server's own routing table has no route to the address")
	}
}

// TestNoRouteToTheProxy: a proxy this server has no route to is no_route too, in the proxy phase, naming
// the proxy's address.
func TestNoRouteToTheProxy(t *testing.T) {
	ns := testnet.NewNetns(t)
	px, err := ParseProxy("http://192.0.2.9:3128", "--proxy")
	require.NoError(t, err)
	var r Result
	ns.Run(t, func() {
		r = New(Options{Timeout: 5 * time.Second, Proxy: &ProxyConfig{HTTPS: px}}).Probe(context.Background(),
			Target{Scheme: "https", Host: "management.azure.com", Port: 443})
	})
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassNoRoute, r.Failure.Class, factsJSON(r.Failure))
	assert.Equal(t, PhaseProxy, r.Failure.Phase)
	assert.Equal(t, CauseProxyDial, r.Failure.Cause)
	assert.Equal(t, "http://192.0.2.9:3128", r.Failure.Proxy)
	assert.Equal(t, netip.MustParseAddr("192.0.2.9"), r.Failure.NoRouteTo)
}

// TestUnreachableFromTheNetwork: an ICMP unreachable or prohibited answer from a firewall on the way,
// which Linux reports with the same errors as a missing route, stays a refusal: the route exists.
func TestUnreachableFromTheNetwork(t *testing.T) {
	ns := testnet.NewNetns(t)
	cases := []struct {
		reject string // iptables' --reject-with
		v6     bool
		msg    string // the error the system reports
	}{
		{"icmp-host-prohibited", false, "no route to host"},
		{"icmp-host-unreachable", false, "no route to host"},
		{"icmp-net-unreachable", false, "network is unreachable"},
		{"icmp-admin-prohibited", false, "no route to host"},
		{"icmp6-addr-unreachable", true, "no route to host"},
		{"icmp6-no-route", true, "network is unreachable"},
	}
	for _, c := range cases {
		t.Run(c.reject, func(t *testing.T) {
			v4, v6 := ns.NewHost(t)
			host := v4
			if c.v6 {
				host = v6
			}
			ns.Listen(t, "tcp", netip.AddrPortFrom(host, 443).String()) // the firewall, not the server, answers
			ns.Iptables(t, "-A", "INPUT", "-d", host.String(), "-p", "tcp", "-j", "REJECT", "--reject-with", c.reject)
			r := New(Options{Timeout: 5 * time.Second}).Probe(context.Background(), Target{Scheme: "https", Host: host.String(), Port: 443})
			require.NotNil(t, r.Failure)
			assert.Equal(t, ClassTCPRefused, r.Failure.Class, factsJSON(r.Failure))
			assert.Equal(t, PhaseTCP, r.Failure.Phase)
			assert.Contains(t, r.Failure.Err, c.msg, "the firewall's answer is the error a missing route gives")
			assert.Equal(t, c.msg, r.Failure.Detail)
			assert.False(t, r.Failure.NoRouteTo.IsValid(), "not this server's routing table")
		})
	}
}
