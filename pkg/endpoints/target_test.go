package endpoints

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		raw  string
		want Target
	}{
		{"https://Example.com:8443/a/b", Target{URL: "https://example.com:8443/a/b", Scheme: "https", Host: "example.com", Port: 8443, Path: "/a/b"}},
		{"https://gbl.his.arc.azure.com/discovery?location=westeurope&api-version=1.1-preview",
			Target{URL: "https://gbl.his.arc.azure.com/discovery?location=westeurope&api-version=1.1-preview", Scheme: "https",
				Host: "gbl.his.arc.azure.com", Port: 443, Path: "/discovery?location=westeurope&api-version=1.1-preview"}},
		{"https://x.example?a=1", Target{URL: "https://x.example/?a=1", Scheme: "https", Host: "x.example", Port: 443, Path: "/?a=1"}},
		{"http://www.microsoft.com/pkiops/certs", Target{URL: "http://www.microsoft.com/pkiops/certs", Scheme: "http", Host: "www.microsoft.com", Port: 80, Path: "/pkiops/certs"}},
		{"https://[::1]:8443/", Target{URL: "https://[::1]:8443", Scheme: "https", Host: "::1", Port: 8443}},
		// An IPv6 literal in its canonical form (RFC 5952): lower case, zeros compressed.
		{"https://[2001:DB8:0:0::1]", Target{URL: "https://[2001:db8::1]", Scheme: "https", Host: "2001:db8::1", Port: 443}},
		// A bare host name or host:port means https.
		{"Login.Microsoftonline.com", Target{URL: "https://login.microsoftonline.com", Scheme: "https", Host: "login.microsoftonline.com", Port: 443}},
		{"workspace.example:8080", Target{URL: "https://workspace.example:8080", Scheme: "https", Host: "workspace.example", Port: 8080}},
		{"127.0.0.1:443", Target{URL: "https://127.0.0.1", Scheme: "https", Host: "127.0.0.1", Port: 443}},
	}
	for _, tc := range cases {
		got, err := ParseTarget(tc.raw)
		require.NoError(t, err, tc.raw)
		assert.Equal(t, tc.want, got, tc.raw)
	}
}

func TestParseTargetRefusesBadURLs(t *testing.T) {
	for raw, want := range map[string]string{
		"ftp://x":         `"ftp://x": want an http:// or https:// URL`,
		"https://*.x.com": `"https://*.x.com": want a concrete host name`,
		"https://":        `"https://": want a concrete host name`,
		"":                `"https://": want a concrete host name`,
		"https://x:0":     `"https://x:0": bad port "0"`,
		"x:99999":         `"https://x:99999": bad port "99999"`,
		"not a url":       `"not a url": not a valid URL: invalid character " " in host name`,
	} {
		_, err := ParseTarget(raw)
		require.Error(t, err, raw)
		assert.Equal(t, want, err.Error(), raw)
	}
}

func TestParseTargetNeverShowsUserInformation(t *testing.T) {
	const want = "user information (user:password@) is not used by a reachability check; remove it (the value is not shown: it may hold a password)"
	for _, raw := range []string{"https://bob:Secr3t@host", "bob:Secr3t@host:8443/p?q=1", "http://bob@host", "ftp://bob:Secr3t@host",
		"https://bob:Secr3t@host:bad", "https://bob:Secr3t@ho st", "https://bob:Secr3t%zz@host/", "https://bob:Secr3t@*.example.com",
		"https://bob:Secr3t%40host", "https://bob%3ASecr3t%40host:8443/", "bob:Secr3t%40host", "https:/bob:Secr3t%40host"} {
		_, err := ParseTarget(raw)
		require.Error(t, err, raw)
		assert.Equal(t, want, err.Error(), raw)
	}
}

func TestParseTargetKeepsPercentAtInPaths(t *testing.T) {
	tg, err := ParseTarget("https://host.example/a%40b")
	require.NoError(t, err)
	assert.Equal(t, "/a%40b", tg.Path)
}

func TestTargetString(t *testing.T) {
	assert.Equal(t, "http://x.example:8080/p", Target{Scheme: "http", Host: "x.example", Port: 8080, Path: "/p"}.String())
	assert.Equal(t, "https://[::1]", Target{Scheme: "https", Host: "::1", Port: 443}.String())
	assert.Equal(t, "http://x.example:443", Target{Scheme: "http", Host: "x.example", Port: 443}.String())
}

