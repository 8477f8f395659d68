package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"
)

// Finding is a failure or a warning: its class, the phase it happened in, what exactly happened within
// the class (Cause) and the facts that explain it. pkg/probe writes no sentence: pkg/report words a
// finding from its class, cause and facts (probewords.go there), in one table.
type Finding struct {
	Class Class
	Phase Phase
	Cause Cause
	Facts
}

// Cause is what exactly happened within a class, where a class can happen more than one way; "" is
// the class's usual way, told by Facts.Err (the library's or the system's own words).
type Cause string

// The causes. Each names the facts it sets.
const (
	// CauseRunEnded: the run ended (its deadline, Ctrl-C) while the probe ran (ClassCanceled). Err: why.
	CauseRunEnded Cause = "run_ended"
	// CauseNotStarted: the run ended before the probe started (ClassCanceled, PhaseQueue). Err: why, or
	// "" when the run's deadline had passed.
	CauseNotStarted Cause = "not_started"
	// CauseCutShort: the probe started so late that it had less than half its time (ClassCanceled).
	// Granted, Budget, and Cut: the failure it had then.
	CauseCutShort Cause = "cut_short"
	// CauseAnswerReadFailed: reading an answer's body failed. Err.
	CauseAnswerReadFailed Cause = "answer_read_failed"
	// CauseNoAnswer: no HTTP answer came. Err, or TimedOut.
	CauseNoAnswer Cause = "no_answer"
	// CauseStatus: the endpoint answered another status than 200 (ClassHTTPError). Answer.
	CauseStatus Cause = "status"
	// CauseNotHTTP: the proxy relayed what the endpoint sent as HTTP/0.9, marked X-Transformed-From. Answer.
	CauseNotHTTP Cause = "not_http"
	// CauseTooLarge: an answer ran past its bound (ClassHTTPTooLarge). Bound; By when it came in plain
	// HTTP where a TLS handshake was expected; Proxy and Connect for a proxy's answer to CONNECT.
	CauseTooLarge Cause = "too_large"
	// CauseInPlace: By answered in the endpoint's place (a block page, a refusal, a redirect to a portal).
	// Answer, By; Inspected when a TLS-inspecting box gave it in its tunnel.
	CauseInPlace Cause = "in_place"
	// CauseBlocked: a proxy's answer stopped the request: it never reached the endpoint
	// (ClassHTTPBlockedByProxy). Answer, By.
	CauseBlocked Cause = "blocked"
	// CauseHTTPInsteadOfTLS: By answered in plain HTTP where the endpoint's TLS handshake was expected.
	// Answer, By.
	CauseHTTPInsteadOfTLS Cause = "http_instead_of_tls"
	// CauseUnmarked: an answer through a TLS-inspecting box carries neither the endpoint's evidence nor the
	// box's marks. Answer, By.
	CauseUnmarked Cause = "unmarked"
	// CauseUnproven: an answer does not prove its origin (ClassHTTPUnverified). Answer, Gap; Proxy when
	// a proxy relayed it.
	CauseUnproven Cause = "unproven"
	// CauseWebServer: the proxy answered a plain-HTTP request as a web server, and refuses CONNECT
	// (ClassProxyNotAProxy). Answer, Proxy, RefusedWith.
	CauseWebServer Cause = "web_server"
	// CauseProxyAnswered: the proxy answered with a refusal of its own. Refusal.
	CauseProxyAnswered Cause = "proxy_answered"
	// CauseProxyDial: connecting to the proxy failed. Proxy, Err, ConnectTimedOut, Ended.
	CauseProxyDial Cause = "proxy_dial"
	// CauseProxyTLS: the TLS handshake with an https proxy failed. Proxy, Err, TimedOut.
	CauseProxyTLS Cause = "proxy_tls"
	// CauseConnectUnsent: the proxy took the connection but not the CONNECT request. Proxy, Err, TimedOut.
	CauseConnectUnsent Cause = "connect_unsent"
	// CauseConnectHalfAnswered: the proxy began its answer to CONNECT and did not finish it. Proxy,
	// Connect, Read.
	CauseConnectHalfAnswered Cause = "connect_half_answered"
	// CauseProxySilent: the proxy took the request and did not answer before the timeout: it is still
	// trying the endpoint (ClassProxyUpstreamFailed). Proxy, Connect ("" for a plain-HTTP request).
	CauseProxySilent Cause = "proxy_silent"
	// CauseConnectNotHTTP: no answer to CONNECT, or one that is not HTTP. Proxy, Err.
	CauseConnectNotHTTP Cause = "connect_not_http"
	// CauseSOCKSAsHTTP: the proxy given as http:// answers SOCKS5 (ClassProxySchemeMismatch). Proxy,
	// ProxyHost, Err.
	CauseSOCKSAsHTTP Cause = "socks_as_http"
	// CauseSOCKS: a SOCKS5 proxy refused, answered out of protocol, failed, or took too long. Proxy,
	// Connect, SOCKS, Err.
	CauseSOCKS Cause = "socks"
	// CauseBelowTLS12: the server chose, or alerted for, a version below TLS 1.2 (ClassTLSVersionTooOld). Err.
	CauseBelowTLS12 Cause = "below_tls12"
	// CauseNoHandshake: no TLS handshake from the server before the timeout.
	CauseNoHandshake Cause = "no_handshake"
	// CauseNoCommonSuite: the server refused every suite offered; Legacy says what it would speak. Err.
	CauseNoCommonSuite Cause = "no_common_suite"
	// CauseNoCertificate: the server sent no certificate (ClassTLSUntrusted).
	CauseNoCertificate Cause = "no_certificate"
	// CauseSelfSigned: the server's certificate is self-signed. Subject, Err.
	CauseSelfSigned Cause = "self_signed"
	// CauseIncompleteChain: the chain's last certificate's issuer was not sent and is not trusted. Issuer, Err.
	CauseIncompleteChain Cause = "incomplete_chain"
	// CauseResigned: the chain is re-signed by Interceptor, which this machine does not trust or does
	// (the tls_intercepted failure or warning). Err for the failure.
	CauseResigned Cause = "resigned"
	// CauseFamilies: some addresses of the name failed while another answered (ClassAddressUnreachable).
	// Failed, All.
	CauseFamilies Cause = "families"
	// CauseCurlDiffers: curl would route the target otherwise (a warning). Curl.
	CauseCurlDiffers Cause = "curl_differs"
)

