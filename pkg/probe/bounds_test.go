package probe

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// boundsTimeout is the probes' timeout in the bounds tests.
const (
	boundsTimeout = 3 * time.Second
	// maxHeapGrowth bounds what one probe of a hostile peer may allocate (TotalAlloc: freed or not); an
	// unbounded read of endless headers allocates GBs.
	maxHeapGrowth = 64 << 20
	// maxTaken bounds what a hostile server may have written before the probe gave up: what the probe
	// reads, plus the socket buffers of loopback. A probe that reads an endless body to its deadline takes
	// hundreds of MiB.
	maxTaken = 48 << 20
)

// bounded runs probe once and asserts that it returned (before testnet.HangGuard: nothing runs on
// unbounded; a guard against hangs, no timing claim) and allocated less than maxHeapGrowth.
func bounded(t *testing.T, probe func() Result) Result {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var r Result
	testnet.Returns(t, "the probe of a hostile peer", func() { r = probe() })
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(maxHeapGrowth), "the probe allocated without bound")
	return r
}

// TestEndlessHeadersAreBounded: an answer whose head never ends fails the row as http_too_large after
// maxResponseHead bytes, wherever it is read: an http:// endpoint, an https one with --http, a proxy's
// answer to CONNECT (the proxy's failure), an absolute-form request through a proxy, and plain HTTP
// written where a TLS handshake was expected, directly or into a proxy's tunnel.
func TestEndlessHeadersAreBounded(t *testing.T) {
	ca := testnet.NewCA(t, "Test Root", "DigiCert Inc")
	host := "management.azure.com"
	leaf := ca.ValidLeaf(t, host)
	cases := []struct {
		name   string
		scheme string
		server testnet.HostileOptions
		proxy  bool // the hostile server is the proxy, not the endpoint
		phase  Phase
		// peer is who never sends that ("": either); insteadOfTLS is set when the answer came in plain
		// HTTP where the endpoint's TLS handshake was expected (the finding names who gave it).
		peer         Peer
		insteadOfTLS bool
	}{
		{"an http:// endpoint", "http", testnet.HostileOptions{}, false, PhaseHTTP, PeerEndpoint, false},
		{"an https endpoint with --http", "https", testnet.HostileOptions{Certificate: &leaf}, false, PhaseHTTP, PeerEndpoint, false},
		{"a proxy's answer to CONNECT", "https", testnet.HostileOptions{}, true, PhaseProxy, PeerProxy, false},
		{"a proxy's answer to an absolute-form request", "http", testnet.HostileOptions{}, true, PhaseHTTP, "", false},
		{"plain HTTP where TLS was expected", "https", testnet.HostileOptions{}, false, PhaseHTTP, "", true},
		{"plain HTTP in a proxy's tunnel", "https", testnet.HostileOptions{Tunnel: true}, true, PhaseHTTP, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := testnet.EndlessHeaders(t, tc.server)
			tg, ov := target(t, tc.scheme, host, srv.Addr)
			opts := Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), HTTPS: true, Timeout: boundsTimeout}
			if tc.proxy {
				tg.Port = 443
				if tc.scheme == "http" {
					tg.Port = 80
				}
				px := mustProxy(t, "http://"+srv.Addr)
				opts.Overrides, opts.Proxy = nil, &ProxyConfig{HTTPS: px, HTTP: px}
			}
			r := bounded(t, func() Result { return New(opts).Probe(context.Background(), tg) })
			require.NotNil(t, r.Failure)
			assert.Equal(t, ClassHTTPTooLarge, r.Failure.Class, factsJSON(r.Failure))
			assert.Equal(t, tc.phase, r.Failure.Phase, factsJSON(r.Failure))
			assert.Equal(t, CauseTooLarge, r.Failure.Cause)
			require.NotNil(t, r.Failure.Bound, factsJSON(r.Failure))
			assert.Equal(t, "head", r.Failure.Bound.Part)
			assert.Equal(t, int64(64<<10), r.Failure.Bound.Bound, "the head's bound, 64 KiB")
			if tc.peer != "" {
				assert.Equal(t, tc.peer, r.Failure.Bound.Peer, "who never sends that")
			} else {
				assert.Contains(t, []Peer{PeerEndpoint, PeerProxy}, r.Failure.Bound.Peer, "who never sends that")
			}
			if tc.insteadOfTLS {
				assert.NotNil(t, r.Failure.By, "who answered in plain HTTP where the endpoint's TLS handshake was expected")
			} else {
				assert.Nil(t, r.Failure.By)
			}
			if tc.peer == PeerProxy {
				assert.Equal(t, "management.azure.com:443", r.Failure.Connect, "the CONNECT the proxy answered")
				assert.NotEmpty(t, r.Failure.Proxy)
			}
			assert.Less(t, srv.Sent.Load(), int64(maxTaken), "the server wrote more than the probe could take")
			t.Log(r.Failure.Phase, factsJSON(r.Failure))
		})
	}
}

