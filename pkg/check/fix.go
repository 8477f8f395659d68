package check

import (
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/arccheck/arccheck/pkg/probe"
)

// Fix holds the facts a fix names: the pattern to act on and where the change is made. The words
// (which change a class calls for) are pkg/report's.
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
	// Proxy is the proxy's host:port ("" when the connection was direct).
	Proxy string
	// DNSServer is the DNS server asked (invalid for the system resolver).
	DNSServer netip.AddrPort
	// Issuer is the issuer of the certificate the endpoint presented ("" when none was seen).
	Issuer string
	// Interceptor is the CA that re-signed the chain, when it was re-signed.
	Interceptor string
	// Suite is the TLS suite the path spoke (the legacy one when only a legacy handshake succeeded).
	Suite uint16
	// Revocation are the revocation URLs that could not be reached (revocation_unreachable).
	Revocation []string
	// ClockOffset is how far this machine's clock is behind the servers' (clock_skew).
	ClockOffset time.Duration
	// BlockedBy names the proxy that answered in the endpoint's place (http_blocked_by_proxy).
	BlockedBy string
	// UpstreamDNS is set when the proxy said it could not resolve the name.
	UpstreamDNS bool
}

// fixFacts collects the facts of a result that its fixes name.
func fixFacts(r *Result) Fix {
	p := &r.Probe
	f := Fix{Pattern: allowable(r.Pattern, p.Target.Host), Host: p.Target.Host, Port: p.Target.Port, URL: p.Target.URL()}
	if p.Proxy != nil {
		f.Proxy, f.UpstreamDNS = p.Proxy.Proxy.Host, p.Proxy.UpstreamDNS
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
