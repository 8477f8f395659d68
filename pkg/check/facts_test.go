package check

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// TestRulesGiveFactsNotWords: the findings the check's own rules make carry their class, phase, cause
// and facts, and no message (pkg/report words them); a probe's message passes through untouched.
func TestRulesGiveFactsNotWords(t *testing.T) {
	direct := &run{opts: Options{Plan: &endpoints.Plan{Mode: endpoints.ModeDirect}}}
	gateway := &run{opts: Options{Plan: &endpoints.Plan{Mode: endpoints.ModeGateway}}}
	enforced := &run{opts: Options{Plan: &endpoints.Plan{Mode: endpoints.ModeDirect}, Agent: &agent.Settings{OS: "windows", Version: "1.60"}}}
	target := probe.Target{Scheme: "https", Host: "gbl.his.arc.azure.com", Port: 443}
	px := &probe.Proxy{Scheme: "http", Host: "proxy.corp:3128"}

	t.Run("gateway_proxy_bypass", func(t *testing.T) {
		b := &probe.Bypass{By: probe.BypassByNoProxy, List: "NO_PROXY", Entry: ".arc.azure.com"}
		res := gateway.verdict(job{target: target}, probe.Result{Target: target, Reachable: true, Bypass: b})
		f := only(t, res.Warnings, ClassGatewayProxyBypass, probe.PhaseProxy)
		assert.Equal(t, b, f.Fix.Bypass)
	})
	t.Run("private_link_via_proxy", func(t *testing.T) {
		pt := target
		pt.ExpectPrivateDNS = true
		res := direct.verdict(job{target: pt}, probe.Result{Target: pt, Reachable: true, Proxy: &probe.ProxyPhase{Proxy: px}})
		f := only(t, res.Warnings, ClassPrivateLinkViaProxy, probe.PhaseProxy)
		assert.Equal(t, "http://proxy.corp:3128", f.Fix.ProxyURL)
		assert.Equal(t, "proxy.corp:3128", f.Fix.Proxy)
	})
	t.Run("negative_serial", func(t *testing.T) {
		leaf := probe.Certificate{Subject: "CN=x", Issuer: "CN=Appliance CA", NegativeSerial: true}
		mid := probe.Certificate{Subject: "CN=Appliance CA", Issuer: "CN=Root", NegativeSerial: true}
		pr := probe.Result{Target: target, Reachable: true, TLS: &probe.TLSPhase{Leaf: &leaf, Chain: []probe.Certificate{mid, leaf}}}
		f := only(t, direct.verdict(job{target: target}, pr).Warnings, ClassNegativeSerial, probe.PhaseTLS)
		assert.Equal(t, []string{"CN=Appliance CA", "CN=Root"}, f.Fix.NegativeSerial)
	})
	t.Run("cipher_unsupported_by_agent, suites refused", func(t *testing.T) {
		pr := probe.Result{Target: target, Reachable: true, TLS: &probe.TLSPhase{Version: tls.VersionTLS12,
			CipherSuite: tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
			SuiteRetry:  &probe.SuiteRetry{Offered: AgentTLS12Suites, Error: "remote error: tls: handshake failure"}}}
		f := only(t, direct.verdict(job{target: target}, pr).Warnings, ClassCipherUnsupportedByAgent, probe.PhaseTLS)
		assert.Equal(t, CauseSuiteRefused, f.Fix.Cause)
		assert.Equal(t, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, f.Fix.Suite)
		assert.Equal(t, "remote error: tls: handshake failure", f.Fix.SuiteRefusal)
		res := enforced.verdict(job{target: target}, pr)
		require.NotNil(t, res.Failure, "an agent that enforces the suites fails the row")
		assert.Equal(t, CauseSuiteRefused, res.Failure.Fix.Cause)
		assert.Zero(t, res.Failure.Facts)
	})
	t.Run("cipher_unsupported_by_agent, legacy suites", func(t *testing.T) {
		pr := probe.Result{Target: target, TLS: &probe.TLSPhase{Legacy: &probe.LegacyHandshake{Version: tls.VersionTLS12, Suite: tls.TLS_RSA_WITH_AES_128_CBC_SHA}},
			Failure: &probe.Finding{Class: probe.ClassTLSHandshakeFailed, Phase: probe.PhaseTLS, Cause: probe.CauseNoCommonSuite,
				Facts: probe.Facts{Err: "the probe's words"}}}
		res := direct.verdict(job{target: target}, pr)
		require.NotNil(t, res.Failure)
		assert.Equal(t, ClassCipherUnsupportedByAgent, res.Failure.Class)
		assert.Equal(t, CauseLegacySuites, res.Failure.Fix.Cause)
		assert.Equal(t, tls.TLS_RSA_WITH_AES_128_CBC_SHA, res.Failure.Fix.Suite)
		assert.Equal(t, "the probe's words", res.Failure.Err, "passed through: it names the legacy suite")
		assert.Equal(t, probe.CauseNoCommonSuite, res.Failure.Cause)
	})
	t.Run("clock_skew", func(t *testing.T) {
		now := time.Now()
		r := &run{rep: &Report{}}
		pr := probe.Result{Target: target, HTTP: &probe.HTTPPhase{Date: now.Add(10 * time.Minute).Truncate(time.Second), Received: now}}
		r.results = []Result{{Probe: pr}}
		r.judgeClock()
		require.Len(t, r.rep.Warnings, 1)
		f := r.rep.Warnings[0]
		assert.Equal(t, ClassClockSkew, f.Class)
		assert.Zero(t, f.Facts)
		assert.InDelta(t, 10*time.Minute, f.Fix.ClockOffset, float64(2*time.Second))
		assert.Equal(t, "https://gbl.his.arc.azure.com", f.Fix.URL)
		assert.Equal(t, "gbl.his.arc.azure.com", f.Fix.Host)
	})
}

