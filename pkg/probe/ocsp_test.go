package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/arccheck/arccheck/internal/testnet"
)

// TestOCSPAnswersProveTheirOrigin: an OCSP responder's answer proves that the responder answered when it
// is a current response about the certificate's serial number, signed by the issuer (with or without the
// issuer's own certificate included) or by a responder the issuer certified for OCSP signing, to the
// request arccheck made (by GET, after the responder's path and before its query); another CA's
// signature, a certificate of the issuer's that is no OCSP responder, an answer about another
// certificate, an old answer, an unsigned error or a page prove nothing, and the row is http_unverified.
func TestOCSPAnswersProveTheirOrigin(t *testing.T) {
	root := testnet.NewCA(t, "Lab Root", "DigiCert Inc")
	issuing := root.Intermediate(t, "Lab Issuing CA", "Microsoft Corporation")
	other := testnet.NewCA(t, "Someone Else", "Contoso")
	delegated := issuing.LeafWith(t, testnet.LeafOptions{Names: []string{"Lab OCSP Responder"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}})
	server := issuing.ValidLeaf(t, "www.lab.example")
	stranger := tls.Certificate{Certificate: [][]byte{other.Cert.Raw}, PrivateKey: other.Key}
	strangersResponder := other.LeafWith(t, testnet.LeafOptions{Names: []string{"Someone's OCSP Responder"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}})
	serial := big.NewInt(0x5e71a1)
	for _, tc := range []struct {
		name      string
		responder http.Handler
		gap       GapKind // "" when proven
	}{
		{"a response its issuer signed", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing}), ""},
		{"a response its issuer signed, with its certificate", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, IncludeIssuer: true}), ""},
		{"a response of a delegated responder", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, Signer: &delegated}), ""},
		{"a response signed with a server certificate of the issuer", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, Signer: &server}), GapNotOCSP},
		{"a response another CA signed", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, Signer: &stranger}), GapNotOCSP},
		{"a response another CA signed, without its certificate", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, Signer: &stranger, OmitCertificate: true}), GapNotOCSP},
		{"a response of another CA's OCSP responder", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, Signer: &strangersResponder}), GapNotOCSP},
		{"a response without nextUpdate", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, NoNextUpdate: true}), ""},
		{"a response without nextUpdate, of three days ago", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, NoNextUpdate: true, Age: 72 * time.Hour}), GapOCSPStale},
		{"a response of three hours from now", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, Age: -3 * time.Hour}), GapOCSPStale},
		{"a response about another certificate", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, Serial: big.NewInt(7)}), GapNotOCSP},
		{"a response of three days ago", testnet.OCSPResponder(testnet.OCSPOptions{Issuer: issuing, Age: 72 * time.Hour}), GapOCSPStale},
		{"an unsigned error response", serveBytes(ocsp.UnauthorizedErrorResponse), GapNotOCSP},
		{"a page", serveBytes([]byte("<html>blocked</html>")), GapNotOCSP},
	} {
		var asked string
		srv := testnet.Serve(t, testnet.HandleHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked = r.URL.RawQuery
			tc.responder.ServeHTTP(w, r)
		})))
		tg, ov := target(t, "http", "ocsp.example", srv.Addr)
		tg.Path, tg.EvidenceHeaders = "/ocsp?tenant=lab", nil // a revocation URL: its answer carries no evidence header
		tg.Proof = &Proof{Kind: ProofOCSP, Issuer: issuing.Cert.Raw, Serial: serial}
		r := New(Options{Overrides: ov, Timeout: 5 * time.Second}).Probe(context.Background(), tg)
		assert.Equal(t, "tenant=lab", asked, "%s: the responder's query is kept", tc.name)
		if tc.gap == "" {
			require.True(t, r.Reachable, "%s: %+v", tc.name, r.Failure)
			assert.True(t, r.HTTP.Proven, tc.name)
			continue
		}
		require.NotNil(t, r.Failure, tc.name)
		assert.Equal(t, ClassHTTPUnverified, r.Failure.Class, tc.name)
		require.NotNil(t, r.Failure.Facts.Gap, tc.name)
		assert.Equal(t, tc.gap, r.Failure.Facts.Gap.Why, tc.name)
		assert.False(t, r.Reachable, tc.name)
	}

	// An answer past maxOCSPBody is no OCSP answer: cut off, never read whole.
	srv := testnet.Serve(t, testnet.HandleHTTP(serveBytes(make([]byte, maxOCSPBody+1))))
	tg, ov := target(t, "http", "ocsp.example", srv.Addr)
	tg.EvidenceHeaders, tg.Proof = nil, &Proof{Kind: ProofOCSP, Issuer: issuing.Cert.Raw, Serial: serial}
	r := New(Options{Overrides: ov, Timeout: 5 * time.Second}).Probe(context.Background(), tg)
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassHTTPTooLarge, r.Failure.Class)
}
