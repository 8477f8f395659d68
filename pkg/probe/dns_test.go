//go:build linux

package probe

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// probeMany probes t n times at once and returns the results.
func probeMany(p *Prober, t Target, n int) []Result {
	results := make([]Result, n)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = p.Probe(context.Background(), t) })
	}
	wg.Wait()
	return results
}

// assertDNSTimeouts checks that every result is a dns_timeout that names server.
func assertDNSTimeouts(t *testing.T, results []Result, server string) {
	t.Helper()
	for _, r := range results {
		require.NotNil(t, r.Failure)
		assert.Equal(t, ClassDNSTimeout, r.Failure.Class, factsJSON(r.Failure))
		assert.Equal(t, PhaseDNS, r.Failure.Phase)
		assert.Contains(t, r.Failure.Err, " on "+server+":", "the resolver's error names the server")
		assert.NotContains(t, factText(r.Failure), "closed network connection")
	}
}

// TestSilentDNSServerIsATimeout: a DNS server that never answers, over UDP or over TCP, or answers after
// the probe's deadline, is a dns_timeout every time, named after the server.
func TestSilentDNSServerIsATimeout(t *testing.T) {
	slow := testnet.NewDNSServer(t, testnet.DNSAnswer, nil)
	slow.Set("arc.example", testnet.DNSRecord{A: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Delay: time.Second})
	for name, dns := range map[string]*testnet.DNSServer{
		"silent":                   testnet.NewDNSServer(t, testnet.DNSSilent, nil),
		"truncated, silent on TCP": testnet.NewDNSServer(t, testnet.DNSSilentTCP, nil),
		"answers after a second":   slow,
	} {
		t.Run(name, func(t *testing.T) {
			res, err := NewServerResolver(dns.Addr)
			require.NoError(t, err)
			p := New(Options{Resolver: res, Timeout: 200 * time.Millisecond})
			assertDNSTimeouts(t, probeMany(p, Target{Scheme: "https", Host: "arc.example", Port: 443}, 40), dns.Addr)
		})
	}
}

// TestInterruptedLookupIsCanceled: a lookup cut short by the run's end (Ctrl-C) is canceled, not a timeout.
func TestInterruptedLookupIsCanceled(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSSilent, nil)
	res, err := NewServerResolver(dns.Addr)
	require.NoError(t, err)
	ctx, cancel := context.WithCancelCause(context.Background())
	asked := dns.Asked("arc.example")
	done := make(chan Result)
	go func() {
		done <- New(Options{Resolver: res, Timeout: time.Hour}).Probe(ctx, Target{Scheme: "https", Host: "arc.example", Port: 443})
	}()
	testnet.Await(t, asked, "the query")
	cancel(errors.New("interrupted by SIGTERM"))
	r := testnet.Await(t, done, "the probe's end after the cancel")
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassCanceled, r.Failure.Class, factsJSON(r.Failure))
	// The run's cause, the same for every probe it cut: the summary names it once.
	assert.Equal(t, CauseRunEnded, r.Failure.Cause)
	assert.Equal(t, "interrupted by SIGTERM", r.Failure.Err)
	assert.Empty(t, r.Failure.Detail, "the run's cause alone")
}

// TestResolverGivingUpIsATimeout: when the resolver's own timeouts (resolv.conf's timeout and attempts)
// run out before the probe's deadline, the lookup is still a dns_timeout, with the system resolver and
// with a DNS server given; and the hosts file's blocking entries are dns_filtered. resolv.conf and the
// hosts file are replaced in a child process's own mount namespace. The probe's timeout is an hour: a
// lookup that ended at all ended by the resolver's own timeouts.
func TestResolverGivingUpIsATimeout(t *testing.T) {
	const dnsEnv, hostsEnv = "ARCCHECK_TEST_DNS", "ARCCHECK_TEST_HOSTS"
	if os.Getenv(childEnv) != t.Name() {
		testnet.RequireNamespaceRoot(t, "the child process mounts its own resolv.conf in a mount namespace")
		dir := t.TempDir()
		ip := testnet.RandomLoopback()
		testnet.NewDNSServerAt(t, ip+":53", testnet.DNSSilent, nil)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver "+ip+"\noptions timeout:1 attempts:2\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "hosts"), []byte("0.0.0.0 ads.example\n127.0.0.1 blocked.example\n"), 0o644))
		inChild(t, &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}, dnsEnv+"="+ip+":53", hostsEnv+"="+dir)
		return
	}
	dir := os.Getenv(hostsEnv)
	for _, f := range []string{"resolv.conf", "hosts"} {
		require.NoError(t, syscall.Mount(filepath.Join(dir, f), "/etc/"+f, "", syscall.MS_BIND, ""))
	}
	server := os.Getenv(dnsEnv)
	res, err := NewServerResolver(server)
	require.NoError(t, err)
	for _, r := range []*Resolver{res, SystemResolver()} {
		p := New(Options{Resolver: r, Timeout: time.Hour})
		var results []Result
		testnet.Returns(t, "the lookups", func() {
			results = probeMany(p, Target{Scheme: "https", Host: "arc.example", Port: 443}, 40)
		})
		assertDNSTimeouts(t, results, server)

		for host, entry := range map[string]string{"ads.example": "0.0.0.0", "blocked.example": "127.0.0.1"} {
			r := p.Probe(context.Background(), Target{Scheme: "https", Host: host, Port: 443})
			require.NotNil(t, r.Failure)
			assert.Equal(t, ClassDNSFiltered, r.Failure.Class, factsJSON(r.Failure))
			assert.Equal(t, host, r.Failure.Host)
			assert.Equal(t, []netip.Addr{netip.MustParseAddr(entry)}, r.Failure.Addrs, "the hosts-file entry's address")
			assert.Nil(t, r.TCP)
		}
	}
}

