package probe

import (
	"crypto/sha256"
	"crypto/x509"
	"sync"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// RootSet is a set of root certificates: the embedded public roots (PublicRoots), whose pool is parsed
// only when a chain must be verified against it; the system's store with a file's CAs added
// (SystemRootsWith), read on first use; or certificates at hand (NewRootSet). It is safe for
// concurrent use; a nil *RootSet is no set.
type RootSet struct {
	pool func() *x509.CertPool
	// anchors, when known, are the SHA-256 of each unconstrained certificate of the set: they tell at
	// once, without the pool, whether a chain the machine verified ends in one of them.
	anchors func() map[[sha256.Size]byte]bool
}

// Pool is the set as a pool, made on the first call; nil for a nil set.
func (s *RootSet) Pool() *x509.CertPool {
	if s == nil {
		return nil
	}
	return s.pool()
}

// IsAnchor reports whether c is known to be an unconstrained certificate of the set; false when the set
// does not know (the system's store), which sends the caller to the pool.
func (s *RootSet) IsAnchor(c *x509.Certificate) bool {
	return s != nil && s.anchors != nil && s.anchors()[sha256.Sum256(c.Raw)]
}

// NewRootSet is a set of the given certificates (a --public-roots file).
func NewRootSet(certs ...*x509.Certificate) *RootSet {
	pool := x509.NewCertPool()
	anchors := map[[sha256.Size]byte]bool{}
	for _, c := range certs {
		pool.AddCert(c)
		anchors[sha256.Sum256(c.Raw)] = true
	}
	return &RootSet{pool: func() *x509.CertPool { return pool }, anchors: func() map[[sha256.Size]byte]bool { return anchors }}
}

// SystemRootsWith is the system's store with certs added (--ca-file), read on first use: reading the
// store (on Linux, every file of /etc/ssl/certs) takes 10 to 20 ms, which a batch overlaps with its first
// connections (Prober.warm) rather than spends before them.
func SystemRootsWith(certs ...*x509.Certificate) *RootSet {
	return &RootSet{pool: sync.OnceValue(func() *x509.CertPool {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
		return pool
	})}
}

// PublicRoots returns the reference set of public web PKI roots embedded in the binary (Mozilla's
// program, as maintained in golang.org/x/crypto/x509roots/fallback/bundle), independent of the
// machine's own store. Whether a chain the machine verified ends in one of its roots is told from the
// SHA-256 of each root's DER, hashed once per process (about 0.1 ms); the roots are parsed into a pool
// (about 1 ms) only when a chain must be verified against them alone.
func PublicRoots() *RootSet { return publicRoots }

var publicRoots = &RootSet{
	pool: sync.OnceValue(func() *x509.CertPool {
		pool := x509.NewCertPool()
		for root := range bundle.Roots() {
			c, err := x509.ParseCertificate(root.Certificate)
			if err != nil {
				continue
			}
			if root.Constraint == nil {
				pool.AddCert(c)
			} else {
				pool.AddCertWithConstraint(c, root.Constraint)
			}
		}
		return pool
	}),
	anchors: sync.OnceValue(func() map[[sha256.Size]byte]bool {
		anchors := map[[sha256.Size]byte]bool{}
		for root := range bundle.Roots() {
			if root.Constraint == nil { // a constrained root's chains are judged by the pool
				anchors[sha256.Sum256(root.Certificate)] = true
			}
		}
		return anchors
	}),
}

// warm starts reading the roots that verify servers (the system's store, with --ca-file's CAs if
// given) in the background, once per prober, when a batch is given its first https target: reading the
// store takes 10 to 20 ms, which the first verification would otherwise wait for after its handshake,
// and which the batch overlaps with its first lookups and connections instead. The read is bounded by
// the store and ends on its own; a run that ends first does not wait for it.
func (p *Prober) warm() {
	p.warmed.Do(func() {
		if p.opts.RootCAs != nil {
			go p.opts.RootCAs.Pool()
		} else {
			go x509.SystemCertPool() // loads the pool Verify uses for nil Roots, once per process
		}
	})
}
