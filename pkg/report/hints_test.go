package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// proxied is a result for gbl.his.arc.azure.com through proxy.corp:3128 that failed with class c.
func proxied(pattern string, c probe.Class, required bool, proxyURL string) check.Result {
	px, err := probe.ParseProxy(proxyURL, "test")
	if err != nil {
		panic(err)
	}
	pr := probe.Result{
		Target:  probe.Target{Scheme: "https", Host: strings.TrimPrefix(pattern, "*."), Port: 443},
		Proxy:   &probe.ProxyPhase{Proxy: px},
		TLS:     &probe.TLSPhase{Interceptor: "CN=Corp Inspection CA", Leaf: &probe.Certificate{Issuer: "CN=Corp Inspection CA"}},
		Failure: &probe.Finding{Class: c}}
	return check.NewResult(pr, pattern, nil, check.OriginCatalog, required)
}

// TestEveryClassHasAHint walks every class a check reports and requires a specific, actionable hint
// that names the catalog pattern (or host, or proxy) to act on.
func TestEveryClassHasAHint(t *testing.T) {
	require.NotEmpty(t, check.Classes)
	// The new classes too, whether or not check.Classes lists them yet.
	for _, c := range append(slices.Clone(check.Classes), newClasses...) {
		r := proxied("*.his.arc.azure.com", c, true, "http://proxy.corp:3128")
		require.NotNil(t, r.Failure)
		_, ok := hints[c]
		assert.True(t, ok, "%s has no hint of its own", c)
		f := FixOf(*r.Failure)
		assert.NotEmpty(t, f.Action, c)
		assert.Equal(t, "*.his.arc.azure.com", f.Pattern, c)
		assert.True(t, strings.Contains(f.Hint, "*.his.arc.azure.com") || strings.Contains(f.Hint, "his.arc.azure.com") ||
			strings.Contains(f.Hint, "proxy.corp:3128"), "%s: %q names neither the pattern, the host nor the proxy", c, f.Hint)
		assert.NotContains(t, f.Hint, "\n", c)
	}
	for _, c := range append(append([]probe.Class{}, probe.Classes...), probe.WarningClasses...) {
		assert.Contains(t, check.Classes, c, "%s is missing from check.Classes", c)
	}
	fix := func(c probe.Class, proxy string) Fix {
		return FixOf(*proxied("*.his.arc.azure.com", c, true, proxy).Failure)
	}
	assert.Contains(t, fix(probe.ClassProxyDenied, "http://proxy.corp:3128").Hint, "allow `*.his.arc.azure.com` on proxy.corp:3128")
	assert.Contains(t, fix(probe.ClassProxyAuthRequired, "http://proxy.corp:3128").Hint, "does not support an authenticating proxy")
	assert.Contains(t, fix(probe.ClassTLSIntercepted, "http://proxy.corp:3128").Action, "re-signed by CN=Corp Inspection CA")
	assert.Equal(t, "allow `*.his.arc.azure.com` on socks.corp:1080", fix(probe.ClassProxyDenied, "socks5h://socks.corp:1080").Hint, "any proxy scheme")
}

func TestWhatToFixGroupsByAction(t *testing.T) {
	const px = "http://proxy.corp:3128"
	rep := &check.Report{Results: []check.Result{
		proxied("*.his.arc.azure.com", probe.ClassProxyDenied, true, px),
		proxied("management.azure.com", probe.ClassProxyDenied, true, px),
		proxied("management.azure.com", probe.ClassProxyDenied, true, px),
		proxied("login.microsoftonline.com", probe.ClassProxyUpstreamFailed, true, px),
		proxied("dc.services.visualstudio.com", probe.ClassProxyDenied, false, px),
		proxied("pas.windows.net", probe.ClassCanceled, true, px),
	}}
	assert.Equal(t, []FixGroup{
		{Action: "Allow on the proxy proxy.corp:3128", Patterns: []string{"*.his.arc.azure.com", "management.azure.com"}},
		{Action: "Let the proxy proxy.corp:3128 reach these endpoints", Patterns: []string{"login.microsoftonline.com"}},
	}, WhatToFix(rep), "optional and canceled failures need no fix; patterns are listed once")
}

// TestReasonIsTheLibrarysOwnOrTheLastClause: RESULT's reason is the library's own (Detail) for its error,
// else the last clause of the words, with the one before when it alone is too short; nothing is cut
// out of a message.
func TestReasonIsTheLibrarysOwnOrTheLastClause(t *testing.T) {
	refused := probe.Finding{Class: probe.ClassTCPRefused, Facts: probe.Facts{Err: "dial tcp 127.0.0.1:1: connect: connection refused",
		Detail: "connection refused"}}
	assert.Equal(t, "connection refused", findingShort(refused))
	assert.Equal(t, "dial tcp 127.0.0.1:1: connect: connection refused", findingText(refused))
	timeout := probe.Finding{Class: probe.ClassTLSHandshakeFailed, Cause: probe.CauseNoHandshake}
	assert.Equal(t, "no TLS handshake from the server before the timeout", findingShort(timeout), "whole")
	blocked := probe.Finding{Class: probe.ClassHTTPBlockedByProxy, Cause: probe.CauseBlocked,
		Facts: probe.Facts{Answer: &probe.Answer{Status: "403 Forbidden"}, By: &probe.Answerer{Squid: true}}}
	assert.Equal(t, "the request never reached the endpoint", findingShort(blocked))
	assert.Equal(t, "squid answered 403 Forbidden in the endpoint's place: the request never reached the endpoint", findingText(blocked))
	assert.Equal(t, "a: b (short)", say("x", "a", "b (short)").reason(), "a last clause of 12 characters or fewer keeps the one before")
	assert.Equal(t, "dns_error", findingText(probe.Finding{Class: probe.ClassDNSError}), "no facts: the class")
}

