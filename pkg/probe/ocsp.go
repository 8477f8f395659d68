package probe

import (
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

// An OCSP responder's answer proves its origin when it is a response about the serial number it was
// asked about, signed by the certificate's issuer or by a responder the issuer certified for OCSP
// signing, and current (ProofOCSP). Any status proves it (good, revoked, or unknown to the responder);
// an unsigned error answer ("unauthorized", "malformed") does not, as anyone can send one.
// golang.org/x/crypto/ocsp makes the request and parses the answer; who may sign it is checked here,
// since the library takes any certificate the issuer signed as a responder, and refuses an issuer that
// includes its own certificate (golang/go#81395).

// maxOCSPBody bounds an OCSP answer: a real one is a few KiB.
const maxOCSPBody = 64 << 10

// ocspSkew is how far an OCSP answer's validity may be from this machine's clock: a few minutes of drift
// between the responder and this machine are no sign of a replayed answer.
const ocspSkew = time.Hour

// ocspPath is the path and query of an OCSP GET request for the proof's serial number to a responder
// at target (its path, with any query: RFC 6960, appendix A.1, puts the base64 of the DER request,
// URL-encoded, after the responder's URL path), or "" when no request can be made (an issuer that does
// not parse).
func ocspPath(target string, pf *Proof) string {
	issuer, err := x509.ParseCertificate(pf.Issuer)
	if err != nil || pf.Serial == nil {
		return ""
	}
	req, err := ocsp.CreateRequest(&x509.Certificate{SerialNumber: pf.Serial}, issuer, nil)
	if err != nil {
		return ""
	}
	path, query, hasQuery := strings.Cut(target, "?")
	path = strings.TrimSuffix(path, "/") + "/" + url.QueryEscape(base64.StdEncoding.EncodeToString(req))
	if hasQuery {
		path += "?" + query
	}
	return path
}

// checkOCSP returns why body is not a current OCSP response about the proof's serial number signed for
// its issuer, or nil.
func checkOCSP(pf *Proof, body []byte, now time.Time) *ProofGap {
	issuer, err := x509.ParseCertificate(pf.Issuer)
	if err != nil || pf.Serial == nil {
		return &ProofGap{Why: GapNotOCSP}
	}
	// No issuer given: the library then checks the response's signature against the certificate it
	// includes, if any, and nothing else.
	resp, err := ocsp.ParseResponseForCert(body, &x509.Certificate{SerialNumber: pf.Serial}, nil)
	if err != nil || !signedFor(resp, issuer) {
		return &ProofGap{Why: GapNotOCSP}
	}
	// Without a nextUpdate, an answer older than a day is taken as stale, as browsers take it.
	until := resp.NextUpdate
	if until.IsZero() {
		until = resp.ThisUpdate.Add(ocspNoNextUpdate)
	}
	if resp.ThisUpdate.After(now.Add(ocspSkew)) || until.Before(now.Add(-ocspSkew)) {
		return &ProofGap{Why: GapOCSPStale}
	}
	return nil
}

// ocspNoNextUpdate is how long an OCSP answer that gives no nextUpdate stays current.
const ocspNoNextUpdate = 24 * time.Hour

// signedFor reports whether resp was signed by issuer's key, or by a responder certificate that issuer
// signed for OCSP signing (RFC 6960, 4.2.2.2) and resp includes (the library checked resp's signature
// against it).
func signedFor(resp *ocsp.Response, issuer *x509.Certificate) bool {
	if resp.CheckSignatureFrom(issuer) == nil {
		return true
	}
	return resp.Certificate != nil && resp.Certificate.CheckSignatureFrom(issuer) == nil &&
		slices.Contains(resp.Certificate.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning)
}
