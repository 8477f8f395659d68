package check

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/pkg/probe"
)

// Fix is what to change for one failure or warning: the action (shared by every endpoint that needs
// the same change, for grouping), the catalog pattern to apply it to, and the whole hint in one line.
type Fix struct {
	Action  string `json:"action"`
	Pattern string `json:"pattern"`
	Hint    string `json:"hint"`
}

// HintClasses lists every class FixFor knows: the probe's failure and warning classes and the check's own.
var HintClasses = append(append(append([]probe.Class{}, probe.Classes...), probe.WarningClasses...),
	ClassGatewayProxyBypass, ClassPrivateLinkViaProxy)

// FixFor returns the fix for a class as it applies to a result. Every class has one.
func FixFor(c probe.Class, r *Result) Fix {
	pattern := "`" + r.Pattern + "`"
	host := r.Target.Host
	port := strconv.Itoa(r.Target.Port)
	proxy := "your proxy"
	if r.Proxy != nil {
		proxy = r.Proxy.URL
		if u, err := url.Parse(r.Proxy.URL); err == nil && u.Host != "" {
			proxy = u.Host // "allow X on proxy.corp:3128", whatever the scheme
		}
	}
	inspector := "the firewall or proxy that inspects TLS"
	if r.Proxy != nil {
		inspector = proxy
	}
	dnsSource := "the DNS server"
	if r.DNS != nil && strings.HasPrefix(r.DNS.Source, "server ") {
		dnsSource = "the DNS server " + strings.TrimPrefix(r.DNS.Source, "server ")
	}
	address := net.JoinHostPort(host, port)
	if r.TCP != nil && len(r.TCP.Attempts) > 0 {
		address = r.TCP.Attempts[len(r.TCP.Attempts)-1].Address
	}
	f := func(action, format string, args ...any) Fix {
		return Fix{Action: action, Pattern: r.Pattern, Hint: fmt.Sprintf(format, args...)}
	}
	switch c {
	case probe.ClassDNSNotFound:
		return f("Let this server resolve these names (public DNS or a forwarder), or use a proxy that resolves them",
			"DNS has no address for %s: let this server resolve %s, or send it through a proxy that resolves names", host, pattern)
	case probe.ClassDNSTimeout:
		return f("Make the DNS server answer this server",
			"%s did not answer for %s: let this server reach its DNS server (UDP and TCP 53)", dnsSource, host)
	case probe.ClassDNSError:
		return f("Fix this server's DNS configuration",
			"the lookup of %s failed: check this server's DNS servers and that they resolve %s", host, pattern)
	case probe.ClassTCPRefused:
		return f("Allow outbound TCP "+port+" in the firewall",
			"the connection to %s was refused: allow outbound TCP %s to %s in the firewall", address, port, pattern)
	case probe.ClassTCPTimeout:
		return f("Allow outbound TCP "+port+" in the firewall",
			"connection attempts to %s get no answer (dropped): allow outbound TCP %s to %s in the firewall", address, port, pattern)
	case probe.ClassTCPReset:
		return f("Stop the device that resets these connections",
			"a device in the path resets connections to %s: allow %s in its URL or TLS filtering", host, pattern)
	case probe.ClassTLSHandshakeFailed:
		return f("Let TLS to these endpoints through unmodified",
			"the TLS handshake with %s did not complete: let TLS to %s pass the firewall or proxy unmodified", host, pattern)
	case probe.ClassTLSUntrusted:
		issuer := "its issuer"
		if r.TLS != nil && r.TLS.Leaf != nil {
			issuer = r.TLS.Leaf.Issuer
		}
		return f("Trust the issuing CA in the system store, or exempt these endpoints from TLS inspection",
			"%s is served with a certificate from %s, which this server does not trust: install that CA, or exempt %s from TLS inspection", host, issuer, pattern)
	case probe.ClassTLSHostnameMismatch:
		return f("Stop redirecting or answering for these names",
			"%s answered with a certificate for another name: something in the path redirects or answers for %s; allow it through unmodified", host, pattern)
	case probe.ClassTLSExpired:
		return f("Fix the clock, or the certificate of the device in the path",
			"the certificate %s presented is expired or not yet valid: check this server's clock, or the TLS-inspecting device's certificate for %s", host, pattern)
	case probe.ClassTLSVersionTooOld:
		return f("Enable TLS 1.2 on the path",
			"only TLS below 1.2 is offered for %s: enable TLS 1.2 on the proxy or firewall in the path to %s", host, pattern)
	case probe.ClassTLSIntercepted:
		by := "another CA"
		if r.TLS != nil && r.TLS.Interceptor != "" {
			by = r.TLS.Interceptor
		}
		return f("Exempt from TLS inspection on "+inspector+" (re-signed by "+by+")",
			"exempt %s from TLS inspection on %s: its certificate is re-signed by %s", pattern, inspector, by)
	case probe.ClassPrivateDNSPublic:
		return f("Resolve these names to your private endpoint",
			"make %s resolve to your private endpoint's address: forward the privatelink zones to Azure DNS through a DNS forwarder in Azure, add the A records of the private endpoint's DNS configuration to your DNS server, or add them to this server's hosts file", host)
	case probe.ClassPrivateDNSAAAAPublic:
		return f("Remove public AAAA records for private endpoints",
			"%s has a public AAAA record beside its private A record: remove it, or make sure IPv4 is preferred", host)
	case probe.ClassHTTPError:
		return f("Allow HTTP (TCP "+port+")",
			"no HTTP response from %s: allow outbound HTTP (TCP %s) to %s", r.URL(), port, pattern)
	case probe.ClassCanceled:
		return f("Run the check again to completion", "the check of %s was interrupted: run it again", host)
	case probe.ClassProxyUnreachable:
		return f("Fix the proxy setting, or let this server reach the proxy "+proxy,
			"cannot reach the proxy %s: check its address and port, and that this server may connect to it", proxy)
	case probe.ClassProxyAuthRequired:
		return f("Let this server through the proxy "+proxy+" without authentication",
			"%s wants authentication: the Arc agent does not support an authenticating proxy, so allow this server (by its address) through %s without authentication", proxy, proxy)
	case probe.ClassProxyDenied:
		return f("Allow on the proxy "+proxy, "allow %s on %s", pattern, proxy)
	case probe.ClassProxyUpstreamFailed:
		return f("Let the proxy "+proxy+" reach these endpoints",
			"%s could not reach %s itself: allow it in the proxy's own outbound firewall and check the proxy's DNS", proxy, pattern)
	case probe.ClassTLS12Max:
		return f("Allow TLS 1.3 through the path",
			"only TLS 1.2 was negotiated with %s, which accepts 1.3: check the proxy or TLS-inspecting device in the path", host)
	case ClassGatewayProxyBypass:
		return f("Remove gateway endpoints from NO_PROXY",
			"remove %s from NO_PROXY: the Arc gateway does not support proxy bypass", pattern)
	case ClassPrivateLinkViaProxy:
		return f("Bypass the proxy for private endpoints (azcmagent config set proxy.bypass Arc)",
			"%s went through %s: set the agent's proxy bypass for Arc (azcmagent config set proxy.bypass Arc; here --proxy-bypass Arc) so it reaches your private endpoint", host, proxy)
	}
	return f("Investigate "+string(c), "%s failed with %s: see the message", host, c)
}

// FixGroup is one action and the patterns it applies to.
type FixGroup struct {
	Action   string   `json:"action"`
	Patterns []string `json:"patterns"`
}

// WhatToFix groups the fixes of required failures and of warnings by action, in a stable order.
func (r *Report) WhatToFix() []FixGroup {
	var groups []FixGroup
	add := func(f Fix) {
		for i := range groups {
			if groups[i].Action == f.Action {
				for _, p := range groups[i].Patterns {
					if p == f.Pattern {
						return
					}
				}
				groups[i].Patterns = append(groups[i].Patterns, f.Pattern)
				return
			}
		}
		groups = append(groups, FixGroup{Action: f.Action, Patterns: []string{f.Pattern}})
	}
	for _, res := range r.Results {
		if res.Fix != nil && res.Required && res.Failure.Class != probe.ClassCanceled {
			add(*res.Fix)
		}
		for _, w := range res.WarningFixes {
			add(w)
		}
	}
	return groups
}