// TestEntryIsProbedOnEveryPort: an entry without Target lines is probed as written on every port in
// Ports (data/README.md), its path kept after the port.
func TestEntryIsProbedOnEveryPort(t *testing.T) {
	e := Entry{Endpoint: "www.microsoft.com/pkiops/certs", Ports: []Port{{"http", 80}, {"https", 443}, {"https", 8443}}}
	assert.Equal(t, []string{"http://www.microsoft.com/pkiops/certs", "https://www.microsoft.com/pkiops/certs",
		"https://www.microsoft.com:8443/pkiops/certs"}, targetTemplates(&e))
	e = Entry{Endpoint: "<region>.example.com", Ports: []Port{{"https", 443}, {"http", 8080}}}
	assert.Equal(t, []string{"https://<region>.example.com", "http://<region>.example.com:8080"}, targetTemplates(&e))
}

func TestParseTargetConvertsUnicodeHostNames(t *testing.T) {
	tg, err := ParseTarget("https://Bücher.example/x")
	require.NoError(t, err)
	assert.Equal(t, "xn--bcher-kva.example", tg.Host, "looked up as its punycode, as the agent's resolver would")
	assert.Equal(t, "https://xn--bcher-kva.example/x", tg.URL)
	_, err = ParseTarget("https://a..b")
	assert.Error(t, err)
}

func TestGatewayURLMustBeAnArcGateway(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	for _, good := range []string{"https://contoso.gw.arc.azure.com", "contoso.gw.arc.azure.com", "https://Contoso.GW.arc.azure.com:443/"} {
		p, err := c.Select(Selection{GatewayURL: good})
		require.NoError(t, err, good)
		assert.Equal(t, "https://contoso.gw.arc.azure.com", p.GatewayURL, good)
	}
	for _, bad := range []string{"https://example.com", "https://gw.arc.azure.com", "https://x.gw.arc.azure.com.evil.example",
		"https://x.gw.arc.azure.com:8443", "https://x.gw.arc.azure.com#frag", "https://bob:Secr3t@x.gw.arc.azure.com"} {
		_, err := c.Select(Selection{GatewayURL: bad})
		var se *SelectionError
		require.ErrorAs(t, err, &se, bad)
		assert.Equal(t, FieldGatewayURL, se.Field, bad)
		assert.NotContains(t, err.Error(), "Secr3t")
		assert.NotContains(t, err.Error(), "bob")
	}
}

// TestParseTargetFuzzFindings are the inputs fuzzing found wrong, kept as regressions.
func TestParseTargetFuzzFindings(t *testing.T) {
	_, err := ParseTarget("https://\xdd0.example")
	assert.Error(t, err, "a host that is not valid UTF-8")
	_, err = ParseTarget("https://%80.example")
	assert.Error(t, err, "a host that decodes to invalid UTF-8")

	tg, err := ParseTarget("https://[fe80::1%25eth0]:8443/x")
	require.NoError(t, err)
	assert.Equal(t, "https://[fe80::1%25eth0]:8443/x", tg.URL, "an IPv6 zone written as URLs write it")
	again, err := ParseTarget(tg.URL)
	require.NoError(t, err)
	assert.Equal(t, tg, again)

	_, err = ParseTarget("/://bob:Secr3t@host")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Secr3t")
	assert.NotContains(t, err.Error(), "bob")
}

// TestUserInformationIsNeverShown: however a URL with user information is spelt, it is refused and
// never echoed (the review found "https:/u:pw@host", one slash short, probed as the host "https").
func TestUserInformationIsNeverShown(t *testing.T) {
	for _, raw := range []string{"https:/u:s3cret@localhost:18443", "https//u:s3cret@host", "u:s3cret@host", "https://u:s3cret@host"} {
		_, err := ParseTarget(raw)
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "s3cret", raw)
		c, err2 := Load()
		require.NoError(t, err2)
		_, err = c.Select(Selection{GatewayURL: strings.Replace(raw, "host", "x.gw.arc.azure.com", 1)})
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "s3cret", raw)
	}
	c, err := Load()
	require.NoError(t, err)
	for vault, ok := range map[string]bool{"kv1": true, "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p": false, "a--b": false, strings.Repeat("a", 24): true, strings.Repeat("a", 25): false} {
		_, err := c.Select(Selection{Extensions: []string{"keyvault"}, Values: map[string]string{"vault": vault}})
		assert.Equal(t, ok, err == nil, "vault %q: %v", vault, err)
	}
}

// TestGatewayPrefixIsOneDNSLabel: the prefix goes into rule files and spreadsheets; only a DNS label passes.
func TestGatewayPrefixIsOneDNSLabel(t *testing.T) {
	for _, ok := range []string{"a", "gw-123abc", "A1", strings.Repeat("a", 63)} {
		assert.True(t, isGatewayHost(ok+".gw.arc.azure.com"), ok)
	}
	for _, bad := range []string{"", "-a", "a-", "a.b", "=1+2", "@x", "+x", "a_b", "a b", strings.Repeat("a", 64), "é", "a\x1b"} {
		assert.False(t, isGatewayHost(bad+".gw.arc.azure.com"), "%q", bad)
	}
}
