package probe

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNameOf: a name reads as pkix.Name.String writes it, whether formatted or taken from the cache, and
// the cache keeps no more than maxNames names.
func TestNameOf(t *testing.T) {
	name := func(cn string) ([]byte, pkix.Name) {
		n := pkix.Name{CommonName: cn, Organization: []string{"Contoso, Ltd"}, Country: []string{"US"}}
		raw, err := asn1.Marshal(n.ToRDNSequence())
		require.NoError(t, err)
		return raw, n
	}
	raw, n := name("Corp Inspection CA")
	want := "CN=Corp Inspection CA,O=Contoso\\, Ltd,C=US"
	assert.Equal(t, want, nameOf(raw, n), "formatted")
	assert.Equal(t, want, nameOf(raw, n), "from the cache")
	other, on := name("Another CA")
	assert.Equal(t, on.String(), nameOf(other, on), "another DER, another name")

	for i := range maxNames + 10 {
		raw, n := name(fmt.Sprintf("CA %d", i))
		assert.Equal(t, n.String(), nameOf(raw, n))
	}
	names.RLock()
	defer names.RUnlock()
	assert.Len(t, names.m, maxNames, "bounded")
}
