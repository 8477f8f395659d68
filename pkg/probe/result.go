package probe

import (
	"crypto/x509"
	"math/big"
	"net/netip"
	"strings"
	"time"
)

// Class names a kind of failure or warning. The names are stable: scripts and support tickets depend on them.
type Class string

// The failure classes.
const (
	ClassDNSNotFound         Class = "dns_not_found"         // the name does not exist (NXDOMAIN) or has no address
	ClassDNSTimeout          Class = "dns_timeout"           // the DNS server did not answer in time
	ClassDNSError            Class = "dns_error"             // any other DNS failure (SERVFAIL, refused, unreachable server)
	ClassTCPRefused          Class = "tcp_refused"           // the connection was refused (RST to SYN)
	ClassTCPTimeout          Class = "tcp_timeout"           // no answer to the connection attempt (dropped)
	ClassTCPReset            Class = "tcp_reset"             // the connection was reset after it was established
	ClassTLSHandshakeFailed  Class = "tls_handshake_failed"  // the TLS handshake failed or did not finish
	ClassTLSUntrusted        Class = "tls_untrusted"         // the certificate chain does not verify against the trusted roots
	ClassTLSHostnameMismatch Class = "tls_hostname_mismatch" // the certificate is not valid for the host name
	ClassTLSExpired          Class = "tls_expired"           // the certificate is expired or not yet valid
	ClassTLSVersionTooOld    Class = "tls_version_too_old"   // the server offers only TLS below 1.2
	ClassHTTPError           Class = "http_error"            // no HTTP response arrived, or not an HTTP one
	ClassHTTPUnverified      Class = "http_unverified"       // a plain-HTTP answer with no proof that the endpoint sent it
	ClassCanceled            Class = "canceled"              // the run was interrupted before this probe finished
	// ClassAddressUnreachable: with Options.AllAddresses, the name's first working address answered, but
	// another of its addresses did not (TCP or TLS): clients that pick that one fail.
	ClassAddressUnreachable Class = "address_unreachable"
	// ClassHTTPBlockedByProxy: the answer to the HTTP request came from a proxy in the path (its block
	// page, a redirect to its portal, an error status with its headers), not from the endpoint.
	ClassHTTPBlockedByProxy Class = "http_blocked_by_proxy"
	// ClassTLSInterceptedUnverified: a box in the path re-signs TLS with a CA this machine trusts, and its
	// answer to a request through the tunnel carries neither the endpoint's evidence nor the box's marks:
	// whether the endpoint or the box answered cannot be told.
	ClassTLSInterceptedUnverified Class = "tls_intercepted_unverified"
	// ClassHTTPTooLarge: an answer's head (status line and headers) ran past maxResponseHead, or a body
	// that must be read whole ran past its bound: a hostile or broken peer, never the endpoint.
	ClassHTTPTooLarge Class = "http_too_large"
	// ClassDNSFiltered: a public name resolved only to addresses no server has (unspecified, loopback,
	// link-local, broadcast): a DNS filter's sinkhole answer, not the endpoint's address.
	ClassDNSFiltered Class = "dns_filtered"
	// ClassNoRoute: this machine has no route to the address (ENETUNREACH or EHOSTUNREACH raised by the
	// local stack): a routing problem on this server, not a firewall's refusal.
	ClassNoRoute Class = "no_route"
	// ClassLocalResources: this machine ran out of a local resource (file descriptors: EMFILE, ENFILE;
	// buffers: ENOBUFS) before the probe could reach the network. No verdict on the endpoint: the run
	// fails as a run, never as a network finding.
	ClassLocalResources Class = "local_resources"
)

// Classes lists every failure class this package returns, in a stable order.
var Classes = []Class{ClassDNSNotFound, ClassDNSTimeout, ClassDNSError, ClassTCPRefused, ClassTCPTimeout,
	ClassTCPReset, ClassTLSHandshakeFailed, ClassTLSUntrusted, ClassTLSHostnameMismatch, ClassTLSExpired,
	ClassTLSVersionTooOld, ClassHTTPError, ClassHTTPUnverified, ClassCanceled,
	ClassProxyUnreachable, ClassProxyAuthRequired, ClassProxyDenied, ClassProxyUpstreamFailed,
	ClassTLSIntercepted, ClassPrivateDNSPublic, ClassAddressUnreachable, ClassHTTPBlockedByProxy,
	ClassTLSInterceptedUnverified, ClassProxyNotAProxy, ClassProxySchemeMismatch, ClassProxyTLSUntrusted,
	ClassHTTPTooLarge, ClassDNSFiltered, ClassNoRoute, ClassLocalResources}