// Causes lists every cause this package returns, in a stable order.
var Causes = []Cause{CauseRunEnded, CauseNotStarted, CauseCutShort, CauseAnswerReadFailed, CauseNoAnswer, CauseStatus, CauseNotHTTP, CauseTooLarge, CauseInPlace, CauseBlocked, CauseHTTPInsteadOfTLS, CauseUnmarked, CauseUnproven, CauseWebServer, CauseProxyAnswered, CauseProxyDial, CauseProxyTLS, CauseConnectUnsent, CauseConnectHalfAnswered, CauseProxySilent, CauseConnectNotHTTP, CauseSOCKSAsHTTP, CauseSOCKS, CauseBelowTLS12, CauseNoHandshake, CauseNoCommonSuite, CauseNoCertificate, CauseSelfSigned, CauseIncompleteChain, CauseResigned, CauseFamilies, CauseCurlDiffers}

// Facts are what a finding knows. Each Cause says which it sets; strings that came from a peer are
// cleaned (see scrubber) before a Result leaves the package.
type Facts struct {
	// Err is the first line of the library's or the system's error, as it said it; for a canceled probe,
	// why the run ended.
	Err string
	// Detail is Err's own reason, without the operation around it: the innermost error of its chain
	// ("connection refused"), or the DNS error's ("no such host").
	Detail string
	// TimedOut is set when the probe's time ran out (no error of its own).
	TimedOut bool
	// ConnectTimedOut is set when the connect timeout (not the probe's) ended an attempt.
	ConnectTimedOut bool
	// Ended is why the probe's context ended, when it did during a connection to a proxy.
	Ended string
	// Shortage is the local resource that ran out (ClassLocalResources).
	Shortage Shortage
	// NoRouteTo is the address this machine's routing table has no route to (ClassNoRoute); invalid
	// when the error did not say.
	NoRouteTo netip.Addr
	// Host and Addrs are a DNS answer: the name, and the addresses (ClassDNSFiltered, the private-link
	// classes: only the public ones).
	Host  string
	Addrs []netip.Addr
	// Answer is the HTTP answer that tells who answered; By is who did, in the endpoint's place.
	Answer *Answer
	By     *Answerer
	// Inspected is set when By gave its answer in the tunnel of a TLS-inspecting box.
	Inspected bool
	// Expect is the documented status (ClassHTTPUnexpectedAnswer).
	Expect int
	// Proxy is the proxy, as its String form shows it (no credentials); ProxyHost its host:port.
	Proxy     string
	ProxyHost string
	// Connect is the host:port a CONNECT asked for; Read is how much of an answer came before the timeout.
	Connect string
	Read    int
	// Refusal is a proxy's own answer refusing a tunnel or request.
	Refusal *Refusal
	// RefusedWith is the status a web server given as the proxy refuses CONNECT with.
	RefusedWith int
	// SOCKS is how far a SOCKS5 handshake got, and what the proxy answered.
	SOCKS *SOCKSFacts
	// Gap is why an answer does not prove its origin.
	Gap *ProofGap
	// Bound is what ran past which bound (ClassHTTPTooLarge).
	Bound *TooLargeError
	// Legacy is what a server that refused every suite would speak (CauseNoCommonSuite).
	Legacy *LegacyHandshake
	// Subject and Issuer name a certificate of the chain; Interceptor the CA a box re-signs as.
	Subject     string
	Issuer      string
	Interceptor string
	// PublicNotOf are the issuers expected, when Interceptor is a public CA but none of them.
	PublicNotOf []string
	// Granted, Budget and Cut are a probe cut short: the time it had, its timeout, the failure it had.
	Granted time.Duration
	Budget  time.Duration
	Cut     *Finding
	// Failed are the addresses that failed, All every address probed (CauseFamilies).
	Failed []AddressResult
	All    []AddressResult
	// Curl is how curl would route the target (CauseCurlDiffers).
	Curl *CurlRoute
}

