package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"slices"
	"time"

	"github.com/arccheck/arccheck/internal/hostport"
)

// handshake runs the TLS handshake with the target's name for SNI and verification. Verification runs
// in VerifyConnection so that the certificate facts are recorded even when it fails.
func (p *Prober) handshake(ctx context.Context, conn net.Conn, r *Result) (*tls.Conn, bool) {
	t := &r.Target
	phase := &TLSPhase{}
	r.TLS = phase
	var verifyErr error
	cfg := &tls.Config{
		ServerName:         t.Host,
		InsecureSkipVerify: true, // verified below, against the same roots, recording what was seen
		MinVersion:         tls.VersionTLS12,
		VerifyConnection: func(cs tls.ConnectionState) error {
			verifyErr = p.verifyPeer(t, phase, cs.PeerCertificates)
			return verifyErr
		},
	}
	start := time.Now()
	first := &firstBytesConn{Conn: conn}
	tconn := tls.Client(first, cfg)
	err := tconn.HandshakeContext(ctx)
	phase.Duration = time.Since(start)
	return p.handshaken(ctx, r, tconn, err, verifyErr, first)
}

// verifyPeer verifies the certificates a server presented, against the roots the probe trusts, recording
// in phase what was seen; it returns why they do not verify, or nil (VerifyConnection).
func (p *Prober) verifyPeer(t *Target, phase *TLSPhase, certs []*x509.Certificate) error {
	if len(certs) == 0 {
		return errNoCertificate
	}
	inter := recordChain(phase, certs)
	opts := x509.VerifyOptions{DNSName: hostForVerify(t.Host), Roots: p.opts.RootCAs.Pool(),
		Intermediates: inter, CurrentTime: p.opts.Now()}
	chains, err := certs[0].Verify(opts)
	return p.judgeChain(*t, phase, certs, opts, chains, err)
}

// recordChain records the presented certificates in phase and returns the intermediates they offer.
func recordChain(phase *TLSPhase, certs []*x509.Certificate) *x509.CertPool {
	leaf := certificateOf(certs[0])
	phase.Leaf = &leaf
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
		phase.Chain = append(phase.Chain, caCertificateOf(c))
	}
	return inter
}

// judgeChain records what verification found (verified, the root it ended in, a re-signing) and returns
// the verification error, explained.
func (p *Prober) judgeChain(t Target, phase *TLSPhase, certs []*x509.Certificate, opts x509.VerifyOptions, chains [][]*x509.Certificate, err error) error {
	if err == nil {
		phase.Verified = true
		if root := chains[0][len(chains[0])-1]; !root.Equal(certs[len(certs)-1]) {
			phase.Chain = append(phase.Chain, caCertificateOf(root))
		}
	}
	if by, notOf, ok := p.interceptedBy(t, certs, opts, chains, err); ok {
		phase.Intercepted, phase.Interceptor, phase.PublicNotOf = true, by, notOf
		if err != nil {
			err = &interceptedError{by: by, notOf: notOf, err: err}
		}
		return err
	}
	return explainUnknownAuthority(err, certs)
}

// handshaken records what a handshake ended in.
func (p *Prober) handshaken(ctx context.Context, r *Result, tconn *tls.Conn, err, verifyErr error, first *firstBytesConn) (*tls.Conn, bool) {
	phase, t := r.TLS, r.Target
	if err != nil && failHTTPInsteadOfTLS(r, err, first) {
		return nil, false
	}
	if err != nil {
		if a, ok := tlsAlert(err); ok {
			phase.Alert = uint8(a)
		}
		r.fail(classifyTLS(ctx, err, verifyErr, first.hello.serverVersion()))
		return nil, false
	}
	cs := tconn.ConnectionState()
	phase.Version, phase.CipherSuite = cs.Version, cs.CipherSuite
	if phase.Intercepted {
		r.warn(Finding{Class: ClassTLSIntercepted, Phase: PhaseTLS, Cause: CauseResigned,
			Facts: Facts{Interceptor: phase.Interceptor, PublicNotOf: phase.PublicNotOf}})
	}
	if cs.Version == tls.VersionTLS12 && slices.Contains(t.AllowedTLS, tls.VersionTLS13) {
		r.warn(Finding{Class: ClassTLS12Max, Phase: PhaseTLS})
	}
	return tconn, true
}

// interceptedError is a chain the machine does not trust that is not the public one either.
type interceptedError struct {
	by    string
	notOf []string
	err   error
}

func (e *interceptedError) Error() string { return "x509: re-signed by " + e.by + ": " + e.err.Error() }

// errNoCertificate is a handshake in which the server sent no certificate.
var errNoCertificate = errors.New("tls: no certificate")

