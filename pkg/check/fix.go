package check

import (
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/arccheck/arccheck/pkg/probe"
)

// Fix holds the facts a finding and its fix name: the pattern to act on, where the change is made, and
// what a check rule saw. The words (the message, which change a class calls for) are pkg/report's.
type Fix struct {
	// Pattern is what to allow or exempt: the catalog pattern as a host or wildcard (never a placeholder,
	// a scheme or a URL path), or the concrete host where the pattern has a placeholder.
	Pattern string
	// Host, Port and URL are the concrete target probed.
	Host string
	Port int
	URL  string
	// Address is the last address a connection was tried to (invalid when none was).
	Address netip.AddrPort
	// Proxy is the proxy's host:port, ProxyURL the proxy as scheme://host:port ("" when the connection
	// was direct).
	Proxy    string
	ProxyURL string
	// DNSServer is the DNS server asked (invalid for the system resolver).
	DNSServer netip.AddrPort
	// Issuer is the issuer of the certificate the endpoint presented ("" when none was seen).
	Issuer string
	// Interceptor is the CA that re-signed the chain, when it was re-signed.
	Interceptor string
	// Suite is the TLS suite the path spoke (the legacy one when only a legacy handshake succeeded).
	Suite uint16
	// Revocation are the revocation URLs that could not be reached (revocation_unreachable), or that
	// arccheck did not probe (revocation_not_probed).
	Revocation []string
	// ClockOffset is how far this machine's clock is behind the servers' (clock_skew).
	ClockOffset time.Duration
	// BlockedBy names the proxy that answered in the endpoint's place (http_blocked_by_proxy).
	BlockedBy *probe.Answerer
	// UpstreamDNS is set when the proxy said it could not resolve the name.
	UpstreamDNS bool

	// Cause is which of its causes a finding of a class with several has; "" for a finding as the
	// probe gave it.
	Cause Cause
	// NegativeSerial are the issuers of the chain's certificates with a negative serial number
	// (negative_serial), once each, in chain order.
	NegativeSerial []string
	// SuiteRefusal is why the path refused a handshake offering only the agent's suites (the probe's
	// error; cipher_unsupported_by_agent with CauseSuiteRefused).
	SuiteRefusal string
	// Bypass is the NO_PROXY entry that sends a gateway endpoint around the proxy (gateway_proxy_bypass).
	Bypass *probe.Bypass
	// Status is the endpoint's HTTP status line, and BoxAnswered the URL of the run's own request that the
	// TLS-inspecting box answered in its endpoint's place (tls_intercepted_unverified, CauseBoxAnsweredRun).
	Status      string
	BoxAnswered string
}

// Cause says why a check rule gave a finding, where its class has more than one cause.
type Cause string

// The causes.
const (
	// CauseSuiteRefused (cipher_unsupported_by_agent): the path spoke TLS 1.2 with another suite and
	// refused a handshake offering only the agent's (AgentTLS12Suites).
	CauseSuiteRefused Cause = "suite_refused"
	// CauseLegacySuites (cipher_unsupported_by_agent): the path speaks only legacy suites; the probe's
	// facts name them (probe.CauseNoCommonSuite, Facts.Legacy).
	CauseLegacySuites Cause = "legacy_suites"
	// CauseGatewayInspection (tls_intercepted as a failure): the Arc gateway does not work through TLS
	// inspection. The probe's facts name the re-signing CA (Facts.Interceptor, PublicNotOf).
	CauseGatewayInspection Cause = "gateway_inspection"
	// CauseInspectionUnsupported (tls_intercepted as a failure): the catalog says the endpoint does not
	// support TLS inspection. The probe's facts (probe.CauseResigned) name the re-signing CA.
	CauseInspectionUnsupported Cause = "inspection_unsupported"
	// CauseBoxAnsweredRun (tls_intercepted_unverified): the row's only evidence is the documented status,
	// and the box on its path answered one of the run's own requests (Fix.BoxAnswered) in the endpoint's place.
	CauseBoxAnsweredRun Cause = "box_answered_run"
	// CauseUnparsable (revocation_not_probed, Revocation.NotProbed): the URL does not parse.
	CauseUnparsable Cause = "unparsable"
	// CauseOverCap (revocation_not_probed, Revocation.NotProbed): the run had probed MaxRevocationProbes
	// revocation URLs already.
	CauseOverCap Cause = "over_cap"
)

// fixFacts collects the facts of a result that its fixes name.
func fixFacts(r *Result) Fix {
	p := &r.Probe
	f := Fix{Pattern: allowable(r.Pattern, p.Target.Host), Host: p.Target.Host, Port: p.Target.Port, URL: p.Target.URL()}
	if p.Proxy != nil {
		f.Proxy, f.ProxyURL, f.UpstreamDNS = p.Proxy.Proxy.Host, p.Proxy.Proxy.String(), p.Proxy.UpstreamDNS
	}
	for _, d := range []*probe.DNSPhase{p.DNS, p.PrivateDNS} {
		if d != nil && d.Source.Kind == probe.SourceServer {
			f.DNSServer = d.Source.Server
			break
		}
	}
	if p.TCP != nil && len(p.TCP.Attempts) > 0 {
		f.Address = p.TCP.Attempts[len(p.TCP.Attempts)-1].Address
	}
	if p.HTTP != nil {
		f.BlockedBy = p.HTTP.BlockedBy
	}
	if p.TLS != nil {
		f.Interceptor, f.Suite = p.TLS.Interceptor, p.TLS.CipherSuite
		if p.TLS.Legacy != nil && p.TLS.Legacy.Suite != 0 {
			f.Suite = p.TLS.Legacy.Suite
		}
		if p.TLS.Leaf != nil {
			f.Issuer = p.TLS.Leaf.Issuer
		}
	}
	return f
}

// allowable turns a pattern into something a firewall or proxy rule can name: the host of a URL, without
// its path, and the concrete host instead of a pattern with a placeholder (<region>, [Your URL Prefix]).
func allowable(pattern, host string) string {
	s := pattern
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	s, _, _ = strings.Cut(s, "/")
	if strings.ContainsAny(s, "<>[]{} ") || s == "" {
		return host
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return s
}
