package report

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/internal/bytesize"
	"github.com/arccheck/arccheck/pkg/probe"
)

// httpWords are the words of the causes of an HTTP answer: whose it is, and what it proves.
var httpWords = map[probe.Cause]func(f probe.Finding) phrase{
	probe.CauseAnswerReadFailed: func(f probe.Finding) phrase {
		p := errWords(f, f.Err, f.Detail)
		p.clauses = append([]string{"reading the answer"}, p.clauses...)
		return p
	},
	probe.CauseNoAnswer: func(f probe.Finding) phrase {
		if f.TimedOut {
			return say("no HTTP response before the timeout")
		}
		p := errWords(f, f.Err, f.Detail)
		p.clauses = append([]string{"no HTTP response"}, p.clauses...)
		return p
	},
	probe.CauseStatus: func(f probe.Finding) phrase { return say("answered " + status(f) + ", not 200 OK") },
	probe.CauseNotHTTP: func(f probe.Finding) phrase {
		return say("the endpoint did not answer HTTP", "the proxy relayed what it sent as a "+status(f)+
			" answer, marked X-Transformed-From: "+cmp.Or(f.Answer, &probe.Answer{}).TransformedFrom)
	},
	probe.CauseTooLarge: func(f probe.Finding) phrase {
		bound := boundWords(f.Bound)
		switch {
		case f.By != nil:
			return say(answererText(f.By)+" answered in plain HTTP where the endpoint's TLS handshake was expected", bound)
		case f.Connect != "":
			return say("proxy "+f.Proxy+" answered CONNECT "+f.Connect, bound)
		}
		return say(bound)
	},
	probe.CauseInPlace: func(f probe.Finding) phrase {
		if f.Inspected {
			return say(answererText(f.By)+" answered "+status(f)+headers(f.Answer)+" in the endpoint's place"+location(f.Answer),
				"the endpoint's own answer never came")
		}
		return say(answererText(f.By) + " answered " + status(f) + headers(f.Answer) + location(f.Answer) + " in the endpoint's place")
	},
	probe.CauseBlocked: func(f probe.Finding) phrase {
		squid := ""
		if f.Answer != nil && f.Answer.SquidError != "" {
			squid = " (X-Squid-Error: " + f.Answer.SquidError + ")"
		}
		return say(answererText(f.By)+" answered "+status(f)+" in the endpoint's place"+squid+location(f.Answer),
			"the request never reached the endpoint")
	},
	probe.CauseHTTPInsteadOfTLS: func(f probe.Finding) phrase {
		return say(answererText(f.By)+" answered "+status(f)+headers(f.Answer)+location(f.Answer)+
			" in plain HTTP where the endpoint's TLS handshake was expected", "the endpoint was never reached")
	},
	probe.CauseUnmarked: func(f probe.Finding) phrase {
		return say("the answer through "+answererText(f.By)+" ("+status(f)+headers(f.Answer)+
			") carries no evidence that the endpoint sent it, and no mark of the box", "cannot tell who answered")
	},
	probe.CauseUnproven: func(f probe.Finding) phrase {
		if f.Proxy == "" {
			return say("answered " + status(f) + headers(f.Answer) + ", but " + gapText(f.Gap))
		}
		return say("the proxy relayed "+status(f)+headers(f.Answer)+", but "+gapText(f.Gap), "it may be the proxy's own page or refusal")
	},
	probe.CauseWebServer: func(f probe.Finding) phrase {
		return say("proxy "+f.Proxy+" answered "+status(f)+headers(f.Answer)+" and refuses CONNECT with "+strconv.Itoa(f.RefusedWith),
			"it is a web server serving its own pages, not a forward proxy")
	},
}

// status is the answer's status line.
func status(f probe.Finding) string {
	if f.Answer == nil {
		return ""
	}
	return f.Answer.Status
}

// headers names the headers that may tell who answered: Via and Server.
func headers(a *probe.Answer) string {
	if a == nil {
		return ""
	}
	var parts []string
	if a.Via != "" {
		parts = append(parts, "Via: "+a.Via)
	}
	if a.Server != "" {
		parts = append(parts, "Server: "+a.Server)
	}
	if len(parts) == 0 {
		return " (no Via or Server header)"
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// location is ", redirecting to URL" for a redirect, else "".
func location(a *probe.Answer) string {
	if a == nil || a.Location == "" {
		return ""
	}
	return ", redirecting to " + a.Location
}

// answererText names who answered in the endpoint's place.
func answererText(a *probe.Answerer) string {
	switch {
	case a == nil:
		return "a box in the path"
	case a.Server != "" && a.Via != "":
		return a.Server + " (Via: " + a.Via + ")"
	case a.Server != "":
		return a.Server
	case a.Via != "":
		return "the proxy " + a.Via
	case a.Portal != "":
		return "a proxy or portal at " + a.Portal
	case a.Squid:
		return "squid"
	case a.Interceptor != "":
		return "the TLS-inspecting box that re-signs as " + a.Interceptor
	case a.Proxy != "":
		return "proxy " + a.Proxy
	case a.In == probe.BoxProxy:
		return "a proxy in the path"
	}
	return "a box in the path"
}

// AnswererText names who answered in the endpoint's place ("" for nobody), for a report's fields.
func AnswererText(a *probe.Answerer) string {
	if a == nil {
		return ""
	}
	return answererText(a)
}

// proofWords name the kinds of proof.
var proofWords = map[probe.ProofKind]string{probe.ProofCertificate: "certificate", probe.ProofCRL: "CRL",
	probe.ProofOCSP: "OCSP response"}

// gapText says why an answer does not prove its origin.
func gapText(g *probe.ProofGap) string {
	if g == nil {
		return "nothing in it proves that the endpoint sent it"
	}
	switch g.Why {
	case probe.GapNotServed:
		return "the " + proofWords[g.Kind] + " to prove the endpoint's answer was not served (" + strconv.Itoa(g.Status) + ")"
	case probe.GapOtherCert:
		return "the answer is not the CA certificate the chain names"
	case probe.GapNotCA:
		return "the answer is not a CA certificate"
	case probe.GapUntrusted:
		return "the certificate served (" + g.Subject + ") does not verify against the public roots"
	case probe.GapNotCRL:
		return "the answer is not a CRL"
	case probe.GapCRLNoIssuer:
		return "the CRL's issuer is unknown"
	case probe.GapCRLSigner:
		return "the CRL is not signed by " + g.Subject
	case probe.GapNotOCSP:
		return "the answer is not an OCSP response about the certificate signed for its issuer"
	case probe.GapOCSPStale:
		return "the OCSP response is outside its validity (an old answer replayed, or this machine's clock is far off)"
	}
	return "nothing in it proves that the endpoint sent it"
}

// boundWords say what ran past which bound.
func boundWords(b *probe.TooLargeError) string {
	if b == nil {
		return "the answer ran past its bound: a broken or hostile peer"
	}
	peer := "the endpoint"
	if b.Peer == probe.PeerProxy {
		peer = "a working proxy"
	}
	return "the answer's " + b.Part + " ran past " + bytesize.Words(b.Bound) + ": a broken or hostile peer; " + peer + " never sends that"
}
