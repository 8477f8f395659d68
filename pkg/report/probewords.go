package report

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/pkg/probe"
)

// A probe's finding is worded here, from its class, its cause and its facts (pkg/probe writes no
// sentence): the whole message (findingText, in JSON and the notes) and the short reason RESULT shows
// after the class (findingShort). The words of each cause are in probewords*.go: the connection here,
// the HTTP answers in probewords_http.go, the proxies in probewords_proxy.go.

// phrase is a finding's words, as clauses that a colon joins: the message is all of them, RESULT's
// reason the last (with the one before it when the last alone is too short to say anything). short, when
// set, is the reason instead: the library's own reason (Detail) for its error.
type phrase struct {
	clauses []string
	short   string
}

// say is the phrase of clauses; an empty one (a fact a finding lacks) is left out.
func say(clauses ...string) phrase {
	var p phrase
	for _, c := range clauses {
		if c != "" {
			p.clauses = append(p.clauses, c)
		}
	}
	return p
}

func (p phrase) long() string { return strings.Join(p.clauses, ": ") }

func (p phrase) reason() string {
	if p.short != "" {
		return p.short
	}
	n := len(p.clauses)
	if n == 0 {
		return ""
	}
	if n > 1 && len(p.clauses[n-1]) <= 12 {
		return p.clauses[n-2] + ": " + p.clauses[n-1]
	}
	return p.clauses[n-1]
}

// findingText is a probe finding's whole message.
func findingText(f probe.Finding) string { return probeWords(f).long() }

// findingShort is what RESULT says of a probe finding after its class.
func findingShort(f probe.Finding) string { return probeWords(f).reason() }

// causeWords are the words of each cause; a cause not here (and "") is told by the library's error.
var causeWords = map[probe.Cause]func(f probe.Finding) phrase{}

func init() {
	for _, room := range []map[probe.Cause]func(f probe.Finding) phrase{connWords, httpWords, proxyWords} {
		for c, w := range room {
			if _, dup := causeWords[c]; dup {
				panic("report: two words for " + string(c))
			}
			causeWords[c] = w
		}
	}
}

// classWords are the words of the classes that happen one way only.
var classWords = map[probe.Class]func(f probe.Finding) phrase{
	probe.ClassDNSFiltered: func(f probe.Finding) phrase {
		what := "an address"
		if len(f.Addrs) > 1 {
			what = "addresses"
		}
		return say("the DNS answer for "+f.Host+" is "+addrList(f.Addrs)+", "+what+" no server has",
			"a DNS filter (or a hosts-file entry) blocks this name")
	},
	probe.ClassPrivateDNSPublic: func(f probe.Finding) phrase {
		return say(f.Host + " resolves to " + addrKinds(f.Addrs) + ", not to a private endpoint address")
	},
	probe.ClassPrivateDNSAAAAPublic: func(f probe.Finding) phrase {
		return say("an AAAA record (" + addrKinds(f.Addrs) + ") exists beside the private A record; the agent prefers IPv4, " +
			"but other software may not")
	},
	probe.ClassProxyAuthAgentUnsupported: func(probe.Finding) phrase {
		return say("passed the proxy with the credentials given; the Arc agent cannot authenticate to a proxy, so it will pass " +
			"only if the proxy lets this server through without them")
	},
	probe.ClassTLS12Max: func(probe.Finding) phrase {
		return say("TLS 1.2 is the best the server or a device in the path offers; the endpoint accepts TLS 1.3")
	},
	probe.ClassHTTPUnexpectedAnswer: func(f probe.Finding) phrase {
		return say("answered " + status(f) + " where " + strconv.Itoa(f.Expect) + " is documented" + headers(f.Answer))
	},
}

func probeWords(f probe.Finding) phrase {
	if w, ok := causeWords[f.Cause]; ok {
		return w(f)
	}
	if w, ok := classWords[f.Class]; ok && f.Cause == "" {
		return w(f)
	}
	return errWords(f, f.Err, f.Detail)
}

