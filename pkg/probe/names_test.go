package probe

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNameOf: a name reads as pkix.Name.String writes it, whether formatted or taken from the cache; the
// cache keeps no more than maxNames names, none longer than maxNameDER, and none without DER.
func TestNameOf(t *testing.T) {
	names.Lock()
	saved := maps.Clone(names.m)
	names.m = map[string]string{}
	names.Unlock()
	t.Cleanup(func() {
		names.Lock()
		names.m = saved
		names.Unlock()
	})
	name := func(cn string) ([]byte, pkix.Name) {
		n := pkix.Name{CommonName: cn, Organization: []string{"Contoso, Ltd"}, Country: []string{"US"}}
		raw, err := asn1.Marshal(n.ToRDNSequence())
		require.NoError(t, err)
		return raw, n
	}
	cached := func(raw []byte) (string, bool) {
		names.RLock()
		defer names.RUnlock()
		s, ok := names.m[string(raw)]
		return s, ok
	}

	raw, n := name("Corp Inspection CA")
	want := "CN=Corp Inspection CA,O=Contoso\\, Ltd,C=US"
	assert.Equal(t, want, nameOf(raw, n), "formatted")
	s, ok := cached(raw)
	assert.True(t, ok && s == want, "kept")
	assert.Equal(t, want, nameOf(raw, n), "from the cache")
	other, on := name("Another CA")
	assert.Equal(t, on.String(), nameOf(other, on), "another DER, another name")

	assert.Equal(t, "CN=Unparsed A", nameOf(nil, pkix.Name{CommonName: "Unparsed A"}), "no DER: formatted")
	assert.Equal(t, "CN=Unparsed B", nameOf(nil, pkix.Name{CommonName: "Unparsed B"}), "no DER: never taken for another")
	_, ok = cached(nil)
	assert.False(t, ok, "no DER: not kept")

	longRaw, long := name(strings.Repeat("x", maxNameDER))
	assert.Equal(t, long.String(), nameOf(longRaw, long))
	_, ok = cached(longRaw)
	assert.False(t, ok, "a name longer than %d bytes is not kept", maxNameDER)

	for i := range maxNames + 10 {
		raw, n := name(fmt.Sprintf("CA %d", i))
		assert.Equal(t, n.String(), nameOf(raw, n))
	}
	names.RLock()
	defer names.RUnlock()
	assert.Len(t, names.m, maxNames, "bounded")
}

// TestHugeNamesAreBounded: a name of a hundred thousand attributes, which a hostile peer can put in a
// certificate, is formatted in a bounded time and length, as String formats a name (common name first,
// several values of one attribute joined by +), from at most maxNameAttrs attributes, each cut at
// maxNameValue bytes; ",…" says attributes were left out. pkix.Name.String would take minutes, and
// return the whole name. A long name of a real size is formatted as String formats it.
func TestHugeNamesAreBounded(t *testing.T) {
	parsed := func(n pkix.Name) ([]byte, pkix.Name) {
		raw, err := asn1.Marshal(n.ToRDNSequence())
		require.NoError(t, err)
		var rdns pkix.RDNSequence
		_, err = asn1.Unmarshal(raw, &rdns)
		require.NoError(t, err)
		var out pkix.Name
		out.FillFromRDNSequence(&rdns)
		return raw, out
	}
	units := make([]string, 100_000)
	for i := range units {
		units[i] = fmt.Sprintf("U%d", i)
	}
	raw, huge := parsed(pkix.Name{CommonName: "Huge CA", Organization: []string{"A", "B"}, OrganizationalUnit: units})
	done := make(chan string)
	go func() { done <- nameOf(raw, huge) }()
	select {
	case s := <-done:
		assert.Less(t, len(s), maxNameAttrs*(maxNameValue+16))
		assert.True(t, strings.HasPrefix(s, "CN=Huge CA,OU=U0+OU=U1+"), "%.80q", s)
		assert.True(t, strings.HasSuffix(s, "OU=U28,O=A+O=B,…"), "%.80q", s)
		assert.NotContains(t, s, "OU=U29")
	case <-time.After(5 * time.Second):
		t.Fatal("a name of 100,000 attributes took more than 5 s to format")
	}

	raw, long := parsed(pkix.Name{CommonName: strings.Repeat("é", 1000), Organization: []string{"Contoso"}})
	s := nameOf(raw, long)
	assert.Equal(t, "CN="+strings.Repeat("é", maxNameValue/2)+"…,O=Contoso", s, "cut on a character's boundary; nothing left out")

	hex := pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: make([]byte, 1000)}
	raw, odd := parsed(pkix.Name{CommonName: "Odd CA", ExtraNames: []pkix.AttributeTypeAndValue{hex}})
	assert.Equal(t, "CN=Odd CA,…", nameOf(raw, odd), "a value String shows in hex is left out when long")

	email := pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "pki@contoso.example"}
	real := pkix.Name{CommonName: "Contoso Issuing CA " + strings.Repeat("0", 60), Organization: []string{"Contoso, Ltd", "Contoso Holdings"},
		OrganizationalUnit: []string{strings.Repeat("Certificate Services ", 3), strings.Repeat("Issuing Authorities ", 3)}, Country: []string{"US"},
		Province: []string{"Washington"}, Locality: []string{"Redmond"}, StreetAddress: []string{strings.Repeat("1 Microsoft Way ", 8)},
		PostalCode: []string{"98052"}, SerialNumber: "42", ExtraNames: []pkix.AttributeTypeAndValue{email}}
	raw, realName := parsed(real)
	require.Greater(t, len(raw), maxNameDER)
	assert.Equal(t, realName.String(), nameOf(raw, realName), "a long real name reads as String writes it")
}
