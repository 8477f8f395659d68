package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
)

// EvidenceDocumented is HTTPPhase.Evidence for an answer with the documented status (Target.Expect) and
// none of a box's marks: weaker than a header, as a box could answer the same status.
const EvidenceDocumented = "documented answer"

// evidenceOf names the first of the target's evidence headers the answer has, or "".
func evidenceOf(t Target, resp *http.Response) string {
	for _, h := range t.EvidenceHeaders {
		if resp.Header.Get(h) != "" {
			return h + " header"
		}
	}
	return ""
}

// squidUpstreamErrors are squid's error codes for a destination it could not reach or resolve.
var squidUpstreamErrors = []string{"ERR_DNS_FAIL", "ERR_CONNECT_FAIL", "ERR_CANNOT_FORWARD", "ERR_READ_TIMEOUT",
	"ERR_SECURE_CONNECT_FAIL", "ERR_GATEWAY_FAILURE", "ERR_ZERO_SIZE_OBJECT", "ERR_READ_ERROR", "ERR_WRITE_ERROR"}

// boxAnswer classes an answer that a proxy or inspecting box gave in the endpoint's place, by what it
// says: the box could not reach or resolve the endpoint (upstream), it refuses the destination (denied),
// it wants credentials, or it serves a block page or redirect. ok is false when nothing in the answer
// marks it as the box's.
func boxAnswer(t Target, resp *http.Response) (class Class, dns bool, ok bool) {
	squid := squidCode(resp)
	switch {
	case containsFold(squidDNSErrors, squid):
		return ClassProxyUpstreamFailed, true, true
	case containsFold(squidUpstreamErrors, squid):
		return ClassProxyUpstreamFailed, false, true
	case squid != "":
		return ClassProxyDenied, false, true
	}
	// Any 5xx from a proxy product; from an unnamed box only a gateway's (502, 503, 504): an endpoint's
	// own 500 is not a box's.
	if class, ok := boxStatus(resp, proxyProduct(resp) != ""); ok {
		return class, false, true
	}
	if _, ok := blockedBy(t, resp); ok {
		return ClassHTTPBlockedByProxy, false, true
	}
	return "", false, false
}

// judgeInspectedAnswer judges the answer to a request sent through a tunnel whose TLS a box re-signs
// with a CA this machine trusts: the endpoint's evidence makes it the endpoint's (the tls_intercepted
// warning stays); the box's marks make it the box's, with the cause it gives; the documented answer
// counts as evidence; anything else cannot be told apart and fails. fetch (a discovery call, whose
// caller checks the content) lets an unmarked answer through.
func judgeInspectedAnswer(r *Result, resp *http.Response, fetch bool) bool {
	t := r.Target
	if r.HTTP.Evidence != "" {
		return judgeAnswer(r, resp)
	}
	by := &Answerer{Interceptor: r.TLS.Interceptor}
	if name := proxyName(resp); name != nil {
		by = name
	}
	if class, dns, ok := boxAnswer(t, resp); ok {
		r.HTTP.BlockedBy = by
		if r.Proxy != nil {
			r.Proxy.UpstreamDNS = r.Proxy.UpstreamDNS || dns
			r.Proxy.ProxyCode = squidCode(resp)
		}
		r.fail(Finding{Class: class, Phase: PhaseHTTP, Cause: CauseInPlace,
			Facts: Facts{Answer: answerOf(resp), By: by, Inspected: true}})
		return false
	}
	if t.Expect != nil && t.Expect.Status == resp.StatusCode {
		r.HTTP.Evidence = EvidenceDocumented
		return true
	}
	if fetch {
		return true
	}
	r.fail(Finding{Class: ClassTLSInterceptedUnverified, Phase: PhaseHTTP, Cause: CauseUnmarked,
		Facts: Facts{Answer: answerOf(resp), By: by}})
	return false
}

// answerOf is what of resp tells who gave it.
func answerOf(resp *http.Response) *Answer {
	a := &Answer{Status: resp.Status, Via: resp.Header.Get("Via"), Server: resp.Header.Get("Server"),
		SquidError: resp.Header.Get("X-Squid-Error"), TransformedFrom: resp.Header.Get("X-Transformed-From")}
	if isRedirect(resp.StatusCode) {
		a.Location = resp.Header.Get("Location")
	}
	return a
}

// firstBytesConn keeps the first bytes read from a connection while they may be an HTTP answer (at most
// maxResponseHead), so that an answer written where the TLS handshake was expected can be read again:
// crypto/tls reads past the record header it rejects. Once the first bytes are not "HTTP/", it keeps
// nothing more. It records the server's first record's head too (helloHead): one wrapper, so that a
// probe waiting for the server's flight holds one frame of it on its stack rather than two.
type firstBytesConn struct {
	net.Conn
	hello helloHead
	first bytes.Buffer
	done  bool
}