// errWords are the library's error (detail: its own reason), with what the class adds: the resource
// that ran out, the route this machine lacks.
func errWords(f probe.Finding, err, detail string) phrase {
	extra := ""
	switch f.Class {
	case probe.ClassLocalResources:
		extra = " (" + shortageText(f.Shortage) + "; nothing was sent, so this says nothing about the endpoint or the network)"
	case probe.ClassNoRoute:
		to := "the address"
		if f.NoRouteTo.IsValid() {
			to = f.NoRouteTo.String()
		}
		extra = " (raised by this server's own routing table, which has no route to " + to + ": no packet left the machine)"
	}
	if err == "" {
		err = string(f.Class)
	}
	p := say(err + extra)
	if detail != "" {
		p.short = detail + extra
	}
	return p
}

// shortageText says what ran out.
func shortageText(s probe.Shortage) string {
	switch s {
	case probe.ShortProcessFiles:
		return "this process has no file descriptor left: its open-file limit (ulimit -n) is reached"
	case probe.ShortSystemFiles:
		return "this machine has no file descriptor left: the system's open-file limit is reached"
	case probe.ShortProcessSockets:
		return "this process has no socket handle left"
	case probe.ShortProcessHandles:
		return "this process has no handle left"
	case probe.ShortSystemHandles:
		return "this machine has no handle left"
	case probe.ShortBuffers:
		return "this machine has no socket buffer space left"
	case probe.ShortMemory:
		return "this machine has no memory left for a socket"
	}
	return "this machine ran out of a local resource"
}

// addrKinds words addresses that are not private by their kind, loopback and link-local apart from
// public: "loopback 127.0.0.2 and public 20.1.2.3, 20.1.2.4".
func addrKinds(addrs []netip.Addr) string {
	var groups []string
	for i := 0; i < len(addrs); {
		kind := addrKind(addrs[i])
		j := i + 1
		for j < len(addrs) && addrKind(addrs[j]) == kind {
			j++
		}
		groups = append(groups, kind+" "+addrList(addrs[i:j]))
		i = j
	}
	return strings.Join(groups, " and ")
}

// addrKind is what an address that is not private is: loopback (127.0.0.0/8, ::1), link-local,
// unspecified, or public.
func addrKind(a netip.Addr) string {
	switch a = a.Unmap(); {
	case a.IsLoopback():
		return "loopback"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsUnspecified():
		return "unspecified"
	}
	return "public"
}

func addrList(addrs []netip.Addr) string {
	list := make([]string, len(addrs))
	for i, a := range addrs {
		list[i] = a.String()
	}
	return strings.Join(list, ", ")
}

