package report

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// checkHints are the words of the classes pkg/check gives from its own rules (the agent's TLS
// requirements, revocation, the clock, the connection mode): pkg/check gives their facts, never a
// message, so each has a message made here.
var checkHints = map[probe.Class]hint{
	check.ClassGatewayProxyBypass: fixed("Remove gateway endpoints from NO_PROXY", func(w fixWords) string {
		return fmt.Sprintf("remove %s from NO_PROXY: the Arc gateway does not support proxy bypass", w.pattern)
	}).saying(gatewayBypassMessage),
	check.ClassCipherUnsupportedByAgent: {
		action: func(w fixWords) string {
			return "Offer the Arc agent's TLS suites (TLS 1.3, or TLS 1.2 ECDHE-RSA with AES-GCM) on " + suiteBox(w)
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("%s speaks %s, which Arc agents %s on Windows (not Windows Server 2012 or 2012 R2) do not accept; %s reverted that rule: enable TLS 1.3, or TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 or TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, on %s", w.Host, suiteWord(w.Suite), enforcingAgents(), check.SuitesRevertedIn, suiteBox(w))
		},
		message: cipherMessage},
	check.ClassNegativeSerial: fixed("Reissue certificates that have a negative serial number before "+rejectMonth(), func(w fixWords) string {
		return fmt.Sprintf("%s presents a certificate with a negative serial number (issued by %s): the Arc agent rejects it from %s; have that CA (often a TLS-inspection appliance) issue positive serial numbers, or exempt %s from inspection", w.Host, cmp.Or(strings.Join(w.NegativeSerial, " and "), w.Issuer, "its CA"), rejectMonth(), w.pattern)
	}).saying(negativeSerialMessage),
	check.ClassRevocationUnreachable: {
		action: func(w fixWords) string {
			if w.Proxy != "" {
				return "Allow HTTP (TCP 80) on the proxy " + w.proxy + " to the certificate revocation endpoints"
			}
			return "Allow outbound HTTP (TCP 80) to the certificate revocation endpoints"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("the certificate chain of %s names revocation endpoints this server cannot reach: allow HTTP (TCP 80) to %s, which Windows asks before it trusts the chain", w.Host, strings.Join(revocationHosts(w.Fix), ", "))
		},
		message: func(f check.Finding) phrase {
			return say("the chain names revocation endpoints that cannot be reached", strings.Join(f.Fix.Revocation, ", ")+
				"; Windows checks revocation, so TLS may stall or fail for the agent")
		}},
	check.ClassRevocationNotProbed: {
		action: func(w fixWords) string {
			return "Check that this server reaches the revocation URLs arccheck did not probe" + viaProxy(w)
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("the certificate chain of %s names revocation URLs arccheck did not probe to a verdict (not http://, past the run's cap on revocation probes, cut short by the run's deadline, or an OCSP answer outside its validity: is this server's clock right?), so whether the agent reaches them is unknown: check that this server can reach %s%s, e.g. allow them in the proxy or firewall", w.Host, revocationList(w.Fix), viaProxy(w))
		},
		result: func(f check.Finding) string {
			return "not probed, reachability unknown: " + revocationList(f.Fix)
		},
		message: func(f check.Finding) phrase {
			return say(fmt.Sprintf("the chain names revocation endpoints arccheck did not probe to a verdict (not an http:// URL it can parse, past the run's cap of %d, cut short by the run's deadline, or an OCSP answer outside its validity)",
				check.MaxRevocationProbes), revocationList(f.Fix))
		}},
	check.ClassClockSkew: fixed("Synchronise this server's clock (NTP; on Windows w32tm)", func(w fixWords) string {
		return fmt.Sprintf("this server's clock is %s off the time %s answered: synchronise it with NTP (Linux: chrony or systemd-timesyncd; Windows: w32tm /config /syncfromflags:domhier /update, then w32tm /resync)", clockWord(w.ClockOffset), w.Host)
	}).saying(func(f check.Finding) phrase {
		return say("this server's clock is "+clockWord(f.Fix.ClockOffset)+" the Date of "+f.Fix.URL+
			" (more than "+check.MaxClockSkew.String()+")", "tokens and certificates fail on a wrong clock")
	}),
	check.ClassPrivateLinkViaProxy: fixed("Bypass the proxy for private endpoints (azcmagent config set proxy.bypass Arc)", func(w fixWords) string {
		return fmt.Sprintf("%s went through %s: set the agent's proxy bypass for Arc (azcmagent config set proxy.bypass Arc; here --proxy-bypass Arc) so it reaches your private endpoint", w.Host, w.proxy)
	}).saying(func(f check.Finding) phrase {
		return say("reached through the proxy " + cmp.Or(f.Fix.ProxyURL, f.Fix.Proxy, "your proxy") +
			", which resolves the name itself rather than to your private endpoint")
	}),
}

