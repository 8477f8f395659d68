package probe

import (
	"bufio"
	"cmp"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// request sends one GET over conn and reads the response head. Any HTTP response means reachable.
// With viaProxy set, conn goes to that HTTP proxy and the request is sent in absolute form.
// With body set, the body of a 200 answer is kept there and any other status fails.
func (p *Prober) request(ctx context.Context, conn net.Conn, r *Result, viaProxy *Proxy, body *[]byte) {
	phase := &HTTPPhase{}
	r.HTTP = phase
	start := time.Now()
	defer func() { phase.Duration = time.Since(start) }()
	resp, err := p.roundTrip(ctx, conn, r.Target, viaProxy)
	if err != nil {
		failRequest(ctx, r, viaProxy != nil, err)
		return
	}
	defer resp.Body.Close()
	phase.Status, phase.StatusText, phase.Received = resp.StatusCode, resp.Status, time.Now()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		phase.Date = d
	}
	if viaProxy != nil && !judgeProxiedAnswer(r, viaProxy, resp) {
		return
	}
	if viaProxy == nil && !judgeAnswer(r, resp) {
		return
	}
	if body == nil {
		_, _ = io.CopyN(io.Discard, resp.Body, 4096)
		return
	}
	if resp.StatusCode != http.StatusOK {
		r.fail(ClassHTTPError, PhaseHTTP, "answered "+resp.Status+", not 200 OK")
		return
	}
	if *body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody)); err != nil {
		r.fail(classifyHTTP(err, ctx), PhaseHTTP, "reading the answer: "+errText(ctx, err))
	}
}

// failRequest records why no HTTP answer came. When the probe's deadline ended the wait, through a proxy
// it is the proxy's silence: it is still trying the endpoint, as with a CONNECT that gets no answer.
func failRequest(ctx context.Context, r *Result, viaProxy bool, err error) {
	switch {
	case deadlineHit(ctx, err) && viaProxy:
		r.fail(ClassProxyUpstreamFailed, PhaseProxy, "the proxy did not answer before the timeout: it is still trying the endpoint")
	case deadlineHit(ctx, err):
		r.fail(ClassHTTPError, PhaseHTTP, "no HTTP response before the timeout")
	default:
		r.fail(classifyHTTP(err, ctx), PhaseHTTP, "no HTTP response: "+errText(ctx, err))
	}
}

