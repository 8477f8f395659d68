package probe

import (
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// TestRootSets: each kind of set verifies what its certificates sign, knows its anchors only when it was
// given certificates, and is made once; a nil set is none.
func TestRootSets(t *testing.T) {
	ca := testnet.NewCA(t, "Root", "DigiCert Inc")
	other := testnet.NewCA(t, "Other", "Contoso")
	leaf, err := x509.ParseCertificate(ca.ValidLeaf(t, "a.example").Certificate[0])
	require.NoError(t, err)
	verifies := func(s *RootSet) bool {
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: "a.example", Roots: s.Pool()})
		return err == nil
	}

	withCA := SystemRootsWith(ca.Cert)
	assert.True(t, verifies(withCA), "the system's store with the CA added")
	assert.Same(t, withCA.Pool(), withCA.Pool(), "read once")
	assert.False(t, withCA.IsAnchor(ca.Cert), "the system's store has no known anchors")
	assert.False(t, verifies(SystemRootsWith(other.Cert)))

	set := NewRootSet(ca.Cert)
	assert.True(t, verifies(set))
	assert.True(t, set.IsAnchor(ca.Cert))
	assert.False(t, set.IsAnchor(other.Cert))

	assert.True(t, verifies(RootsOf(ca.Pool())))
	assert.False(t, RootsOf(ca.Pool()).IsAnchor(ca.Cert), "a pool's anchors are not known")

	var none *RootSet
	assert.Nil(t, none.Pool())
	assert.False(t, none.IsAnchor(ca.Cert))
}

// TestAnchoredChains: a chain the machine verified counts for the reference set only when it ends in one
// of the set's roots through presented certificates; a trusted leaf alone is no chain to judge.
func TestAnchoredChains(t *testing.T) {
	root := testnet.NewCA(t, "Root", "DigiCert Inc")
	inter := root.Intermediate(t, "Intermediate", "DigiCert Inc")
	leaf, err := x509.ParseCertificate(inter.ValidLeaf(t, "a.example").Certificate[0])
	require.NoError(t, err)
	p := New(Options{ReferenceRoots: NewRootSet(root.Cert)})
	chain := []*x509.Certificate{leaf, inter.Cert, root.Cert}

	assert.Len(t, p.anchoredChains([]*x509.Certificate{leaf, inter.Cert}, [][]*x509.Certificate{chain}), 1)
	assert.Empty(t, p.anchoredChains([]*x509.Certificate{leaf}, [][]*x509.Certificate{chain}),
		"an intermediate the server did not present (fetched by the system's verifier)")
	assert.Empty(t, New(Options{ReferenceRoots: NewRootSet(inter.Cert)}).anchoredChains([]*x509.Certificate{leaf, inter.Cert},
		[][]*x509.Certificate{chain}), "a chain that ends in a root outside the set")
	assert.Empty(t, p.anchoredChains([]*x509.Certificate{root.Cert}, [][]*x509.Certificate{{root.Cert}}), "a trusted certificate alone")
}
