package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// TestMain runs the package's tests as root of a user and network namespace of their own when the user
// is not root (see testnet.EnterUserNamespace): ports 443 and 53 of loopback, mount namespaces.
func TestMain(m *testing.M) {
	testnet.EnterUserNamespace()
	os.Exit(m.Run())
}

// target makes a target for host on the port of a loopback server's address, and the override that
// sends host there.
func target(t *testing.T, scheme, host, addr string) (Target, Overrides) {
	t.Helper()
	ap := netip.MustParseAddrPort(addr)
	tg := Target{Scheme: scheme, Host: host, Port: int(ap.Port())}
	if scheme == "http" {
		tg.EvidenceHeaders = evidence // the endpoint's own evidence, as the catalog's targets have it
	}
	return tg, Overrides{host + ":" + strconv.Itoa(int(ap.Port())): {ap.Addr()}}
}

// evidence are the answer headers the tests' origins set and their targets take as the endpoint's own
// (testnet's default handlers set X-Ms-Request-Id, as Azure's front ends do).
var evidence = []string{"x-ms-request-id", "x-azure-ref"}

// loopback is 127.0.0.1, the address of most test servers.
var loopback = []netip.Addr{netip.MustParseAddr("127.0.0.1")}

func TestReachableTLS(t *testing.T) {
	ca := testnet.NewCA(t, "Test Root", "DigiCert Inc")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, "gbl.his.arc.azure.com")})
	tg, ov := target(t, "https", "gbl.his.arc.azure.com", srv.Addr)
	r := New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), HTTPS: true, Timeout: 5 * time.Second}).Probe(context.Background(), tg)
	require.Nil(t, r.Failure, "%+v", r.Failure)
	assert.True(t, r.Reachable)
	assert.Equal(t, DNSSource{Kind: SourceOverride}, r.DNS.Source)
	assert.Equal(t, []Address{{IP: netip.MustParseAddr("127.0.0.1"), Private: false}}, r.DNS.Addresses)
	assert.Equal(t, srv.Addr, r.TCP.Address.String())
	assert.Equal(t, uint16(tls.VersionTLS13), r.TLS.Version)
	assert.NotZero(t, r.TLS.CipherSuite)
	assert.True(t, r.TLS.Verified)
	assert.Equal(t, []string{"gbl.his.arc.azure.com"}, r.TLS.Leaf.DNSNames)
	assert.Contains(t, r.TLS.Leaf.Issuer, "Test Root")
	require.NotEmpty(t, r.TLS.Chain, "the verified root is recorded")
	assert.Equal(t, []string{"DigiCert Inc"}, r.TLS.Chain[len(r.TLS.Chain)-1].SubjectOrg)
	assert.Equal(t, 200, r.HTTP.Status)
	private, known := r.Private()
	assert.True(t, known)
	assert.False(t, private)
}

func TestTLS12IsReported(t *testing.T) {
	ca := testnet.NewCA(t, "Test Root", "DigiCert Inc")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, "a.example"), MaxVersion: tls.VersionTLS12})
	tg, ov := target(t, "https", "a.example", srv.Addr)
	r := New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool())}).Probe(context.Background(), tg)
	require.Nil(t, r.Failure)
	assert.Equal(t, uint16(tls.VersionTLS12), r.TLS.Version)
}

func TestPlainHTTPTarget(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	tg, ov := target(t, "http", "www.microsoft.com", srv.Addr)
	tg.Path = "/pkiops/certs"
	r := New(Options{Overrides: ov}).Probe(context.Background(), tg)
	require.Nil(t, r.Failure, "%+v", r.Failure)
	assert.True(t, r.Reachable)
	assert.Nil(t, r.TLS)
	assert.Equal(t, 200, r.HTTP.Status)
}

