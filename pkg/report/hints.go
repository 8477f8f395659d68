package report

import (
	"cmp"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// Fix is what to change for one failure or warning, in words: the action (shared by every endpoint
// that needs the same change, for grouping), the pattern to apply it to, and the whole hint in one line.
type Fix struct {
	Action  string
	Pattern string
	Hint    string
}

// fixWords are the facts of a check.Fix as the hint sentences name them.
type fixWords struct {
	check.Fix
	pattern   string // the pattern in backquotes
	port      string
	address   string // the address tried, or host:port
	proxy     string // the proxy's host:port, or "your proxy"
	inspector string // where TLS is inspected
	dnsServer string // "the DNS server [ADDR]"
}

func wordsOf(f check.Fix) fixWords {
	w := fixWords{Fix: f, pattern: "`" + f.Pattern + "`", port: strconv.Itoa(f.Port),
		address: net.JoinHostPort(f.Host, strconv.Itoa(f.Port)), proxy: "your proxy",
		inspector: "the firewall or proxy that inspects TLS", dnsServer: "the DNS server"}
	if f.Address.IsValid() {
		w.address = f.Address.String()
	}
	if f.Proxy != "" {
		w.proxy, w.inspector = f.Proxy, f.Proxy
	}
	if f.DNSServer.IsValid() {
		w.dnsServer = "the DNS server " + f.DNSServer.String()
	}
	return w
}

// hint is the words of one class: its fix's action (for grouping) and one-line hint, and what RESULT
// says of it.
type hint struct {
	action func(w fixWords) string
	hint   func(w fixWords) string
	// result is RESULT's words for a finding of the class (after "class: "); nil for the end of its
	// message (see resultText).
	result func(f check.Finding) string
	// fleet is what the fleet view adds to the class's name where the name alone could be read as a
	// verdict on the endpoint ("" for none).
	fleet string
	// message is a finding's whole message (the JSON's message, -v, the run's warnings) where pkg/check
	// gives facts and a cause rather than words; nil for the probe's message as it came (see messageOf).
	message func(f check.Finding) phrase
}

// fixed returns a hint whose action does not depend on the result.
func fixed(action string, format func(w fixWords) string) hint {
	return hint{action: func(fixWords) string { return action }, hint: format}
}

// pathHints are the words of the classes of the path to an endpoint: firewalls, proxies, TLS, HTTP (the
// other rooms of hints are in classwords.go).
var pathHints = map[probe.Class]hint{
	probe.ClassTCPRefused: {action: allowTCP, hint: func(w fixWords) string {
		return fmt.Sprintf("the connection to %s was refused: allow outbound TCP %s to %s in the firewall", w.address, w.port, w.pattern)
	}},
	probe.ClassTCPTimeout: {action: allowTCP, hint: func(w fixWords) string {
		return fmt.Sprintf("connection attempts to %s get no answer (dropped): allow outbound TCP %s to %s in the firewall", w.address, w.port, w.pattern)
	}},
	probe.ClassTCPReset: fixed("Stop the device that resets these connections", func(w fixWords) string {
		return fmt.Sprintf("a device in the path resets connections to %s: allow %s in its URL or TLS filtering", w.Host, w.pattern)
	}),
	probe.ClassTLSHandshakeFailed: fixed("Let TLS to these endpoints through unmodified", func(w fixWords) string {
		return fmt.Sprintf("the TLS handshake with %s did not complete: let TLS to %s pass the firewall or proxy unmodified", w.Host, w.pattern)
	}),
	probe.ClassTLSUntrusted: fixed("Trust the issuing CA in the system store, or exempt these endpoints from TLS inspection", func(w fixWords) string {
		issuer := w.Issuer
		if issuer == "" {
			issuer = "its issuer"
		}
		return fmt.Sprintf("%s is served with a certificate from %s, which this server does not trust: install that CA, or exempt %s from TLS inspection", w.Host, issuer, w.pattern)
	}),
	probe.ClassTLSHostnameMismatch: fixed("Stop redirecting or answering for these names", func(w fixWords) string {
		return fmt.Sprintf("%s answered with a certificate for another name: something in the path redirects or answers for %s; allow it through unmodified", w.Host, w.pattern)
	}),
	probe.ClassTLSExpired: fixed("Fix the clock, or the certificate of the device in the path", func(w fixWords) string {
		return fmt.Sprintf("the certificate %s presented is expired or not yet valid: check this server's clock, or the TLS-inspecting device's certificate for %s", w.Host, w.pattern)
	}),
	probe.ClassTLSVersionTooOld: fixed("Enable TLS 1.2 on the path", func(w fixWords) string {
		return fmt.Sprintf("only TLS below 1.2 is offered for %s: enable TLS 1.2 on the proxy or firewall in the path to %s", w.Host, w.pattern)
	}),
	probe.ClassTLSIntercepted: {
		action: func(w fixWords) string {
			return "Exempt from TLS inspection on " + w.inspector + " (re-signed by " + interceptor(w) + ")"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("exempt %s from TLS inspection on %s: its certificate is re-signed by %s", w.pattern, w.inspector, interceptor(w))
		},
		message: interceptedMessage},
	probe.ClassHTTPError: {
		action: func(w fixWords) string { return "Allow HTTP (TCP " + w.port + ")" },
		hint: func(w fixWords) string {
			return fmt.Sprintf("no HTTP response from %s: allow outbound HTTP (TCP %s) to %s", w.URL, w.port, w.pattern)
		}},
	probe.ClassCanceled: fixed("Run the check again to completion", func(w fixWords) string {
		return fmt.Sprintf("the check of %s was interrupted or never started: run it again, with a longer --timeout or a higher --concurrency", w.Host)
	}),
	probe.ClassProxyUnreachable: {
		action: func(w fixWords) string { return "Fix the proxy setting, or let this server reach the proxy " + w.proxy },
		hint: func(w fixWords) string {
			return fmt.Sprintf("cannot reach the proxy %s: check its address and port, and that this server may connect to it", w.proxy)
		}},
	probe.ClassProxyTLSUntrusted: {
		action: func(w fixWords) string { return "Trust the certificate of the https proxy " + w.proxy },
		hint: func(w fixWords) string {
			return fmt.Sprintf("this server does not trust the certificate of the https proxy %s: give its CA with --proxy-ca-file, or install that CA in the system store", w.proxy)
		}},
	probe.ClassProxyNotAProxy: {
		action: func(w fixWords) string {
			return "Give the address of a forward proxy, not of the web server " + w.proxy
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("%s is a web server, not a forward proxy (it refuses CONNECT and serves its own pages): correct the proxy address (--proxy, HTTPS_PROXY or the agent's proxy.url); no allowlist on it will help", w.proxy)
		}},
	probe.ClassProxySchemeMismatch: {
		action: func(w fixWords) string { return "Give the SOCKS proxy " + w.proxy + " as socks5h://" },
		hint: func(w fixWords) string {
			return fmt.Sprintf("%s speaks SOCKS5, not HTTP: give it as socks5h://%s (names resolved by the proxy) or socks5://%s", w.proxy, w.proxy, w.proxy)
		}},
	probe.ClassProxyAuthRequired: {
		action: func(w fixWords) string {
			return "Let this server through the proxy " + w.boxOrProxy() + " without authentication"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("%s wants authentication: the Arc agent does not support an authenticating proxy, so allow this server (by its address) through %s without authentication", w.boxOrProxy(), w.boxOrProxy())
		}},
	probe.ClassProxyDenied: {
		action: func(w fixWords) string { return "Allow on the proxy " + w.boxOrProxy() },
		hint:   func(w fixWords) string { return fmt.Sprintf("allow %s on %s", w.pattern, w.boxOrProxy()) }},
	probe.ClassProxyUpstreamFailed: {
		action: func(w fixWords) string { return "Let the proxy " + w.boxOrProxy() + " reach these endpoints" },
		hint: func(w fixWords) string {
			if w.UpstreamDNS {
				return fmt.Sprintf("%s could not resolve %s: fix the proxy's own DNS so that it resolves %s", w.boxOrProxy(), w.Host, w.pattern)
			}
			return fmt.Sprintf("%s could not reach %s itself: allow it in the proxy's own outbound firewall and check the proxy's DNS", w.boxOrProxy(), w.pattern)
		}},
	probe.ClassHTTPUnverified: {
		action: func(w fixWords) string {
			if w.Proxy == "" {
				return "Find what answers HTTP (TCP " + w.port + ") for these hosts in their place (a transparent proxy?), and allow HTTP to them"
			}
			return "Check the proxy " + w.proxy + "'s log for these requests"
		},
		hint: func(w fixWords) string {
			if w.Proxy == "" {
				return fmt.Sprintf("an answer to %s came from %s, but nothing in it proves the endpoint sent it (a transparent proxy or another web server may answer there): check what answers on %s, and allow HTTP (TCP %s) to %s", w.URL, w.address, w.address, w.port, w.pattern)
			}
			return fmt.Sprintf("an answer to %s came through %s, but nothing in it proves the endpoint sent it (it may be the proxy's own page or refusal): check the proxy's log, and allow HTTP (TCP %s) to %s on it", w.URL, w.proxy, w.port, w.pattern)
		}},
	probe.ClassTLSInterceptedUnverified: {
		action: func(w fixWords) string {
			return "Exempt from TLS inspection on " + w.inspector + " (re-signed by " + interceptor(w) + "), or check its log"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("%s re-signs TLS for %s, and its answer shows neither the endpoint's evidence nor the box's own marks: exempt %s from TLS inspection, or check the box's log for this request", w.inspector, w.Host, w.pattern)
		},
		message: unverifiedMessage},
	probe.ClassProxyAuthAgentUnsupported: {
		action: func(w fixWords) string {
			return "Let this server through the proxy " + w.proxy + " without authentication (the Arc agent cannot authenticate)"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("%s was reached through %s only with the credentials given; the Arc agent does not authenticate to proxies, so allow this server (by its address) through %s without authentication", w.Host, w.proxy, w.proxy)
		}},
	probe.ClassNoProxyCurlDiffers: fixed("Check NO_PROXY entries that curl and the agent (Go) read differently", func(w fixWords) string {
		return fmt.Sprintf("curl and the Arc agent route %s differently under this NO_PROXY (Go matches \".example.com\" and \"*.example.com\" only for subdomains, never proxies loopback, and never matches a name entry to an IP): write the entry as the agent reads it, e.g. both \"example.com\" and \".example.com\"", w.Host)
	}),
	probe.ClassTLS12Max: fixed("Allow TLS 1.3 through the path", func(w fixWords) string {
		return fmt.Sprintf("only TLS 1.2 was negotiated with %s, which accepts 1.3: check the proxy or TLS-inspecting device in the path", w.Host)
	}),
	probe.ClassAddressUnreachable: {
		action: func(w fixWords) string {
			return "Allow outbound TCP " + w.port + " to every address of these names, or fix the dead path"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("some addresses of %s do not answer (see the message): allow outbound TCP %s to all of %s's addresses, fix the route of that family (IPv6 often), or remove the dead DNS records", w.Host, w.port, w.pattern)
		}},
	probe.ClassHTTPBlockedByProxy: {
		action: func(w fixWords) string { return "Allow on " + blocker(w) + " (it answers in the endpoints' place)" },
		hint: func(w fixWords) string {
			return fmt.Sprintf("the request to %s was answered by %s, not by the endpoint: allow %s in its URL filtering (after TLS inspection too)", w.Host, blocker(w), w.pattern)
		}},
	probe.ClassHTTPUnexpectedAnswer: fixed("Check what answers for these endpoints", func(w fixWords) string {
		return fmt.Sprintf("%s did not give its documented answer: check whether a device in the path answers for %s", w.Host, w.pattern)
	}),
}

// blocker names the proxy that answered in the endpoint's place.
func blocker(w fixWords) string { return cmp.Or(AnswererText(w.BlockedBy), w.proxy) }

// boxOrProxy names the box that answered in the endpoint's place: the proxy, or the TLS-inspecting box
// named by its answer or its re-signing CA when there is no proxy.
func (w fixWords) boxOrProxy() string {
	switch {
	case w.Proxy != "":
		return w.proxy
	case w.BlockedBy != nil:
		return answererText(w.BlockedBy)
	case w.Interceptor != "":
		return answererText(&probe.Answerer{Interceptor: w.Interceptor})
	}
	return w.proxy
}

func allowTCP(w fixWords) string { return "Allow outbound TCP " + w.port + " in the firewall" }

func interceptor(w fixWords) string {
	if w.Interceptor == "" {
		return "another CA"
	}
	return w.Interceptor
}

// FixOf says in words what to change for a finding.
func FixOf(f check.Finding) Fix {
	w := wordsOf(f.Fix)
	h, ok := hints[f.Class]
	if f.Class == probe.ClassDNSNotFound && f.Phase == probe.PhasePrivateDNS {
		h = privateLinkNotFound
	}
	if !ok {
		return Fix{Action: "Investigate " + string(f.Class), Pattern: f.Fix.Pattern,
			Hint: fmt.Sprintf("%s failed with %s: see the message", f.Fix.Host, f.Class)}
	}
	pattern := f.Fix.Pattern
	if f.Class == check.ClassRevocationUnreachable && len(f.Fix.Revocation) > 0 {
		pattern = strings.Join(revocationHosts(f.Fix), ", ") // what to allow is the revocation hosts
	}
	return Fix{Action: h.action(w), Pattern: pattern, Hint: h.hint(w)}
}

// FixGroup is one action and the patterns it applies to.
type FixGroup struct {
	Action   string
	Patterns []string
}

// WhatToFix groups the fixes of required failures and of warnings by action, in a stable order.
func WhatToFix(rep *check.Report) []FixGroup {
	var groups []FixGroup
	add := func(f Fix) {
		i := slices.IndexFunc(groups, func(g FixGroup) bool { return g.Action == f.Action })
		if i < 0 {
			groups = append(groups, FixGroup{Action: f.Action})
			i = len(groups) - 1
		}
		if !slices.Contains(groups[i].Patterns, f.Pattern) {
			groups[i].Patterns = append(groups[i].Patterns, f.Pattern)
		}
	}
	for _, w := range rep.Warnings {
		add(FixOf(w))
	}
	for _, res := range rep.Results {
		if res.Failure != nil && res.Required && res.Failure.Class != probe.ClassCanceled {
			add(FixOf(*res.Failure))
		}
		for _, w := range res.Warnings {
			add(FixOf(w))
		}
	}
	return groups
}
