package testnet

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

// OCSPOptions shape an OCSP responder's answers.
type OCSPOptions struct {
	// Issuer is the CA whose certificates the responder answers about.
	Issuer *CA
	// Signer, when set, signs the answers and is included in them (a delegated responder, or someone
	// else); otherwise Issuer signs them.
	Signer *tls.Certificate
	// IncludeIssuer includes the issuer's own certificate in the answers it signs, as some CAs do.
	IncludeIssuer bool
	// Serial, when set, is the serial number every answer is about, whatever was asked.
	Serial *big.Int
	// OmitCertificate leaves the signer's certificate out of the answers.
	OmitCertificate bool
	// Age moves every answer's validity this far into the past (thisUpdate an hour before, nextUpdate an
	// hour after the moment it names); a negative Age moves it into the future.
	Age time.Duration
	// NoNextUpdate leaves nextUpdate out.
	NoNextUpdate bool
}

// OCSPResponder answers an OCSP GET request (RFC 6960, appendix A.1: the base64 of the DER request,
// URL-encoded, as the last element of the path) with a good status for the serial number it asks about,
// as o says; a request it cannot read is a 400.
func OCSPResponder(o OCSPOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := ocspRequest(r.URL.EscapedPath())
		if err != nil {
			http.Error(w, "not an OCSP request: "+err.Error(), http.StatusBadRequest)
			return
		}
		at := time.Now().Add(-o.Age)
		tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: req.SerialNumber, ThisUpdate: at.Add(-time.Hour), NextUpdate: at.Add(time.Hour)}
		if o.Serial != nil {
			tmpl.SerialNumber = o.Serial
		}
		if o.NoNextUpdate {
			tmpl.NextUpdate = time.Time{}
		}
		responder, key := o.Issuer.Cert, crypto.Signer(o.Issuer.Key)
		if o.IncludeIssuer {
			tmpl.Certificate = o.Issuer.Cert
		}
		if o.Signer != nil {
			if responder, err = x509.ParseCertificate(o.Signer.Certificate[0]); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			tmpl.Certificate, key = responder, o.Signer.PrivateKey.(crypto.Signer)
		}
		if o.OmitCertificate {
			tmpl.Certificate = nil
		}
		resp, err := ocsp.CreateResponse(o.Issuer.Cert, responder, tmpl, key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(resp)
	})
}

// ocspRequest reads the OCSP request at the end of a GET request's escaped path.
func ocspRequest(path string) (*ocsp.Request, error) {
	b64, err := url.QueryUnescape(path[strings.LastIndex(path, "/")+1:])
	if err != nil {
		return nil, err
	}
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, err
	}
	return ocsp.ParseRequest(der)
}
