package check

import (
	"net/netip"

	"github.com/arccheck/arccheck/pkg/probe"
)

// Fix holds the facts a fix names: the pattern to act on and where the change is made. The words
// (which change a class calls for) are pkg/report's.
type Fix struct {
	// Pattern is the catalog pattern (or the user's URL) to allow or exempt.
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
}

// fixFacts collects the facts of a result that its fixes name.
func fixFacts(r *Result) Fix {
	p := &r.Probe
	f := Fix{Pattern: r.Pattern, Host: p.Target.Host, Port: p.Target.Port, URL: p.Target.URL()}
	if p.Proxy != nil {
		f.Proxy = p.Proxy.Proxy.Host
	}
	if p.DNS != nil && p.DNS.Source.Kind == probe.SourceServer {
		f.DNSServer = p.DNS.Source.Server
	}
	if p.TCP != nil && len(p.TCP.Attempts) > 0 {
		f.Address = p.TCP.Attempts[len(p.TCP.Attempts)-1].Address
	}
	if p.TLS != nil {
		f.Interceptor = p.TLS.Interceptor
		if p.TLS.Leaf != nil {
			f.Issuer = p.TLS.Leaf.Issuer
		}
	}
	return f
}
