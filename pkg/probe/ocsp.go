package probe

import (
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"strings"

	"golang.org/x/crypto/ocsp"
)

// An OCSP responder's answer proves its origin: it is signed by the certificate's issuer, or by a
// responder the issuer certified, and names the serial number it was asked about (ProofOCSP). Any
// status proves it (good, revoked, or unknown to the responder); an unsigned error answer
// ("unauthorized", "malformed") does not, as anyone can send one. golang.org/x/crypto/ocsp makes the
// request and checks the answer: the format (RFC 6960) and its signature rules are its own.

// ocspPath is the path of an OCSP GET request for the proof's serial number to a responder at path
// (RFC 6960, appendix A.1: the base64 of the DER request, URL-encoded, after the responder's URL), or ""
// when no request can be made (an issuer that does not parse).
func ocspPath(path string, pf *Proof) string {
	issuer, err := x509.ParseCertificate(pf.Issuer)
	if err != nil || pf.Serial == nil {
		return ""
	}
	req, err := ocsp.CreateRequest(&x509.Certificate{SerialNumber: pf.Serial}, issuer, nil)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(path, "/") + "/" + url.QueryEscape(base64.StdEncoding.EncodeToString(req))
}

// checkOCSP returns why body is not an OCSP response about the proof's serial number that its issuer
// signed, or nil.
func checkOCSP(pf *Proof, body []byte) *ProofGap {
	issuer, err := x509.ParseCertificate(pf.Issuer)
	if err != nil || pf.Serial == nil {
		return &ProofGap{Why: GapNotOCSP}
	}
	if _, err := ocsp.ParseResponseForCert(body, &x509.Certificate{SerialNumber: pf.Serial}, issuer); err != nil {
		return &ProofGap{Why: GapNotOCSP}
	}
	return nil
}
