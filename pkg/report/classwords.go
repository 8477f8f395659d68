package report

import (
	"fmt"
	"maps"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// hints has the words of every class a check reports, from its rooms: the path (hints.go), DNS, this
// machine and the peers arccheck bounds, and the check's own rules (checkhints.go). A test walks check.Classes.
var hints = joinHints(pathHints, dnsHints, boundHints, checkHints)

// joinHints merges the rooms of hints; a class given twice is a mistake caught at start-up.
func joinHints(rooms ...map[probe.Class]hint) map[probe.Class]hint {
	out := map[probe.Class]hint{}
	for _, room := range rooms {
		for c := range room {
			if _, dup := out[c]; dup {
				panic("report: two hints for " + string(c))
			}
		}
		maps.Copy(out, room)
	}
	return out
}

// resultText is RESULT's words for a failure or warning, after "class: ": the class's own words, or
// the end of its message.
func resultText(f check.Finding) string {
	if h, ok := hints[f.Class]; ok && h.result != nil {
		return h.result(f)
	}
	return findingPhrase(f).reason()
}

// findingPhrase is a finding's words: its class's, from the facts pkg/check gave, or the probe's.
func findingPhrase(f check.Finding) phrase {
	if h, ok := hints[f.Class]; ok && h.message != nil {
		return h.message(f)
	}
	return probeWords(f.Finding)
}

// messageOf is a finding's whole message.
func messageOf(f check.Finding) string { return findingPhrase(f).long() }

// ClassGloss is what a view of many reports adds to a class's name where the name alone could be read
// as a verdict on the endpoint ("" for none): local_resources is no verdict, the server could not test.
func ClassGloss(c probe.Class) string { return hints[c].fleet }

// askedNote names the DNS server asked, when the user chose one (--dns-server): " (DNS server ADDR)".
func askedNote(f check.Fix) string {
	if !f.DNSServer.IsValid() {
		return ""
	}
	return " (DNS server " + f.DNSServer.String() + ")"
}

// dnsResult is RESULT's words for a DNS class: the end of the message, and the DNS server asked.
func dnsResult(f check.Finding) string { return probeWords(f.Finding).reason() + askedNote(f.Fix) }

// dnsOrServer is who answered a lookup: "the DNS server ADDR" when the user chose one, else "DNS".
func (w fixWords) dnsOrServer() string {
	if w.DNSServer.IsValid() {
		return w.dnsServer
	}
	return "DNS"
}

// dnsHints are the words of the DNS classes. Each names the DNS server asked when the user chose one
// (--dns-server), in RESULT and in the fix: that server is the one to fix.
var dnsHints = map[probe.Class]hint{
	probe.ClassDNSNotFound: {
		action: func(w fixWords) string {
			if w.DNSServer.IsValid() {
				return "Make " + w.dnsServer + " resolve these names (or its forwarder), or use a proxy that resolves them"
			}
			return "Let this server resolve these names (public DNS or a forwarder), or use a proxy that resolves them"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("%s has no address for %s: let %s resolve %s, or send it through a proxy that resolves names",
				w.dnsOrServer(), w.Host, dnsSubject(w), w.pattern)
		},
		result: dnsResult},
	probe.ClassDNSTimeout: {
		action: func(w fixWords) string { return "Make " + w.dnsServer + " answer this server" },
		hint: func(w fixWords) string {
			if w.DNSServer.IsValid() {
				return fmt.Sprintf("%s did not answer for %s: let this server reach it (UDP and TCP 53)", w.dnsServer, w.Host)
			}
			return fmt.Sprintf("%s did not answer for %s: let this server reach its DNS server (UDP and TCP 53)", w.dnsServer, w.Host)
		},
		result: dnsResult},
	probe.ClassDNSError: {
		action: func(w fixWords) string {
			if w.DNSServer.IsValid() {
				return "Fix the lookups at " + w.dnsServer
			}
			return "Fix this server's DNS configuration"
		},
		hint: func(w fixWords) string {
			if w.DNSServer.IsValid() {
				return fmt.Sprintf("the lookup of %s at %s failed: check that it answers this server and resolves %s", w.Host, w.dnsServer, w.pattern)
			}
			return fmt.Sprintf("the lookup of %s failed: check this server's DNS servers and that they resolve %s", w.Host, w.pattern)
		},
		result: dnsResult},
	probe.ClassDNSFiltered: {
		action: func(w fixWords) string {
			if w.DNSServer.IsValid() {
				return "Allow these names in the DNS filter of " + w.dnsServer
			}
			return "Allow these names in the DNS filter, or remove their hosts-file entries"
		},
		hint: func(w fixWords) string {
			if w.DNSServer.IsValid() {
				return fmt.Sprintf("%s answers %s only with a sinkhole address (0.0.0.0, ::, loopback, link-local or broadcast): a DNS filter blocks it; allow %s in the DNS filter of %s", w.dnsServer, w.Host, w.pattern, w.dnsServer)
			}
			return fmt.Sprintf("%s resolves only to a sinkhole address (0.0.0.0, ::, loopback, link-local or broadcast): a DNS filter or a hosts-file entry blocks it; allow %s in the DNS filter, or remove the entry from this server's hosts file (/etc/hosts; C:\\Windows\\System32\\drivers\\etc\\hosts)", w.Host, w.pattern)
		},
		result: func(f check.Finding) string {
			if f.Fix.DNSServer.IsValid() {
				return "blocked by a DNS filter (a sinkhole address)" + askedNote(f.Fix)
			}
			return "blocked by a DNS filter or the hosts file (a sinkhole address)"
		}},
	probe.ClassPrivateDNSPublic: {
		action: func(w fixWords) string {
			if w.DNSServer.IsValid() {
				return "Resolve these names to your private endpoint at " + w.dnsServer
			}
			return "Resolve these names to your private endpoint"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("make %s resolve to your private endpoint's address: forward the privatelink zones to Azure DNS through a DNS forwarder in Azure, add the A records of the private endpoint's DNS configuration to %s, or add them to this server's hosts file", w.Host, dnsTarget(w))
		},
		result: dnsResult},
	probe.ClassPrivateDNSAAAAPublic: {
		action: func(w fixWords) string {
			if w.DNSServer.IsValid() {
				return "Remove non-private AAAA records for private endpoints at " + w.dnsServer
			}
			return "Remove non-private AAAA records for private endpoints"
		},
		hint: func(w fixWords) string {
			if w.DNSServer.IsValid() {
				return fmt.Sprintf("%s answers %s with a non-private (public or loopback) AAAA record beside its private A record: remove it there, or make sure IPv4 is preferred", w.dnsServer, w.Host)
			}
			return fmt.Sprintf("%s has a non-private (public or loopback) AAAA record beside its private A record: remove it, or make sure IPv4 is preferred", w.Host)
		},
		result: dnsResult},
}

// dnsSubject is what must resolve a name: the DNS server asked, or this server.
func dnsSubject(w fixWords) string {
	if w.DNSServer.IsValid() {
		return w.dnsServer + " (or its forwarder)"
	}
	return "this server"
}

// dnsTarget is the DNS server to act on: the one asked, or this server's own.
func dnsTarget(w fixWords) string {
	if w.DNSServer.IsValid() {
		return w.dnsServer
	}
	return "your DNS server"
}

// privateLinkNotFound is the fix for a private endpoint's name that does not resolve: public DNS or a
// proxy cannot help, the privatelink zone must answer.
var privateLinkNotFound = hint{
	action: func(w fixWords) string {
		if w.DNSServer.IsValid() {
			return "Resolve these names to your private endpoint at " + w.dnsServer + " (privatelink zone or conditional forwarder)"
		}
		return "Resolve these names to your private endpoint (privatelink zone or conditional forwarder)"
	},
	hint: func(w fixWords) string {
		return fmt.Sprintf("%s has no address for %s: add the privatelink zone's records for it to %s, or a conditional forwarder to Azure DNS through a forwarder in Azure (a proxy cannot help: the agent must reach your private endpoint)", w.dnsOrServer(), w.Host, dnsTarget(w))
	}}
