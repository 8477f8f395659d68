// Certificates with negative serial numbers must parse here, as in the command (see cmd/arccheck/main.go).
//
//go:debug x509negativeserial=1
package probe

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// agentSuites are the TLS 1.2 suites of the Arc agent (pkg/check holds them; pkg/probe knows no agent).
var agentSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}

// TestSuitesThePathSpeaks: a TLS 1.2 server with an RSA key that offers only CBC suites completes Go's
// handshake, and the second handshake offering only the accepted suites says it cannot speak one; a
// server that offers only legacy suites refuses Go's ClientHello, and the legacy handshake names its suite.
func TestSuitesThePathSpeaks(t *testing.T) {
	ca := testnet.NewCA(t, "Test Root", "DigiCert Inc")
	const host = "suites.example"
	leaf := ca.LeafWith(t, testnet.LeafOptions{Names: []string{host}, RSA: true})
	probeWith := func(suites ...uint16) Result {
		srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: leaf, MaxVersion: tls.VersionTLS12, CipherSuites: suites})
		tg, ov := target(t, "https", host, srv.Addr)
		tg.AcceptedSuites = agentSuites
		return New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), Timeout: 5 * time.Second}).Probe(context.Background(), tg)
	}

	r := probeWith(tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA)
	require.Nil(t, r.Failure, "Go's own handshake works: the verdict is the agent's to make")
	assert.Equal(t, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, r.TLS.CipherSuite)
	require.NotNil(t, r.TLS.SuiteRetry)
	assert.False(t, r.TLS.SuiteRetry.OK)
	assert.Equal(t, agentSuites, r.TLS.SuiteRetry.Offered)
	assert.Contains(t, r.TLS.SuiteRetry.Error, "handshake failure")

	r = probeWith(tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
	require.Nil(t, r.Failure)
	if r.TLS.SuiteRetry != nil {
		assert.True(t, r.TLS.SuiteRetry.OK, "the path can speak an accepted suite")
	}

	for _, suite := range []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_RC4_128_SHA} {
		r = probeWith(suite)
		require.NotNil(t, r.Failure, tls.CipherSuiteName(suite))
		assert.Equal(t, ClassTLSHandshakeFailed, r.Failure.Class, "never reachable on a legacy handshake")
		assert.Equal(t, CauseNoCommonSuite, r.Failure.Cause, factsJSON(r.Failure))
		assert.Equal(t, uint8(alertHandshakeFailure), r.TLS.Alert, "the server's handshake_failure alert, as a value")
		require.NotNil(t, r.Failure.Legacy, "the finding names the legacy suite the server speaks")
		assert.Equal(t, suite, r.Failure.Legacy.Suite, tls.CipherSuiteName(suite))
		assert.Empty(t, r.Failure.Legacy.Error, "the legacy handshake worked")
		require.NotNil(t, r.TLS.Legacy)
		assert.Equal(t, suite, r.TLS.Legacy.Suite)
	}
}

// TestNegativeSerialParses: a chain with a negative serial number is reachable (the agent accepts it
// until February 2027) and the certificate says so.
func TestNegativeSerialParses(t *testing.T) {
	ca := testnet.NewCA(t, "Appliance CA", "Contoso")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.LeafWith(t, testnet.LeafOptions{Names: []string{"neg.example"}, NegativeSerial: true})})
	tg, ov := target(t, "https", "neg.example", srv.Addr)
	r := New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), Timeout: 5 * time.Second}).Probe(context.Background(), tg)
	require.Nil(t, r.Failure, "%+v", r.Failure)
	assert.True(t, r.TLS.Leaf.NegativeSerial)
}

