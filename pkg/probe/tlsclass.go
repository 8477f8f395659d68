package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"net"
	"reflect"
)

// alertProtocolVersion is the protocol_version alert (RFC 8446, 6.2): the peer speaks none of the
// versions offered.
const alertProtocolVersion tls.AlertError = 70

// alertHandshakeFailure is the handshake_failure alert: the server found no parameters it accepts in the
// ClientHello (no common cipher suite, typically).
const alertHandshakeFailure tls.AlertError = 40

// tlsAlerts are the alerts that name a cause: their class and cause. Any other alert ends the handshake
// as ClassTLSHandshakeFailed (handshake_failure 40: no cipher suite or group in common,
// unrecognized_name 112, and so on).
var tlsAlerts = map[tls.AlertError]struct {
	class Class
	cause Cause
}{
	// We offer TLS 1.2 and 1.3 only: the server (or a box in the path) is stuck below 1.2.
	alertProtocolVersion: {ClassTLSVersionTooOld, CauseBelowTLS12},
}

// classifyTLS names a failed handshake from the types and values its error carries, and what the server
// chose in its ServerHello (serverVersion, 0 if unknown). verifyErr is the failure of the certificate's
// verification, when that is what ended the handshake.
func classifyTLS(ctx context.Context, err, verifyErr error, serverVersion uint16) Finding {
	f := Finding{Class: ClassTLSHandshakeFailed, Phase: PhaseTLS, Facts: errFacts(err)}
	var cve *tls.CertificateVerificationError
	var header tls.RecordHeaderError
	alert, alerted := tlsAlert(err)
	switch {
	case interrupted(ctx):
		return errFinding(ctx, ClassCanceled, PhaseTLS, err)
	case verifyErr != nil:
		return certificateFinding(verifyErr)
	case errors.As(err, &cve):
		// crypto/tls's own verification, when it made it.
		return certificateFinding(err)
	case serverVersion != 0 && serverVersion < tls.VersionTLS12:
		// The server chose TLS 1.1 or older: crypto/tls refuses it with an error of no type.
		f.Class, f.Cause = ClassTLSVersionTooOld, CauseBelowTLS12
	case alerted:
		if named, ok := tlsAlerts[alert]; ok {
			f.Class, f.Cause = named.class, named.cause
		}
	case errors.As(err, &header):
		// Not TLS at all (an answer in plain HTTP is named before this, by failHTTPInsteadOfTLS).
	case deadlineHit(ctx, err):
		// Not the error itself: the connection is closed at the deadline, which reads as "use of closed
		// network connection".
		f.Cause, f.Facts = CauseNoHandshake, Facts{}
	default:
		if c := classifyConn(err, ctx, ClassTLSHandshakeFailed); c != "" {
			return errFinding(ctx, c, PhaseTLS, err)
		}
	}
	return f
}

// certificateFinding is a certificate that did not verify: its class, and what explains it.
func certificateFinding(err error) Finding {
	f := Finding{Class: certificateClass(err), Phase: PhaseTLS, Facts: errFacts(err)}
	var ie *interceptedError
	var ce *chainError
	switch {
	case errors.Is(err, errNoCertificate):
		f.Cause, f.Facts = CauseNoCertificate, Facts{}
	case errors.As(err, &ie):
		f.Cause, f.Interceptor, f.PublicNotOf = CauseResigned, ie.by, ie.notOf
		f.Err, f.Detail = firstLine(ie.err.Error()), firstLine(detailOf(ie.err))
	case errors.As(err, &ce):
		f.Cause = ce.cause
		if ce.cause == CauseSelfSigned {
			f.Subject = ce.name
		} else {
			f.Issuer = ce.name
		}
	}
	return f
}

// certificateClass names a certificate that did not verify, from the x509 error types.
func certificateClass(err error) Class {
	var ie *interceptedError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &ie):
		return ClassTLSIntercepted
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return ClassTLSExpired // expired, or not yet valid
	case errors.As(err, &hostErr):
		return ClassTLSHostnameMismatch
	}
	// x509.UnknownAuthorityError, any other CertificateInvalidError (a client-only key usage, say), no
	// certificate at all.
	return ClassTLSUntrusted
}

// tlsAlert returns the TLS alert that ended a handshake. crypto/tls returns an alert as a tls.AlertError
// only over QUIC; over TCP it is a *net.OpError ("remote error", or "local error" for one it sent)
// around its unexported alert type, a uint8 (go.dev/issue/35234), whose value is read here.
func tlsAlert(err error) (tls.AlertError, bool) {
	var alert tls.AlertError
	if errors.As(err, &alert) {
		return alert, true
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Err == nil {
		return 0, false
	}
	v := reflect.ValueOf(op.Err)
	if v.Type().PkgPath() != "crypto/tls" || v.Kind() != reflect.Uint8 {
		return 0, false
	}
	return tls.AlertError(v.Uint()), true
}

// helloHead records the start of the first record the server sends, to read the version it chose in
// its ServerHello: crypto/tls refuses an old one with an error of no type. firstBytesConn feeds it.
type helloHead struct {
	head [11]byte // record header (5), handshake type (1) and length (3), legacy_version (2)
	n    int
}

// record takes the next bytes read from the server.
func (h *helloHead) record(b []byte) {
	if h.n < len(h.head) {
		h.n += copy(h.head[h.n:], b)
	}
}

// serverVersion is the legacy_version of the server's ServerHello (RFC 8446, 4.1.3: 0x0303 for TLS 1.2
// and 1.3, the version itself below), or 0 when the first record is not a ServerHello.
func (h *helloHead) serverVersion() uint16 {
	const handshakeRecord, serverHello = 22, 2
	if h.n < len(h.head) || h.head[0] != handshakeRecord || h.head[5] != serverHello {
		return 0
	}
	return binary.BigEndian.Uint16(h.head[9:])
}
