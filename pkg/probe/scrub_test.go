package probe

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/internal/testnet"
)

// passwordForms are the forms of a proxy's password that must never show, written here independently of
// the scrubber: the password and user:password, percent-encoded (upper- and lower-case hex) and in base64.
func passwordForms(user, password string) []string {
	lower := func(s string) string { return percentHex.ReplaceAllStringFunc(s, strings.ToLower) }
	var forms []string
	for _, v := range []string{password, user + ":" + password} {
		for _, e := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			forms = append(forms, e, lower(e))
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(v)))
		}
	}
	userinfo := url.UserPassword(user, password).String()
	return append(forms, userinfo, lower(userinfo))
}

var percentHex = regexp.MustCompile(`%[0-9A-F]{2}`)

// strings of a value: every string reachable from v, following pointers, slices and struct fields, but
// not into a Secret (which holds the password and never prints it) or a certificate pool.
func stringsOf(v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stringsOf(v.Elem(), out)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			stringsOf(v.Index(i), out)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(Secret{}) || v.Type() == reflect.TypeOf(x509.CertPool{}) {
			return
		}
		for i := range v.NumField() {
			stringsOf(v.Field(i), out)
		}
	}
}

// assertNoSecret asserts that no form of the password shows in r: its JSON, its %+v form, any string in
// it, and that none of those strings holds a control or bidirectional character.
func assertNoSecret(t *testing.T, user, password string, r Result) {
	t.Helper()
	js, err := json.Marshal(r)
	require.NoError(t, err)
	shown := []string{string(js), fmt.Sprintf("%+v", r), fmt.Sprintf("%v", r.Failure)}
	var all []string
	stringsOf(reflect.ValueOf(r), &all)
	for _, s := range all {
		assert.True(t, safetext.IsSafe(s), "a control character stored: %q", s)
	}
	shown = append(shown, all...)
	for _, form := range passwordForms(user, password) {
		for _, s := range shown {
			if strings.Contains(s, form) {
				t.Errorf("the password shows as %q in %q", form, s)
			}
		}
	}
}

// TestEchoedCredentialsAreScrubbed: a proxy that quotes the credentials it received (its status line,
// headers, error page) gets no form of the password into the result, for a CONNECT tunnel and for a
// plain-HTTP absolute-form request, whatever it answers; nor a control character.
func TestEchoedCredentialsAreScrubbed(t *testing.T) {
	const user = "alice"
	cases := []struct {
		name   string
		scheme string
		echo   testnet.EchoOptions
	}{
		{"CONNECT refused", "https", testnet.EchoOptions{}},
		{"CONNECT asked for credentials again", "https", testnet.EchoOptions{Status: 407}},
		{"CONNECT opened, then a page in the tunnel", "https", testnet.EchoOptions{Tunnel: true, Status: 302}},
		{"absolute-form refused", "http", testnet.EchoOptions{}},
		{"absolute-form redirected", "http", testnet.EchoOptions{Status: 302}},
		{"absolute-form asked for credentials again", "http", testnet.EchoOptions{Status: 407}},
		{"absolute-form answered 200", "http", testnet.EchoOptions{Status: 200}},
		{"CONNECT refused, unmarked", "https", testnet.EchoOptions{Unmarked: true}},
		{"CONNECT opened, then an unmarked page in the tunnel", "https", testnet.EchoOptions{Tunnel: true, Unmarked: true}},
		{"absolute-form refused, unmarked", "http", testnet.EchoOptions{Unmarked: true}},
		{"absolute-form failing upstream, unmarked", "http", testnet.EchoOptions{Status: 502, Unmarked: true}},
		{"absolute-form answered 200, unmarked", "http", testnet.EchoOptions{Status: 200, Unmarked: true}},
	}
	for _, password := range []string{"p@ss:w/rd%1", "Q%"} {
		for _, tc := range cases {
			t.Run(password+"/"+tc.name, func(t *testing.T) {
				px := testnet.EchoProxy(t, tc.echo)
				tg := Target{Scheme: tc.scheme, Host: "management.azure.com", Port: 443}
				if tc.scheme == "http" {
					tg = Target{Scheme: "http", Host: "www.microsoft.com", Port: 80, Path: "/pkiops/certs"}
				}
				raw := "http://" + url.UserPassword(user, password).String() + "@" + px.Addr
				r := through(t, raw, Options{Timeout: 5 * time.Second}, tg)
				require.Positive(t, px.Echoed.Load(), "the proxy never received the credentials")
				require.NotNil(t, r.Failure)
				assert.Contains(t, factText(r.Failure), "redacted", "the proxy's quote is not in the finding: %s", factsJSON(r.Failure))
				assertNoSecret(t, user, password, r)
				t.Log(r.Failure.Class, factsJSON(r.Failure))
			})
		}
	}
}