// TestFixesNameNoPlaceholderOrPath: a fix names what a rule can allow, never a placeholder, a scheme or
// a URL path; a private endpoint that does not resolve is not told to use public DNS or a proxy.
func TestFixesNameNoPlaceholderOrPath(t *testing.T) {
	for _, tc := range []struct{ pattern, host, want string }{
		{"<region>.his.arc.azure.com", "weu.his.arc.azure.com", "weu.his.arc.azure.com"},
		{"[Your URL Prefix].gw.arc.azure.com", "contoso.gw.arc.azure.com", "contoso.gw.arc.azure.com"},
		{"www.microsoft.com/pkiops/certs", "www.microsoft.com", "www.microsoft.com"},
		{"http://www.microsoft.com/pkiops/certs", "www.microsoft.com", "www.microsoft.com"},
		{"https://contoso.example:8443/x", "contoso.example", "contoso.example"},
		{"*.his.arc.azure.com", "gbl.his.arc.azure.com", "*.his.arc.azure.com"},
	} {
		pr := probe.Result{Target: probe.Target{Scheme: "https", Host: tc.host, Port: 443},
			Failure: &probe.Finding{Class: probe.ClassDNSNotFound, Phase: probe.PhaseDNS}}
		f := FixOf(*check.NewResult(pr, tc.pattern, nil, check.OriginCatalog, true).Failure)
		assert.Equal(t, tc.want, f.Pattern, tc.pattern)
		assert.NotRegexp(t, `[<>\[\]{}]|://|/pkiops`, f.Hint, tc.pattern)
	}
	pr := probe.Result{Target: probe.Target{Scheme: "https", Host: "gbl.his.arc.azure.com", Port: 443},
		Failure: &probe.Finding{Class: probe.ClassDNSNotFound, Phase: probe.PhasePrivateDNS}}
	f := FixOf(*check.NewResult(pr, "*.his.arc.azure.com", nil, check.OriginCatalog, true).Failure)
	assert.Contains(t, f.Hint, "privatelink zone")
	assert.Contains(t, f.Hint, "a proxy cannot help")
	assert.NotContains(t, f.Hint, "public DNS")
}

// TestUnverifiedActionSaysWhere: an answer that proves nothing points at the proxy's log when it came
// through a proxy, and at what answers in the endpoint's place when it came directly (no proxy to name).
func TestUnverifiedActionSaysWhere(t *testing.T) {
	unverified := func(px *probe.Proxy) Fix {
		pr := probe.Result{Target: probe.Target{Scheme: "http", Host: "intranet.example", Port: 80},
			Failure: &probe.Finding{Class: probe.ClassHTTPUnverified, Phase: probe.PhaseHTTP, Cause: probe.CauseUnproven,
				Facts: probe.Facts{Answer: &probe.Answer{Status: "200 OK"}}}}
		if px != nil {
			pr.Proxy = &probe.ProxyPhase{Proxy: px}
		}
		return FixOf(*check.NewResult(pr, "http://intranet.example", nil, check.OriginUser, true).Failure)
	}
	direct := unverified(nil)
	assert.Equal(t, "Find what answers HTTP (TCP 80) for these hosts in their place (a transparent proxy?), and allow HTTP to them", direct.Action)
	assert.NotContains(t, direct.Action+direct.Hint, "proxy's log")
	assert.Equal(t, "Check the proxy proxy.corp:3128's log for these requests", unverified(&probe.Proxy{Scheme: "http", Host: "proxy.corp:3128"}).Action)
}

// TestEveryCauseHasWords: every cause pkg/probe returns is worded here, and words that need a fact do
// not fail without it (a finding read back from an old report, or a cause with few facts).
func TestEveryCauseHasWords(t *testing.T) {
	for _, c := range probe.Causes {
		_, ok := causeWords[c]
		assert.True(t, ok, "no words for cause %s", c)
		f := probe.Finding{Class: probe.ClassProxyUnreachable, Cause: c}
		assert.NotEmpty(t, findingText(f), c)
		assert.NotEmpty(t, findingShort(f), c)
	}
	for c := range causeWords {
		assert.Contains(t, probe.Causes, c, "words for a cause pkg/probe does not list")
	}
}
