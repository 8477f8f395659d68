package testnet

import (
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

// OCSPResponder answers an OCSP GET request (RFC 6960, appendix A.1: the base64 of the DER request,
// URL-encoded, as the last element of the path) with a good status for the serial number it asks about,
// or for serial when it is set, signed by signer as issuer's responder; a request it cannot read is a
// 400.
func OCSPResponder(issuer, signer *CA, serial *big.Int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.EscapedPath()
		b64, err := url.QueryUnescape(p[strings.LastIndex(p, "/")+1:])
		if err != nil {
			http.Error(w, "not an OCSP request", http.StatusBadRequest)
			return
		}
		der, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			http.Error(w, "not an OCSP request", http.StatusBadRequest)
			return
		}
		req, err := ocsp.ParseRequest(der)
		if err != nil {
			http.Error(w, "not an OCSP request", http.StatusBadRequest)
			return
		}
		tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: req.SerialNumber, ThisUpdate: time.Now().Add(-time.Hour),
			NextUpdate: time.Now().Add(time.Hour)}
		if serial != nil {
			tmpl.SerialNumber = serial
		}
		resp, err := ocsp.CreateResponse(issuer.Cert, signer.Cert, tmpl, signer.Key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(resp)
	})
}
