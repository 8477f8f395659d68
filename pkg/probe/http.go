package probe

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// request sends one GET over conn and reads the response head, then judges whose answer it is: the
// endpoint's, or a proxy's or an inspecting box's in its place (see judge). With viaProxy set, conn goes
// to that HTTP proxy and the request is sent in absolute form (credentials only after a challenge).
// With body set, the body of a 200 answer is kept there and any other status fails.
func (p *Prober) request(ctx context.Context, conn net.Conn, r *Result, viaProxy *Proxy, body *[]byte) {
	phase := &HTTPPhase{}
	r.HTTP = phase
	start := time.Now()
	defer func() { phase.Duration = time.Since(start) }()
	resp, err := p.roundTrip(ctx, conn, r.Target, viaProxy, false)
	credentialsSent := false
	if err == nil && viaProxy != nil && proxyChallenged(resp, false) && viaProxy.HasCredentials() {
		// Asked for credentials: send them, on a new connection, as proxies may close the one they refused.
		resp.Body.Close()
		credentialsSent = true
		d := &HTTPConnectDialer{Proxy: viaProxy, ConnectTimeout: p.opts.ConnectTimeout}
		if conn, err = d.dialProxy(ctx); err != nil {
			proxyOK(ctx, r, err)
			return
		}
		conn = p.hook(ctx, conn)
		defer conn.Close()
		resp, err = p.roundTrip(ctx, conn, r.Target, viaProxy, true)
	}
	if err != nil {
		failRequest(ctx, r, viaProxy != nil, err)
		return
	}
	defer resp.Body.Close()
	phase.Status, phase.StatusText, phase.Received = resp.StatusCode, resp.Status, time.Now()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		phase.Date = d
	}
	phase.Evidence = evidenceOf(r.Target, resp)
	if !p.judge(ctx, r, viaProxy, resp, credentialsSent, body != nil) {
		return
	}
	if r.Target.Proof != nil {
		p.prove(ctx, r, viaProxy, resp)
		return
	}
	if body == nil {
		discardBody(resp.Body, maxDiscardBody)
		return
	}
	if resp.StatusCode != http.StatusOK {
		r.fail(Finding{Class: ClassHTTPError, Phase: PhaseHTTP, Cause: CauseStatus, Facts: Facts{Answer: answerOf(resp)}})
		return
	}
	if *body, err = readBody(resp.Body, maxBody); err != nil {
		failBody(ctx, r, err)
	}
}

// judge decides whose answer resp is, records the failure when it is not the endpoint's, and reports
// whether it may be. fetch is set for Fetch, whose caller checks the content itself.
func (p *Prober) judge(ctx context.Context, r *Result, viaProxy *Proxy, resp *http.Response, credentialsSent, fetch bool) bool {
	switch {
	case viaProxy != nil:
		return p.judgeProxiedAnswer(ctx, r, viaProxy, resp, credentialsSent)
	case r.TLS != nil && r.TLS.Intercepted:
		return judgeInspectedAnswer(r, resp, fetch)
	case r.TLS == nil && r.Target.Proof == nil && r.HTTP.Evidence == "":
		return judgeUnprovenAnswer(r, resp)
	}
	return judgeAnswer(r, resp)
}

// judgeUnprovenAnswer judges a plain-HTTP answer that came directly with no proof asked of it and none of
// the endpoint's evidence: a transparent proxy, or any web server the traffic meets, answers as well as
// the endpoint, so the answer is a box's page when its marks say so, and otherwise http_unverified:
// unknown, never reachable (as through a proxy).
func judgeUnprovenAnswer(r *Result, resp *http.Response) bool {
	if judgeAnswer(r, resp) {
		r.fail(Finding{Class: ClassHTTPUnverified, Phase: PhaseHTTP, Cause: CauseUnproven,
			Facts: Facts{Answer: answerOf(resp), Gap: &ProofGap{Why: GapNothing}}})
	}
	return false
}

