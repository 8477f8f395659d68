package probe

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/arccheck/arccheck/internal/testnet"
)

func pool(cas ...*testnet.CA) *x509.CertPool {
	p := x509.NewCertPool()
	for _, ca := range cas {
		p.AddCert(ca.Cert)
	}
	return p
}

// TestInterception, with a reference set known only as a pool (verified against) and one that knows its
// roots' fingerprints (a chain the machine verified to one of them is judged without the pool): the same
// verdicts.
func TestInterception(t *testing.T) {
	sets := map[string]func(cas ...*testnet.CA) *RootSet{
		"pool": func(cas ...*testnet.CA) *RootSet { return rootsOf(pool(cas...)) },
		"anchors": func(cas ...*testnet.CA) *RootSet {
			var certs []*x509.Certificate
			for _, ca := range cas {
				certs = append(certs, ca.Cert)
			}
			return NewRootSet(certs...)
		},
	}
	for name, ref := range sets {
		t.Run(name, func(t *testing.T) {
			public := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
			corp := testnet.NewCA(t, "Corp Inspection CA", "Contoso")
			otherPublic := testnet.NewCA(t, "Some Public Root", "Other Trust Services")
			host := "gbl.his.arc.azure.com"
			serve := func(ca *testnet.CA) (Target, Overrides) {
				srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host)})
				return target(t, "https", host, srv.Addr)
			}
			expect := []string{"Microsoft Corporation", "DigiCert Inc"}

			// The genuine public chain: no finding.
			tg, ov := serve(public)
			tg.ExpectIssuers, tg.EvidenceHeaders = expect, evidence
			r := New(Options{Overrides: ov, RootCAs: rootsOf(pool(public, corp)), ReferenceRoots: ref(public, otherPublic)}).Probe(context.Background(), tg)
			require.True(t, r.Reachable)
			assert.False(t, r.TLS.Intercepted)
			assert.Empty(t, r.Warnings)

			// Re-signed by a CA the machine trusts: reachable, with a warning that names the CA.
			tg, ov = serve(corp)
			tg.ExpectIssuers, tg.EvidenceHeaders = expect, evidence
			r = New(Options{Overrides: ov, RootCAs: rootsOf(pool(public, corp)), ReferenceRoots: ref(public)}).Probe(context.Background(), tg)
			require.True(t, r.Reachable, "%+v", r.Failure)
			assert.True(t, r.TLS.Intercepted)
			assert.Contains(t, r.TLS.Interceptor, "CN=Corp Inspection CA")
			require.Len(t, r.Warnings, 1)
			assert.Equal(t, ClassTLSIntercepted, r.Warnings[0].Class)
			assert.Equal(t, CauseResigned, r.Warnings[0].Cause)
			assert.Contains(t, r.Warnings[0].Interceptor, "Corp Inspection CA")
			assert.Empty(t, r.Warnings[0].Err, "the machine trusts the CA: no error")

			// Re-signed by a CA the machine does not trust: tls_intercepted, not tls_untrusted.
			r = New(Options{Overrides: ov, RootCAs: rootsOf(pool(public)), ReferenceRoots: ref(public)}).Probe(context.Background(), tg)
			require.NotNil(t, r.Failure)
			assert.Equal(t, ClassTLSIntercepted, r.Failure.Class)
			assert.Equal(t, CauseResigned, r.Failure.Cause)
			assert.Contains(t, r.Failure.Interceptor, "Corp Inspection CA")
			assert.NotEmpty(t, r.Failure.Err, "the machine does not trust the CA: x509's error")

			// Without an expectation (a user's own endpoint) an untrusted chain stays tls_untrusted.
			tg.ExpectIssuers = nil
			r = New(Options{Overrides: ov, RootCAs: rootsOf(pool(public)), ReferenceRoots: ref(public)}).Probe(context.Background(), tg)
			assert.Equal(t, ClassTLSUntrusted, r.Failure.Class)

			// A public CA, but not one of the expected issuers.
			tg, ov = serve(otherPublic)
			tg.ExpectIssuers, tg.EvidenceHeaders = expect, evidence
			r = New(Options{Overrides: ov, RootCAs: rootsOf(pool(otherPublic)), ReferenceRoots: ref(public, otherPublic)}).Probe(context.Background(), tg)
			require.True(t, r.Reachable)
			assert.True(t, r.TLS.Intercepted)
			assert.Contains(t, r.TLS.Interceptor, "Some Public Root")
			assert.Equal(t, expect, r.TLS.PublicNotOf, "a public CA, but not Microsoft Corporation or DigiCert Inc")
			require.Len(t, r.Warnings, 1)
			assert.Equal(t, CauseResigned, r.Warnings[0].Cause)
			assert.Equal(t, expect, r.Warnings[0].PublicNotOf)
		})
	}
}

