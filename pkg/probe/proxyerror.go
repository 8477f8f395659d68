package probe

import "context"

// ProxyError is a failure to get a connection through a proxy: its class, how it happened (Cause) and
// the facts of it. pkg/report words it (as a Finding: see finding).
type ProxyError struct {
	Class Class
	Cause Cause
	// Proxy is the proxy, as its String form shows it.
	Proxy string
	// Code and Status are the proxy's status code and line ("403 Forbidden"); 0 and empty when it did
	// not answer.
	Code   int
	Status string
	// UpstreamDNS is set when the proxy said it could not resolve the destination's name (squid's
	// ERR_DNS_FAIL, privoxy's 404 to CONNECT).
	UpstreamDNS bool
	// CredentialsSent is set when the answer refused credentials that were sent (after a challenge).
	CredentialsSent bool
	// AuthSchemes are the schemes of the proxy's Proxy-Authenticate headers.
	AuthSchemes []string
	// ProxyCode is the proxy's own error code (squid's X-Squid-Error, e.g. ERR_ACCESS_DENIED).
	ProxyCode string
	// Facts are the rest: Connect, Read, TimedOut, ConnectTimedOut, Ended, ProxyHost, SOCKS.
	Facts Facts
	// Err is the library's or the system's error, when one ended the attempt.
	Err error
}

// Error is the class, the proxy's status and the library's error: a log line, not a user's sentence.
func (e *ProxyError) Error() string {
	s := string(e.Class)
	if e.Cause != "" {
		s += " (" + string(e.Cause) + ")"
	}
	if e.Proxy != "" {
		s += ": proxy " + e.Proxy
	}
	if e.Status != "" {
		s += ": " + e.Status
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// finding is e as a failure of the proxy phase.
func (e *ProxyError) finding(ctx context.Context) Finding {
	if interrupted(ctx) {
		return Finding{Class: ClassCanceled, Phase: PhaseProxy, Cause: CauseRunEnded, Facts: Facts{Err: errText(ctx, e)}}
	}
	f := Finding{Class: e.Class, Phase: PhaseProxy, Cause: e.Cause, Facts: e.Facts}
	if e.Err != nil {
		ef := errFinding(ctx, e.Class, PhaseProxy, e.Err)
		f.Err, f.Detail, f.Shortage, f.NoRouteTo = ef.Err, ef.Detail, ef.Shortage, ef.NoRouteTo
		f.Bound = boundOf(e.Err)
	}
	f.Proxy = e.Proxy
	if e.Status != "" {
		f.Cause = CauseProxyAnswered
		f.Refusal = &Refusal{Status: e.Status, ProxyCode: e.ProxyCode, AuthSchemes: e.AuthSchemes, CredentialsSent: e.CredentialsSent,
			UpstreamDNS: e.UpstreamDNS, NotAProxy: e.Class == ClassProxyNotAProxy}
	}
	return f
}

func (e *ProxyError) Unwrap() error { return e.Err }
