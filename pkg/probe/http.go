package probe

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
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
	phase.Status, phase.StatusText = resp.StatusCode, resp.Status
	if viaProxy != nil && !judgeProxiedAnswer(r, viaProxy, resp) {
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
