package report

import (
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
	for _, c := range check.Classes {
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

func TestClipKeepsWholeCharacters(t *testing.T) {
	s := strings.Repeat("é", 80)
	got := clip(s, 70)
	assert.Equal(t, 70, len([]rune(got)))
	assert.True(t, strings.HasSuffix(got, "..."))
	assert.Equal(t, "short", clip("short", 70))
}
