package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// rawTLSServer reads the client's first TLS record (its ClientHello) and answers the given bytes.
func rawTLSServer(t *testing.T, answer []byte) string {
	return testnet.Serve(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		head := make([]byte, 5)
		if _, err := io.ReadFull(c, head); err != nil {
			return
		}
		io.ReadFull(c, make([]byte, int(head[3])<<8|int(head[4])))
		c.Write(answer)
		io.Copy(io.Discard, c)
	}).Addr
}

// alertRecord is a fatal TLS alert (RFC 8446, 6).
func alertRecord(code byte) []byte { return []byte{21, 3, 3, 0, 2, 2, code} }

// serverHelloRecord is a ServerHello choosing version and TLS_RSA_WITH_AES_128_CBC_SHA, without extensions.
func serverHelloRecord(version uint16) []byte {
	body := append([]byte{byte(version >> 8), byte(version)}, make([]byte, 32)...) // version, random
	body = append(body, 0, 0x00, 0x2f, 0)                                          // session id, suite, compression
	msg := append([]byte{2, 0, 0, byte(len(body))}, body...)
	return append([]byte{22, 3, 1, 0, byte(len(msg))}, msg...)
}

// TestTLSFailuresAreClassifiedByValue: the handshake's failure is named from the alert number the
// server sent and the version its ServerHello chose, each fed by a server on loopback.
func TestTLSFailuresAreClassifiedByValue(t *testing.T) {
	cases := []struct {
		name   string
		answer []byte
		class  Class
		msg    string // in crypto/tls's error; a version below TLS 1.2 is CauseBelowTLS12's to say
	}{
		{"handshake_failure 40", alertRecord(40), ClassTLSHandshakeFailed, "remote error: tls: handshake failure"},
		{"protocol_version 70", alertRecord(70), ClassTLSVersionTooOld, "remote error: tls: protocol version not supported"},
		{"insufficient_security 71", alertRecord(71), ClassTLSHandshakeFailed, "insufficient security level"},
		{"internal_error 80", alertRecord(80), ClassTLSHandshakeFailed, "internal error"},
		{"unrecognized_name 112", alertRecord(112), ClassTLSHandshakeFailed, "unrecognized name"},
		{"unassigned alert 200", alertRecord(200), ClassTLSHandshakeFailed, "alert(200)"},
		{"ServerHello TLS 1.0", serverHelloRecord(tls.VersionTLS10), ClassTLSVersionTooOld, "unsupported protocol version 301"},
		{"ServerHello TLS 1.1", serverHelloRecord(tls.VersionTLS11), ClassTLSVersionTooOld, "unsupported protocol version 302"},
		{"ServerHello SSL 3.0", serverHelloRecord(0x0300), ClassTLSVersionTooOld, "unsupported protocol version 300"},
		// TLS 1.2 with a suite we never offered: a failure, not an old version.
		{"ServerHello TLS 1.2", serverHelloRecord(tls.VersionTLS12), ClassTLSHandshakeFailed, "cipher suite"},
		{"not TLS", []byte("SSH-2.0-OpenSSH_9.6\r\n"), ClassTLSHandshakeFailed, "does not look like a TLS handshake"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg, ov := target(t, "https", "management.azure.com", rawTLSServer(t, tc.answer))
			r := New(Options{Overrides: ov, Timeout: 5 * time.Second}).Probe(context.Background(), tg)
			require.NotNil(t, r.Failure)
			assert.Equal(t, PhaseTLS, r.Failure.Phase)
			assert.Equal(t, tc.class, r.Failure.Class, factsJSON(r.Failure))
			assert.Contains(t, r.Failure.Err, tc.msg)
			if tc.class == ClassTLSVersionTooOld {
				assert.Equal(t, CauseBelowTLS12, r.Failure.Cause, "the server offers only TLS below 1.2")
				assert.NotContains(t, r.Failure.Err, "below 1.2", "the cause says it, once")
			} else {
				assert.NotEqual(t, CauseBelowTLS12, r.Failure.Cause)
			}
		})
	}
}

// TestTLSAlertValue: the alert's number is read from the error crypto/tls returns over TCP, and from a
// tls.AlertError (as over QUIC), however wrapped.
func TestTLSAlertValue(t *testing.T) {
	addr := rawTLSServer(t, alertRecord(112))
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	err = tls.Client(conn, &tls.Config{ServerName: "x.example", MinVersion: tls.VersionTLS12}).Handshake()
	a, ok := tlsAlert(fmt.Errorf("handshake: %w", err))
	require.True(t, ok, "%v", err)
	assert.Equal(t, tls.AlertError(112), a)

	a, ok = tlsAlert(fmt.Errorf("%w%.0w", errors.New("quic"), tls.AlertError(70)))
	require.True(t, ok)
	assert.Equal(t, alertProtocolVersion, a)
	f := classifyTLS(context.Background(), fmt.Errorf("%w%.0w", errors.New("quic"), tls.AlertError(70)), nil, 0)
	assert.Equal(t, ClassTLSVersionTooOld, f.Class)
	assert.Equal(t, CauseBelowTLS12, f.Cause)
	assert.Equal(t, "quic", f.Err)

	for _, notAlert := range []error{io.EOF, &net.OpError{Op: "read", Err: errors.New("x")}, &net.OpError{Op: "remote error"}} {
		_, ok := tlsAlert(notAlert)
		assert.False(t, ok, "%v", notAlert)
	}
}

