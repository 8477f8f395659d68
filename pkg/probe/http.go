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
func (p *Prober) request(ctx, parent context.Context, conn net.Conn, r *Result, viaProxy *Proxy, body *[]byte) {
	t := r.Target
	phase := &HTTPPhase{}
	r.HTTP = phase
	start := time.Now()
	path := t.Path
	if path == "" {
		path = "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.Scheme+"://"+t.Address()+path, nil)
	if err != nil {
		r.fail(ClassHTTPError, "http", err.Error())
		return
	}
	req.Host = t.Host
	req.Header.Set("User-Agent", p.opts.UserAgent)
	req.Close = true
	if viaProxy != nil {
		(&HTTPConnectDialer{Proxy: viaProxy}).authorize(req.Header)
		err = req.WriteProxy(conn)
	} else {
		err = req.Write(conn)
	}
	if err == nil {
		var resp *http.Response
		resp, err = http.ReadResponse(bufio.NewReader(conn), req)
		if err == nil {
			phase.Status = resp.StatusCode
			phase.StatusText = resp.Status
			if body != nil && resp.StatusCode == http.StatusOK {
				*body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
			} else {
				io.CopyN(io.Discard, resp.Body, 4096)
			}
			resp.Body.Close()
			if viaProxy != nil && isProxyAnswer(resp) {
				pe := proxyErrorFromResponse(resp)
				r.Proxy.Status, r.Proxy.AuthSchemes, r.Proxy.ProxyCode = pe.Status, pe.AuthSchemes, pe.ProxyCode
				phase.Duration = time.Since(start)
				r.fail(pe.Class, "proxy", pe.Error())
				return
			}
		}
	}
	phase.Duration = time.Since(start)
	if err == nil && body != nil && phase.Status != http.StatusOK {
		r.fail(ClassHTTPError, "http", "answered "+phase.StatusText+", not 200 OK")
		return
	}
	if err != nil {
		class := classifyConn(err, parent, ClassHTTPError)
		if class == "" || class == ClassTCPRefused {
			class = ClassHTTPError
		}
		r.fail(class, "http", "no HTTP response: "+firstLine(err.Error()))
	}
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