// Answer is what of an HTTP answer tells who gave it.
type Answer struct {
	// Status is the status line's code and text ("403 Forbidden").
	Status string
	// Via and Server are the headers; SquidError is squid's X-Squid-Error, TransformedFrom squid's
	// X-Transformed-From; Location is a redirect's target ("" for any other answer).
	Via, Server, SquidError, TransformedFrom, Location string
}

// Answerer is who gave an answer in the endpoint's place, as its headers or the path say. Exactly one
// way of naming it is set, in this order of preference: Server (a proxy product's Server header, with
// Via), Via, Portal, Squid, then the path: Interceptor, Proxy, or In.
type Answerer struct {
	Server, Via string
	// Portal is the host a redirect sends to, when no header names who redirected.
	Portal string
	// Squid is set when squid's error mark is the only name.
	Squid bool
	// Interceptor is the CA a TLS-inspecting box re-signs as; Proxy the proxy the probe went through.
	Interceptor, Proxy string
	// In is the kind of box in the path, when nothing else names it.
	In PathBox
}

// PathBox is an unnamed box in the path.
type PathBox string

// The unnamed boxes.
const (
	BoxProxy PathBox = "proxy" // a proxy in the path
	BoxAny   PathBox = "box"   // a box in the path
)

// Refusal is a proxy's own answer, refusing a tunnel or a request.
type Refusal struct {
	// Status is its status line ("407 Proxy Authentication Required"); ProxyCode its own code
	// (X-Squid-Error); AuthSchemes the schemes it offers (Proxy-Authenticate).
	Status      string
	ProxyCode   string
	AuthSchemes []string
	// CredentialsSent is set when it refused credentials that were sent; UpstreamDNS when it could not
	// resolve the destination's name; NotAProxy when it refused CONNECT as a web server does.
	CredentialsSent bool
	UpstreamDNS     bool
	NotAProxy       bool
}

// SOCKSFacts are how far a SOCKS5 handshake got (Step: what arccheck was doing, Answered: the last
// answer read) and the value that ended it.
type SOCKSFacts struct {
	Step SOCKSStep
	// Reading is set when reading the answer to Step failed (not sending it); Answered is the step
	// whose answer the proxy began but did not finish.
	Reading  bool
	Answered SOCKSStep
	// Refused is set when the proxy refused with Code: the method it chose (after the greeting), the RFC
	// 1929 status (after the credentials) or the RFC 1928 reply (after CONNECT).
	Refused bool
	Code    byte
	// Version is the version byte of an answer that is not SOCKS5; Malformed is set for a reply whose
	// reserved byte or address type is wrong (Reserved, AddrType).
	Version   byte
	Malformed bool
	Reserved  byte
	AddrType  byte
	// Credentials is set when the proxy URL has a username and password; TooLong when they are longer
	// than RFC 1929 allows; TimedOut when the proxy did not answer Step in time.
	Credentials bool
	TooLong     bool
	TimedOut    bool
}

