package probe

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// rootsOf is a set of a pool at hand, its anchors unknown: every judgement against it goes to the pool.
func rootsOf(pool *x509.CertPool) *RootSet {
	return &RootSet{pool: func() *x509.CertPool { return pool }}
}

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

	assert.True(t, verifies(rootsOf(ca.Pool())))
	assert.False(t, rootsOf(ca.Pool()).IsAnchor(ca.Cert), "a pool's anchors are not known")

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

// TestBatchWarmsTheRoots: a batch starts making the roots that verify servers as it is given its first
// https target, before any handshake needs them, and not for plain-HTTP targets.
func TestBatchWarmsTheRoots(t *testing.T) {
	hole := testnet.BlackHole(t)
	for _, scheme := range []string{"http", "https"} {
		made := make(chan struct{}, 1)
		roots := &RootSet{pool: func() *x509.CertPool {
			select {
			case made <- struct{}{}:
			default:
			}
			return x509.NewCertPool()
		}}
		tg, ov := target(t, scheme, "a.example", hole) // no handshake: the address is black-holed
		p := New(Options{Overrides: ov, RootCAs: roots, Timeout: 300 * time.Millisecond})
		b := p.NewBatch(context.Background(), 1)
		b.Go(tg, func(*Result) {})
		select {
		case <-made:
			assert.Equal(t, "https", scheme, "made for an https target only")
		case <-time.After(200 * time.Millisecond):
			assert.Equal(t, "http", scheme, "an https target warms the roots")
		}
		b.Wait()
	}
}
