package probe

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
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
		r.fail(classifyHTTP(err, ctx), PhaseHTTP, "no HTTP response: "+firstLine(err.Error()))
		return
	}
	defer resp.Body.Close()
	phase.Status, phase.StatusText = resp.StatusCode, resp.Status
	if viaProxy != nil && isProxyAnswer(resp) {
		pe := proxyErrorFromResponse(resp)
		r.Proxy.Status, r.Proxy.AuthSchemes, r.Proxy.ProxyCode = pe.Status, pe.AuthSchemes, pe.ProxyCode
		r.fail(pe.Class, PhaseProxy, pe.Error())
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
		r.fail(classifyHTTP(err, ctx), PhaseHTTP, "reading the answer: "+firstLine(err.Error()))
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
	req.Host = t.Host
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

// isProxyAnswer tells a proxy's own refusal from the endpoint's answer relayed by it.
func isProxyAnswer(resp *http.Response) bool {
	switch {
	case resp.StatusCode == http.StatusProxyAuthRequired, resp.Header.Get("X-Squid-Error") != "":
		return true
	case resp.StatusCode == http.StatusBadGateway, resp.StatusCode == http.StatusGatewayTimeout:
		return true
	}
	return false
}