// TestCertificateFailuresAreClassifiedByType: each x509 error type, as the handshake's own verification
// returns it and inside a *tls.CertificateVerificationError as crypto/tls's verification does.
func TestCertificateFailuresAreClassifiedByType(t *testing.T) {
	unknown := x509.UnknownAuthorityError{}
	cases := []struct {
		err   error
		class Class
		// cause and facts are what explains it beyond x509's error (Err, the error's own when "").
		cause Cause
		facts Facts
	}{
		{x509.CertificateInvalidError{Reason: x509.Expired}, ClassTLSExpired, "", Facts{}},
		{x509.CertificateInvalidError{Reason: x509.IncompatibleUsage}, ClassTLSUntrusted, "", Facts{}},
		{x509.CertificateInvalidError{Reason: x509.NotAuthorizedToSign}, ClassTLSUntrusted, "", Facts{}},
		{x509.HostnameError{Certificate: &x509.Certificate{}, Host: "management.azure.com"}, ClassTLSHostnameMismatch, "", Facts{}},
		{unknown, ClassTLSUntrusted, "", Facts{}},
		{fmt.Errorf("the server's certificate is self-signed: %w", unknown), ClassTLSUntrusted, "", Facts{}},
		{&chainError{cause: CauseSelfSigned, name: "CN=self.example", err: unknown}, ClassTLSUntrusted,
			CauseSelfSigned, Facts{Subject: "CN=self.example"}},
		{&chainError{cause: CauseIncompleteChain, name: "CN=Lab Issuing CA", err: unknown}, ClassTLSUntrusted,
			CauseIncompleteChain, Facts{Issuer: "CN=Lab Issuing CA"}},
		{&interceptedError{by: "CN=Inspecting CA", err: unknown}, ClassTLSIntercepted,
			CauseResigned, Facts{Interceptor: "CN=Inspecting CA", Err: unknown.Error()}},
		{&interceptedError{by: "CN=Other Public CA", notOf: []string{"DigiCert Inc"}, err: unknown}, ClassTLSIntercepted,
			CauseResigned, Facts{Interceptor: "CN=Other Public CA", PublicNotOf: []string{"DigiCert Inc"}, Err: unknown.Error()}},
		{x509.SystemRootsError{}, ClassTLSUntrusted, "", Facts{}},
		{errNoCertificate, ClassTLSUntrusted, CauseNoCertificate, Facts{}},
	}
	for _, tc := range cases {
		f := classifyTLS(context.Background(), tc.err, tc.err, 0)
		assert.Equal(t, tc.class, f.Class, "%T %v", tc.err, tc.err)
		assert.Equal(t, PhaseTLS, f.Phase)
		assert.Equal(t, tc.cause, f.Cause, "%T %v", tc.err, tc.err)
		want := tc.facts
		switch {
		case tc.cause == CauseNoCertificate:
			// Nothing to add: the server sent no certificate.
		case want.Err == "":
			want.Err = tc.err.Error()
			want.Detail = detailOf(tc.err)
		default:
			want.Detail = want.Err
		}
		assert.Equal(t, want, f.Facts, "%T %v", tc.err, tc.err)
		wrapped := &tls.CertificateVerificationError{Err: tc.err}
		f = classifyTLS(context.Background(), wrapped, nil, 0)
		assert.Equal(t, tc.class, f.Class, "in a CertificateVerificationError: %T", tc.err)
		assert.Equal(t, tc.cause, f.Cause, "in a CertificateVerificationError: %T", tc.err)
		assert.Equal(t, tc.facts.Interceptor+tc.facts.Subject+tc.facts.Issuer, f.Interceptor+f.Subject+f.Issuer,
			"in a CertificateVerificationError: %T", tc.err)
	}
	// A verification failure wins over the version: it can only come from a handshake that got that far.
	f := classifyTLS(context.Background(), unknown, unknown, tls.VersionTLS10)
	assert.Equal(t, ClassTLSUntrusted, f.Class)
	assert.NotEqual(t, CauseBelowTLS12, f.Cause)
}

// TestServerVersionIsReadAcrossReads: the ServerHello's version is read however the record arrives.
func TestServerVersionIsReadAcrossReads(t *testing.T) {
	record := serverHelloRecord(tls.VersionTLS11)
	for _, chunk := range []int{1, 3, 10, len(record)} {
		client, server := net.Pipe()
		go func() {
			for b := record; len(b) > 0; b = b[min(chunk, len(b)):] {
				server.Write(b[:min(chunk, len(b))])
			}
			server.Close()
		}()
		c := &firstBytesConn{Conn: client}
		io.Copy(io.Discard, c)
		assert.Equal(t, uint16(tls.VersionTLS11), c.hello.serverVersion(), "chunks of %d", chunk)
	}
	for _, other := range [][]byte{alertRecord(70), record[:10], append([]byte{22, 3, 1, 0, 42, 1}, record[6:]...)} {
		client, server := net.Pipe()
		go func() { server.Write(other); server.Close() }()
		c := &firstBytesConn{Conn: client}
		io.Copy(io.Discard, c)
		assert.Zero(t, c.hello.serverVersion(), "% x", other)
	}
}