// TestDiscoveryAnswerUnreadable: a discovery answer that does not parse fails as http_error, with the
// parse error as a value and no message of the check's.
func TestDiscoveryAnswerUnreadable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("x-ms-request-id", "discovery") // the service's own answer, over plain HTTP here
		_, _ = w.Write([]byte("[]"))
	}))
	defer srv.Close()
	ctx := context.Background()
	r := newRun(ctx, Options{Plan: &endpoints.Plan{Mode: endpoints.ModeDirect, Cloud: &endpoints.Cloud{}}, Prober: probe.New(probe.Options{Timeout: 5 * time.Second})})
	close(r.launched) // no job to launch
	ep := endpoints.Endpoint{Pattern: "*.notify.example", Entry: &endpoints.Entry{Endpoint: "*.notify.example"}}
	r.discover(ctx, &discovery{token: endpoints.TokenNotificationHosts, url: srv.URL + "/allowlist", waiting: []endpoints.Endpoint{ep}})
	r.batch.Wait()
	require.Len(t, r.rep.Discoveries, 1)
	d := r.rep.Discoveries[0]
	require.NotNil(t, d.Failure, "%+v", d)
	assert.Equal(t, probe.ClassHTTPError, d.Failure.Class)
	assert.Zero(t, d.Failure.Facts)
	assert.Error(t, d.AnswerError)
	require.Len(t, r.rep.NotTested, 1)
	assert.Equal(t, &d, r.rep.NotTested[0].Discovery)
}

// only returns the one finding of fs, after checking its class and phase and that it has no message.
func only(t *testing.T, fs []Finding, c probe.Class, phase probe.Phase) Finding {
	t.Helper()
	require.Len(t, fs, 1)
	assert.Equal(t, c, fs[0].Class)
	assert.Equal(t, phase, fs[0].Phase)
	assert.Zero(t, fs[0].Facts, "pkg/report words it")
	return fs[0]
}
