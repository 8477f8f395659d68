package report

import (
	"fmt"
	"strings"

	"github.com/arccheck/arccheck/pkg/probe"
)

// proxyWords are the words of the causes of a failure to get through a proxy.
var proxyWords = map[probe.Cause]func(f probe.Finding) phrase{
	probe.CauseProxyAnswered: refusalWords,
	probe.CauseProxyDial: func(f probe.Finding) phrase {
		note := ""
		if f.ConnectTimedOut {
			note += " (no answer within the connect timeout)"
		}
		return proxyFirst(f, errWords(f, f.Err+note+endedNote(f), f.Detail))
	},
	probe.CauseProxyTLS: func(f probe.Finding) phrase {
		if f.TimedOut {
			return say("proxy "+f.Proxy, "TLS handshake with the proxy", "no handshake before the timeout"+endedNote(f))
		}
		return proxyFirst(f, prefixed("TLS handshake with the proxy", errWords(f, f.Err+endedNote(f), f.Detail)))
	},
	probe.CauseConnectUnsent: func(f probe.Finding) phrase {
		if f.TimedOut {
			return say("proxy "+f.Proxy, "sending CONNECT", "the proxy took the connection but not the request before the timeout"+endedNote(f))
		}
		return proxyFirst(f, prefixed("sending CONNECT", errWords(f, f.Err+endedNote(f), f.Detail)))
	},
	probe.CauseConnectHalfAnswered: func(f probe.Finding) phrase {
		return say("proxy "+f.Proxy, fmt.Sprintf("the proxy began its answer to CONNECT %s (%d bytes) but did not finish it before the timeout%s",
			f.Connect, f.Read, endedNote(f)))
	},
	probe.CauseProxySilent: func(f probe.Finding) phrase {
		if f.Connect == "" {
			return say("the proxy did not answer before the timeout", "it is still trying the endpoint")
		}
		return say("proxy " + f.Proxy + " did not answer CONNECT " + f.Connect + " before the timeout")
	},
	probe.CauseConnectNotHTTP: func(f probe.Finding) phrase {
		return proxyFirst(f, prefixed("no answer to CONNECT", errWords(f, f.Err+endedNote(f), f.Detail)))
	},
	probe.CauseSOCKSAsHTTP: func(f probe.Finding) phrase {
		return say("proxy "+f.Proxy+" answers SOCKS5, not HTTP", "give it as socks5h://"+f.ProxyHost+" ("+f.Err+")")
	},
	probe.CauseSOCKS: socksWords,
}

// proxyFirst puts "proxy URL" before the words of a failure to reach it.
func proxyFirst(f probe.Finding, p phrase) phrase { return prefixed("proxy "+f.Proxy, p) }

func prefixed(clause string, p phrase) phrase {
	p.clauses = append([]string{clause}, p.clauses...)
	return p
}

// endedNote says why the probe's context ended during a connection to the proxy, when it did.
func endedNote(f probe.Finding) string {
	switch {
	case f.Ended != "":
		return " (" + f.Ended + ")"
	case f.TimedOut && f.Cause == probe.CauseProxyDial:
		return " (the probe's time is up)"
	}
	return ""
}

// refusalWords are a proxy's own answer refusing a tunnel or a request.
func refusalWords(f probe.Finding) phrase {
	rf := f.Refusal
	if rf == nil {
		return errWords(f, f.Err, f.Detail)
	}
	first := "proxy answered " + rf.Status
	if rf.ProxyCode != "" {
		first += " (" + rf.ProxyCode + ")"
	}
	if len(rf.AuthSchemes) > 0 {
		first += "; it offers " + strings.Join(rf.AuthSchemes, ", ") + " authentication"
	}
	p := say(first)
	auth := f.Class == probe.ClassProxyAuthRequired
	switch {
	case auth && rf.CredentialsSent:
		p.clauses = append(p.clauses, "it refused the credentials of the proxy URL")
	case rf.UpstreamDNS:
		p.clauses = append(p.clauses, "the proxy could not resolve the name")
	case rf.NotAProxy:
		p.clauses = append(p.clauses, "this address is a web server, not a forward proxy")
	}
	if auth && !rf.CredentialsSent {
		p.clauses = append(p.clauses, "the Arc agent does not authenticate to proxies, so the proxy must let this server through without credentials")
	}
	if f.Err != "" {
		p.clauses = append(p.clauses, f.Err)
	}
	return p
}