// TestReferencePoolOnlyWhenNeeded: a chain the machine verified to a root of the reference set, with an
// expected issuer, is judged from the set's fingerprints; the set's pool is made only for a chain that
// must be verified against it.
func TestReferencePoolOnlyWhenNeeded(t *testing.T) {
	public := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	corp := testnet.NewCA(t, "Corp Inspection CA", "Contoso")
	host := "gbl.his.arc.azure.com"
	made := 0
	anchors := map[[32]byte]bool{sha256.Sum256(public.Cert.Raw): true}
	ref := &RootSet{pool: func() *x509.CertPool { made++; return pool(public) },
		anchors: func() map[[32]byte]bool { return anchors }}
	probeOf := func(ca *testnet.CA) Result {
		srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host)})
		tg, ov := target(t, "https", host, srv.Addr)
		tg.ExpectIssuers, tg.EvidenceHeaders = []string{"DigiCert Inc"}, evidence
		return New(Options{Overrides: ov, RootCAs: rootsOf(pool(public, corp)), ReferenceRoots: ref}).Probe(context.Background(), tg)
	}
	r := probeOf(public)
	require.True(t, r.Reachable)
	assert.False(t, r.TLS.Intercepted)
	assert.Zero(t, made, "the genuine chain is told from the fingerprints")
	r = probeOf(corp)
	assert.True(t, r.TLS.Intercepted)
	assert.Equal(t, 1, made, "a re-signed chain is verified against the pool")
}

func TestPublicRootsAreEmbedded(t *testing.T) {
	p := PublicRoots().Pool()
	assert.False(t, p.Equal(x509.NewCertPool()), "the embedded set is not empty")
	lab := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	leaf, err := x509.ParseCertificate(lab.ValidLeaf(t, "a.example").Certificate[0])
	require.NoError(t, err)
	_, err = leaf.Verify(x509.VerifyOptions{DNSName: "a.example", Roots: p})
	assert.Error(t, err, "a private CA is not in the public set, whatever its name claims")
	assert.False(t, PublicRoots().IsAnchor(lab.Cert))
	var anchors int
	for root := range bundle.Roots() {
		c, err := x509.ParseCertificate(root.Certificate)
		require.NoError(t, err)
		if PublicRoots().IsAnchor(c) {
			anchors++
			_, err := c.Verify(x509.VerifyOptions{Roots: p})
			assert.NoError(t, err, "every anchor is in the pool: %s", c.Subject)
		} else {
			assert.NotNil(t, root.Constraint, "only a constrained root is left to the pool: %s", c.Subject)
		}
	}
	assert.Greater(t, anchors, 100)
}

func TestTLS12MaxWarning(t *testing.T) {
	ca := testnet.NewCA(t, "Root", "DigiCert Inc")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, "a.example"), MaxVersion: tls.VersionTLS12})
	tg, ov := target(t, "https", "a.example", srv.Addr)
	tg.AllowedTLS = []uint16{tls.VersionTLS12, tls.VersionTLS13}
	r := New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool())}).Probe(context.Background(), tg)
	require.True(t, r.Reachable)
	require.Len(t, r.Warnings, 1)
	assert.Equal(t, ClassTLS12Max, r.Warnings[0].Class)
	tg.AllowedTLS = nil
	r = New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool())}).Probe(context.Background(), tg)
	assert.Empty(t, r.Warnings, "no expectation, no warning")
}

