package hostport_test

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/hostport"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// TestTargetsAreWrittenOneWay: the URL and dial address of a target, as hostport writes them and as
// both call sites (endpoints.Target.String, probe.Target.URL and Address) do; every URL parses back to
// the same host, port and path. (An external test package: it imports the packages that import hostport.)
func TestTargetsAreWrittenOneWay(t *testing.T) {
	cases := []struct {
		scheme, host string
		port         int
		path         string
		url, address string
	}{
		{"https", "management.azure.com", 443, "", "https://management.azure.com", "management.azure.com:443"},
		{"https", "management.azure.com", 8443, "/a?b=1", "https://management.azure.com:8443/a?b=1", "management.azure.com:8443"},
		{"http", "www.microsoft.com", 80, "/pkiops/certs", "http://www.microsoft.com/pkiops/certs", "www.microsoft.com:80"},
		{"http", "x.example", 443, "", "http://x.example:443", "x.example:443"},
		{"https", "x.example", 80, "", "https://x.example:80", "x.example:80"},

		{"https", "192.0.2.1", 443, "", "https://192.0.2.1", "192.0.2.1:443"},
		{"https", "192.0.2.1", 8443, "/x", "https://192.0.2.1:8443/x", "192.0.2.1:8443"},
		{"http", "192.0.2.1", 80, "", "http://192.0.2.1", "192.0.2.1:80"},
		{"http", "192.0.2.1", 8080, "", "http://192.0.2.1:8080", "192.0.2.1:8080"},

		{"https", "2001:db8::1", 443, "", "https://[2001:db8::1]", "[2001:db8::1]:443"},
		{"https", "2001:db8::1", 8443, "/x", "https://[2001:db8::1]:8443/x", "[2001:db8::1]:8443"},
		{"http", "2001:db8::1", 80, "", "http://[2001:db8::1]", "[2001:db8::1]:80"},
		{"http", "2001:db8::1", 8080, "", "http://[2001:db8::1]:8080", "[2001:db8::1]:8080"},

		// RFC 6874: in a URL the zone's '%' is written %25; in a dial address it is as the dialler reads it.
		{"https", "fe80::1%eth0", 443, "", "https://[fe80::1%25eth0]", "[fe80::1%eth0]:443"},
		{"https", "fe80::1%eth0", 8443, "/x", "https://[fe80::1%25eth0]:8443/x", "[fe80::1%eth0]:8443"},
		{"http", "fe80::1%eth0", 80, "", "http://[fe80::1%25eth0]", "[fe80::1%eth0]:80"},
		{"http", "fe80::1%eth0", 8080, "", "http://[fe80::1%25eth0]:8080", "[fe80::1%eth0]:8080"},
	}
	for _, tc := range cases {
		name := tc.scheme + " " + tc.host + " " + strconv.Itoa(tc.port)
		assert.Equal(t, tc.url, hostport.URL(tc.scheme, tc.host, tc.port, tc.path), name)
		assert.Equal(t, tc.address, hostport.Address(tc.host, tc.port), name)

		et := endpoints.Target{Scheme: tc.scheme, Host: tc.host, Port: tc.port, Path: tc.path}
		pt := probe.Target{Scheme: tc.scheme, Host: tc.host, Port: tc.port, Path: tc.path}
		assert.Equal(t, tc.url, et.String(), name+": endpoints.Target")
		assert.Equal(t, tc.url, pt.URL(), name+": probe.Target")
		assert.Equal(t, tc.address, pt.Address(), name+": probe.Target")

		u, err := url.Parse(tc.url)
		require.NoError(t, err, name)
		assert.Equal(t, tc.host, u.Hostname(), name)
		again, err := endpoints.ParseTarget(tc.url)
		require.NoError(t, err, name)
		assert.Equal(t, et.Host, again.Host, name)
		assert.Equal(t, et.Port, again.Port, name)
		assert.Equal(t, et.Path, again.Path, name)
		assert.Equal(t, tc.url, again.URL, name)
	}
}

// TestBracketedHostsAreNotBracketedTwice: a host given in brackets is the address inside them.
func TestBracketedHostsAreNotBracketedTwice(t *testing.T) {
	assert.Equal(t, "https://[::1]", hostport.URL("https", "[::1]", 443, ""))
	assert.Equal(t, "https://[::1]:8443", hostport.URL("https", "[::1]", 8443, ""))
	assert.Equal(t, "[::1]:8443", hostport.Address("[::1]", 8443))
	assert.Equal(t, "[fe80::1%25eth0]", hostport.Authority("https", "[fe80::1%eth0]", 443))
}

func TestDefaultPort(t *testing.T) {
	assert.Equal(t, 443, hostport.DefaultPort("https"))
	assert.Equal(t, 80, hostport.DefaultPort("http"))
	assert.Equal(t, 0, hostport.DefaultPort("socks5"))
	assert.Equal(t, "x.example:0", hostport.Authority("socks5", "x.example", 0), "no default port to leave out")
}

func TestUnbracketed(t *testing.T) {
	for in, want := range map[string]string{"[::1]": "::1", "::1": "::1", "[fe80::1%eth0]": "fe80::1%eth0", "example.com": "example.com",
		"[::1": "[::1", "[]": "", "10.0.0.1": "10.0.0.1"} {
		assert.Equal(t, want, hostport.Unbracketed(in), in)
	}
}