// TestFailureClasses has a real misbehaving peer for every failure class a direct probe can give.
func TestFailureClasses(t *testing.T) {
	ca := testnet.NewCA(t, "Test Root", "DigiCert Inc")
	other := testnet.NewCA(t, "Someone Else", "Other Org")
	host := "management.azure.com"
	tlsSrv := func(o testnet.TLSOptions) string { return testnet.TLSServer(t, o).Addr }
	cases := []struct {
		name    string
		class   Class
		phase   Phase
		scheme  string
		addr    string
		dns     *testnet.DNSServer
		timeout time.Duration
		msg     string // in the library's or the system's error
		// cause is the finding's cause when arccheck, not a library, tells it (timedOut: the probe's time
		// ran out, with no error of its own); "" for any.
		cause    Cause
		timedOut bool
	}{
		{name: "refused port", class: ClassTCPRefused, phase: "tcp", addr: testnet.RefusedPort(t), msg: "refused"},
		{name: "black hole", class: ClassTCPTimeout, phase: "tcp", addr: testnet.BlackHole(t), timeout: 700 * time.Millisecond},
		{name: "listener that never answers TLS", class: ClassTLSHandshakeFailed, phase: "tls", addr: testnet.SilentServer(t).Addr,
			timeout: 700 * time.Millisecond, cause: CauseNoHandshake},
		{name: "server that resets", class: ClassTCPReset, phase: "tls", addr: testnet.ResetServer(t).Addr, msg: "reset"},
		{name: "untrusted", class: ClassTLSUntrusted, phase: "tls", addr: tlsSrv(testnet.TLSOptions{Certificate: other.ValidLeaf(t, host)}),
			msg: "unknown authority"},
		{name: "wrong host", class: ClassTLSHostnameMismatch, phase: "tls", addr: tlsSrv(testnet.TLSOptions{Certificate: ca.ValidLeaf(t, "other.example")}),
			msg: "not management.azure.com"},
		{name: "expired", class: ClassTLSExpired, phase: "tls",
			addr: tlsSrv(testnet.TLSOptions{Certificate: ca.Leaf(t, []string{host}, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))}),
			msg:  "expired"},
		{name: "TLS 1.1 only", class: ClassTLSVersionTooOld, phase: "tls",
			addr:  tlsSrv(testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host), MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}),
			cause: CauseBelowTLS12},
		{name: "plain server without HTTP", class: ClassHTTPError, phase: "http", scheme: "http", addr: testnet.SilentServer(t).Addr,
			timeout: 500 * time.Millisecond, cause: CauseNoAnswer, timedOut: true},
		{name: "NXDOMAIN", class: ClassDNSNotFound, phase: "dns", dns: testnet.NewDNSServer(t, testnet.DNSNXDomain, nil), msg: "no such host"},
		{name: "DNS server that never answers", class: ClassDNSTimeout, phase: "dns", dns: testnet.NewDNSServer(t, testnet.DNSSilent, nil),
			timeout: 700 * time.Millisecond},
		{name: "DNS server down", class: ClassDNSError, phase: "dns", dns: &testnet.DNSServer{Addr: testnet.RefusedPort(t)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{RootCAs: rootsOf(ca.Pool()), Timeout: 5 * time.Second}
			if tc.timeout > 0 {
				opts.Timeout = tc.timeout
			}
			scheme := tc.scheme
			if scheme == "" {
				scheme = "https"
			}
			tg := Target{Scheme: scheme, Host: host, Port: 443}
			if tc.addr != "" {
				tg, opts.Overrides = target(t, scheme, host, tc.addr)
			}
			if tc.dns != nil {
				res, err := NewServerResolver(tc.dns.Addr)
				require.NoError(t, err)
				opts.Resolver = res
			}
			r := New(opts).Probe(context.Background(), tg)
			require.NotNil(t, r.Failure, "expected %s", tc.class)
			assert.Equal(t, tc.class, r.Failure.Class, factsJSON(r.Failure))
			assert.Equal(t, tc.phase, r.Failure.Phase)
			assert.False(t, r.Reachable)
			assert.True(t, r.Failure.Cause != "" || r.Failure.Err != "", "the finding says something: %s", factsJSON(r.Failure))
			assert.Contains(t, r.Failure.Err, tc.msg)
			if tc.cause != "" {
				assert.Equal(t, tc.cause, r.Failure.Cause, factsJSON(r.Failure))
			}
			assert.Equal(t, tc.timedOut, r.Failure.TimedOut, factsJSON(r.Failure))
		})
	}
}