// SOCKSStep is a step of a SOCKS5 handshake.
type SOCKSStep string

// The steps.
const (
	SOCKSGreeting    SOCKSStep = "greeting"    // the methods offered, and the one chosen (RFC 1928, 3)
	SOCKSCredentials SOCKSStep = "credentials" // the username and password (RFC 1929, 2)
	SOCKSConnect     SOCKSStep = "connect"     // the CONNECT request, and the reply (RFC 1928, 4 and 6)
)

// SOCKSReplyClass is the class of an RFC 1928 reply code: a failure of the proxy to reach the
// destination, or its refusal (any code it does not assign, too).
func SOCKSReplyClass(code byte) Class {
	switch code {
	case 1, 3, 4, 5, 6:
		return ClassProxyUpstreamFailed
	}
	return ClassProxyDenied
}

// ProofGap is why an answer's content does not prove its origin.
type ProofGap struct {
	Why GapKind
	// Kind is the proof wanted; Status the answer's status (GapNotServed); Subject the certificate served
	// (GapUntrusted) or the CRL's expected issuer (GapCRLSigner).
	Kind    ProofKind
	Status  int
	Subject string
}

// GapKind names why content proves nothing.
type GapKind string

// The gaps.
const (
	GapNothing     GapKind = "nothing"       // no proof was asked, and nothing in the answer is the endpoint's
	GapNotServed   GapKind = "not_served"    // the proof was not served (a status other than 200)
	GapOtherCert   GapKind = "other_cert"    // not the CA certificate the chain names
	GapNotCA       GapKind = "not_ca"        // not a CA certificate
	GapUntrusted   GapKind = "untrusted"     // a certificate that does not verify against the public roots
	GapNotCRL      GapKind = "not_crl"       // not a CRL
	GapCRLNoIssuer GapKind = "crl_no_issuer" // the CRL's issuer is unknown
	GapCRLSigner   GapKind = "crl_signer"    // the CRL is not signed by its issuer
	GapNotOCSP     GapKind = "not_ocsp"      // not an OCSP response about the certificate, signed for its issuer
	GapOCSPStale   GapKind = "ocsp_stale"    // an OCSP response outside its validity (replayed, or a clock far off)
)

// Gaps are every gap, for the packages that word them.
var Gaps = []GapKind{GapNothing, GapNotServed, GapOtherCert, GapNotCA, GapUntrusted, GapNotCRL, GapCRLNoIssuer,
	GapCRLSigner, GapNotOCSP, GapOCSPStale}

// Proofs are every kind of proof.
var Proofs = []ProofKind{ProofCertificate, ProofCRL, ProofOCSP}

func (r *Result) warn(f Finding) {
	r.Warnings = append(r.Warnings, f)
}

// fail records the first failure; later ones are consequences of it.
func (r *Result) fail(f Finding) {
	if r.Failure == nil {
		r.Failure = &f
	}
}

// errFacts are the facts of a library's or the system's error: its first line, and its own reason.
func errFacts(err error) Facts {
	return Facts{Err: firstLine(err.Error()), Detail: firstLine(detailOf(err))}
}

// detailOf is err's own reason: a DNS error's, or the innermost error of its chain.
func detailOf(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) {
		return de.Err
	}
	for {
		next := errors.Unwrap(err)
		if j, ok := err.(interface{ Unwrap() []error }); ok && next == nil && len(j.Unwrap()) > 0 {
			next = j.Unwrap()[0]
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// errFinding is a failure that err (the library's or the system's) tells, with the facts its class
// needs: the resource that ran out, the address with no route, or why the run ended.
func errFinding(ctx context.Context, c Class, phase Phase, err error) Finding {
	f := Finding{Class: c, Phase: phase, Facts: errFacts(err)}
	switch c {
	case ClassLocalResources:
		f.Shortage = shortageOf(err)
	case ClassNoRoute:
		f.NoRouteTo = noRouteTo(err)
	case ClassCanceled:
		f.Cause, f.Err, f.Detail = CauseRunEnded, errText(ctx, err), ""
	}
	return f
}
