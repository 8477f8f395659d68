package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// handshake runs the TLS handshake with the target's name for SNI and verification. Verification runs
// in VerifyConnection so that the certificate facts are recorded even when it fails.
func (p *Prober) handshake(ctx, parent context.Context, conn net.Conn, r *Result) (*tls.Conn, bool) {
	t := r.Target
	phase := &TLSPhase{}
	r.TLS = phase
	var verifyErr error
	cfg := &tls.Config{
		ServerName:         t.Host,
		InsecureSkipVerify: true, // verified below, against the same roots, recording what was seen
		MinVersion:         tls.VersionTLS12,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				verifyErr = errors.New("the server sent no certificate")
				return verifyErr
			}
			leaf := certificateOf(cs.PeerCertificates[0])
			phase.Leaf = &leaf
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
				phase.Chain = append(phase.Chain, certificateOf(c))
			}
			opts := x509.VerifyOptions{DNSName: hostForVerify(t.Host), Roots: p.opts.RootCAs,
				Intermediates: inter, CurrentTime: p.opts.Now()}
			chains, err := cs.PeerCertificates[0].Verify(opts)
			if err != nil {
				verifyErr = err
				return err
			}
			phase.Verified = true
			if root := chains[0][len(chains[0])-1]; !root.Equal(cs.PeerCertificates[len(cs.PeerCertificates)-1]) {
				phase.Chain = append(phase.Chain, certificateOf(root))
			}
			return nil
		},
	}
	start := time.Now()
	tconn := tls.Client(conn, cfg)
	err := tconn.HandshakeContext(ctx)
	phase.Duration = time.Since(start)
	if err != nil {
		class, msg := classifyTLS(err, verifyErr, parent, ctx)
		r.fail(class, "tls", msg)
		return nil, false
	}
	cs := tconn.ConnectionState()
	phase.Version = tlsVersionName(cs.Version)
	phase.Cipher = tls.CipherSuiteName(cs.CipherSuite)
	return tconn, true
}

// hostForVerify strips the brackets of an IPv6 literal.
func hostForVerify(h string) string { return strings.Trim(h, "[]") }

func classifyTLS(err, verifyErr error, parent, ctx context.Context) (Class, string) {
	msg := firstLine(err.Error())
	if parent.Err() != nil {
		return ClassCanceled, msg
	}
	if verifyErr != nil {
		var hostErr x509.HostnameError
		var invalid x509.CertificateInvalidError
		var unknown x509.UnknownAuthorityError
		switch {
		case errors.As(verifyErr, &invalid) && invalid.Reason == x509.Expired:
			return ClassTLSExpired, verifyErr.Error()
		case errors.As(verifyErr, &hostErr):
			return ClassTLSHostnameMismatch, verifyErr.Error()
		case errors.As(verifyErr, &unknown):
			return ClassTLSUntrusted, verifyErr.Error()
		}
		return ClassTLSUntrusted, verifyErr.Error()
	}
	switch {
	// We offer TLS 1.2 and 1.3, so a version failure means the server (or a box in the path) is stuck
	// below 1.2: either it picked an older version, or it sent a protocol_version alert.
	case strings.Contains(msg, "unsupported protocol version"), strings.Contains(msg, "protocol version not supported"):
		return ClassTLSVersionTooOld, msg + " (the server offers only TLS below 1.2)"
	case ctx.Err() != nil || isTimeout(err):
		return ClassTLSHandshakeFailed, fmt.Sprintf("no TLS handshake from the server before the timeout (%s)", msg)
	}
	if c := classifyConn(err, parent, ClassTLSHandshakeFailed); c != "" {
		return c, msg
	}
	return ClassTLSHandshakeFailed, msg
}
