package probe

import (
	"context"
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
// is a response about the certificate's serial number signed for its issuer, to the request arccheck
// made (by GET, after the responder's path); an unsigned error, another CA's signature, an answer about
// another certificate or a page prove nothing, and the row is http_unverified.
func TestOCSPAnswersProveTheirOrigin(t *testing.T) {
	root := testnet.NewCA(t, "Lab Root", "DigiCert Inc")
	issuing := root.Intermediate(t, "Lab Issuing CA", "Microsoft Corporation")
	other := testnet.NewCA(t, "Someone Else", "Contoso")
	serial := big.NewInt(0x5e71a1)
	for _, tc := range []struct {
		name      string
		responder http.Handler
		proven    bool
	}{
		{"a response its issuer signed", testnet.OCSPResponder(issuing, issuing, nil), true},
		{"a response another CA signed", testnet.OCSPResponder(issuing, other, nil), false},
		{"a response about another certificate", testnet.OCSPResponder(issuing, issuing, big.NewInt(7)), false},
		{"an unsigned error response", serveBytes(ocsp.UnauthorizedErrorResponse), false},
		{"a page", serveBytes([]byte("<html>blocked</html>")), false},
	} {
		srv := testnet.Serve(t, testnet.HandleHTTP(tc.responder))
		tg, ov := target(t, "http", "ocsp.example", srv.Addr)
		tg.Path, tg.EvidenceHeaders = "/ocsp", nil // a revocation URL: its answer carries no evidence header
		tg.Proof = &Proof{Kind: ProofOCSP, Issuer: issuing.Cert.Raw, Serial: serial}
		r := New(Options{Overrides: ov, Timeout: 5 * time.Second}).Probe(context.Background(), tg)
		if tc.proven {
			require.True(t, r.Reachable, "%s: %+v", tc.name, r.Failure)
			assert.True(t, r.HTTP.Proven, tc.name)
			continue
		}
		require.NotNil(t, r.Failure, tc.name)
		assert.Equal(t, ClassHTTPUnverified, r.Failure.Class, tc.name)
		require.NotNil(t, r.Failure.Facts.Gap, tc.name)
		assert.Equal(t, GapNotOCSP, r.Failure.Facts.Gap.Why, tc.name)
		assert.False(t, r.Reachable, tc.name)
	}
}