// Diagnoses that are failures, or warnings on a reachable row.
const (
	// ClassTLSIntercepted: the chain does not verify against the reference public roots (or lacks the
	// expected issuer): someone in the path re-signs it. A warning when the machine trusts the
	// re-signing CA, a failure when it does not.
	ClassTLSIntercepted Class = "tls_intercepted"
	// ClassPrivateDNSPublic: a name that must resolve to a private endpoint resolves to a public address.
	ClassPrivateDNSPublic Class = "private_link_dns_public"
	// ClassTLS12Max (warning): TLS 1.2 is the best the server or path offers, though the endpoint accepts 1.3.
	ClassTLS12Max Class = "tls_1_2_max"
	// ClassPrivateDNSAAAAPublic (warning): the IPv4 answer is private but a public AAAA record also exists.
	ClassPrivateDNSAAAAPublic Class = "private_link_aaaa_public"
	// ClassProxyAuthAgentUnsupported (warning): the probe got through the proxy with the credentials of the
	// proxy URL, which the Arc agent cannot send.
	ClassProxyAuthAgentUnsupported Class = "proxy_auth_agent_unsupported"
	// ClassHTTPUnexpectedAnswer (warning): the endpoint answered the request of Target.Expect with another
	// status than the documented one, and nothing marks the answer as a proxy's.
	ClassHTTPUnexpectedAnswer Class = "http_unexpected_answer"
)

// WarningClasses lists the classes a probe reports as warnings on a reachable row.
var WarningClasses = []Class{ClassTLSIntercepted, ClassTLS12Max, ClassPrivateDNSAAAAPublic, ClassProxyAuthAgentUnsupported,
	ClassHTTPUnexpectedAnswer, ClassNoProxyCurlDiffers}

// Phase is the step of a probe a finding belongs to.
type Phase string

// The phases, in the order a probe runs them.
const (
	PhaseQueue      Phase = "queue"       // waiting for a slot: the probe never started
	PhasePrivateDNS Phase = "private-dns" // the private-link DNS check
	PhaseDNS        Phase = "dns"         // resolving the name to connect to
	PhaseTCP        Phase = "tcp"         // connecting
	PhaseProxy      Phase = "proxy"       // getting a connection through a proxy
	PhaseTLS        Phase = "tls"         // the TLS handshake and certificate verification
	PhaseHTTP       Phase = "http"        // the HTTP request
)

// Result is everything a probe of one target found.
type Result struct {
	Target    Target
	Reachable bool
	Start     time.Time
	Duration  time.Duration
	DNS       *DNSPhase
	TCP       *TCPPhase
	TLS       *TLSPhase
	HTTP      *HTTPPhase
	// Proxy is the hop through a proxy; nil for a direct connection.
	Proxy *ProxyPhase
	// Bypass says why a configured proxy was not used for this target; nil when it was, or none is set.
	Bypass *Bypass
	// CurlRoute is how curl would route the target under the same NO_PROXY, when it differs from Go's
	// rules (which arccheck follows, as the agent does); nil otherwise.
	CurlRoute *CurlRoute
	// PrivateDNS is the check that the name resolves to a private address (Target.ExpectPrivateDNS).
	PrivateDNS *DNSPhase
	Failure    *Finding
	Warnings   []Finding
	// Addresses are the probes of every address of the name, one each (Options.AllAddresses, direct
	// connections to a name with more than one address); nil otherwise.
	Addresses []AddressResult
}

// AddressResult is the probe of one address of a name: TCP, then TLS for an https target.
type AddressResult struct {
	Address  netip.AddrPort
	Duration time.Duration
	// Failure is why this address failed (nil when it passed).
	Failure *Finding
}

