package probe

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
// certificate, is formatted in a bounded time and length: its first maxNameAttrs attributes, each cut at
// maxNameValue bytes (pkix.Name.String would take minutes, and return the whole name). A name of a real
// size is formatted whole, as String does.
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
	orgs := make([]string, 100_000)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("O%d", i)
	}
	raw, huge := parsed(pkix.Name{CommonName: "Huge CA", Organization: orgs})
	done := make(chan string)
	go func() { done <- nameOf(raw, huge) }()
	select {
	case s := <-done:
		assert.Less(t, len(s), maxNameAttrs*(maxNameValue+16))
		assert.True(t, strings.HasSuffix(s, ",…"), "%.80q", s)
		assert.Contains(t, s, "O=O0")
		assert.NotContains(t, s, "O=O99999")
	case <-time.After(5 * time.Second):
		t.Fatal("a name of 100,000 attributes took more than 5 s to format")
	}

	raw, long := parsed(pkix.Name{CommonName: strings.Repeat("é", 1000), Organization: []string{"Contoso"}})
	s := nameOf(raw, long)
	assert.True(t, utf8.ValidString(s), "cut on a character's boundary")
	assert.Contains(t, s, "CN="+strings.Repeat("é", maxNameValue/2)+"…")

	raw, real := parsed(pkix.Name{CommonName: "Corp CA", Organization: []string{"Contoso, Ltd"}, Country: []string{"US"},
		OrganizationalUnit: []string{strings.Repeat("u", 600)}})
	assert.Equal(t, strings.Replace(real.String(), strings.Repeat("u", 600), strings.Repeat("u", maxNameValue)+"…", 1)+",…",
		nameOf(raw, real), "a value past maxNameValue bytes is cut")
	raw, real = parsed(pkix.Name{CommonName: "Corp CA", Organization: []string{"Contoso, Ltd"}, Country: []string{"US"}})
	assert.Equal(t, "CN=Corp CA,O=Contoso\\, Ltd,C=US", nameOf(raw, real))
}