func TestCertificateFactsAreKeptOnFailure(t *testing.T) {
	other := testnet.NewCA(t, "Corp Inspection CA", "Contoso")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: other.ValidLeaf(t, "pas.windows.net")})
	tg, ov := target(t, "https", "pas.windows.net", srv.Addr)
	r := New(Options{Overrides: ov, RootCAs: rootsOf(x509Pool())}).Probe(context.Background(), tg)
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassTLSUntrusted, r.Failure.Class)
	require.NotNil(t, r.TLS.Leaf)
	assert.Contains(t, r.TLS.Leaf.Issuer, "Corp Inspection CA")
	assert.False(t, r.TLS.Verified)
}

func TestDNSServerAnswersAndPrivateClassification(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSAnswer, map[string][]string{
		"gbl.his.arc.azure.com": {"10.1.2.3", "fd00::5"},
		"pas.localhost":         {"127.0.0.1"}, // a public name answered 127.0.0.1 is dns_filtered
	})
	res, err := NewServerResolver(dns.Addr)
	require.NoError(t, err)
	addrs, err := res.Lookup(context.Background(), "gbl.his.arc.azure.com")
	require.NoError(t, err)
	assert.ElementsMatch(t, []netip.Addr{netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("fd00::5")}, addrs)
	assert.Equal(t, DNSSource{Kind: SourceServer, Server: netip.MustParseAddrPort(dns.Addr)}, res.Source())

	// A refused port on loopback: the probe resolves through the test server, then connects to loopback.
	srv := testnet.HTTPServer(t, "")
	_, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	r := New(Options{Resolver: res}).Probe(context.Background(), Target{Scheme: "http", Host: "pas.localhost", Port: p, EvidenceHeaders: evidence})
	require.Nil(t, r.Failure)
	assert.Equal(t, res.Source(), r.DNS.Source)
	private, known := r.Private()
	assert.True(t, known)
	assert.False(t, private)

	for s, want := range map[string]bool{"10.0.0.1": true, "172.16.5.4": true, "172.32.0.1": false, "192.168.1.1": true,
		"100.64.0.1": true, "100.128.0.1": false, "fd12::1": true, "fe80::1": false, "8.8.8.8": false, "::ffff:10.0.0.1": true} {
		assert.Equal(t, want, IsPrivate(netip.MustParseAddr(s)), s)
	}
}

func TestInterleave(t *testing.T) {
	in := []netip.Addr{netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2"),
		netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}
	got := interleave(in)
	assert.Equal(t, []netip.Addr{in[0], in[2], in[1], in[3]}, got)
}

// TestProbeAllKeepsOrderAndBoundsConcurrency: results come in target order, and never more than the
// bound run at once. The first handshakes are held until the bound is reached (a readiness signal, not a
// pause): that the batch reaches it shows the bound is used; were it lower, they would be held until
// testnet.HangGuard and peak would tell.
func TestProbeAllKeepsOrderAndBoundsConcurrency(t *testing.T) {
	const bound = 3
	ca := testnet.NewCA(t, "Test Root", "DigiCert Inc")
	var inFlight, peak atomic.Int64
	reached := make(chan struct{}) // closed when bound handshakes are in flight at once
	var reachedOnce sync.Once
	srv := testnet.TLSServer(t, testnet.TLSOptions{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		if n >= bound {
			reachedOnce.Do(func() { close(reached) })
		}
		select {
		case <-reached:
		case <-time.After(testnet.HangGuard):
		}
		c := ca.ValidLeaf(t, h.ServerName)
		return &c, nil
	}})
	_, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	var targets []Target
	ov := Overrides{}
	for i := range 12 {
		h := "host" + strconv.Itoa(i) + ".example"
		targets = append(targets, Target{Scheme: "https", Host: h, Port: p})
		ov[h+":*"] = loopback
	}
	var calls atomic.Int64
	results := New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), Timeout: 2 * testnet.HangGuard}).ProbeAll(context.Background(),
		targets, bound, func(int, Result) { calls.Add(1) })
	require.Len(t, results, 12)
	for i, r := range results {
		assert.Equal(t, targets[i].Host, r.Target.Host, "results are in target order")
		assert.True(t, r.Reachable, "%+v", r.Failure)
	}
	assert.LessOrEqual(t, peak.Load(), int64(bound), "never more than the concurrency bound at once")
	assert.Equal(t, int64(bound), peak.Load(), "the bound is used")
	assert.Equal(t, int64(12), calls.Load())
}