// Private reports whether the target was reached at (or resolved to) a private address; known is false
// when no address is known (DNS failed, or a proxy resolved the name).
func (r *Result) Private() (private, known bool) {
	if r.DNS != nil && r.DNS.Source.Kind == SourceProxy {
		return false, false
	}
	if r.Proxy != nil && len(r.Proxy.Attempts) > 0 {
		if last := r.Proxy.Attempts[len(r.Proxy.Attempts)-1]; last.Error == "" {
			return IsPrivate(last.Address.Addr()), true
		}
	}
	if r.TCP != nil && r.TCP.Address.IsValid() {
		return IsPrivate(r.TCP.Address.Addr()), true
	}
	if r.DNS != nil && len(r.DNS.Addresses) > 0 {
		return r.DNS.Addresses[0].Private, true
	}
	return false, false
}

// SourceKind says where DNS answers came from.
type SourceKind string

// The DNS sources.
const (
	SourceSystem   SourceKind = "system"   // the operating system's resolver
	SourceServer   SourceKind = "server"   // one DNS server (DNSSource.Server)
	SourceOverride SourceKind = "override" // a resolve override (curl's --resolve)
	SourceLiteral  SourceKind = "literal"  // the host is an IP address
	SourceProxy    SourceKind = "proxy"    // the proxy resolved the name
)

// DNSSource is where a DNS answer came from.
type DNSSource struct {
	Kind SourceKind
	// Server is the DNS server asked, with Kind SourceServer.
	Server netip.AddrPort
}

// DNSPhase is the name lookup.
type DNSPhase struct {
	Source    DNSSource
	Duration  time.Duration
	Addresses []Address
}

// Address is one resolved address.
type Address struct {
	IP      netip.Addr
	Private bool
}

// TCPPhase is the connection.
type TCPPhase struct {
	Duration time.Duration
	// Address is the address connected to (invalid when no attempt succeeded).
	Address  netip.AddrPort
	Attempts []Attempt
}

// Attempt is one connection attempt to one address.
type Attempt struct {
	Address  netip.AddrPort
	Duration time.Duration
	// Error is why it failed; "" when it succeeded.
	Error string
}

// TLSPhase is the TLS handshake and certificate verification.
type TLSPhase struct {
	Duration time.Duration
	// Version and CipherSuite are what was negotiated (crypto/tls constants; 0 when the handshake failed).
	Version     uint16
	CipherSuite uint16
	// Verified is true when the chain verified against the trusted roots for the host name.
	Verified bool
	// Alert is the TLS alert the server sent to end a failed handshake (RFC 8446, 6: 40 handshake_failure,
	// 70 protocol_version, …); 0 when none came.
	Alert uint8
	// Leaf is the server's certificate; Chain what it presented after it (and, once verified, the root).
	Leaf  *Certificate
	Chain []Certificate
	// Intercepted is set when the chain is not the genuine public one; Interceptor names the CA that
	// re-signed it.
	Intercepted bool
	Interceptor string
	// PublicNotOf are the issuers the target expects, when the re-signing CA is a public one but none
	// of them (a chain re-signed by another public CA).
	PublicNotOf []string
	// SuiteRetry is the second handshake made when a TLS 1.2 handshake ended in a suite outside
	// Target.AcceptedSuites, offering only those; nil when none was needed.
	SuiteRetry *SuiteRetry
	// Legacy is the handshake made, offering legacy suites too, after the server refused every suite
	// offered (a handshake_failure alert right after the ClientHello); nil when none was made. It says
	// what the server would have spoken and is never a reason to call the target reachable.
	Legacy *LegacyHandshake
}

// SuiteRetry is a handshake offering only a set of TLS 1.2 suites.
type SuiteRetry struct {
	// Offered are the suites offered.
	Offered []uint16
	// OK is set when the server accepted one of them: Suite.
	OK    bool
	Suite uint16
	// Error is why the handshake failed.
	Error string
}

// LegacyHandshake is a handshake offering Go's legacy suites (RC4, 3DES, static RSA, CBC) and TLS 1.0
// to 1.2, with no certificate verification.
type LegacyHandshake struct {
	// Version and Suite are what the server chose; 0 when it refused these too.
	Version uint16
	Suite   uint16
	// Error is why it failed.
	Error string
}