// chainError is an unknown authority explained: a self-signed certificate (subject), or a chain whose
// last certificate's issuer was not sent (issuer).
type chainError struct {
	cause Cause
	name  string
	err   error
}

func (e *chainError) Error() string { return e.err.Error() }
func (e *chainError) Unwrap() error { return e.err }

func (e *interceptedError) Unwrap() error { return e.err }

// interceptedBy decides whether a chain is someone's re-signing rather than the endpoint's public chain:
// it must verify against the reference public roots, and, where the target names expected issuers, one
// of them must appear in it. Only targets that expect a public chain (ExpectIssuers) are judged, and only
// when the machine either trusts the chain or fails it for an unknown authority: an expired or
// wrong-host certificate keeps its own class. Nor is a self-signed certificate a re-signing (inspection
// products sign with a CA), nor a chain the expected issuer signed that lacks its intermediate. It
// returns the re-signing CA's name, and the expected issuers when it is a public CA but none of them.
func (p *Prober) interceptedBy(t Target, certs []*x509.Certificate, opts x509.VerifyOptions, machine [][]*x509.Certificate, machineErr error) (string, []string, bool) {
	if p.opts.ReferenceRoots == nil || len(t.ExpectIssuers) == 0 {
		return "", nil, false
	}
	var unknown x509.UnknownAuthorityError
	issuedByExpected := slices.ContainsFunc(certs[len(certs)-1].Issuer.Organization,
		func(o string) bool { return containsFold(t.ExpectIssuers, o) })
	if machineErr != nil && (!errors.As(machineErr, &unknown) || selfSigned(certs[0]) || issuedByExpected) {
		return "", nil, false
	}
	// A chain the machine verified to a root of the reference set, through certificates the server
	// presented (an operating system's verifier may fetch others), is one of the set's too: when it has
	// an expected issuer, the verdict is known without the set's pool, which is made only when needed.
	if machineErr == nil && hasIssuer(p.anchoredChains(certs, machine), t.ExpectIssuers) {
		return "", nil, false
	}
	opts.Roots = p.opts.ReferenceRoots.Pool()
	public, err := certs[0].Verify(opts)
	if err == nil {
		if hasIssuer(public, t.ExpectIssuers) {
			return "", nil, false
		}
		return nameOf(certs[0].RawIssuer, certs[0].Issuer), t.ExpectIssuers, true
	}
	if !errors.As(err, &unknown) {
		return "", nil, false
	}
	if machineErr == nil {
		return nameOf(machine[0][len(machine[0])-1].RawSubject, machine[0][len(machine[0])-1].Subject), nil, true
	}
	return nameOf(certs[len(certs)-1].RawIssuer, certs[len(certs)-1].Issuer), nil, true
}

// anchoredChains are the chains of machine that end in a root of the reference set and go through
// presented certificates only: the chains x509 would build from them against the set's pool.
func (p *Prober) anchoredChains(presented []*x509.Certificate, machine [][]*x509.Certificate) [][]*x509.Certificate {
	var out [][]*x509.Certificate
	for _, chain := range machine {
		if len(chain) < 2 {
			continue // a trusted leaf alone: no issuer to find
		}
		inner := chain[1 : len(chain)-1]
		if p.opts.ReferenceRoots.IsAnchor(chain[len(chain)-1]) &&
			!slices.ContainsFunc(inner, func(c *x509.Certificate) bool { return !slices.ContainsFunc(presented, c.Equal) }) {
			out = append(out, chain)
		}
	}
	return out
}

// hasIssuer reports whether a certificate above the leaf of one of chains is of one of the organisations.
func hasIssuer(chains [][]*x509.Certificate, orgs []string) bool {
	for _, chain := range chains {
		for _, c := range chain[1:] {
			if slices.ContainsFunc(c.Subject.Organization, func(o string) bool { return containsFold(orgs, o) }) {
				return true
			}
		}
	}
	return false
}

// explainUnknownAuthority says, for a chain that does not verify for an unknown authority, whether the
// certificate is self-signed or the server left out the certificate of the CA that issued its last one
// (an incomplete chain, which a browser may mend from its cache but the agent does not).
func explainUnknownAuthority(err error, certs []*x509.Certificate) error {
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		return err
	}
	last := certs[len(certs)-1]
	switch {
	case selfSigned(certs[0]):
		return &chainError{cause: CauseSelfSigned, name: nameOf(certs[0].RawSubject, certs[0].Subject), err: err}
	case !selfSigned(last):
		return &chainError{cause: CauseIncompleteChain, name: nameOf(last.RawIssuer, last.Issuer), err: err}
	}
	return err
}

// selfSigned reports whether c is signed by its own key.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// hostForVerify strips the brackets of an IPv6 literal.
func hostForVerify(h string) string { return hostport.Unbracketed(h) }