// failRequest records why no HTTP answer came. When the probe's deadline ended the wait, through a proxy
// it is the proxy's silence: it is still trying the endpoint, as with a CONNECT that gets no answer.
func failRequest(ctx context.Context, r *Result, viaProxy bool, err error) {
	switch {
	case tooLarge(err):
		r.fail(Finding{Class: ClassHTTPTooLarge, Phase: PhaseHTTP, Cause: CauseTooLarge, Facts: Facts{Bound: boundOf(err)}})
	case deadlineHit(ctx, err) && viaProxy:
		r.fail(Finding{Class: ClassProxyUpstreamFailed, Phase: PhaseProxy, Cause: CauseProxySilent})
	case deadlineHit(ctx, err):
		r.fail(Finding{Class: ClassHTTPError, Phase: PhaseHTTP, Cause: CauseNoAnswer, Facts: Facts{TimedOut: true}})
	case viaProxy && r.Proxy != nil && r.Proxy.Proxy.Scheme == "http" && speaksSOCKS5(ctx, r.Proxy.Proxy, 0):
		r.fail(Finding{Class: ClassProxySchemeMismatch, Phase: PhaseProxy, Cause: CauseSOCKSAsHTTP,
			Facts: Facts{Proxy: r.Proxy.Proxy.String(), ProxyHost: r.Proxy.Proxy.Host, Err: errText(ctx, err)}})
	default:
		f := errFinding(ctx, classifyHTTP(err, ctx), PhaseHTTP, err)
		f.Cause = cmp.Or(f.Cause, CauseNoAnswer)
		r.fail(f)
	}
}