// saying returns the hint with the message of a finding pkg/check made.
func (h hint) saying(message func(f check.Finding) phrase) hint {
	h.message = message
	return h
}

// gatewayBypassMessage names the NO_PROXY entry that sends a gateway endpoint around the proxy.
func gatewayBypassMessage(f check.Finding) phrase {
	by := "NO_PROXY"
	if b := f.Fix.Bypass; b != nil {
		by = b.List + " entry " + b.Entry
	}
	return say(by + " bypasses the proxy for this endpoint, but the Arc gateway does not support proxy bypass")
}

// negativeSerialMessage names the issuers of the certificates with a negative serial number.
func negativeSerialMessage(f check.Finding) phrase {
	return say("a certificate of the chain issued by "+cmp.Or(strings.Join(f.Fix.NegativeSerial, " and "), f.Fix.Issuer, "its CA")+
		" has a negative serial number", "the Arc agent accepts it until "+rejectMonth()+" and rejects it from then on")
}

// cipherMessage says which suites the path speaks and the agent wants, by the finding's cause. With
// check.CauseLegacySuites the probe's words (which name the legacy suite) come first.
func cipherMessage(f check.Finding) phrase {
	box := "the server"
	if f.Fix.Interceptor != "" || f.Fix.Proxy != "" {
		box = "the server or the TLS-inspecting proxy in the path"
	}
	switch f.Fix.Cause {
	case check.CauseSuiteRefused:
		why := ""
		if f.Fix.SuiteRefusal != "" {
			why = " (" + f.Fix.SuiteRefusal + ")"
		}
		return say("the path negotiated TLS 1.2 with "+tls.CipherSuiteName(f.Fix.Suite)+" and refused a handshake offering only the suites "+
			"the Arc agent accepts ("+suiteNames(check.AgentTLS12Suites)+")", box+" must offer one of them"+why)
	case check.CauseLegacySuites:
		p := probeWords(f.Finding)
		p.short = ""
		p.clauses[len(p.clauses)-1] += ", which the Arc agent does not accept"
		p.clauses = append(p.clauses, box+" must offer "+suiteNames(check.AgentTLS12Suites))
		return p
	}
	return probeWords(f.Finding)
}

// interceptedMessage is the probe's words of a re-signed chain, and why a check rule made it a failure.
func interceptedMessage(f check.Finding) phrase {
	p := probeWords(f.Finding)
	switch f.Fix.Cause {
	case check.CauseGatewayInspection:
		p.clauses[len(p.clauses)-1] += "; the Arc gateway does not work through TLS inspection"
	case check.CauseInspectionUnsupported:
		p.clauses[len(p.clauses)-1] += "; TLS inspection is not supported for this endpoint"
	}
	return p
}

// unverifiedMessage is the message of a row the run's own evidence failed (check.CauseBoxAnsweredRun), or
// the probe's.
func unverifiedMessage(f check.Finding) phrase {
	if f.Fix.Cause != check.CauseBoxAnsweredRun {
		return probeWords(f.Finding)
	}
	return say("answered "+f.Fix.Status+", the documented status, but the TLS-inspecting box re-signing as "+f.Fix.Interceptor+
		" answered this run's own request to "+f.Fix.BoxAnswered+" in the endpoint's place", "it could have answered this one too")
}

