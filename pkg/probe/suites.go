package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"slices"
)

// checkSuite makes, when a TLS 1.2 handshake ended in a suite outside Target.AcceptedSuites, one more
// handshake over the same path offering only those, and records whether the path can speak one.
func (p *Prober) checkSuite(ctx context.Context, r *Result) {
	t, phase := r.Target, r.TLS
	if len(t.AcceptedSuites) == 0 || phase.Version != tls.VersionTLS12 || slices.Contains(t.AcceptedSuites, phase.CipherSuite) {
		return
	}
	retry := &SuiteRetry{Offered: slices.Clone(t.AcceptedSuites)}
	phase.SuiteRetry = retry
	cs, err := p.rehandshake(ctx, r, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
		CipherSuites: t.AcceptedSuites})
	if err != nil {
		retry.Error = errText(ctx, err)
		return
	}
	retry.OK, retry.Suite = true, cs.CipherSuite
}

// diagnoseNoCommonSuite finds out, when the server refused every suite offered (a handshake_failure
// alert right after the ClientHello), what it would have spoken: one more handshake offering Go's legacy
// suites and TLS 1.0 to 1.2. It only explains the failure, never makes the target reachable.
func (p *Prober) diagnoseNoCommonSuite(ctx context.Context, r *Result) {
	f := r.Failure
	if f == nil || f.Class != ClassTLSHandshakeFailed || r.TLS.Leaf != nil || r.TLS.Alert != uint8(alertHandshakeFailure) {
		return
	}
	legacy := &LegacyHandshake{}
	r.TLS.Legacy = legacy
	var suites []uint16
	for _, s := range slices.Concat(tls.CipherSuites(), tls.InsecureCipherSuites()) {
		if slices.Contains(s.SupportedVersions, tls.VersionTLS12) || slices.Contains(s.SupportedVersions, tls.VersionTLS10) {
			suites = append(suites, s.ID)
		}
	}
	cs, err := p.rehandshake(ctx, r, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, CipherSuites: suites})
	f.Cause, f.Legacy = CauseNoCommonSuite, legacy
	if err != nil {
		legacy.Error = errText(ctx, err)
		return
	}
	legacy.Version, legacy.Suite = cs.Version, cs.CipherSuite
}

// rehandshake opens another connection over the same path as r's and makes a handshake with cfg (the
// target's name for SNI, the certificate not verified: what it learns never makes a target reachable).
func (p *Prober) rehandshake(ctx context.Context, r *Result, cfg *tls.Config) (tls.ConnectionState, error) {
	scratch := &Result{Target: r.Target}
	var conn net.Conn
	var ok bool
	if r.Proxy == nil && r.TCP != nil && r.TCP.Address.IsValid() {
		conn, ok = p.dialAddresses(ctx, scratch, []netip.Addr{r.TCP.Address.Addr()})
		if ok {
			conn = p.hook(ctx, conn)
		}
	} else {
		conn, _, ok = p.open(ctx, scratch, nil)
	}
	if !ok {
		return tls.ConnectionState{}, findingError{scratch.Failure}
	}
	defer conn.Close()
	cfg.ServerName, cfg.InsecureSkipVerify = r.Target.Host, true
	tconn := tls.Client(conn, cfg)
	if err := tconn.HandshakeContext(ctx); err != nil {
		return tls.ConnectionState{}, err
	}
	return tconn.ConnectionState(), nil
}

// findingError is a failure recorded as a finding, as an error: its class and the library's error.
type findingError struct{ f *Finding }

func (e findingError) Error() string {
	if e.f == nil {
		return "no connection"
	}
	if e.f.Err == "" {
		return string(e.f.Class)
	}
	return string(e.f.Class) + ": " + e.f.Err
}
