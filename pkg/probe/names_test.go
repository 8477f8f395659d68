package probe

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"maps"
	"strings"
	"testing"

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