// worded is a failure of a URL the run probed, or did not: its class and phase, and its words.
type worded struct {
	Class   probe.Class
	Phase   probe.Phase
	Cause   probe.Cause
	Message string
	Reason  string
}

// wordedProbe is a probe's failure worded; nil for none.
func wordedProbe(f *probe.Finding) *worded {
	if f == nil {
		return nil
	}
	p := probeWords(*f)
	return &worded{Class: f.Class, Phase: f.Phase, Cause: f.Cause, Message: p.long(), Reason: p.reason()}
}

// revocationFailure is how a revocation URL's probe failed, with the words of one arccheck did not probe;
// nil when it was reached.
func revocationFailure(rv check.Revocation) *worded {
	f := wordedProbe(rv.Probe.Failure)
	if f == nil || rv.NotProbed == "" {
		return f
	}
	switch rv.NotProbed {
	case check.CauseOverCap:
		f.Reason = fmt.Sprintf("the run probes at most %d revocation URLs", check.MaxRevocationProbes)
		f.Message = "not probed: " + f.Reason
	case check.CauseUnparsable:
		f.Reason = "not a URL arccheck can parse"
		if rv.ParseError != nil {
			first, _, _ := strings.Cut(rv.ParseError.Error(), "\n")
			f.Reason += " (" + safetext.Escape(first) + ")"
		}
		f.Message = "not probed: " + f.Reason
	}
	return f
}

// discoveryFailure is how a discovery call failed, with the reason its answer could not be read.
func discoveryFailure(d check.Discovery) *worded {
	f := wordedProbe(d.Failure)
	if f == nil || d.AnswerError == nil {
		return f
	}
	f.Message = safetext.Escape(d.AnswerError.Error())
	f.Reason = f.Message
	return f
}

// suiteNames names TLS suites: "A, B".
func suiteNames(ids []uint16) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = tls.CipherSuiteName(id)
	}
	return strings.Join(names, ", ")
}

// suiteBox is the box whose TLS settings to change: the inspecting proxy, or the server.
func suiteBox(w fixWords) string {
	if w.Interceptor != "" || w.Proxy != "" {
		return w.inspector + " (it terminates TLS), or the server " + w.Host
	}
	return "the server or load balancer that answers for " + w.Host
}

// enforcingAgents are the agent versions that enforce the TLS 1.2 suites: "1.56 to 1.63".
func enforcingAgents() string {
	last := check.SuitesRevertedIn
	last.Minor--
	return check.SuitesEnforcedFrom.String() + " to " + last.String()
}

// suiteWord names a TLS suite, or says none is known.
func suiteWord(s uint16) string {
	if s == 0 {
		return "only suites"
	}
	return tls.CipherSuiteName(s)
}

// rejectMonth is when the agent starts rejecting negative serial numbers, as "February 2027".
func rejectMonth() string { return check.NegativeSerialRejectedFrom.Format("January 2006") }

// revocationHosts are the hosts of the unreachable revocation URLs, once each, or the endpoint's host.
func revocationHosts(f check.Fix) []string {
	var out []string
	for _, raw := range f.Revocation {
		if u, err := url.Parse(raw); err == nil && !slices.Contains(out, u.Hostname()) {
			out = append(out, u.Hostname())
		}
	}
	if len(out) == 0 {
		return []string{f.Host}
	}
	return out
}

// revocationList lists the revocation URLs of a fix, or says the chain names them.
func revocationList(f check.Fix) string {
	if len(f.Revocation) == 0 {
		return "the revocation URLs the certificate chain names"
	}
	return strings.Join(f.Revocation, ", ")
}

// viaProxy says " through the proxy X" when the agent's path has one.
func viaProxy(w fixWords) string {
	if w.Proxy == "" {
		return ""
	}
	return " through the proxy " + w.proxy
}

// clockWord says how far and which way the clock is off.
func clockWord(d time.Duration) string {
	if d < 0 {
		return (-d).String() + " ahead of"
	}
	return d.String() + " behind"
}