// Certificate holds the facts about a certificate that explain a failure.
type Certificate struct {
	Subject            string
	Issuer             string
	SubjectOrg         []string
	IssuerOrganization []string
	DNSNames           []string
	NotBefore          time.Time
	NotAfter           time.Time
	// NegativeSerial is set when the serial number is negative (RFC 5280 forbids it).
	NegativeSerial bool
	// CRL, OCSP and CAIssuers are the certificate's CRL distribution points, OCSP responders and
	// CA-issuer URLs (authority information access).
	CRL       []string
	OCSP      []string
	CAIssuers []string
	// Raw is the DER certificate of a CA of the chain (not of the leaf): the proof that a CRL it signed,
	// or the copy of it that a CA-issuers URL serves, is genuine (Proof).
	Raw []byte
	// Serial is the serial number, kept when the certificate names an OCSP responder: what the request
	// that proves the responder's answer asks about (ProofOCSP).
	Serial *big.Int
}

// caCertificateOf is certificateOf with the certificate's DER bytes, for a CA of the chain.
func caCertificateOf(c *x509.Certificate) Certificate {
	cert := certificateOf(c)
	cert.Raw = c.Raw
	return cert
}

func certificateOf(c *x509.Certificate) Certificate {
	var serial *big.Int
	if len(c.OCSPServer) > 0 {
		serial = c.SerialNumber
	}
	return Certificate{Serial: serial, Subject: nameOf(c.RawSubject, c.Subject), Issuer: nameOf(c.RawIssuer, c.Issuer), SubjectOrg: c.Subject.Organization,
		IssuerOrganization: c.Issuer.Organization, DNSNames: c.DNSNames, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		NegativeSerial: c.SerialNumber != nil && c.SerialNumber.Sign() < 0,
		CRL:            c.CRLDistributionPoints, OCSP: c.OCSPServer, CAIssuers: c.IssuingCertificateURL}
}

// ProxyPhase is getting a connection through a proxy.
type ProxyPhase struct {
	// Proxy is the proxy used (its String form has no credentials).
	Proxy *Proxy
	// Duration is the time to get the tunnel (or, for absolute-form HTTP, the connection to the proxy).
	Duration time.Duration
	// Status is the proxy's status line ("200 Connection established", "403 Forbidden").
	Status string
	// AuthSchemes are the authentication schemes the proxy offered (Proxy-Authenticate).
	AuthSchemes []string
	// ProxyCode is the proxy's own error code (squid's X-Squid-Error).
	ProxyCode string
	// Attempts are the tunnels tried, one per address, when arccheck resolved the name (socks5://).
	Attempts []Attempt
	// Authenticated is set when the probe got through the proxy only with the credentials of the proxy
	// URL: the proxy asked for them (407 or 401, or the SOCKS username/password method) and then let the
	// tunnel or the request through. Credentials are never sent before the proxy asks.
	Authenticated bool
	// UpstreamDNS is set when the proxy said it could not resolve the destination's name.
	UpstreamDNS bool
}

// HTTPPhase is the HTTP request.
type HTTPPhase struct {
	Duration time.Duration
	Status   int
	// StatusText is the status line's text ("200 OK").
	StatusText string
	// Date is the answer's Date header (zero when absent or unreadable); Received is this machine's
	// clock when the answer's head arrived, to compare the two.
	Date     time.Time
	Received time.Time
	// BlockedBy is who produced the answer in the endpoint's place (a proxy, a box), from its headers
	// or the path; nil when nothing did.
	BlockedBy *Answerer
	// Evidence is what in the answer shows the endpoint itself sent it: a response header that only the
	// endpoint's own servers set (Target.EvidenceHeaders), or EvidenceDocumented (Target.Expect's status);
	// "" when nothing does.
	Evidence string
	// Proven is set when the answer's content proved its origin (Target.Proof).
	Proven bool
}

var privatePrefixes = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),     // RFC 1918
	netip.MustParsePrefix("172.16.0.0/12"),  // RFC 1918
	netip.MustParsePrefix("192.168.0.0/16"), // RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),  // RFC 6598 shared address space
	netip.MustParsePrefix("fc00::/7"),       // IPv6 unique local addresses
}

// IsPrivate reports whether an address is in a private range: RFC 1918, RFC 6598 or IPv6 ULA.
func IsPrivate(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range privatePrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// firstLine keeps the first line of a message, for one-line output.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