// TestConnectDialerBoundsTheHead: HTTPConnectDialer, used on its own, fails a CONNECT answered with
// endless headers as the proxy's http_too_large.
func TestConnectDialerBoundsTheHead(t *testing.T) {
	srv := testnet.EndlessHeaders(t, testnet.HostileOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), boundsTimeout)
	defer cancel()
	var err error
	bounded(t, func() Result {
		_, err = (&HTTPConnectDialer{Proxy: mustProxy(t, "http://"+srv.Addr)}).DialContext(ctx, "tcp", "management.azure.com:443")
		return Result{}
	})
	var pe *ProxyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ClassHTTPTooLarge, pe.Class, pe.Error())
	assert.Equal(t, CauseTooLarge, pe.Cause)
	bound := boundOf(pe)
	require.NotNil(t, bound, pe.Error())
	assert.Equal(t, "head", bound.Part)
	assert.Equal(t, int64(64<<10), bound.Bound, "ran past 64 KiB")
	assert.Equal(t, PeerProxy, bound.Peer)
}

// TestEndlessBodiesAreBounded: a body that must be read whole (Fetch's, a proof's) and runs past its bound
// fails the row as http_too_large, never cut short and passed on; a body read only to be dropped (after
// a head, after a proxy's refusal of CONNECT) is dropped after its bound, not read to the deadline.
func TestEndlessBodiesAreBounded(t *testing.T) {
	ca := testnet.NewCA(t, "Test Root", "DigiCert Inc")
	host := "gbl.his.arc.azure.com"
	leaf := ca.ValidLeaf(t, host)
	cases := []struct {
		name   string
		scheme string
		server testnet.HostileOptions
		fetch  bool
		proof  bool
		proxy  bool
		class  Class // "" for reachable
		// bound is the body's bound that ran past (http_too_large); status the proxy's refusal.
		bound  int64
		status string
	}{
		{"Fetch over https", "https", testnet.HostileOptions{Certificate: &leaf}, true, false, false, ClassHTTPTooLarge, 1 << 20, ""},
		{"Fetch over http", "http", testnet.HostileOptions{}, true, false, false, ClassHTTPTooLarge, 1 << 20, ""},
		{"a proof", "http", testnet.HostileOptions{}, false, true, false, ClassHTTPTooLarge, 8 << 20, ""},
		{"a body after a head, with --http", "https", testnet.HostileOptions{Certificate: &leaf}, false, false, false, "", 0, ""},
		{"a proxy's refusal of CONNECT", "https", testnet.HostileOptions{Status: 403}, false, false, true, ClassProxyDenied, 0, "403 Forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := testnet.EndlessBody(t, tc.server)
			tg, ov := target(t, tc.scheme, host, srv.Addr)
			tg.EvidenceHeaders = evidence
			opts := Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), HTTPS: true, Timeout: boundsTimeout}
			if tc.proof {
				tg.Proof = &Proof{Kind: ProofCRL, Path: "/issuing.crl", Issuer: ca.Cert.Raw}
			}
			if tc.proxy {
				tg.Port = 443
				px := mustProxy(t, "http://"+srv.Addr)
				opts.Overrides, opts.Proxy = nil, &ProxyConfig{HTTPS: px}
			}
			var body []byte
			r := bounded(t, func() Result {
				if tc.fetch {
					var r Result
					body, r = New(opts).Fetch(context.Background(), tg)
					return r
				}
				return New(opts).Probe(context.Background(), tg)
			})
			assert.Less(t, srv.Sent.Load(), int64(maxTaken), "the body was read past its bound")
			if tc.class == "" {
				require.True(t, r.Reachable, "%+v", r.Failure)
				return
			}
			require.NotNil(t, r.Failure)
			assert.Equal(t, tc.class, r.Failure.Class, factsJSON(r.Failure))
			if tc.bound != 0 {
				assert.Equal(t, CauseTooLarge, r.Failure.Cause)
				require.NotNil(t, r.Failure.Bound, factsJSON(r.Failure))
				assert.Equal(t, "body", r.Failure.Bound.Part)
				assert.Equal(t, tc.bound, r.Failure.Bound.Bound, "the body's bound")
			}
			if tc.status != "" {
				assert.Equal(t, CauseProxyAnswered, r.Failure.Cause)
				require.NotNil(t, r.Failure.Refusal, factsJSON(r.Failure))
				assert.Equal(t, tc.status, r.Failure.Refusal.Status)
			}
			assert.Nil(t, body, "a body cut short was passed on")
		})
	}
}