// TestManyBlackHolesTakeOneTimeout: 50 black-holed targets finish in one timeout, not fifty: a batch
// ends at one deadline, and a target that has not started by then is canceled, never probed. So the
// counts are the proof: with a slot each, all 50 started and timed out; with 10 slots, the 10 first timed
// out and the 40 others never started (a second round would have timed out too). How far past its
// timeout a batch ends is a benchmark's (pkg/check's BenchmarkBlackHoled, overrun-ms).
func TestManyBlackHolesTakeOneTimeout(t *testing.T) {
	targets, ov := blackHoleTargets(t, 50)
	timeout := 600 * time.Millisecond
	var results []Result
	testnet.Returns(t, "the batch", func() {
		results = New(Options{Overrides: ov, Timeout: timeout}).ProbeAll(context.Background(), targets, 64, nil)
	})
	for _, r := range results {
		require.NotNil(t, r.Failure)
		assert.Equal(t, ClassTCPTimeout, r.Failure.Class)
	}

	testnet.Returns(t, "the batch", func() {
		results = New(Options{Overrides: ov, Timeout: timeout}).ProbeAll(context.Background(), targets, 10, nil)
	})
	counts := map[Class]int{}
	for _, r := range results {
		counts[r.Failure.Class]++
		if r.Failure.Class == ClassCanceled {
			assert.Equal(t, PhaseQueue, r.Failure.Phase)
			assert.Equal(t, CauseNotStarted, r.Failure.Cause)
			assert.Empty(t, r.Failure.Err, "not started before the run's deadline, not on an error")
		}
	}
	assert.Equal(t, map[Class]int{ClassTCPTimeout: 10, ClassCanceled: 40}, counts)
}

// TestCancelMarksTheRestCanceled: canceling the context (Ctrl-C) while two probes are under way and
// four wait for a slot ends the batch, and every target is canceled: the two under way (held by a server
// that accepts and never answers) and the four never started. The timeout is an hour: ended at all, the
// batch ended on the cancel.
func TestCancelMarksTheRestCanceled(t *testing.T) {
	arrived := make(chan struct{}, 6)
	srv := testnet.Serve(t, func(c net.Conn) {
		arrived <- struct{}{}
		testnet.HandleSilent(c)
	})
	var targets []Target
	ov := Overrides{}
	for i := range 6 {
		host := "held" + strconv.Itoa(i) + ".example"
		targets = append(targets, Target{Scheme: "https", Host: host, Port: srv.Port})
		ov[host+":*"] = loopback
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []Result, 1)
	go func() { done <- New(Options{Overrides: ov, Timeout: time.Hour}).ProbeAll(ctx, targets, 2, nil) }()
	for range 2 { // both slots' probes have connected
		testnet.Await(t, arrived, "a probe's connection")
	}
	cancel()
	results := testnet.Await(t, done, "the batch's end after the cancel")
	require.Len(t, results, 6)
	for _, r := range results {
		require.NotNil(t, r.Failure)
		assert.Equal(t, ClassCanceled, r.Failure.Class, "%s: %s", r.Target.Host, factsJSON(r.Failure))
	}
	assert.Len(t, arrived, 0, "no probe started after the cancel")
}

func x509Pool() *x509.CertPool { return x509.NewCertPool() }

// blackHoleTargets returns n targets with distinct names, all pointed at one black-holed address.
func blackHoleTargets(t *testing.T, n int) ([]Target, Overrides) {
	ap := netip.MustParseAddrPort(testnet.BlackHole(t))
	var targets []Target
	ov := Overrides{}
	for i := range n {
		host := "blackhole" + strconv.Itoa(i) + ".example"
		targets = append(targets, Target{Scheme: "https", Host: host, Port: int(ap.Port())})
		ov[host+":*"] = []netip.Addr{ap.Addr()}
	}
	return targets, ov
}