// TestConnectDialerErrorsAreScrubbed: HTTPConnectDialer, used on its own, returns errors without the
// password a proxy quoted.
func TestConnectDialerErrorsAreScrubbed(t *testing.T) {
	const user, password = "alice", "p@ss:w/rd%1"
	for _, status := range []int{403, 407} {
		px := testnet.EchoProxy(t, testnet.EchoOptions{Status: status})
		d := &HTTPConnectDialer{Proxy: mustProxy(t, "http://"+url.UserPassword(user, password).String()+"@"+px.Addr)}
		_, err := d.DialContext(context.Background(), "tcp", "management.azure.com:443")
		var pe *ProxyError
		require.ErrorAs(t, err, &pe)
		require.Positive(t, px.Echoed.Load())
		shown := []string{err.Error(), pe.Status, pe.ProxyCode, strings.Join(pe.AuthSchemes, " "), fmt.Sprintf("%+v", *pe)}
		for _, form := range passwordForms(user, password) {
			for _, s := range shown {
				assert.NotContains(t, s, form, "status %d", status)
			}
		}
		assert.True(t, safetext.IsSafe(err.Error()), "%q", err.Error())
	}
}

// TestScrubber: every form of the password is replaced, a password of one character too, with a mark
// that holds no form of it; a scrubber prints none of its forms.
func TestScrubber(t *testing.T) {
	const pw = "p@ss:w/rd%1"
	cases := []struct {
		user, password, text string
		want                 string
	}{
		{"alice", "s3cret", "proxy said s3cret and alice:s3cret", "proxy said [redacted] and [redacted]"},
		{"alice", pw, "got " + url.QueryEscape(pw) + " and " + lowerHex(url.PathEscape("alice:"+pw)) + " and " +
			url.UserPassword("alice", pw).String(), "got [redacted] and [redacted] and [redacted]"},
		{"alice", "s3cret", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret")), "Basic [redacted]"},
		{"alice", "s3cret", base64.RawURLEncoding.EncodeToString([]byte("s3cret")), "[redacted]"},
		{"alice", "e", "the password was e", "th[REDACTED] password was [REDACTED]"}, // the mark holds no "e"
		{"bob", "[", "a [ b", "a *** b"},
		{"bob", "z", "\x1b[2Jz\u202e", `\x1b[2J[redacted]\u202e`},
		// Escaping a control character writes an "x": it is scrubbed too.
		{"bob", "x", "\x1b[2Jx", `\[redacted]1b[2J[redacted]`},
		// A mark next to the text would make the password again: scrubbed again.
		{"bob", "a[", "aa[", "[redacted]redacted]"},
		// Part of the password (a proxy that quotes a prefix, or cuts it): no part of it prints.
		{"bob", "S3cr3tPw", "403 for S3cr3 (ERR_S3cr3)", "403 for [redacted] (ERR_[redacted])"},
		{"bob", "S3cr3tPw", "tail 3tPw", "tail [redacted]"},
	}
	for _, tc := range cases {
		s := newScrubber(&Proxy{Username: tc.user, Password: NewSecret(tc.password)})
		got := s.clean(tc.text)
		assert.Equal(t, tc.want, got, "%q", tc.text)
		assert.NotContains(t, got, tc.password)
		if len(tc.password) > 3 { // a shorter one is in any text, "[redacted]" included
			printed := fmt.Sprintf("%v %+v %#v", s, *s, s.forms)
			assert.NotContains(t, printed, tc.password, "a scrubber prints a form")
		}
	}
	assert.Nil(t, newScrubber(&Proxy{Username: "alice"}, nil), "no password, nothing to scrub")
	assert.Equal(t, `a\x1bb`, (*scrubber)(nil).clean("a\x1bb"), "a nil scrubber still escapes")
}

// TestScrubbedCertificatesAreCopies: cleaning a certificate's names never writes into the slices of the
// certificate they came from (a root of a trusted pool, say).
func TestScrubbedCertificatesAreCopies(t *testing.T) {
	names := []string{"ok.example", "bad\x1b.example"}
	r := Result{TLS: &TLSPhase{Leaf: &Certificate{DNSNames: names}, Chain: []Certificate{{SubjectOrg: names}}}}
	(*scrubber)(nil).result(&r)
	assert.Equal(t, []string{"ok.example", `bad\x1b.example`}, r.TLS.Leaf.DNSNames)
	assert.Equal(t, []string{"ok.example", `bad\x1b.example`}, r.TLS.Chain[0].SubjectOrg)
	assert.Equal(t, "bad\x1b.example", names[1], "the certificate's own slice was changed")
}