// roundTrip writes a GET for the target (in absolute form to viaProxy, if set) and reads the response head.
func (p *Prober) roundTrip(ctx context.Context, conn net.Conn, t Target, viaProxy *Proxy) (*http.Response, error) {
	path := t.Path
	if t.Expect != nil && t.Expect.Path != "" {
		path = t.Expect.Path
	}
	if path == "" {
		path = "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.Scheme+"://"+t.Address()+path, nil)
	if err != nil {
		return nil, err
	}
	req.Host = t.authority() // with the port when it is not the default: the proxy connects there
	req.Header.Set("User-Agent", p.opts.UserAgent)
	req.Close = true
	if viaProxy != nil {
		viaProxy.authorize(req.Header)
		err = req.WriteProxy(conn)
	} else {
		err = req.Write(conn)
	}
	if err != nil {
		return nil, err
	}
	return http.ReadResponse(bufio.NewReader(conn), req)
}

// classifyHTTP names a failure to get an HTTP answer: canceled, reset, or http_error.
func classifyHTTP(err error, ctx context.Context) Class {
	switch class := classifyConn(err, ctx, ClassHTTPError); class {
	case ClassCanceled, ClassTCPReset:
		return class
	}
	return ClassHTTPError
}

// judgeProxiedAnswer tells, for an absolute-form request through an HTTP proxy, the proxy's own answer
// from the endpoint's, records a failure when the answer is not the endpoint's, and reports whether it is.
// A proxy's refusal and an endpoint's look alike; only squid marks its own (X-Squid-Error), so what squid
// alone relayed without that mark is the endpoint's, whatever its status. From any other proxy a 403 or
// a 5xx is unverified, never reachable: the endpoint may not be listening at all.
func judgeProxiedAnswer(r *Result, px *Proxy, resp *http.Response) bool {
	code := resp.StatusCode
	squid := relayedBySquidAlone(resp)
	switch {
	case code == http.StatusProxyAuthRequired, resp.Header.Get("X-Squid-Error") != "",
		!squid && (code == http.StatusBadGateway || code == http.StatusGatewayTimeout):
		pe := proxyErrorFromResponse(resp)
		r.Proxy.Status, r.Proxy.AuthSchemes, r.Proxy.ProxyCode = pe.Status, pe.AuthSchemes, pe.ProxyCode
		r.fail(pe.Class, PhaseProxy, pe.Error())
		return false
	case resp.Header.Get("X-Transformed-From") != "":
		// squid relays what is not HTTP as an HTTP/0.9 answer and says so in this header.
		r.fail(ClassHTTPError, PhaseHTTP, "the endpoint did not answer HTTP: the proxy relayed what it sent as "+
			"a "+resp.Status+" answer, marked X-Transformed-From: "+resp.Header.Get("X-Transformed-From"))
		return false
	case !squid && (code == http.StatusForbidden || code >= 500):
		r.fail(ClassHTTPUnverified, PhaseHTTP, "the proxy relayed "+resp.Status+", which may be its own refusal or the "+
			"endpoint's answer"+proxyHeaders(resp))
		return false
	}
	r.Proxy.Authenticated = px.HasCredentials() // sent with the request, and not refused
	return true
}

// relayedBySquidAlone reports whether the answer passed through squid and no other proxy: one Via entry,
// squid's ("1.1 proxy.corp (squid/5.7)").
func relayedBySquidAlone(resp *http.Response) bool {
	hops := strings.Split(strings.Join(resp.Header.Values("Via"), ","), ",")
	return len(hops) == 1 && strings.Contains(hops[0], "(squid")
}

// proxyHeaders names the headers that may tell who answered: Via and Server.
func proxyHeaders(resp *http.Response) string {
	var parts []string
	for _, h := range []string{"Via", "Server"} {
		if v := resp.Header.Get(h); v != "" {
			parts = append(parts, h+": "+v)
		}
	}
	if len(parts) == 0 {
		return " (no Via or Server header)"
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// judgeAnswer tells an answer over a direct connection or a tunnel that a proxy in the path produced
// (its block page, a redirect to its portal, an error with its headers) from the endpoint's, and judges
// the endpoint's against Target.Expect. It records the failure or warning, and reports whether the
// answer is the endpoint's.
func judgeAnswer(r *Result, resp *http.Response) bool {
	t := r.Target
	if by, ok := blockedBy(t, resp); ok {
		r.HTTP.BlockedBy = by
		msg := by + " answered " + resp.Status + " in the endpoint's place"
		if code := resp.Header.Get("X-Squid-Error"); code != "" {
			msg += " (X-Squid-Error: " + code + ")"
		}
		if loc := resp.Header.Get("Location"); isRedirect(resp.StatusCode) && loc != "" {
			msg += ", redirecting to " + loc
		}
		r.fail(ClassHTTPBlockedByProxy, PhaseHTTP, msg+": the request never reached the endpoint")
		return false
	}
	if t.Expect != nil && t.Expect.Status != 0 && resp.StatusCode != t.Expect.Status {
		r.warn(ClassHTTPUnexpectedAnswer, PhaseHTTP, "answered "+resp.Status+" where "+strconv.Itoa(t.Expect.Status)+
			" is documented"+proxyHeaders(resp))
	}
	return true
}

// proxyProducts are names in a Server header that only proxies and secure web gateways send.
var proxyProducts = []string{"squid", "zscaler", "bluecoat", "proxysg", "mcafee web gateway", "skyhigh", "forcepoint",
	"websense", "fortigate", "fortiproxy", "palo alto", "pan-os", "ironport", "cisco wsa", "sophos", "barracuda",
	"netskope", "check point", "untangle", "privoxy", "tinyproxy", "ziproxy"}

// blockedBy reports whether a proxy produced the answer, and names it: squid's own error mark, an error
// status or redirect with a proxy's Server or Via header, or a redirect to another host where the
// documented answer is no redirect.
func blockedBy(t Target, resp *http.Response) (string, bool) {
	name := proxyName(resp)
	code := resp.StatusCode
	errorish := code == http.StatusForbidden || code == http.StatusProxyAuthRequired ||
		code == http.StatusUnavailableForLegalReasons || code >= 500 || isRedirect(code)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	elsewhere := isRedirect(code) && loc != nil && loc.Hostname() != "" && !strings.EqualFold(loc.Hostname(), t.Host)
	switch {
	case resp.Header.Get("X-Squid-Error") != "":
		return cmp.Or(name, "squid"), true
	case name != "" && errorish:
		return name, true
	case elsewhere && t.Expect != nil && !isRedirect(t.Expect.Status):
		return cmp.Or(name, "a proxy or portal at "+loc.Hostname()), true
	}
	return "", false
}

// proxyName names the proxy an answer's headers point to: a Server header of a proxy product, else the
// Via header; "" when neither says.
func proxyName(resp *http.Response) string {
	server := resp.Header.Get("Server")
	for _, p := range proxyProducts {
		if strings.Contains(strings.ToLower(server), p) {
			if via := resp.Header.Get("Via"); via != "" {
				return server + " (Via: " + via + ")"
			}
			return server
		}
	}
	if via := resp.Header.Get("Via"); via != "" {
		return "the proxy " + via
	}
	return ""
}

func isRedirect(code int) bool { return code >= 300 && code < 400 }