// roundTrip writes a GET for the target (in absolute form to viaProxy, if set, with its credentials when
// withCredentials) and reads the response head, within maxResponseHead.
func (p *Prober) roundTrip(ctx context.Context, conn net.Conn, t Target, viaProxy *Proxy, withCredentials bool) (*http.Response, error) {
	path := t.Path
	switch {
	case t.Proof != nil && t.Proof.Kind == ProofOCSP:
		path = cmp.Or(ocspPath(t.Path, t.Proof), path)
	case t.Proof != nil && t.Proof.Path != "":
		path = t.Proof.Path
	case t.Expect != nil && t.Expect.Path != "":
		path = t.Expect.Path
	}
	if path == "" {
		path = "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.Scheme+"://"+t.authority()+path, nil)
	if err != nil {
		return nil, err
	}
	req.Host = t.authority() // with the port when it is not the default: the proxy connects there
	req.Header.Set("User-Agent", p.opts.UserAgent)
	req.Close = true
	if viaProxy != nil {
		if withCredentials {
			viaProxy.authorize(req.Header)
		}
		err = req.WriteProxy(conn)
	} else {
		err = req.Write(conn)
	}
	if err != nil {
		return nil, err
	}
	return newResponseReader(conn).readResponse(req, PeerEndpoint)
}

// classifyHTTP names a failure to get an HTTP answer: canceled, reset, or http_error.
func classifyHTTP(err error, ctx context.Context) Class {
	switch class := classifyConn(err, ctx, ClassHTTPError); class {
	case ClassCanceled, ClassTCPReset, ClassLocalResources:
		return class
	}
	return ClassHTTPError
}

// judgeProxiedAnswer tells, for an absolute-form request through an HTTP proxy, the proxy's own answer
// from the endpoint's, records a failure when the answer is not proven to be the endpoint's, and reports
// whether it may be. The proxy's marks decide first (a challenge, squid's X-Squid-Error, squid's
// X-Transformed-From). Then, for a target with a Proof, its content decides (see prove). Otherwise the
// answer counts only when squid alone relayed it (squid marks every answer of its own) or it carries the
// endpoint's own evidence (Target.EvidenceHeaders); anything else is unverified, or, when the address refuses
// CONNECT as a web server does, proxy_not_a_proxy.
func (p *Prober) judgeProxiedAnswer(ctx context.Context, r *Result, px *Proxy, resp *http.Response, credentialsSent bool) bool {
	code := resp.StatusCode
	switch {
	case proxyChallenged(resp, false), resp.Header.Get("X-Squid-Error") != "",
		!relayedBySquidAlone(resp) && r.HTTP.Evidence == "" && (code == http.StatusBadGateway || code == http.StatusGatewayTimeout):
		pe := proxyErrorFromResponse(resp)
		pe.Proxy = px.String()
		pe.CredentialsSent = credentialsSent && proxyChallenged(resp, false)
		if pe.Class == ClassProxyNotAProxy {
			pe.Class = ClassProxyDenied // a 400 to a well-formed request is a refusal here, not a web server
		}
		r.Proxy.Status, r.Proxy.AuthSchemes, r.Proxy.ProxyCode, r.Proxy.UpstreamDNS = pe.Status, pe.AuthSchemes, pe.ProxyCode, pe.UpstreamDNS
		r.fail(pe.finding(ctx))
		return false
	case resp.Header.Get("X-Transformed-From") != "":
		// squid relays what is not HTTP as an HTTP/0.9 answer and says so in this header.
		r.fail(Finding{Class: ClassHTTPError, Phase: PhaseHTTP, Cause: CauseNotHTTP, Facts: Facts{Answer: answerOf(resp)}})
		return false
	}
	r.Proxy.Authenticated = credentialsSent // asked for, sent with the request, and not refused
	if class, dns, ok := boxAnswer(r.Target, resp); ok && proxyProduct(resp) != "" && r.HTTP.Evidence == "" {
		// The proxy's own page, as its marks say (tinyproxy's "500 Unable to connect", Server: tinyproxy).
		failBox(r, class, dns, proxyName(resp), resp)
		return false
	}
	if r.Target.Proof != nil || relayedBySquidAlone(resp) || r.HTTP.Evidence != "" {
		return true
	}
	p.unproven(ctx, r, px, resp, &ProofGap{Why: GapNothing})
	return false
}

// failBox records the failure of an answer a proxy or box (named by) gave in the endpoint's place.
func failBox(r *Result, class Class, dns bool, by *Answerer, resp *http.Response) {
	phase := PhaseHTTP
	if r.Proxy != nil {
		r.Proxy.Status, r.Proxy.UpstreamDNS, phase = resp.Status, r.Proxy.UpstreamDNS || dns, PhaseProxy
	}
	r.HTTP.BlockedBy = by
	r.fail(Finding{Class: class, Phase: phase, Cause: CauseInPlace, Facts: Facts{Answer: answerOf(resp), By: by}})
}

// proxyChallenged reports whether an answer is the proxy asking for credentials: 407, or a 401 (as
// tinyproxy answers) that can only be the proxy's: an answer to CONNECT (connect), or one that says
// Proxy-Authenticate or comes from a proxy product; an endpoint's own 401 says WWW-Authenticate.
func proxyChallenged(resp *http.Response, connect bool) bool {
	return resp.StatusCode == http.StatusProxyAuthRequired || resp.StatusCode == http.StatusUnauthorized &&
		(connect || resp.Header.Get("Proxy-Authenticate") != "" || proxyProduct(resp) != "")
}

// unproven records the failure of a proxied plain-HTTP answer that does not prove its origin: a web
// server given as the proxy (it refuses CONNECT as an unknown method), or else http_unverified.
func (p *Prober) unproven(ctx context.Context, r *Result, px *Proxy, resp *http.Response, gap *ProofGap) {
	if code, ok := p.refusesConnect(ctx, px, r.Target); ok {
		r.Proxy.Status = resp.Status
		r.fail(Finding{Class: ClassProxyNotAProxy, Phase: PhaseProxy, Cause: CauseWebServer,
			Facts: Facts{Answer: answerOf(resp), Proxy: px.String(), RefusedWith: code}})
		return
	}
	r.fail(Finding{Class: ClassHTTPUnverified, Phase: PhaseHTTP, Cause: CauseUnproven,
		Facts: Facts{Answer: answerOf(resp), Gap: gap, Proxy: px.String()}})
}

// refusesConnect asks the proxy for a tunnel to the target's address and reports whether it refuses the
// method itself (400, 405 or 501), as a web server does; the tunnel, if opened, is closed at once.
func (p *Prober) refusesConnect(ctx context.Context, px *Proxy, t Target) (int, bool) {
	d := &HTTPConnectDialer{Proxy: px, UserAgent: p.opts.UserAgent, ConnectTimeout: p.opts.ConnectTimeout}
	conn, err := d.dialProxy(ctx)
	if err != nil {
		return 0, false
	}
	tunnel, err := d.connect(ctx, conn, t.Address(), false)
	if err == nil {
		tunnel.Close()
	}
	var pe *ProxyError
	if errors.As(err, &pe) && pe.Class == ClassProxyNotAProxy {
		return pe.Code, true
	}
	return 0, false
}

// relayedBySquidAlone reports whether the answer passed through squid and no other proxy: one Via entry,
// squid's ("1.1 proxy.corp (squid/5.7)").
func relayedBySquidAlone(resp *http.Response) bool {
	hops := strings.Split(strings.Join(resp.Header.Values("Via"), ","), ",")
	return len(hops) == 1 && strings.Contains(hops[0], "(squid")
}

// judgeAnswer tells an answer over a direct connection or a tunnel that a proxy in the path produced
// (its block page, a redirect to its portal, an error with its headers) from the endpoint's, and judges
// the endpoint's against Target.Expect. It records the failure or warning, and reports whether the
// answer is the endpoint's.
func judgeAnswer(r *Result, resp *http.Response) bool {
	t := r.Target
	if by, ok := blockedBy(t, resp); ok && r.HTTP.Evidence == "" {
		r.HTTP.BlockedBy = by
		r.fail(Finding{Class: ClassHTTPBlockedByProxy, Phase: PhaseHTTP, Cause: CauseBlocked, Facts: Facts{Answer: answerOf(resp), By: by}})
		return false
	}
	if t.Expect != nil && t.Expect.Status != 0 && resp.StatusCode != t.Expect.Status {
		r.warn(Finding{Class: ClassHTTPUnexpectedAnswer, Phase: PhaseHTTP, Facts: Facts{Answer: answerOf(resp), Expect: t.Expect.Status}})
	}
	return true
}

// proxyProducts are names in a Server header that only proxies and secure web gateways send.
var proxyProducts = []string{"squid", "zscaler", "bluecoat", "proxysg", "mcafee web gateway", "skyhigh", "forcepoint",
	"websense", "fortigate", "fortiproxy", "palo alto", "pan-os", "ironport", "cisco wsa", "sophos", "barracuda",
	"netskope", "check point", "untangle", "privoxy", "tinyproxy", "ziproxy", "mitmproxy"}

// blockedBy reports whether a proxy produced the answer, and names it: squid's own error mark, an error
// status or redirect with a proxy's Server or Via header, or a redirect to another host where the
// documented answer is no redirect.
func blockedBy(t Target, resp *http.Response) (*Answerer, bool) {
	name := proxyName(resp)
	code := resp.StatusCode
	errorish := code == http.StatusForbidden || code == http.StatusProxyAuthRequired ||
		code == http.StatusUnavailableForLegalReasons || code >= 500 || isRedirect(code)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	elsewhere := isRedirect(code) && loc != nil && loc.Hostname() != "" && !strings.EqualFold(loc.Hostname(), t.Host)
	switch {
	case resp.Header.Get("X-Squid-Error") != "":
		return cmp.Or(name, &Answerer{Squid: true}), true
	case name != nil && errorish:
		return name, true
	case elsewhere && t.Expect != nil && !isRedirect(t.Expect.Status):
		return cmp.Or(name, &Answerer{Portal: loc.Hostname()}), true
	}
	return nil, false
}

// proxyProduct is the answer's Server header when it names a proxy product (its own page, not a relayed
// one: a proxy adds Via to what it relays, but does not replace Server), else "".
func proxyProduct(resp *http.Response) string {
	server := resp.Header.Get("Server")
	for _, p := range proxyProducts {
		if strings.Contains(strings.ToLower(server), p) {
			return server
		}
	}
	return ""
}

// proxyName names the proxy an answer's headers point to: a Server header of a proxy product (with Via),
// else the Via header; nil when neither says.
func proxyName(resp *http.Response) *Answerer {
	if server := proxyProduct(resp); server != "" {
		return &Answerer{Server: server, Via: resp.Header.Get("Via")}
	}
	if via := resp.Header.Get("Via"); via != "" {
		return &Answerer{Via: via}
	}
	return nil
}

func isRedirect(code int) bool { return code >= 300 && code < 400 }