// TestDNSFilterAnswers: a name a DNS filter answers with an address no server has fails as dns_filtered,
// in the phase that asked DNS, and nothing is dialled.
func TestDNSFilterAnswers(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	port := int(netip.MustParseAddrPort(srv.Addr).Port())
	dns := testnet.NewDNSFilter(t, map[string]testnet.Sinkhole{
		"null.example": testnet.SinkholeNull, "null4.example": testnet.SinkholeNullIPv4,
		"loop.example": testnet.SinkholeLoopback, "linklocal.example": testnet.SinkholeLinkLocal,
		"arc.localhost": testnet.SinkholeLoopback,
	}, nil)
	res, err := NewServerResolver(dns.Addr)
	require.NoError(t, err)
	prober := New(Options{Resolver: res, Timeout: 5 * time.Second,
		Overrides: Overrides{"overridden.example:*": loopback}})

	for host, answer := range map[string]string{"null.example": "0.0.0.0, ::", "null4.example": "0.0.0.0",
		"loop.example": "127.0.0.1, ::1", "linklocal.example": "169.254.1.1, fe80::1"} {
		for _, private := range []bool{false, true} {
			r := prober.Probe(context.Background(), Target{Scheme: "http", Host: host, Port: port, ExpectPrivateDNS: private, EvidenceHeaders: evidence})
			require.NotNil(t, r.Failure, host)
			assert.Equal(t, ClassDNSFiltered, r.Failure.Class, factsJSON(r.Failure))
			assert.Equal(t, map[bool]Phase{false: PhaseDNS, true: PhasePrivateDNS}[private], r.Failure.Phase)
			assert.Empty(t, r.Failure.Cause, "dns_filtered happens one way")
			assert.Equal(t, host, r.Failure.Host)
			var want []netip.Addr
			for a := range strings.SplitSeq(answer, ", ") {
				want = append(want, netip.MustParseAddr(a))
			}
			assert.Equal(t, want, r.Failure.Addrs, "the DNS answer, sorted")
			assert.Nil(t, r.TCP, "no connection is attempted")
		}
	}
	// Loopback by nature (localhost names), by the user's choice (an override), or an IP literal: reached.
	for _, host := range []string{"arc.localhost", "overridden.example", "127.0.0.1"} {
		r := prober.Probe(context.Background(), Target{Scheme: "http", Host: host, Port: port, EvidenceHeaders: evidence})
		assert.True(t, r.Reachable, "%s: %+v", host, r.Failure)
	}
}

func TestFilteredAnswer(t *testing.T) {
	addrs := func(s ...string) []netip.Addr {
		var out []netip.Addr
		for _, a := range s {
			out = append(out, netip.MustParseAddr(a))
		}
		return out
	}
	cases := []struct {
		host     string
		addrs    []netip.Addr
		filtered bool
	}{
		{"arc.example", addrs("0.0.0.0"), true},
		{"arc.example", addrs("0.1.2.3"), true},
		{"arc.example", addrs("::"), true},
		{"arc.example", addrs("127.0.0.53", "::1"), true},
		{"arc.example", addrs("169.254.169.254"), true},
		{"arc.example", addrs("fe80::1%eth0"), true},
		{"arc.example", addrs("255.255.255.255"), true},
		{"arc.example", addrs("::ffff:127.0.0.1"), true},
		{"arc.example", addrs("0.0.0.0", "20.50.60.70"), false}, // one real address: the all-addresses probe judges
		{"arc.example", addrs("10.1.2.3"), false},
		{"arc.example", addrs("255.255.255.254"), false},
		{"arc.example", addrs("2603:1030::1"), false},
		{"arc.example", nil, false},
		{"localhost", addrs("127.0.0.1"), false},
		{"LocalHost.", addrs("::1"), false},
		{"svc.localhost", addrs("127.0.0.1"), false},
		{"localhost.localdomain", addrs("127.0.0.1"), false},
		{"ip6-localhost", addrs("::1"), false},
		{"notlocalhost", addrs("127.0.0.1"), true},
	}
	for _, c := range cases {
		f, filtered := filteredAnswer(PhaseDNS, c.host, c.addrs)
		assert.Equal(t, c.filtered, filtered, "%s %v", c.host, c.addrs)
		assert.Equal(t, c.filtered, f.Class == ClassDNSFiltered, "%s %v", c.host, c.addrs)
		if !c.filtered {
			assert.Zero(t, f, "%s %v", c.host, c.addrs)
		}
	}
	f, _ := filteredAnswer(PhaseDNS, "arc.example", addrs("0.0.0.0"))
	assert.Equal(t, Finding{Class: ClassDNSFiltered, Phase: PhaseDNS, Facts: Facts{Host: "arc.example", Addrs: addrs("0.0.0.0")}}, f)
	f, _ = filteredAnswer(PhasePrivateDNS, "arc.example", addrs("0.0.0.0", "::"))
	assert.Equal(t, Finding{Class: ClassDNSFiltered, Phase: PhasePrivateDNS, Facts: Facts{Host: "arc.example", Addrs: addrs("0.0.0.0", "::")}}, f)
	f, _ = filteredAnswer(PhaseDNS, "arc.example", addrs("::", "0.0.0.0"))
	assert.Equal(t, addrs("0.0.0.0", "::"), f.Addrs, "the addresses sorted")
}
