package check

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/arccheck/arccheck/pkg/probe"
)

// TestEveryClassHasAHint walks every failure and warning class and requires a specific, actionable hint
// that names the catalog pattern (or host) to act on.
func TestEveryClassHasAHint(t *testing.T) {
	r := &Result{Pattern: "*.his.arc.azure.com", Result: probe.Result{
		Target: probe.Target{Scheme: "https", Host: "gbl.his.arc.azure.com", Port: 443},
		Proxy:  &probe.ProxyPhase{URL: "http://proxy.corp:3128"},
		TLS:    &probe.TLSPhase{Interceptor: "CN=Corp Inspection CA", Leaf: &probe.Certificate{Issuer: "CN=Corp Inspection CA"}},
	}}
	seen := map[probe.Class]bool{}
	for _, c := range HintClasses {
		seen[c] = true
		f := FixFor(c, r)
		assert.NotEmpty(t, f.Action, c)
		assert.NotContains(t, f.Action, "Investigate", "%s has no hint of its own", c)
		assert.Equal(t, "*.his.arc.azure.com", f.Pattern, c)
		assert.True(t, strings.Contains(f.Hint, "*.his.arc.azure.com") || strings.Contains(f.Hint, "gbl.his.arc.azure.com") ||
			strings.Contains(f.Hint, "proxy.corp:3128"), "%s: %q names neither the pattern, the host nor the proxy", c, f.Hint)
		assert.NotContains(t, f.Hint, "\n", c)
	}
	for _, c := range append(append([]probe.Class{}, probe.Classes...), probe.WarningClasses...) {
		assert.True(t, seen[c], "%s is missing from HintClasses", c)
	}
	assert.Contains(t, FixFor(probe.ClassProxyDenied, r).Hint, "allow `*.his.arc.azure.com` on proxy.corp:3128")
	assert.Contains(t, FixFor(probe.ClassProxyAuthRequired, r).Hint, "does not support an authenticating proxy")
	assert.Contains(t, FixFor(probe.ClassTLSIntercepted, r).Action, "re-signed by CN=Corp Inspection CA")
	r.Proxy.URL = "socks5h://socks.corp:1080"
	assert.Equal(t, "allow `*.his.arc.azure.com` on socks.corp:1080", FixFor(probe.ClassProxyDenied, r).Hint, "any proxy scheme")
}

func TestWhatToFixGroupsByAction(t *testing.T) {
	mk := func(pattern string, c probe.Class, required bool) Result {
		r := Result{Pattern: pattern, Required: required, Result: probe.Result{
			Target:  probe.Target{Scheme: "https", Host: strings.TrimPrefix(pattern, "*."), Port: 443},
			Proxy:   &probe.ProxyPhase{URL: "http://proxy.corp:3128"},
			Failure: &probe.Failure{Class: c}}}
		f := FixFor(c, &r)
		r.Fix = &f
		return r
	}
	rep := &Report{Results: []Result{
		mk("*.his.arc.azure.com", probe.ClassProxyDenied, true),
		mk("management.azure.com", probe.ClassProxyDenied, true),
		mk("management.azure.com", probe.ClassProxyDenied, true),
		mk("login.microsoftonline.com", probe.ClassProxyUpstreamFailed, true),
		mk("dc.services.visualstudio.com", probe.ClassProxyDenied, false),
	}}
	assert.Equal(t, []FixGroup{
		{Action: "Allow on the proxy proxy.corp:3128", Patterns: []string{"*.his.arc.azure.com", "management.azure.com"}},
		{Action: "Let the proxy proxy.corp:3128 reach these endpoints", Patterns: []string{"login.microsoftonline.com"}},
	}, rep.WhatToFix(), "optional failures need no fix; patterns are listed once")
}