func TestPrivateDNS(t *testing.T) {
	ca := testnet.NewCA(t, "Root", "DigiCert Inc")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, "gbl.his.arc.azure.com", "pas.windows.net", "v6.his.arc.azure.com")})
	_, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	dns := testnet.NewDNSServer(t, testnet.DNSAnswer, map[string][]string{
		"gbl.his.arc.azure.com": {"10.20.30.40"},
		"v6.his.arc.azure.com":  {"10.20.30.41", "2603:1030::1"},
		"pas.windows.net":       {"20.190.151.1"},
	})
	res, err := NewServerResolver(dns.Addr)
	require.NoError(t, err)
	// Connections go to the loopback server (an override); the private-DNS check still asks DNS.
	ov := Overrides{"gbl.his.arc.azure.com:*": loopback, "v6.his.arc.azure.com:*": loopback, "pas.windows.net:*": loopback}
	prober := New(Options{Resolver: res, Overrides: ov, RootCAs: rootsOf(ca.Pool())})

	r := prober.Probe(context.Background(), Target{Scheme: "https", Host: "gbl.his.arc.azure.com", Port: p, ExpectPrivateDNS: true})
	require.True(t, r.Reachable, "%+v", r.Failure)
	assert.Equal(t, []Address{{IP: netip.MustParseAddr("10.20.30.40"), Private: true}}, r.PrivateDNS.Addresses)
	assert.Equal(t, SourceOverride, r.DNS.Source.Kind, "the connection used the override, never the private address")

	r = prober.Probe(context.Background(), Target{Scheme: "https", Host: "v6.his.arc.azure.com", Port: p, ExpectPrivateDNS: true})
	require.True(t, r.Reachable, "the IPv4 answer is preferred")
	require.Len(t, r.Warnings, 1)
	assert.Equal(t, ClassPrivateDNSAAAAPublic, r.Warnings[0].Class)

	accepted := srv.Accepted.Load()
	r = prober.Probe(context.Background(), Target{Scheme: "https", Host: "pas.windows.net", Port: p, ExpectPrivateDNS: true})
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassPrivateDNSPublic, r.Failure.Class)
	assert.Equal(t, "pas.windows.net", r.Failure.Host)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("20.190.151.1")}, r.Failure.Addrs)
	assert.Nil(t, r.TCP, "no connection is attempted after a public answer")
	assert.Equal(t, accepted, srv.Accepted.Load())
}

func TestFetch(t *testing.T) {
	ca := testnet.NewCA(t, "Root", "DigiCert Inc")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, "gbl.his.arc.azure.com"),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Query().Get("location") {
			case "westeurope":
			case "cut":
				// A body cut short: 10 of the 1000 bytes announced, and the connection closed.
				w.Header().Set("Content-Length", "1000")
				w.Write([]byte("0123456789"))
				return
			default:
				http.NotFound(w, r)
				return
			}
			w.Write([]byte(`"https://weu.his.arc.azure.com"`))
		})})
	tg, ov := target(t, "https", "gbl.his.arc.azure.com", srv.Addr)
	prober := New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), Timeout: 5 * time.Second})
	tg.Path = "/discovery?location=westeurope&api-version=1.1-preview"
	body, r := prober.Fetch(context.Background(), tg)
	require.Nil(t, r.Failure, "%+v", r.Failure)
	assert.Equal(t, `"https://weu.his.arc.azure.com"`, string(body))
	tg.Path = "/discovery?location=nowhere"
	_, r = prober.Fetch(context.Background(), tg)
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassHTTPError, r.Failure.Class)
	assert.Equal(t, CauseStatus, r.Failure.Cause)
	require.NotNil(t, r.Failure.Answer)
	assert.Equal(t, "404 Not Found", r.Failure.Answer.Status)
	tg.Path = "/discovery?location=cut"
	_, r = prober.Fetch(context.Background(), tg)
	require.NotNil(t, r.Failure)
	assert.Equal(t, CauseAnswerReadFailed, r.Failure.Cause, factsJSON(r.Failure))
	assert.Equal(t, "unexpected EOF", r.Failure.Detail)
}
