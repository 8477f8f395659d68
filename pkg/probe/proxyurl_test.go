package probe

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseProxyUserInformation(t *testing.T) {
	cases := []struct {
		in, str, user, password string
	}{
		{"http://alice:2024?Spring@proxy:3128", "http://proxy:3128", "alice", "2024?Spring"},
		{"http://a:12345678#x@p:3128", "http://p:3128", "a", "12345678#x"},
		{"http://u:p@ss@h:1", "http://h:1", "u", "p@ss"},
		{"http://u:a/b:c@h:1/", "http://h:1", "u", "a/b:c"},
		{"http://u:100%@h:1", "http://h:1", "u", "100%"},
		{"HTTP://alice:p%40ss@Proxy.Corp:3128", "http://proxy.corp:3128", "alice", "p@ss"},
		{"alice:2024?Spring@proxy:3128", "http://proxy:3128", "alice", "2024?Spring"},
		{"alice:pa://ss@proxy:3128", "http://proxy:3128", "alice", "pa://ss"},
		{"socks5h://bob@s", "socks5h://s:1080", "bob", ""},
		{"https://[::1]:8443/", "https://[::1]:8443", "", ""},
		{"http://[fe80::1%eth0]:3128", "http://[fe80::1%eth0]:3128", "", ""},
		{" proxy.corp ", "http://proxy.corp:80", "", ""},
		{"proxy.corp:3128", "http://proxy.corp:3128", "", ""},
		{"http://10.0.0.1", "http://10.0.0.1:80", "", ""},
		{"http://bücher.example:3128", "http://xn--bcher-kva.example:3128", "", ""},
	}
	for _, tc := range cases {
		p, err := ParseProxy(tc.in, "test")
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.str, p.String(), tc.in)
		assert.Equal(t, tc.user, p.Username, tc.in)
		assert.Equal(t, tc.password, p.Password.Reveal(), tc.in)
		assert.Equal(t, "test", p.Source)
	}
}

// TestParseProxyErrorsNeverShowUserInformation: no error shows the user name, the password, nor any
// three characters in a row of the password.
func TestParseProxyErrorsNeverShowUserInformation(t *testing.T) {
	const user, secret = "mxyzptlk", "Zq9?K#x/7@W:v"
	ui := user + ":" + secret + "@"
	bad := []string{
		"http://" + ui + "h:3128?x=1", "http://" + ui + "h:3128#frag", "http://" + ui + "h:3128/path",
		"http://" + ui + "h:3128/?", "http://" + ui, "http://" + ui + ":3128", "http://" + ui + "h:0",
		"http://" + ui + "h:65536", "http://" + ui + "h:abc", "http://" + ui + "h:", "http://" + ui + "h:+80",
		"http://" + ui + "]h:1", "http://" + ui + "[::1", "http://" + ui + "[h]:1", "http://" + ui + "h]:1",
		"http://" + ui + "[10.0.0.1]:1", "http://" + ui + "[::1]x", "http://" + ui + "::1:3128", "http://" + ui + "h h:1",
		"http://" + ui + "h_$:1", "ftp://" + ui + "h:1", ui + "h:3128/x", "socks5h://" + ui + "h:1/#x",
		"http://" + ui + "h:3128//",
	}
	for _, in := range bad {
		_, err := ParseProxy(in, "test")
		require.Error(t, err, in)
		msg := err.Error()
		assert.NotContains(t, msg, user, in)
		for i := 0; i+3 <= len(secret); i++ {
			assert.NotContains(t, msg, secret[i:i+3], "%s: %s", in, msg)
		}
	}
	_, err := ParseProxy("http://h:3128?x=1", "test")
	assert.ErrorContains(t, err, "nothing after the port")
	_, err = ParseProxy("http://h:99999", "test")
	assert.ErrorContains(t, err, "1 to 65535")
	_, err = ParseProxy("http://::1:3128", "test")
	assert.ErrorContains(t, err, "brackets")
	_, err = ParseProxy("gopher://u:topsecret@x:1", "test")
	assert.EqualError(t, err, `unsupported scheme "gopher" (valid: http, https, socks5, socks5h)`)
}

func TestNoProxyStrictness(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/99", "10.0.0.0/8/8", "example.org/path", "host/24", "exa\tmple.org", "mple.org:x",
		"exa$mple.org", "example.org:0", "example.org:99999", "[::1]:port", "a*b.example", "ex:am:ple", "."} {
		_, err := ParseNoProxy("localhost,"+bad, "NO_PROXY")
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), strconv.Quote(bad), "the error names the entry")
		assert.Contains(t, err.Error(), "NO_PROXY")
	}
	_, err := ParseNoProxy("[::1]/128,fd00::/8", "NO_PROXY")
	assert.NoError(t, err, "an IPv6 prefix, in brackets or not")
}

// TestProxyURLWithAMisspeltScheme: "http:/user:pw@host" is not a user named "http" (the review found it
// accepted); the error never shows the value.
func TestProxyURLWithAMisspeltScheme(t *testing.T) {
	for _, raw := range []string{"http:/alice:s3cret@127.0.0.1:1", "socks5:/alice:s3cret@h:1080"} {
		_, err := ParseProxy(raw, "--proxy")
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "s3cret")
		assert.NotContains(t, err.Error(), "alice")
	}
	_, err := ParseNoProxy(",", "--no-proxy")
	assert.EqualError(t, err, `--no-proxy: no host, domain, IP or CIDR in ","`)
}
