package probe

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func TestParseOverride(t *testing.T) {
	good := []struct {
		in, key string
		addrs   []netip.Addr
	}{
		{"Management.Azure.com:443:127.0.0.1", "management.azure.com:443", addrs("127.0.0.1")},
		{"x.example:*:[::1]", "x.example:*", addrs("::1")},
		{"x.example:443:::1", "x.example:443", addrs("::1")},
		{"x.example:443:127.0.0.2,[::1],127.0.0.3", "x.example:443", addrs("127.0.0.2", "::1", "127.0.0.3")},
		{"x.example:443:fe80::1%eth0", "x.example:443", addrs("fe80::1%eth0")},
		{"*:443:127.0.0.1", "*:443", addrs("127.0.0.1")},
		{"*:*:127.0.0.1", "*:*", addrs("127.0.0.1")},
		{"x.example:0443:127.0.0.1", "x.example:443", addrs("127.0.0.1")}, // the key Match looks for
		{"bücher.example:443:127.0.0.1", "xn--bcher-kva.example:443", addrs("127.0.0.1")},
		{"BÜCHER.example:80:127.0.0.1", "xn--bcher-kva.example:80", addrs("127.0.0.1")},
	}
	for _, tc := range good {
		key, got, err := ParseOverride(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.key, key, tc.in)
		assert.Equal(t, tc.addrs, got, tc.in)
	}
	for _, bad := range []string{"x.example", "x.example:443", "x.example:443:", "x.example:99999:127.0.0.1",
		"x.example:0:127.0.0.1", "x.example:+443:127.0.0.1", "x.example:443:not-ip", ":443:127.0.0.1",
		"+x.example:443:127.0.0.1", "-x.example:443:127.0.0.1", "x.example:443:127.0.0.1,", "x.example:443:[::1",
		"x.example:443:127.0.0.1,bad", "x y.example:443:127.0.0.1", "x/y.example:443:127.0.0.1", "x.e\xb0ample:443:127.0.0.1"} {
		_, _, err := ParseOverride(bad)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), strconv.Quote(bad), "the error shows the entry")
	}
	_, _, err := ParseOverride("+x.example:443:127.0.0.1")
	assert.Contains(t, err.Error(), "+ prefix")
}

func TestOverridesMatch(t *testing.T) {
	ov := Overrides{}
	for _, s := range []string{"a.example:443:127.0.0.1", "a.example:*:127.0.0.2", "*:443:127.0.0.3", "*:*:127.0.0.4",
		"bücher.example:443:127.0.0.5"} {
		key, a, err := ParseOverride(s)
		require.NoError(t, err)
		ov[key] = a
	}
	cases := []struct {
		host string
		port int
		key  string
		addr string
	}{
		{"a.example", 443, "a.example:443", "127.0.0.1"},
		{"A.Example", 443, "a.example:443", "127.0.0.1"},
		{"a.example", 80, "a.example:*", "127.0.0.2"},
		{"b.example", 443, "*:443", "127.0.0.3"},
		{"b.example", 80, "*:*", "127.0.0.4"},
		{"xn--bcher-kva.example", 443, "xn--bcher-kva.example:443", "127.0.0.5"},
		{"bücher.example", 443, "xn--bcher-kva.example:443", "127.0.0.5"},
	}
	for _, tc := range cases {
		key, a, ok := ov.Match(tc.host, tc.port)
		require.True(t, ok, tc.host)
		assert.Equal(t, tc.key, key, tc.host)
		assert.Equal(t, addrs(tc.addr), a, tc.host)
	}
	delete(ov, "*:*")
	_, _, ok := ov.Match("b.example", 80)
	assert.False(t, ok)
	_, _, ok = Overrides(nil).Match("a.example", 443)
	assert.False(t, ok)
}

// TestOverrideAddressesAreTriedInOrder: a Unicode override reaches a target named in punycode, and
// several addresses are tried in order, as DNS answers are.
func TestOverrideAddressesAreTriedInOrder(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	refused := testnet.RandomLoopback() // nothing listens on the server's port there
	key, a, err := ParseOverride("bücher.example:" + strconv.Itoa(srv.Port) + ":" + refused + ",127.0.0.1")
	require.NoError(t, err)
	r := New(Options{Overrides: Overrides{key: a}, Timeout: 5 * time.Second}).Probe(context.Background(),
		Target{Scheme: "http", Host: "xn--bcher-kva.example", Port: srv.Port, EvidenceHeaders: evidence})
	require.True(t, r.Reachable, "%+v", r.Failure)
	assert.Equal(t, SourceOverride, r.DNS.Source.Kind)
	require.Len(t, r.TCP.Attempts, 2)
	assert.Equal(t, refused, r.TCP.Attempts[0].Address.Addr().String())
	assert.Contains(t, r.TCP.Attempts[0].Error, "refused")
	assert.Equal(t, srv.Addr, r.TCP.Address.String())
}