var httpPrefix = []byte("HTTP/")

func (c *firstBytesConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.keep(b[:n])
	return n, err
}

// keep records b, read from the connection, in hello and, while it may be an HTTP answer, in first.
//
//go:noinline
func (c *firstBytesConn) keep(b []byte) {
	n := len(b)
	c.hello.record(b)
	if !c.done {
		// Judged before anything is kept: a server's TLS flight (kilobytes) is never copied.
		// What was kept so far matches "HTTP/"; these bytes must go on matching it.
		if k := c.first.Len(); k < len(httpPrefix) {
			if m := min(n, len(httpPrefix)-k); !bytes.Equal(b[:m], httpPrefix[k:k+m]) {
				c.done, c.first = true, bytes.Buffer{} // a TLS record, not HTTP: nothing to keep
				return
			}
		}
		c.first.Write(b[:min(n, maxResponseHead-c.first.Len())])
		c.done = c.first.Len() >= maxResponseHead
	}
}

// httpInsteadOfTLS returns the HTTP answer a peer wrote where the server's TLS handshake was expected (a
// proxy that opened the tunnel and then wrote its error into it, or a box answering port 443 in plain
// HTTP), its head read, within maxResponseHead, from what the handshake read and what follows; ok is false
// when the peer did not answer HTTP, and err a TooLargeError when its head ran past the bound.
func httpInsteadOfTLS(err error, conn *firstBytesConn) (resp *http.Response, ok bool, headErr error) {
	var rh tls.RecordHeaderError
	if conn == nil || !errors.As(err, &rh) || !bytes.HasPrefix(conn.first.Bytes(), httpPrefix) {
		return nil, false, nil
	}
	rd := io.MultiReader(bytes.NewReader(conn.first.Bytes()), conn.Conn)
	resp, headErr = newResponseReader(rd).readResponse(nil, PeerEndpoint)
	switch {
	case tooLarge(headErr):
		return nil, true, headErr
	case headErr != nil:
		return nil, false, nil
	}
	return resp, true, nil
}

// failHTTPInsteadOfTLS records the failure of a handshake answered in plain HTTP, classed by what the
// answer says; it reports false when the handshake's error is not such an answer.
func failHTTPInsteadOfTLS(r *Result, err error, conn *firstBytesConn) bool {
	resp, ok, headErr := httpInsteadOfTLS(err, conn)
	if !ok {
		return false
	}
	by := &Answerer{In: BoxProxy}
	if r.Proxy != nil {
		by = &Answerer{Proxy: r.Proxy.Proxy.String()}
	}
	if headErr != nil {
		r.HTTP = &HTTPPhase{}
		r.fail(Finding{Class: ClassHTTPTooLarge, Phase: PhaseHTTP, Cause: CauseTooLarge, Facts: Facts{By: by, Bound: boundOf(headErr)}})
		return true
	}
	if name := proxyName(resp); name != nil {
		by = name
	}
	class, dns, marked := boxAnswer(r.Target, resp)
	if !marked {
		class = ClassHTTPBlockedByProxy
	}
	if r.Proxy != nil {
		r.Proxy.UpstreamDNS = dns
	}
	r.HTTP = &HTTPPhase{Status: resp.StatusCode, StatusText: resp.Status, BlockedBy: by}
	r.fail(Finding{Class: class, Phase: PhaseHTTP, Cause: CauseHTTPInsteadOfTLS, Facts: Facts{Answer: answerOf(resp), By: by}})
	return true
}

// ProofKind says what content proves a plain-HTTP answer's origin.
type ProofKind string

// The kinds of proof.
const (
	// ProofCertificate: the answer is a certificate: Proof.Certificate's bytes, or, when that is nil, a CA
	// certificate that verifies against the reference public roots.
	ProofCertificate ProofKind = "certificate"
	// ProofCRL: the answer is a CRL signed by Proof.Issuer's key.
	ProofCRL ProofKind = "crl"
	// ProofOCSP: the answer is a current OCSP response about Proof.Serial, signed by Proof.Issuer or by a
	// responder it certified for OCSP signing, to the request made for it (ocsp.go).
	ProofOCSP ProofKind = "ocsp"
)

// Proof is content only the endpoint serves: fetched over plain HTTP, it proves where an answer came
// from, as a proxy's or a web server's own page cannot.
type Proof struct {
	Kind ProofKind
	// Path is the path to request (instead of Target.Path); "" keeps Target.Path.
	Path string
	// Certificate is the DER certificate the answer must be (ProofCertificate); nil accepts any CA
	// certificate that verifies against the reference roots.
	Certificate []byte
	// Issuer is the DER certificate whose key must have signed the CRL (ProofCRL), or that signed or
	// certified the signer of the OCSP response (ProofOCSP).
	Issuer []byte
	// Serial is the serial number of the certificate whose status the OCSP request asks (ProofOCSP).
	Serial *big.Int
}