// TestEveryAddress: a name with a working IPv4 address and a black-holed one (IPv6, or another IPv4)
// passes on its first working address, but not with AllAddresses, which names the dead one.
func TestEveryAddress(t *testing.T) {
	ca := testnet.NewCA(t, "Test Root", "DigiCert Inc")
	const host = "every.example"
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host)})
	for _, tc := range []struct {
		name, dead string
		// family is how many addresses of the dead one's family were probed: 1, the whole family failed
		// (IPv6 path black-holed); 2, one address of it did (IPv4 address fails).
		family int
	}{
		{"IPv6 black-holed", testnet.BlackHole6On(t, srv.Port), 1},
		{"second IPv4 black-holed", testnet.BlackHoleOn(t, srv.Port), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dead := netip.MustParseAddrPort(tc.dead)
			tg := Target{Scheme: "https", Host: host, Port: srv.Port}
			ov := Overrides{host + ":" + strconv.Itoa(srv.Port): {netip.MustParseAddr("127.0.0.1"), dead.Addr()}}
			opts := Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), Timeout: 2 * time.Second, ConnectTimeout: time.Second}
			r := New(opts).Probe(context.Background(), tg)
			require.Nil(t, r.Failure, "the first address works")
			assert.Nil(t, r.Addresses)

			// The dead address fails by the connect timeout (tcp_timeout), within the probe's own.
			opts.AllAddresses = true
			r = New(opts).Probe(context.Background(), tg)
			require.NotNil(t, r.Failure)
			assert.False(t, r.Reachable)
			assert.Equal(t, ClassAddressUnreachable, r.Failure.Class)
			assert.Equal(t, CauseFamilies, r.Failure.Cause)
			require.Len(t, r.Failure.Failed, 1, factsJSON(r.Failure))
			assert.Equal(t, dead, r.Failure.Failed[0].Address, "the finding names the dead address")
			require.NotNil(t, r.Failure.Failed[0].Failure)
			assert.Equal(t, ClassTCPTimeout, r.Failure.Failed[0].Failure.Class, "black-holed: it timed out")
			require.Len(t, r.Failure.All, 2)
			family := 0
			for _, ar := range r.Failure.All {
				if ar.Address.Addr().Unmap().Is4() == dead.Addr().Unmap().Is4() {
					family++
				}
			}
			assert.Equal(t, tc.family, family, "the addresses of the dead one's family")
			require.Len(t, r.Addresses, 2)
			assert.Nil(t, r.Addresses[0].Failure)
			require.NotNil(t, r.Addresses[1].Failure)
			assert.Equal(t, ClassTCPTimeout, r.Addresses[1].Failure.Class)
		})
	}
}

// TestAnswersJudged: the Date of an answer is recorded; an answer with a proxy's marks is the proxy's;
// a status other than the documented one is a warning.
func TestAnswersJudged(t *testing.T) {
	ca := testnet.NewCA(t, "Test Root", "DigiCert Inc")
	const host = "answers.example"
	skewed := time.Now().Add(10 * time.Minute).UTC()
	serve := func(h http.HandlerFunc) (Target, Overrides) {
		srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host), Handler: h})
		return target(t, "https", host, srv.Addr)
	}
	run := func(tg Target, ov Overrides) Result {
		return New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), HTTPS: true, Timeout: 5 * time.Second}).Probe(context.Background(), tg)
	}

	tg, ov := serve(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Date", skewed.Format(http.TimeFormat)) })
	r := run(tg, ov)
	require.Nil(t, r.Failure)
	assert.WithinDuration(t, skewed, r.HTTP.Date, time.Second)
	assert.WithinDuration(t, time.Now(), r.HTTP.Received, 5*time.Second)

	tg, ov = serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "squid/6.13")
		w.Header().Set("X-Squid-Error", "ERR_ACCESS_DENIED 0")
		w.WriteHeader(http.StatusForbidden)
	})
	r = run(tg, ov)
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassHTTPBlockedByProxy, r.Failure.Class)
	assert.Equal(t, CauseBlocked, r.Failure.Cause)
	assert.Equal(t, &Answerer{Server: "squid/6.13"}, r.Failure.By)
	require.NotNil(t, r.Failure.Answer)
	assert.Equal(t, "403 Forbidden", r.Failure.Answer.Status)
	assert.Equal(t, "ERR_ACCESS_DENIED 0", r.Failure.Answer.SquidError)
	assert.Equal(t, &Answerer{Server: "squid/6.13"}, r.HTTP.BlockedBy)

	tg, ov = serve(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://portal.corp.example/login?next=x", http.StatusFound)
	})
	tg.Expect = &Expectation{Path: "/common/v2.0/.well-known/openid-configuration", Status: 200}
	r = run(tg, ov)
	require.NotNil(t, r.Failure, "a redirect to a portal where JSON is documented")
	assert.Equal(t, ClassHTTPBlockedByProxy, r.Failure.Class)
	assert.Equal(t, CauseBlocked, r.Failure.Cause)
	assert.Equal(t, &Answerer{Portal: "portal.corp.example"}, r.Failure.By)
	require.NotNil(t, r.Failure.Answer)
	assert.Equal(t, "https://portal.corp.example/login?next=x", r.Failure.Answer.Location)

	tg, ov = serve(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/common/v2.0/.well-known/openid-configuration" {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	})
	tg.Expect = &Expectation{Path: "/common/v2.0/.well-known/openid-configuration", Status: 200}
	r = run(tg, ov)
	require.Nil(t, r.Failure)
	require.Len(t, r.Warnings, 1)
	assert.Equal(t, ClassHTTPUnexpectedAnswer, r.Warnings[0].Class)
	require.NotNil(t, r.Warnings[0].Answer)
	assert.Equal(t, "404 Not Found", r.Warnings[0].Answer.Status)
	assert.Equal(t, 200, r.Warnings[0].Expect)
}