// socksReplies are the words of the RFC 1928 reply codes (section 6).
var socksReplies = map[byte]string{
	1: "general SOCKS server failure", 2: "connection not allowed by ruleset", 3: "network unreachable",
	4: "host unreachable", 5: "connection refused", 6: "TTL expired", 7: "command not supported",
	8: "address type not supported",
}

// socksDoing is what arccheck was doing at a step, sending it or reading the answer.
var socksDoing = map[probe.SOCKSStep][2]string{
	probe.SOCKSGreeting:    {"sending the SOCKS greeting", "reading the answer to the SOCKS greeting"},
	probe.SOCKSCredentials: {"sending the username and password", "reading the answer to the username and password"},
	probe.SOCKSConnect:     {"sending the SOCKS CONNECT", "reading the reply to the SOCKS CONNECT"},
}

// socksWords are a SOCKS5 handshake that failed.
func socksWords(f probe.Finding) phrase {
	s, px := f.SOCKS, "proxy "+f.Proxy
	switch {
	case s == nil:
		return proxyFirst(f, errWords(f, f.Err, f.Detail))
	case s.Refused:
		return socksRefusalWords(f, s)
	case s.Version != 0 && s.Step == probe.SOCKSGreeting:
		return say(px+" did not answer the greeting as a SOCKS5 server", fmt.Sprintf("version %d", s.Version))
	case s.Version != 0:
		return say(px+" did not reply to the CONNECT as a SOCKS5 server", fmt.Sprintf("version %d", s.Version))
	case s.Malformed:
		return say(fmt.Sprintf("%s replied to the SOCKS CONNECT with a malformed reply (reserved %d, address type %d)", px, s.Reserved, s.AddrType))
	case s.TimedOut:
		return socksTimeoutWords(f, s)
	}
	doing := socksDoing[s.Step][0]
	if s.Reading {
		doing = socksDoing[s.Step][1]
	}
	return proxyFirst(f, prefixed(doing, errWords(f, f.Err, f.Detail)))
}

func socksRefusalWords(f probe.Finding, s *probe.SOCKSFacts) phrase {
	px := "proxy " + f.Proxy
	switch {
	case s.Step == probe.SOCKSConnect:
		text := socksReplies[s.Code]
		if text == "" {
			text = "unassigned code"
		}
		return say(px+" refused the SOCKS CONNECT to "+f.Connect, fmt.Sprintf("reply %d, %s", s.Code, text))
	case s.Step == probe.SOCKSCredentials:
		return say(px+" refused the username and password of the proxy URL", fmt.Sprintf("username/password authentication failed (status %d)", s.Code))
	case s.Code == 0xff && s.Credentials:
		return say(px+" accepts neither no authentication nor a username and password", "no acceptable authentication methods")
	case s.Code == 0xff:
		return say(px+" does not accept clients without authentication, and the proxy URL has no username and password",
			"no acceptable authentication methods")
	case s.Code == 2 && s.Credentials:
		return say(px+" asks for a username and password, and those of the proxy URL cannot be sent",
			"RFC 1929 takes a username of 1 to 255 bytes and a password of at most 255")
	case s.Code == 2:
		return say(px + " asks for a username and password, and the proxy URL has none")
	}
	return say(fmt.Sprintf("%s asks for authentication method %d, which arccheck does not speak", px, s.Code))
}

func socksTimeoutWords(f probe.Finding, s *probe.SOCKSFacts) phrase {
	px := "proxy " + f.Proxy
	switch {
	case s.Step == probe.SOCKSCredentials:
		return say(px + " asked for a username and password and did not answer them before the timeout")
	case s.Step == probe.SOCKSConnect && s.Answered == probe.SOCKSConnect:
		return say(px + " began its reply to the SOCKS CONNECT to " + f.Connect + " but did not finish it before the timeout")
	case s.Step == probe.SOCKSConnect:
		return say(px+" did not answer the SOCKS CONNECT to "+f.Connect+" before the timeout", "it is still trying the endpoint")
	}
	return say(px + " took the connection but did not answer the SOCKS greeting before the timeout")
}