// maxProofBody bounds what is read of an answer that must prove its origin: a CRL of a large public CA
// runs to a few MiB.
const maxProofBody = 8 << 20

// prove reads the answer's content and records whether it proves its origin (HTTPPhase.Proven); when
// it does not, the row fails: a proxied answer as unproven (unverified, or a web server given as the
// proxy), a direct one as http_unverified.
func (p *Prober) prove(ctx context.Context, r *Result, viaProxy *Proxy, resp *http.Response) {
	pf := r.Target.Proof
	var body []byte
	if resp.StatusCode == http.StatusOK {
		// Only a 200 answer can hold the proof; it is read whole, or the row fails: never cut short.
		var err error
		bound := int64(maxProofBody)
		if pf.Kind == ProofOCSP {
			bound = maxOCSPBody
		}
		if body, err = readBody(resp.Body, bound); err != nil {
			failBody(ctx, r, err)
			return
		}
	}
	gap := p.checkProof(pf, resp.StatusCode, body)
	if gap == nil {
		r.HTTP.Proven = true
		return
	}
	// Not the endpoint's content: an error status is then the cause a box in the path gives.
	if class, ok := boxStatus(resp, true); ok {
		by := proxyName(resp)
		switch {
		case by != nil:
		case viaProxy != nil:
			by = &Answerer{Proxy: viaProxy.String()}
		default:
			by = &Answerer{In: BoxAny}
		}
		failBox(r, class, false, by, resp)
		return
	}
	if viaProxy != nil {
		p.unproven(ctx, r, viaProxy, resp, gap)
		return
	}
	r.fail(Finding{Class: ClassHTTPUnverified, Phase: PhaseHTTP, Cause: CauseUnproven, Facts: Facts{Answer: answerOf(resp), Gap: gap}})
}

// boxStatus classes by its status an answer a proxy or box gave in the endpoint's place: a challenge,
// a refusal (403, 451) or a failure to reach the endpoint (5xx; only a gateway's 502, 503 or 504 unless
// anyServerError). ok is false for any other status, which says nothing of its cause.
func boxStatus(resp *http.Response, anyServerError bool) (Class, bool) {
	code := resp.StatusCode
	switch {
	case proxyChallenged(resp, false):
		return ClassProxyAuthRequired, true
	case code == http.StatusForbidden || code == http.StatusUnavailableForLegalReasons:
		return ClassProxyDenied, true
	case code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout,
		code >= 500 && anyServerError:
		return ClassProxyUpstreamFailed, true
	}
	return "", false
}

// squidCode is squid's error code in an answer (X-Squid-Error: "ERR_ACCESS_DENIED 0"), or "".
func squidCode(resp *http.Response) string {
	code, _, _ := strings.Cut(resp.Header.Get("X-Squid-Error"), " ")
	return code
}

// checkProof returns why body does not prove its origin, or nil when it does.
func (p *Prober) checkProof(pf *Proof, status int, body []byte) *ProofGap {
	if status != http.StatusOK {
		return &ProofGap{Why: GapNotServed, Kind: pf.Kind, Status: status}
	}
	if pf.Kind == ProofOCSP {
		return checkOCSP(pf, body, p.opts.Now())
	}
	if b, _ := pem.Decode(body); b != nil {
		body = b.Bytes
	}
	if pf.Kind == ProofCRL {
		return checkCRL(pf, body)
	}
	if pf.Certificate != nil {
		if !bytes.Equal(body, pf.Certificate) {
			return &ProofGap{Why: GapOtherCert}
		}
		return nil
	}
	c, err := x509.ParseCertificate(body)
	if err != nil || !c.IsCA {
		return &ProofGap{Why: GapNotCA}
	}
	// The reference public roots only: an inspecting box's own CA is one this machine trusts, so the
	// machine's roots prove nothing (they are used only when no reference set is given).
	roots := p.opts.ReferenceRoots.Pool()
	if roots == nil {
		roots = p.opts.RootCAs.Pool()
	}
	opts := x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, CurrentTime: p.opts.Now()}
	if _, err := c.Verify(opts); err != nil {
		return &ProofGap{Why: GapUntrusted, Subject: nameOf(c.RawSubject, c.Subject)}
	}
	return nil
}

// checkCRL returns why body is not a CRL signed by the proof's issuer, or nil.
func checkCRL(pf *Proof, body []byte) *ProofGap {
	crl, err := x509.ParseRevocationList(body)
	if err != nil {
		return &ProofGap{Why: GapNotCRL}
	}
	issuer, err := x509.ParseCertificate(pf.Issuer)
	if err != nil {
		return &ProofGap{Why: GapCRLNoIssuer}
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return &ProofGap{Why: GapCRLSigner, Subject: nameOf(issuer.RawSubject, issuer.Subject)}
	}
	return nil
}