// TestConnectBudgetIsSharedWithoutFloor: three black-holed addresses before the good one, within a
// one-second connect timeout: each dead address takes only its share, and the good one is reached.
func TestConnectBudgetIsSharedWithoutFloor(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	var list []netip.Addr
	for range 3 {
		list = append(list, netip.MustParseAddrPort(testnet.BlackHoleOn(t, srv.Port)).Addr())
	}
	list = append(list, netip.MustParseAddr("127.0.0.1"))
	r := New(Options{Overrides: Overrides{"multi.example:*": list}, Timeout: 5 * time.Second, ConnectTimeout: time.Second}).
		Probe(context.Background(), Target{Scheme: "http", Host: "multi.example", Port: srv.Port, EvidenceHeaders: evidence})
	require.True(t, r.Reachable, "%+v", r.Failure)
	require.Len(t, r.TCP.Attempts, 4)
	for i, at := range r.TCP.Attempts[:3] {
		assert.Equal(t, list[i], at.Address.Addr())
		assert.NotEmpty(t, at.Error, "black hole %d", i)
	}
	assert.Empty(t, r.TCP.Attempts[3].Error)
	assert.Equal(t, srv.Addr, r.TCP.Address.String())
}

func TestParseDNSServer(t *testing.T) {
	for in, want := range map[string]string{"127.0.0.1": "127.0.0.1:53", "[::1]:5353": "[::1]:5353", "::1": "[::1]:53",
		"10.0.0.4:53": "10.0.0.4:53"} {
		s, err := ParseDNSServer(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, s.String())
	}
	for _, bad := range []string{"dns.example", "", "127.0.0.53:0", "127.0.0.1:99999", "127.0.0.1:"} {
		_, err := ParseDNSServer(bad)
		assert.Error(t, err, bad)
	}
	_, err := NewServerResolver("")
	assert.Error(t, err)
}

// TestDNSErrorsNameTheServerAsked: the resolver's errors name the server given, not resolv.conf's.
func TestDNSErrorsNameTheServerAsked(t *testing.T) {
	for _, mode := range []testnet.DNSBehaviour{testnet.DNSNXDomain, testnet.DNSSilent} {
		dns := testnet.NewDNSServer(t, mode, nil)
		res, err := NewServerResolver(dns.Addr)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
		_, err = res.Lookup(ctx, "nowhere.example")
		cancel()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "on "+dns.Addr+":", "mode %d", mode)

		r := New(Options{Resolver: res, Timeout: 700 * time.Millisecond}).Probe(context.Background(),
			Target{Scheme: "https", Host: "nowhere.example", Port: 443})
		require.NotNil(t, r.Failure)
		assert.Contains(t, r.Failure.Err, "on "+dns.Addr+":", "mode %d", mode)
		assert.Equal(t, map[testnet.DNSBehaviour]Class{testnet.DNSNXDomain: ClassDNSNotFound, testnet.DNSSilent: ClassDNSTimeout}[mode],
			r.Failure.Class)
	}
}

func TestTargetURL(t *testing.T) {
	cases := map[string]Target{
		"https://management.azure.com/":         {Scheme: "https", Host: "management.azure.com", Port: 443, Path: "/"},
		"http://www.microsoft.com/pkiops/certs": {Scheme: "http", Host: "www.microsoft.com", Port: 80, Path: "/pkiops/certs"},
		"https://x.example:8443":                {Scheme: "https", Host: "x.example", Port: 8443},
		"https://[2001:db8::1]":                 {Scheme: "https", Host: "2001:db8::1", Port: 443},
		"https://[fe80::1%25eth0]":              {Scheme: "https", Host: "fe80::1%eth0", Port: 443},
		"https://[fe80::1%25eth0]:8443":         {Scheme: "https", Host: "fe80::1%eth0", Port: 8443},
		"http://127.0.0.1:8080":                 {Scheme: "http", Host: "127.0.0.1", Port: 8080},
	}
	for want, tg := range cases {
		assert.Equal(t, want, tg.URL(), tg.Host)
		assert.False(t, strings.Contains(tg.URL(), "[["), tg.Host)
	}
}