// connWords are the words of the causes of DNS, TCP, TLS and the run's end.
var connWords = map[probe.Cause]func(f probe.Finding) phrase{
	probe.CauseRunEnded: func(f probe.Finding) phrase { return say(cmp.Or(f.Err, "the run ended")) },
	probe.CauseNotStarted: func(f probe.Finding) phrase {
		if f.Err == "" {
			return say("not started before the run's deadline")
		}
		return say("not started", f.Err)
	},
	probe.CauseCutShort: func(f probe.Finding) phrase {
		cut := ""
		if f.Cut != nil {
			cut = " (" + findingText(*f.Cut) + ")"
		}
		return say("cut short by the run's deadline", fmt.Sprintf("started late, it had %s of its %s%s", f.Granted, f.Budget, cut))
	},
	probe.CauseBelowTLS12: func(f probe.Finding) phrase {
		return errWords(f, f.Err+" (the server offers only TLS below 1.2)", f.Detail+" (the server offers only TLS below 1.2)")
	},
	probe.CauseNoHandshake: func(probe.Finding) phrase {
		return say("no TLS handshake from the server before the timeout")
	},
	probe.CauseNoCommonSuite: func(f probe.Finding) phrase {
		if f.Legacy == nil || f.Legacy.Error != "" {
			return say(f.Err, "no cipher suite in common, and the server (or a box in the path) refused Go's legacy suites "+
				"(RC4, 3DES, static RSA, CBC) too: it may offer only DHE suites, or others no current client speaks")
		}
		return say(f.Err, "no cipher suite in common", "the server (or a box in the path) speaks only legacy suites such as "+
			tls.CipherSuiteName(f.Legacy.Suite)+" ("+tls.VersionName(f.Legacy.Version)+")")
	},
	probe.CauseNoCertificate: func(probe.Finding) phrase { return say("the server sent no certificate") },
	probe.CauseSelfSigned: func(f probe.Finding) phrase {
		return say("the server's certificate is self-signed ("+f.Subject+")", f.Err)
	},
	probe.CauseIncompleteChain: func(f probe.Finding) phrase {
		return say("the server did not send the certificate of "+f.Issuer+", which issued its chain's last certificate",
			"the chain is incomplete, or that CA is not trusted here", f.Err)
	},
	probe.CauseResigned: func(f probe.Finding) phrase {
		by := interceptorName(f.Interceptor, f.PublicNotOf)
		if f.Err == "" {
			return say("re-signed by "+by+", which this machine trusts", "not the endpoint's public chain")
		}
		return say("the certificate chain is re-signed by " + by + ", which this machine does not trust (" + f.Err + ")")
	},
	probe.CauseFamilies: familiesWords,
	probe.CauseCurlDiffers: func(f probe.Finding) phrase {
		way := "through the proxy"
		switch c := f.Curl; {
		case c == nil:
		case c.Proxy != "":
			way = "through " + c.Proxy + ", which Go ignores"
		case c.Bypass:
			way = "direct (NO_PROXY entry " + c.Entry + ")"
		}
		return say("curl would go " + way + "; arccheck follows Go's NO_PROXY rules (golang.org/x/net/http/httpproxy)")
	},
}

// interceptorName names the CA a box re-signs as; notOf are the issuers expected, when it is another
// public CA.
func interceptorName(name string, notOf []string) string {
	if len(notOf) > 0 {
		return name + " (a public CA, but not " + strings.Join(notOf, " or ") + ")"
	}
	return name
}

// familiesWords say which addresses failed, family by family: "IPv6 path black-holed: [::1]:443
// (tcp_timeout: …)" when every address of a family timed out, the addresses one by one otherwise.
func familiesWords(f probe.Finding) phrase {
	var parts []string
	for _, fam := range []struct {
		name string
		is   func(netip.Addr) bool
	}{{"IPv4", func(a netip.Addr) bool { return a.Unmap().Is4() }}, {"IPv6", func(a netip.Addr) bool { return !a.Unmap().Is4() }}} {
		var bad []string
		total, timeouts := 0, 0
		for _, ar := range f.All {
			if fam.is(ar.Address.Addr()) {
				total++
			}
		}
		for _, ar := range f.Failed {
			if !fam.is(ar.Address.Addr()) || ar.Failure == nil {
				continue
			}
			bad = append(bad, ar.Address.String()+" ("+string(ar.Failure.Class)+": "+findingText(*ar.Failure)+")")
			if ar.Failure.Class == probe.ClassTCPTimeout {
				timeouts++
			}
		}
		switch {
		case len(bad) == 0:
		case len(bad) == total && timeouts == total:
			parts = append(parts, fam.name+" path black-holed: "+strings.Join(bad, ", "))
		case len(bad) == total:
			parts = append(parts, fam.name+" path fails: "+strings.Join(bad, ", "))
		default:
			parts = append(parts, fam.name+" address fails: "+strings.Join(bad, ", "))
		}
	}
	return say(strings.Join(parts, "; ") + "; the connection succeeded to another address, but clients that pick these fail")
}
